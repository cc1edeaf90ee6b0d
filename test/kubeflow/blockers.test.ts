/**
 * Why a job is not running, through the real tools on the test API server: each case seeds the
 * objects the scheduler, the kubelet and Kueue write (pod conditions, container statuses, PVC
 * phases, Workload conditions; Workloads validated against the Kueue CRD fixture), and
 * get_training_job / wait_for_training must name the blocker with a hint.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAgainstCrd } from '../support/crd.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, inProcess, type InProcess } from '../support/inprocess.js';

const NS = 'team-a';
const WORKLOAD_CRD = fileURLToPath(new URL('../fixtures/kueue/kueue.x-k8s.io_workloads.yaml', import.meta.url));
let kube: FakeKube;
let srv: InProcess;
let client: Client;
let seq = 0;

beforeAll(async () => {
  // No controller: every pod and status below is exactly what the test writes.
  kube = await startFakeKube({ namespaces: ['default', NS, 'other'], controller: false });
  kube.seedDefaultRuntimes();
  kube.addNode({
    name: 'gpu-a',
    allocatable: { cpu: '32', memory: '256Gi', 'nvidia.com/gpu': '8' },
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
  });
  kube.addNode({
    name: 'gpu-b',
    allocatable: { cpu: '32', memory: '256Gi', 'nvidia.com/gpu': '8' },
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
  });
  kube.addNode({ name: 'cpu-1', allocatable: { cpu: '16', memory: '64Gi' } });
  // Other teams hold 6 GPUs on gpu-a and all 8 on gpu-b.
  for (const [node, gpus] of [
    ['gpu-a', '6'],
    ['gpu-b', '8'],
  ] as const) {
    kube.store.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `holder-${node}`, namespace: 'other' },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'x', resources: { limits: { 'nvidia.com/gpu': gpus } } }] },
      status: { phase: 'Running' },
    });
  }
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-blockers-')), { namespace: NS });
  srv = await inProcess({ kubeconfig, clients: ['trainer'], persona: 'platform-admin' });
  client = await srv.connect();
});

afterAll(async () => {
  await srv?.close();
  await kube?.close();
});

function trainJob(opts: { labels?: Record<string, string>; suspend?: boolean; gpus?: number } = {}): { name: string; uid: string } {
  const name = `job-${++seq}`;
  const created = kube.store.create({
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: { name, namespace: NS, labels: opts.labels ?? {} },
    spec: {
      runtimeRef: { name: 'torch-distributed', apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime' },
      trainer: { numNodes: 1, resourcesPerNode: { limits: { 'nvidia.com/gpu': opts.gpus ?? 4 } } },
      ...(opts.suspend ? { suspend: true } : {}),
    },
  });
  return { name, uid: created.metadata.uid };
}

/** A pod of the job's step as JobSet creates it, with the status the scheduler / kubelet wrote. */
function pod(job: string, status: Record<string, unknown>, opts: { role?: string; spec?: Record<string, unknown> } = {}): string {
  const role = opts.role ?? 'node';
  const name = `${job}-${role}-0-0-abcde`;
  kube.store.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: { 'jobset.sigs.k8s.io/jobset-name': job, 'jobset.sigs.k8s.io/replicatedjob-name': role, 'batch.kubernetes.io/job-completion-index': '0' },
    },
    spec: { containers: [{ name: role, image: 'ghcr.io/acme/train:v9', resources: { limits: { 'nvidia.com/gpu': '4' } } }], ...opts.spec },
    status,
  });
  return name;
}

const unschedulable = (message: string) => ({
  phase: 'Pending',
  conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: '2026-12-03T16:00:00Z' }],
  qosClass: 'BestEffort',
});

async function blockers(name: string) {
  const res = await callTool(client, 'get_training_job', { name });
  expect(res.isError, res.text).toBe(false);
  return { list: (res.data.blockers ?? []) as Array<{ reason: string; step?: string; message: string; hint: string; logs?: string[] }>, text: res.text };
}

describe('pods the scheduler cannot place', () => {
  it('insufficient nvidia.com/gpu: what the pod asks for and what is free per node', async () => {
    const { name } = trainJob();
    pod(
      name,
      unschedulable(
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
      ),
    );
    const { list, text } = await blockers(name);
    const gpu = list.find((b) => b.reason === 'insufficient_resources')!;
    expect(gpu.step).toBe('node-0');
    expect(gpu.message).toBe('not enough nvidia.com/gpu: the pod asks for 4; free per node: gpu-a 2 of 8, gpu-b 0 of 8');
    expect(gpu.hint).toMatch(/fewer per node/);
    expect(text).toContain('blockers:');
    expect(text).toContain('insufficient_resources (node-0): not enough nvidia.com/gpu');
  });

  it('a node selector no node matches, with the selector and how many nodes match it', async () => {
    const { name } = trainJob();
    pod(
      name,
      unschedulable(
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      ),
      {
        spec: { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' } },
      },
    );
    const [b] = (await blockers(name)).list;
    expect(b).toMatchObject({
      reason: 'node_selector',
      step: 'node-0',
      message: "no node matches the pod's node selector nvidia.com/gpu.product=NVIDIA-H100-80GB-HBM3 (0 node(s) match)",
    });
  });

  it('untolerated taints, named', async () => {
    const { name } = trainJob();
    pod(
      name,
      unschedulable(
        '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated taint {nvidia.com/gpu: present}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      ),
    );
    const [b] = (await blockers(name)).list;
    expect(b!.reason).toBe('taint');
    expect(b!.message).toBe('nodes have taints the pod does not tolerate: {node-role.kubernetes.io/control-plane:}, {nvidia.com/gpu: present}');
    expect(b!.hint).toMatch(/tolerations/);
  });

  it("an initializer's unbound PersistentVolumeClaim, with the claim's phase", async () => {
    const { name } = trainJob();
    kube.store.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'dataset-cache', namespace: NS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } }, storageClassName: 'fast' },
      status: { phase: 'Pending' },
    });
    pod(
      name,
      unschedulable(
        '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      ),
      {
        role: 'dataset-initializer',
        spec: { volumes: [{ name: 'cache', persistentVolumeClaim: { claimName: 'dataset-cache' } }] },
      },
    );
    const [b] = (await blockers(name)).list;
    expect(b).toMatchObject({ reason: 'pvc_unbound', step: 'dataset-initializer', message: 'PersistentVolumeClaim dataset-cache (Pending) not bound' });
    expect(b!.hint).toMatch(/StorageClass/);
  });
});

describe('containers that do not run', () => {
  it('image pull errors (ErrImagePull, ImagePullBackOff) with the image', async () => {
    for (const [reason, message] of [
      [
        'ErrImagePull',
        'rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/train:v9": failed to resolve reference "ghcr.io/acme/train:v9": ghcr.io/acme/train:v9: not found',
      ],
      ['ImagePullBackOff', 'Back-off pulling image "ghcr.io/acme/train:v9"'],
    ]) {
      const { name } = trainJob();
      pod(name, {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
        containerStatuses: [
          { name: 'node', ready: false, restartCount: 0, image: 'ghcr.io/acme/train:v9', imageID: '', started: false, state: { waiting: { reason, message } } },
        ],
      });
      const [b] = (await blockers(name)).list;
      expect(b).toMatchObject({ reason: 'image_pull', step: 'node-0', message: `${reason}: ${message}` });
      expect(b!.hint).toContain('(ghcr.io/acme/train:v9)');
      expect(b!.hint).toContain('imagePullSecret');
    }
  });

  it("CrashLoopBackOff with the crashed run's last log lines", async () => {
    const { name } = trainJob();
    const p = pod(name, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'node',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=node pod=${name}-node-0-0-abcde_${NS}(uid)` } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-12-03T16:01:00Z', finishedAt: '2026-12-03T16:01:05Z' } },
        },
      ],
    });
    kube.appendLog(
      NS,
      p,
      'node',
      ['Traceback (most recent call last):', '  File "/tmp/train.py", line 1, in <module>', "ModuleNotFoundError: No module named 'transformers'"].join('\n'),
    );
    const [b] = (await blockers(name)).list;
    expect(b).toMatchObject({ reason: 'crash_loop', step: 'node-0', message: 'CrashLoopBackOff: container node exited 1 (Error), restarted 3 time(s)' });
    expect(b!.logs?.at(-1)).toBe("ModuleNotFoundError: No module named 'transformers'");
  });

  it('OOMKilled (in lastState while backing off, and as the final state) with the last lines', async () => {
    const restarted = trainJob();
    const p1 = pod(restarted.name, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'node',
          ready: false,
          restartCount: 1,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        },
      ],
    });
    kube.appendLog(NS, p1, 'node', ['step=10 loss=1.9', 'loading batch 11'].join('\n'));
    const [b1] = (await blockers(restarted.name)).list;
    expect(b1).toMatchObject({
      reason: 'oom_killed',
      step: 'node-0',
      message: 'container node was OOMKilled (exit 137) and restarted 1 time(s); now CrashLoopBackOff',
      logs: ['step=10 loss=1.9', 'loading batch 11'],
    });
    expect(b1!.hint).toMatch(/memory/);

    const ended = trainJob();
    const p2 = pod(ended.name, {
      phase: 'Failed',
      containerStatuses: [{ name: 'node', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
    });
    kube.appendLog(NS, p2, 'node', ['epoch 1'].join('\n'));
    const [b2] = (await blockers(ended.name)).list;
    expect(b2).toMatchObject({ reason: 'oom_killed', message: 'container node was OOMKilled (exit 137)', logs: ['epoch 1'] });
  });
});

describe('jobs held before any pod', () => {
  it('a suspended job (no queue): resume it', async () => {
    const { name } = trainJob({ suspend: true });
    const [b] = (await blockers(name)).list;
    expect(b).toMatchObject({ reason: 'suspended', hint: `resume_training_job(name="${name}") to start it` });
  });

  /** Kueue's Workload for a TrainJob, as Kueue names, labels and owns it; validated against the CRD. */
  function workload(job: { name: string; uid: string }, conditions: object[], extra: Record<string, unknown> = {}) {
    const wl = {
      apiVersion: 'kueue.x-k8s.io/v1beta1',
      kind: 'Workload',
      metadata: {
        name: `trainjob-${job.name}-3f2a1`,
        namespace: NS,
        labels: { 'kueue.x-k8s.io/job-uid': job.uid },
        ownerReferences: [
          { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', name: job.name, uid: job.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        active: true,
        queueName: 'team-queue',
        priority: 0,
        podSets: [{ name: 'node', count: 1, template: { spec: { containers: [{ name: 'node', resources: { requests: { 'nvidia.com/gpu': '4' } } }] } } }],
      },
      status: { conditions, ...extra },
    };
    expect(validateAgainstCrd(WORKLOAD_CRD, wl)).toEqual([]);
    kube.store.create(wl);
  }
  const at = '2026-12-03T16:00:00Z';
  const queued = () => trainJob({ suspend: true, labels: { 'kueue.x-k8s.io/queue-name': 'team-queue' } });

  beforeAll(() => {
    kube.store.create({
      apiVersion: 'kueue.x-k8s.io/v1beta1',
      kind: 'LocalQueue',
      metadata: { name: 'team-queue', namespace: NS },
      spec: { clusterQueue: 'gpu-cluster-queue' },
    });
  });

  it('Kueue: waiting for quota, with the reason and the position Kueue reports', async () => {
    // An earlier job waits in the same queue.
    workload(queued(), [
      {
        type: 'QuotaReserved',
        status: 'False',
        reason: 'Pending',
        message: "couldn't assign flavors to pod set node: insufficient unused quota for nvidia.com/gpu in flavor default-flavor, 4 more needed",
        lastTransitionTime: at,
      },
    ]);
    const job = queued();
    workload(job, [
      {
        type: 'QuotaReserved',
        status: 'False',
        reason: 'Pending',
        message: "couldn't assign flavors to pod set node: insufficient unused quota for nvidia.com/gpu in flavor default-flavor, 8 more needed",
        lastTransitionTime: at,
      },
    ]);
    const [b] = (await blockers(job.name)).list;
    expect(b).toMatchObject({
      reason: 'queued',
      message:
        "queue team-queue: not admitted — couldn't assign flavors to pod set node: insufficient unused quota for nvidia.com/gpu in flavor default-flavor, 8 more needed; position 2 in team-queue, 2 in its ClusterQueue",
    });
    // Kueue owns the suspension: no "resume it" advice.
    expect((await blockers(job.name)).list.map((x) => x.reason)).not.toContain('suspended');
  });

  it('Kueue: inadmissible, with what to check', async () => {
    const job = queued();
    workload(job, [
      { type: 'QuotaReserved', status: 'False', reason: 'Inadmissible', message: 'ClusterQueue gpu-cluster-queue is inactive', lastTransitionTime: at },
    ]);
    const [b] = (await blockers(job.name)).list;
    expect(b).toMatchObject({ reason: 'inadmissible', message: expect.stringContaining('not admitted — ClusterQueue gpu-cluster-queue is inactive') });
    expect(b!.hint).toMatch(/ClusterQueue is active/);
  });

  it('Kueue: evicted by preemption', async () => {
    const job = queued();
    workload(job, [
      {
        type: 'QuotaReserved',
        status: 'False',
        reason: 'Preempted',
        message: 'Preempted to accommodate a workload (UID: 1234) due to prioritization in the ClusterQueue',
        lastTransitionTime: at,
      },
      {
        type: 'Evicted',
        status: 'True',
        reason: 'Preempted',
        message: 'Preempted to accommodate a workload (UID: 1234) due to prioritization in the ClusterQueue',
        lastTransitionTime: at,
      },
      { type: 'Admitted', status: 'False', reason: 'NoReservation', message: 'The workload has no reservation', lastTransitionTime: at },
    ]);
    const [b] = (await blockers(job.name)).list;
    expect(b).toMatchObject({ reason: 'evicted', message: expect.stringContaining('evicted (Preempted)') });
    expect(b!.hint).toMatch(/higher-priority/);
  });

  it('Kueue: admitted means no queue blocker', async () => {
    const job = trainJob({ labels: { 'kueue.x-k8s.io/queue-name': 'team-queue' } });
    workload(
      job,
      [
        { type: 'QuotaReserved', status: 'True', reason: 'QuotaReserved', message: 'Quota reserved in ClusterQueue gpu-cluster-queue', lastTransitionTime: at },
        { type: 'Admitted', status: 'True', reason: 'Admitted', message: 'The workload is admitted', lastTransitionTime: at },
      ],
      {
        admission: {
          clusterQueue: 'gpu-cluster-queue',
          podSetAssignments: [{ name: 'node', count: 1, flavors: { 'nvidia.com/gpu': 'default-flavor' }, resourceUsage: { 'nvidia.com/gpu': '4' } }],
        },
      },
    );
    expect((await blockers(job.name)).list).toEqual([]);
  });

  it('Kueue: a queue label without a Workload yet', async () => {
    const job = queued();
    const [b] = (await blockers(job.name)).list;
    expect(b).toMatchObject({ reason: 'queued', message: expect.stringContaining('Kueue has not created a Workload') });
  });
});

describe('wait_for_training and the preview', () => {
  it('a wait that times out on a blocked job says what blocks it', async () => {
    const { name } = trainJob();
    pod(
      name,
      unschedulable(
        '0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      ),
    );
    const res = await callTool(client, 'wait_for_training', { name, status: 'Running', timeout_seconds: 1 });
    expect(res.data).toMatchObject({ outcome: 'timed_out', blockers: [{ reason: 'insufficient_resources' }] });
    expect(res.data.next).toMatch(/blocked \(insufficient_resources\)/);
    expect(res.text).toContain('free per node: gpu-a 2 of 8, gpu-b 0 of 8');
  });

  it('the preview shows the GPUs the job takes against what is free, and the queue label it sets', async () => {
    const fits = await callTool(client, 'run_container_training', { image: 'ghcr.io/acme/train:v9', resources: { gpu: 2 }, queue: 'team-queue' });
    expect(fits.data.checks).toContainEqual({
      check: 'gpus',
      ok: true,
      detail: 'takes 1 node(s) x 2 nvidia.com/gpu = 2; free per node: gpu-a 2 of 8, gpu-b 0 of 8',
    });
    expect((fits.data.trainjob.metadata as { labels: Record<string, string> }).labels['kueue.x-k8s.io/queue-name']).toBe('team-queue');
    const waits = await callTool(client, 'run_container_training', { image: 'ghcr.io/acme/train:v9', resources: { gpu: 4 } });
    expect(waits.data.checks).toContainEqual({
      check: 'gpus',
      ok: null,
      detail: 'takes 1 node(s) x 4 nvidia.com/gpu = 4; only 0 node(s) have 4 free now (gpu-a 2 of 8, gpu-b 0 of 8): it waits for GPUs',
    });
    const never = await callTool(client, 'run_container_training', { image: 'ghcr.io/acme/train:v9', resources: { gpu: 16 } });
    expect(never.data.checks.find((c: { check: string }) => c.check === 'gpus')).toMatchObject({ ok: false });
    expect(never.data.ready).toBe(false);
  });

  it('refuses a queue name that is not a LocalQueue name, creating nothing', async () => {
    const res = await callTool(client, 'run_container_training', { image: 'x', queue: 'Bad Queue', confirmed: true });
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/queue/);
  });
});

describe('check_prerequisites', () => {
  it('free GPUs per node, and the Kueue queue: missing, inactive, busy', async () => {
    kube.store.create({
      apiVersion: 'kueue.x-k8s.io/v1beta1',
      kind: 'LocalQueue',
      metadata: { name: 'idle-queue', namespace: NS },
      spec: { clusterQueue: 'gpu-cluster-queue' },
      status: {
        conditions: [
          { type: 'Active', status: 'True', reason: 'Ready', message: 'Can submit new workloads to localQueue', lastTransitionTime: '2026-12-03T16:00:00Z' },
        ],
        pendingWorkloads: 0,
        admittedWorkloads: 1,
        reservingWorkloads: 1,
      },
    });
    kube.store.create({
      apiVersion: 'kueue.x-k8s.io/v1beta1',
      kind: 'LocalQueue',
      metadata: { name: 'dead-queue', namespace: NS },
      spec: { clusterQueue: 'missing-cq' },
      status: {
        conditions: [
          {
            type: 'Active',
            status: 'False',
            reason: 'ClusterQueueDoesNotExist',
            message: "Can't submit new workloads to clusterQueue",
            lastTransitionTime: '2026-12-03T16:00:00Z',
          },
        ],
        pendingWorkloads: 0,
        admittedWorkloads: 0,
      },
    });
    const check = async (queue: string) => {
      const res = await callTool(client, 'check_prerequisites', { gpus_per_node: 2, queue });
      expect(res.isError, res.text).toBe(false);
      return res.data.checks as Array<{ check: string; ok: boolean | null; detail: string }>;
    };
    const idle = await check('idle-queue');
    expect(idle.find((c) => c.check === 'gpus')).toEqual({
      check: 'gpus',
      ok: true,
      detail: 'takes 1 node(s) x 2 GPU(s) = 2; free per node: gpu-a 2 of 8, gpu-b 0 of 8',
    });
    // As the preview judges it: busy GPUs make the job wait; more than any node has, never run.
    const gpus = async (perNode: number) =>
      ((await callTool(client, 'check_prerequisites', { gpus_per_node: perNode })).data.checks as Array<{ check: string }>).find((c) => c.check === 'gpus');
    expect(await gpus(4)).toMatchObject({ ok: null, detail: expect.stringContaining('it waits for GPUs') });
    expect(await gpus(16)).toMatchObject({ ok: false, detail: expect.stringContaining('it can never be scheduled') });
    expect(idle.find((c) => c.check === 'queue')).toEqual({
      check: 'queue',
      ok: true,
      detail: 'LocalQueue idle-queue (ClusterQueue gpu-cluster-queue) is active; 0 workload(s) pending, 1 admitted',
    });
    expect((await check('dead-queue')).find((c) => c.check === 'queue')).toEqual({
      check: 'queue',
      ok: false,
      detail: "LocalQueue dead-queue (ClusterQueue missing-cq) is inactive: ClusterQueueDoesNotExist — Can't submit new workloads to clusterQueue",
    });
    expect((await check('no-such-queue')).find((c) => c.check === 'queue')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('does not exist in this namespace'),
    });
  });
});
