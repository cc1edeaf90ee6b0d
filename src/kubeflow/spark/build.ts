/**
 * The bodies SparkClient builds (docs/wire/spark.md#bodies): a SparkApplication for submit_job and
 * a SparkConnect for connect(). With only the SDK's arguments the result is the SDK's body byte
 * for byte (keys in the order its serialiser emits them: alphabetical model fields); everything
 * beyond (image, Spark version, driver resources, dependencies, dynamic allocation, env) is opt-in.
 */
import { envVar } from '../../kube/secretRef.js';
import type { ObjectMeta } from '../../kube/types.js';
import {
  connectJar,
  DEFAULT_CORES,
  DEFAULT_MEMORY,
  DEFAULT_NUM_EXECUTORS,
  DEFAULT_SERVICE_ACCOUNT,
  DEFAULT_SPARK_IMAGE,
  DEFAULT_SPARK_VERSION,
  SPARK_APPLICATIONS,
  SPARK_CONNECTS,
} from './constants.js';
import { SparkError } from './errors.js';
import { sparkResources } from './resources.js';
import type { DynamicAllocation, SparkAppType, SparkApplication, SparkConnect, SparkDeps } from './types.js';

type Resources = Record<string, string | number>;

interface DynamicAllocationRequest {
  minExecutors?: number;
  maxExecutors: number;
  initialExecutors?: number;
}

interface Common {
  name: string;
  namespace: string;
  numExecutors?: number;
  executorResources?: Resources;
  sparkConf?: Record<string, string>;
  image?: string;
  sparkVersion?: string;
  dynamicAllocation?: DynamicAllocationRequest;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface SparkJobRequest extends Common {
  mainApplicationFile: string;
  /** The SDK always sends Python, whatever the file; Java/Scala need mainClass. */
  type?: SparkAppType;
  mainClass?: string;
  arguments?: string[];
  driverResources?: Resources;
  serviceAccount?: string;
  deps?: SparkDeps;
  /** Driver and executor environment; "secret:<name>/<key>" values read a Secret key. */
  env?: Record<string, string>;
}

export interface SparkSessionRequest extends Common {
  serverResources?: Resources;
  /** The SDK sets one only when asked (Driver(service_account=...)); the namespace default SA otherwise. */
  serviceAccount?: string;
}

function metadata(r: Common): ObjectMeta {
  return {
    ...(r.annotations && Object.keys(r.annotations).length ? { annotations: r.annotations } : {}),
    ...(r.labels && Object.keys(r.labels).length ? { labels: r.labels } : {}),
    name: r.name,
    namespace: r.namespace,
  };
}

function dynamic(d: DynamicAllocationRequest | undefined, numExecutors: number | undefined): DynamicAllocation | undefined {
  if (!d) return undefined;
  const min = d.minExecutors ?? 0;
  if (min > d.maxExecutors)
    throw new SparkError(
      'invalid_dynamic_allocation',
      `min_executors (${min}) is more than max_executors (${d.maxExecutors})`,
      'make min_executors <= max_executors',
      'dynamic_allocation',
    );
  const initial = d.initialExecutors ?? numExecutors;
  if (initial !== undefined && (initial < min || initial > d.maxExecutors)) {
    throw new SparkError(
      'invalid_dynamic_allocation',
      `the initial executors (${initial}) are outside ${min}..${d.maxExecutors}`,
      'give num_executors (or initial_executors) between min_executors and max_executors',
      'dynamic_allocation',
    );
  }
  return {
    enabled: true,
    ...(d.initialExecutors !== undefined ? { initialExecutors: d.initialExecutors } : {}),
    maxExecutors: d.maxExecutors,
    ...(d.minExecutors !== undefined ? { minExecutors: d.minExecutors } : {}),
  };
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length ? list : undefined;
}

function depsOf(d: SparkDeps | undefined): SparkDeps | undefined {
  if (!d) return undefined;
  const keys = ['archives', 'excludePackages', 'files', 'jars', 'packages', 'pyFiles', 'repositories'] as const;
  const out: SparkDeps = {};
  for (const k of keys) if (d[k]?.length) out[k] = d[k];
  return Object.keys(out).length ? out : undefined;
}

/** SparkApplication for a file job (PySpark, JVM or R application), as SparkClient.submit_job builds it. */
export function buildSparkApplication(r: SparkJobRequest): SparkApplication {
  const type = r.type ?? 'Python';
  if ((type === 'Java' || type === 'Scala') && !r.mainClass) {
    throw new SparkError(
      'main_class_required',
      `a ${type} application needs main_class (the class with main())`,
      'give main_class, e.g. "org.apache.spark.examples.SparkPi"',
      'main_class',
    );
  }
  const executor = sparkResources(r.executorResources, 'executor_resources');
  const driver = sparkResources(r.driverResources, 'driver_resources');
  const env = r.env && Object.keys(r.env).length ? Object.entries(r.env).map(([k, v]) => envVar(k, v)) : undefined;
  const dyn = dynamic(r.dynamicAllocation, r.numExecutors);
  // With dynamic allocation Spark decides the count: instances only when asked for.
  const instances = dyn && r.numExecutors === undefined ? undefined : (r.numExecutors ?? DEFAULT_NUM_EXECUTORS);
  const spec: SparkApplication['spec'] = {
    ...(nonEmpty(r.arguments) ? { arguments: r.arguments } : {}),
    ...(depsOf(r.deps) ? { deps: depsOf(r.deps) } : {}),
    driver: {
      cores: driver.cores ?? DEFAULT_CORES,
      ...(env ? { env } : {}),
      memory: driver.memory ?? DEFAULT_MEMORY,
      serviceAccount: r.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT,
    },
    ...(dyn ? { dynamicAllocation: dyn } : {}),
    executor: {
      cores: executor.cores ?? DEFAULT_CORES,
      ...(env ? { env } : {}),
      ...(instances !== undefined ? { instances } : {}),
      memory: executor.memory ?? DEFAULT_MEMORY,
    },
    image: r.image ?? DEFAULT_SPARK_IMAGE,
    mainApplicationFile: r.mainApplicationFile,
    ...(r.mainClass ? { mainClass: r.mainClass } : {}),
    mode: 'cluster',
    ...(r.sparkConf && Object.keys(r.sparkConf).length ? { sparkConf: r.sparkConf } : {}),
    sparkVersion: r.sparkVersion ?? DEFAULT_SPARK_VERSION,
    type,
  };
  return { apiVersion: `${SPARK_APPLICATIONS.group}/${SPARK_APPLICATIONS.version}`, kind: SPARK_APPLICATIONS.kind, metadata: metadata(r), spec };
}

/**
 * Characters a shell gives meaning to. Operators up to v2.5.2 put a SparkConnect's sparkConf into
 * the server's `bash -c` command line unquoted (docs/wire/spark.md#bodies), so such a value would
 * run as a command in the server pod instead of being a setting: refused, so values stay inert.
 */
const SHELL_SPECIAL = /[`$;&|<>()\\"'*?!{}[\]#~\s]/;

function checkConnectConf(conf: Record<string, string>): void {
  for (const [k, v] of Object.entries(conf)) {
    const bad = SHELL_SPECIAL.exec(k) ?? SHELL_SPECIAL.exec(v);
    if (bad) {
      throw new SparkError(
        'unsafe_spark_conf',
        `spark_conf ${JSON.stringify(k.slice(0, 80))}: ${JSON.stringify(bad[0])} is not allowed in a session's settings (the Spark Operator passes them through a shell, which would interpret it)`,
        'use plain values (letters, digits, . , / : = - _ + @ %); set anything else in the application code after connecting',
        `spark_conf.${k}`,
      );
    }
  }
}

/** SparkConnect for a Spark Connect server, as SparkClient.connect() builds it in create mode. */
export function buildSparkConnect(r: SparkSessionRequest): SparkConnect {
  const version = r.sparkVersion ?? DEFAULT_SPARK_VERSION;
  checkConnectConf(r.sparkConf ?? {});
  const executor = sparkResources(r.executorResources, 'executor_resources');
  const server = sparkResources(r.serverResources, 'server_resources');
  const dyn = dynamic(r.dynamicAllocation, r.numExecutors);
  const user = r.sparkConf ?? {};
  // The connect jar comes first; a user's spark.jars is appended after a comma; other keys follow
  // (and may override the binding address).
  const sparkConf: Record<string, string> = {
    'spark.jars': user['spark.jars'] ? `${connectJar(version)},${user['spark.jars']}` : connectJar(version),
    'spark.connect.grpc.binding.address': '0.0.0.0',
  };
  for (const [k, v] of Object.entries(user)) if (k !== 'spark.jars') sparkConf[k] = v;
  const spec: SparkConnect['spec'] = {
    ...(dyn ? { dynamicAllocation: dyn } : {}),
    executor: { cores: executor.cores ?? DEFAULT_CORES, instances: r.numExecutors ?? DEFAULT_NUM_EXECUTORS, memory: executor.memory ?? DEFAULT_MEMORY },
    image: r.image ?? DEFAULT_SPARK_IMAGE,
    server: {
      cores: server.cores ?? DEFAULT_CORES,
      memory: server.memory ?? DEFAULT_MEMORY,
      ...(r.serviceAccount ? { template: { spec: { containers: [], serviceAccountName: r.serviceAccount } } } : {}),
    },
    sparkConf,
    sparkVersion: version,
  };
  return { apiVersion: `${SPARK_CONNECTS.group}/${SPARK_CONNECTS.version}`, kind: SPARK_CONNECTS.kind, metadata: metadata(r), spec };
}
