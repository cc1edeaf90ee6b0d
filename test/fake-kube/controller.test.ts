import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAIL_LABEL, startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, openStream, TJ_PATH, trainJob, waitFor } from './helpers.js';

let kube: FakeKube;
const NS = 'default';
const sdkSelector = (name: string): string =>
  encodeURIComponent(
    `jobset.sigs.k8s.io/jobset-name=${name},jobset.sigs.k8s.io/replicatedjob-name in (dataset-initializer, model-initializer, launcher, node)`,
  );

const getJob = async (name: string, ns = NS) => (await call(kube, 'GET', TJ_PATH(ns, name))).body;
const pods = async (name: string, ns = NS): Promise<any[]> =>
  (await call(kube, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${sdkSelector(name)}`)).body.items;
const condition = (tj: any, type: string) => (tj.status?.conditions ?? []).find((c: any) => c.type === type);
const waitCondition = (name: string, type: string, ns = NS) =>
  waitFor(
    async () => {
      const tj = await getJob(name, ns);
      return condition(tj, type)?.status === 'True' ? tj : undefined;
    },
    4000,
    `${name} ${type}`,
  );
const byIndex = (ps: any[]) => [...ps].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
const env = (c: any, name: string) => c.env?.find((e: any) => e.name === name);

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', 'team-a'], controller: { stepMs: 15, runSteps: 3 } });
  kube.seedDefaultRuntimes();
  kube.addNode({
    name: 'gpu-1',
    allocatable: { cpu: '32', memory: '256Gi', 'nvidia.com/gpu': '8' },
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
  });
});
afterAll(() => kube.close());

describe('seeding', () => {
  it('loads the v2.3.0 ClusterTrainingRuntimes and nodes', async () => {
    const names = (await call(kube, 'GET', '/apis/trainer.kubeflow.org/v1alpha1/clustertrainingruntimes')).body.items.map((i: any) => i.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'torch-distributed',
        'deepspeed-distributed',
        'mlx-distributed',
        'jax-distributed',
        'xgboost-distributed',
        'torchtune-llama3.2-1b',
        'torchtune-qwen2.5-1.5b',
        'torch-distributed-with-cache',
      ]),
    );
    const node = (await call(kube, 'GET', '/api/v1/nodes/gpu-1')).body;
    expect(node.status.allocatable['nvidia.com/gpu']).toBe('8');
    expect(node.metadata.labels['nvidia.com/gpu.product']).toBe('NVIDIA-A100-SXM4-80GB');
  });
});

describe('happy path (torch-distributed, 2 nodes)', () => {
  it('materialises JobSet + pods, runs, logs, completes', async () => {
    const body = trainJob('happy', {
      spec: {
        trainer: {
          numNodes: 2,
          image: 'my/image:1',
          command: ['bash', '-c', 'train'],
          env: [{ name: 'EPOCHS', value: '3' }],
          resourcesPerNode: { limits: { cpu: '4' } },
        },
      },
    });
    expect((await call(kube, 'POST', TJ_PATH(NS), { body })).status).toBe(201);
    const tj = await getJob('happy');
    const ps = byIndex(await waitFor(async () => ((await pods('happy')).length === 2 ? pods('happy') : undefined), 2000, 'pods'));

    const js = (await call(kube, 'GET', `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${NS}/jobsets/happy`)).body;
    expect(js.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'TrainJob', name: 'happy', uid: tj.metadata.uid, controller: true })]);
    expect(js.spec.replicatedJobs[0]).toMatchObject({ name: 'node', template: { spec: { parallelism: 2 } } });

    ps.forEach((p, i) => {
      expect(p.metadata.name).toMatch(new RegExp(`^happy-node-0-${i}-[a-z0-9]{5}$`));
      expect(p.metadata.labels).toMatchObject({
        'jobset.sigs.k8s.io/jobset-name': 'happy',
        'jobset.sigs.k8s.io/replicatedjob-name': 'node',
        'jobset.sigs.k8s.io/job-index': '0',
        'batch.kubernetes.io/job-completion-index': String(i),
        'job-name': 'happy-node-0',
      });
      expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: 'JobSet', name: 'happy', uid: js.metadata.uid });
      expect(p.spec.nodeName).toBe('gpu-1');
      const c = p.spec.containers[0];
      expect(c).toMatchObject({ name: 'node', image: 'my/image:1', command: ['bash', '-c', 'train'], resources: { limits: { cpu: '4' } } });
      expect(env(c, 'EPOCHS').value).toBe('3');
      expect(env(c, 'PET_NNODES').value).toBe('2');
      expect(env(c, 'PET_NPROC_PER_NODE').value).toBe('4');
      expect(env(c, 'PET_MASTER_ADDR').value).toBe('happy-node-0-0.happy');
      expect(env(c, 'PET_MASTER_PORT').value).toBe('29500');
      expect(env(c, 'PET_NODE_RANK').valueFrom.fieldRef.fieldPath).toContain('job-completion-index');
    });

    const done = await waitCondition('happy', 'Complete');
    expect(condition(done, 'Complete')).toMatchObject({ status: 'True', reason: 'AllJobsCompleted', message: 'jobset completed successfully' });
    expect(done.status.jobsStatus).toEqual([{ name: 'node', ready: 0, succeeded: 1, failed: 0, active: 0, suspended: 0 }]);
    const finalPods = await pods('happy');
    expect(finalPods.map((p) => p.status.phase)).toEqual(['Succeeded', 'Succeeded']);
    expect(finalPods[0].status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });

    const node0 = byIndex(finalPods)[0].metadata.name;
    const logs = await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/${node0}/log?container=node`);
    expect(logs.status).toBe(200);
    expect(logs.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(logs.text).toContain('epoch=1 loss=0.9000');
    expect(logs.text.endsWith('\n')).toBe(true);
    const tail = await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/${node0}/log?tailLines=1&timestamps=true`);
    expect(tail.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \[rank 0\] Training completed\n$/);

    const events = (await call(kube, 'GET', `/api/v1/namespaces/${NS}/events`)).body.items;
    const reasonsFor = (name: string) => events.filter((e: any) => e.involvedObject.name === name).map((e: any) => e.reason);
    expect(reasonsFor(node0)).toEqual(expect.arrayContaining(['Scheduled', 'Pulled', 'Created', 'Started']));
    expect(reasonsFor('happy')).toEqual(expect.arrayContaining(['Created', 'AllJobsCompleted']));
    const ev = events.find((e: any) => e.reason === 'Scheduled' && e.involvedObject.name === node0);
    expect(ev).toMatchObject({ type: 'Normal', count: 1, involvedObject: { kind: 'Pod', namespace: NS }, source: { component: 'default-scheduler' } });
    expect(ev.firstTimestamp).toMatch(/Z$/);
  });

  it('a watch on the TrainJob sees every status transition', async () => {
    const w = await openStream(kube, `${TJ_PATH(NS)}?watch=true&fieldSelector=metadata.name%3Dwatched`);
    await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('watched') });
    await waitFor(() => w.events.some((e) => (e.object.status?.conditions ?? []).some((c: any) => c.type === 'Complete')), 4000, 'Complete via watch');
    w.close();
    expect(w.events[0].type).toBe('ADDED');
    expect(w.events.slice(1).every((e) => e.type === 'MODIFIED')).toBe(true);
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
  });
});

describe('logs', () => {
  it('Pending containers and unknown containers are 400s with kubelet messages', async () => {
    kube.controller.pause();
    try {
      await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('pending') });
      const [p] = await waitFor(async () => ((await pods('pending')).length ? pods('pending') : undefined));
      const name = p.metadata.name;
      expect(p.status.phase).toBe('Pending');
      const r = await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/${name}/log?container=node`);
      expect(r.status).toBe(400);
      expect(r.body.message).toBe(`container "node" in pod "${name}" is waiting to start: ContainerCreating`);
      const bad = await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/${name}/log?container=nope`);
      expect(bad.body.message).toBe(`container nope is not valid for pod ${name}`);
      expect((await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/missing/log`)).body.message).toBe('pods "missing" not found');
    } finally {
      kube.controller.resume();
    }
    await waitCondition('pending', 'Complete');
  });

  it('follow=true streams lines and ends when the container terminates', async () => {
    await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('follow') });
    const pod = await waitFor(async () => (await pods('follow')).find((p) => p.status.phase === 'Running'), 3000, 'running pod');
    const s = await openStream(kube, `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/log?container=node&follow=true`);
    await s.ended;
    expect(s.lines).toEqual(['[rank 0] Starting training', 'epoch=1 loss=0.9000', 'epoch=2 loss=0.6000', 'epoch=3 loss=0.4000', '[rank 0] Training completed']);
  });

  it('a pip list command prints the python version and a package table', async () => {
    await call(kube, 'POST', TJ_PATH(NS), {
      body: trainJob('pkgs', { spec: { trainer: { command: ['bash', '-c', 'python -c "import sys; print(sys.version)" && pip list'] } } }),
    });
    await waitCondition('pkgs', 'Complete');
    const [p] = await pods('pkgs');
    const text = (await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/${p.metadata.name}/log`)).text;
    expect(text).toMatch(/^3\.\d+\.\d+ /);
    expect(text).toMatch(/Package\s+Version/);
    expect(text).toMatch(/torch\s+\d/);
  });
});

describe('failures', () => {
  it('outcome Failed → pods Failed, Failed=True FailedJobs, traceback in logs, Warning event', async () => {
    await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('boom', { labels: { [FAIL_LABEL]: 'true' } }) });
    const tj = await waitCondition('boom', 'Failed');
    expect(condition(tj, 'Failed')).toMatchObject({ reason: 'FailedJobs', message: 'jobset failed due to one or more job failures' });
    expect(condition(tj, 'Complete')).toBeUndefined();
    const [p] = await pods('boom');
    expect(p.status.phase).toBe('Failed');
    expect(p.status.containerStatuses[0].state.terminated.exitCode).toBe(1);
    expect((await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/${p.metadata.name}/log`)).text).toContain('RuntimeError');
    const events = (await call(kube, 'GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dboom,involvedObject.kind%3DTrainJob`)).body
      .items;
    expect(events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'FailedJobs' }));
  });

  it('a missing runtime → Failed TrainingRuntimeNotSupported and no pods', async () => {
    await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('noruntime', { spec: { runtimeRef: { name: 'does-not-exist' } } }) });
    const tj = await waitCondition('noruntime', 'Failed');
    expect(condition(tj, 'Failed').reason).toBe('TrainingRuntimeNotSupported');
    expect(await pods('noruntime')).toEqual([]);
    // A namespaced TrainingRuntime must live in the TrainJob's namespace.
    await call(kube, 'POST', TJ_PATH('team-a'), {
      body: trainJob('wrongns', { spec: { runtimeRef: { name: 'torch-distributed', kind: 'TrainingRuntime' } } }),
    });
    expect(condition(await waitCondition('wrongns', 'Failed', 'team-a'), 'Failed').reason).toBe('TrainingRuntimeNotSupported');
  });

  it('uses a namespaced TrainingRuntime from the same namespace', async () => {
    const ctr = kube.store.get('trainer.kubeflow.org', 'clustertrainingruntimes', undefined, 'torch-distributed');
    const rt = {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainingRuntime',
      metadata: { name: 'my-torch', labels: ctr.metadata.labels },
      spec: ctr.spec,
    };
    // Seeded directly: runtime admission is covered in validation.test.ts (and its schema is slow to compile).
    kube.store.create({ ...rt, metadata: { ...rt.metadata, namespace: 'team-a' } });
    await call(kube, 'POST', TJ_PATH('team-a'), { body: trainJob('nsrt', { spec: { runtimeRef: { name: 'my-torch', kind: 'TrainingRuntime' } } }) });
    await waitCondition('nsrt', 'Complete', 'team-a');
  });
});

describe('runtimes with initializers and MPI', () => {
  it('torchtune: initializers finish before node pods are created; storageUri → STORAGE_URI', async () => {
    await call(kube, 'POST', TJ_PATH(NS), {
      body: trainJob('tune', {
        spec: {
          runtimeRef: { name: 'torchtune-qwen2.5-1.5b' },
          initializer: { dataset: { storageUri: 'hf://my/data', secretRef: { name: 'hf-token' } }, model: { env: [{ name: 'ACCESS_TOKEN', value: 't' }] } },
          trainer: { command: ['tune', 'run'], args: ['epochs=1'] },
        },
      }),
    });
    // The initializers (a slow poll may already see the node pod; the order is checked below).
    const initPods = async () => (await pods('tune')).filter((p) => p.metadata.name.includes('initializer'));
    const inits = await waitFor(async () => ((await initPods()).length >= 2 ? initPods() : undefined));
    expect(inits.map((p) => p.metadata.labels['jobset.sigs.k8s.io/replicatedjob-name']).sort()).toEqual(['dataset-initializer', 'model-initializer']);
    const ds = inits.find((p) => p.metadata.name.startsWith('tune-dataset-initializer-0-0-'))!.spec.containers[0];
    expect(env(ds, 'STORAGE_URI').value).toBe('hf://my/data');
    expect(ds.envFrom).toEqual([{ secretRef: { name: 'hf-token' } }]);
    const model = inits.find((p) => p.metadata.name.startsWith('tune-model-initializer'))!.spec.containers[0];
    expect(env(model, 'STORAGE_URI').value).toBe('hf://Qwen/Qwen2.5-1.5B-Instruct');
    expect(env(model, 'ACCESS_TOKEN').value).toBe('t');

    const nodePod = await waitFor(
      async () => (await pods('tune')).find((p) => p.metadata.labels['jobset.sigs.k8s.io/replicatedjob-name'] === 'node'),
      3000,
      'node pod',
    );
    const initsNow = (await pods('tune')).filter((p) => p.metadata.name.includes('initializer'));
    expect(initsNow.every((p) => p.status.phase === 'Succeeded')).toBe(true);
    expect(nodePod.spec.containers[0]).toMatchObject({ command: ['tune', 'run'], args: ['epochs=1'] });
    const done = await waitCondition('tune', 'Complete');
    expect(done.status.jobsStatus.map((j: any) => j.name)).toEqual(['dataset-initializer', 'model-initializer', 'node']);
  });

  it('deepspeed (MPI): launcher is node-0, node job gets numNodes-1 pods', async () => {
    await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('mpi', { spec: { runtimeRef: { name: 'deepspeed-distributed' }, trainer: { numNodes: 3 } } }) });
    await waitCondition('mpi', 'Complete');
    const ps = await pods('mpi');
    const byJob = (j: string) => ps.filter((p) => p.metadata.labels['jobset.sigs.k8s.io/replicatedjob-name'] === j);
    expect(byJob('launcher')).toHaveLength(1);
    expect(
      byJob('node')
        .map((p) => p.metadata.labels['batch.kubernetes.io/job-completion-index'])
        .sort(),
    ).toEqual(['0', '1']);
    expect(env(byJob('launcher')[0].spec.containers[0], 'OMPI_MCA_orte_default_hostfile').value).toBe('/etc/mpi/hostfile');
  });
});

describe('suspend / resume', () => {
  it('suspending deletes pods and sets Suspended; resuming recreates pods and completes', async () => {
    kube.controller.pause();
    await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('sus') });
    const first = await waitFor(async () => ((await pods('sus')).length ? pods('sus') : undefined));
    await call(kube, 'PATCH', TJ_PATH(NS, 'sus'), { body: { spec: { suspend: true } }, contentType: 'application/merge-patch+json' });
    const suspended = await waitCondition('sus', 'Suspended');
    expect(condition(suspended, 'Suspended')).toMatchObject({ reason: 'Suspended', message: 'TrainJob is suspended' });
    expect(suspended.status.jobsStatus).toEqual([{ name: 'node', ready: 0, succeeded: 0, failed: 0, active: 0, suspended: 1 }]);
    await waitFor(async () => (await pods('sus')).length === 0, 2000, 'pods deleted');
    kube.controller.resume();

    await call(kube, 'PATCH', TJ_PATH(NS, 'sus'), { body: { spec: { suspend: false } }, contentType: 'application/merge-patch+json' });
    const resumed = await waitFor(async () => {
      const tj = await getJob('sus');
      return condition(tj, 'Suspended')?.status === 'False' ? tj : undefined;
    });
    expect(condition(resumed, 'Suspended')).toMatchObject({ reason: 'Resumed', message: 'TrainJob is resumed' });
    const second = await waitFor(async () => ((await pods('sus')).length ? pods('sus') : undefined));
    expect(second[0].metadata.name).not.toBe(first[0].metadata.name);
    const done = await waitCondition('sus', 'Complete');
    expect(done.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['Suspended=False', 'Complete=True']);
  });

  it('a TrainJob created suspended gets Suspended=True and no pods', async () => {
    await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('born-suspended', { spec: { suspend: true } }) });
    await waitCondition('born-suspended', 'Suspended');
    await new Promise((r) => setTimeout(r, 60));
    expect(await pods('born-suspended')).toEqual([]);
  });
});

describe('delete cascade', () => {
  it('deleting a TrainJob removes its JobSet, pods and their logs', async () => {
    await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('gone') });
    const [p] = await waitFor(async () => ((await pods('gone')).filter((x) => x.status.phase === 'Running').length ? pods('gone') : undefined));
    expect((await call(kube, 'DELETE', TJ_PATH(NS, 'gone'))).status).toBe(200);
    await waitFor(async () => (await pods('gone')).length === 0, 2000, 'pods gone');
    expect((await call(kube, 'GET', `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${NS}/jobsets/gone`)).status).toBe(404);
    expect((await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/${p.metadata.name}/log`)).status).toBe(404);
  });
});

describe('deterministic controls', () => {
  it('completeNow / failNow / setProgress', async () => {
    kube.controller.pause();
    try {
      await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('ctl-ok') });
      await call(kube, 'POST', TJ_PATH(NS), { body: trainJob('ctl-bad') });
      await waitFor(async () => (await pods('ctl-ok')).length && (await pods('ctl-bad')).length);
      kube.controller.setProgress(NS, 'ctl-ok', { progressPercentage: 50, estimatedRemainingSeconds: 30, metrics: [{ name: 'loss', value: '0.5' }] });
      const progressed = await getJob('ctl-ok');
      expect(progressed.status.trainerStatus).toMatchObject({ progressPercentage: 50, metrics: [{ name: 'loss', value: '0.5' }] });
      expect(progressed.status.trainerStatus.lastUpdatedTime).toMatch(/Z$/);
      kube.controller.completeNow(NS, 'ctl-ok');
      expect(condition(await getJob('ctl-ok'), 'Complete').status).toBe('True');
      const [okPod] = await pods('ctl-ok');
      expect((await call(kube, 'GET', `/api/v1/namespaces/${NS}/pods/${okPod.metadata.name}/log`)).text).toContain('Training completed');
      kube.controller.failNow(NS, 'ctl-bad', 'DeadlineExceeded');
      expect(condition(await getJob('ctl-bad'), 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'TrainJob exceeded its active deadline' });
    } finally {
      kube.controller.resume();
    }
  });

  it('custom logs and outcome functions', async () => {
    const custom = await startFakeKube({
      controller: { stepMs: 5, runSteps: 2, logs: ({ container }) => [`hello from ${container}`, 'bye'], outcome: () => 'Failed' },
    });
    try {
      custom.seedDefaultRuntimes();
      await call(custom, 'POST', TJ_PATH(NS), { body: trainJob('c') });
      await waitFor(async () => {
        const tj = (await call(custom, 'GET', TJ_PATH(NS, 'c'))).body;
        return condition(tj, 'Failed')?.status === 'True';
      });
      const [p] = custom.store.list('', 'pods', NS);
      expect((await call(custom, 'GET', `/api/v1/namespaces/${NS}/pods/${p.metadata.name}/log`)).text).toBe('hello from node\nbye\n');
    } finally {
      await custom.close();
    }
  });
});
