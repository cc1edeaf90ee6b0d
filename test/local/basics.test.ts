/**
 * The local backend end to end with real processes: success, failure, the script's calling
 * convention, env isolation, logs, events, listing, previews and refusals, runtimes, resources.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/kube/client.js';
import { LOCAL_COMMAND_ANNOTATION, LocalBackendError } from '../../src/kubeflow/trainer/backends/local/index.js';
import { cleanupAll, custom, launch, newBackend, sleep } from './helpers.js';

afterAll(cleanupAll);

const torchInstalled = (() => {
  try {
    execFileSync('python3', ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const LOSS = `
def train(steps):
    for i in range(steps):
        print(f"step={i} loss={1 / (i + 1):.4f}")
`;

describe('a successful job', () => {
  const backend = newBackend();

  it('runs the function for real: Complete, logs, one node-0 step with a pid, conditions and events', async () => {
    const name = await launch(backend, custom(LOSS, { funcArgs: { steps: 5 } }, { labels: { team: 'nlp' } }));
    const seen: string[] = [];
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30, onChange: (j) => seen.push(j.status) });
    expect(res.reached).toBe(true);
    expect(seen[0]).toMatch(/Created|Running/);

    const job = await backend.getJob('default', name);
    expect(job).toMatchObject({
      name,
      namespace: 'default',
      status: 'Complete',
      numNodes: 1,
      runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
      labels: { team: 'nlp' },
    });
    expect(job.steps).toEqual([{ name: 'node-0', status: 'Succeeded', podName: expect.stringMatching(/^pid:\d+$/), device: 'cpu', deviceCount: '1' }]);
    expect(job.conditions).toEqual([expect.objectContaining({ type: 'Complete', status: 'True', reason: 'Completed' })]);

    const logs = await backend.logs('default', name, { step: 'node-0', tail: 100 });
    expect(logs).toMatchObject({ step: 'node-0', pod: job.steps[0]!.podName, container: 'node', truncated: false });
    expect(logs.lines).toEqual(['step=0 loss=1.0000', 'step=1 loss=0.5000', 'step=2 loss=0.3333', 'step=3 loss=0.2500', 'step=4 loss=0.2000']);
    const tail = await backend.logs('default', name, { step: 'node-0', tail: 2 });
    expect(tail).toMatchObject({ lines: ['step=3 loss=0.2500', 'step=4 loss=0.2000'], truncated: true });

    const events = await backend.events('default', name);
    expect(events.map((e) => e.reason)).toEqual(['Queued', 'Started', 'Completed']);
    for (const e of events) {
      expect(e.involvedObject).toMatchObject({ kind: 'TrainJob', name, namespace: 'default' });
      expect(Date.parse(e.firstTimestamp ?? '')).not.toBeNaN();
    }
    await expect(backend.logs('default', name, { step: 'node-1', tail: 5 })).rejects.toMatchObject({ code: 'step_not_found' });
  });

  it('calls the entry function with keyword arguments, as on Kubernetes', async () => {
    const name = await launch(
      backend,
      custom('def train(lr, epochs=1, tags=None):\n    print("lr", lr, "epochs", epochs, "tags", tags)\n', {
        funcArgs: { epochs: 3, lr: 0.001, tags: ['a', null, true] },
      }),
    );
    await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });
    expect((await backend.logs('default', name, { step: 'node-0', tail: 10 })).lines).toEqual(["lr 0.001 epochs 3 tags ['a', None, True]"]);
  });
});

describe('a failing job', () => {
  const backend = newBackend();

  it('is Failed with the traceback tail in the condition message; a wait for Complete ends', async () => {
    const source = `
def train():
    print("starting")
    def inner(x):
        raise ValueError(f"bad value {x}")
    inner(42)
`;
    const name = await launch(backend, custom(source));
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });
    expect(res).toMatchObject({ reached: false, job: { status: 'Failed' } });
    const failed = res.job.conditions.find((c) => c.type === 'Failed')!;
    expect(failed).toMatchObject({ status: 'True', reason: 'Error' });
    expect(failed.message).toContain('exit code 1');
    expect(failed.message).toContain('Traceback (most recent call last):');
    expect(failed.message).toContain('ValueError: bad value 42');
    expect(res.job.steps[0]!.status).toBe('Failed');
    const events = await backend.events('default', name);
    expect(events.at(-1)).toMatchObject({ reason: 'Failed', type: 'Warning' });
  });

  it('reports a non-zero exit code and a signal', async () => {
    const exit3 = await launch(backend, custom('def train():\n    import sys\n    print("bye")\n    sys.exit(3)\n'));
    const killed = await launch(backend, custom('def train():\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n'));
    const a = await backend.waitFor('default', exit3, { statuses: ['Complete'], timeoutSeconds: 30 });
    const b = await backend.waitFor('default', killed, { statuses: ['Complete'], timeoutSeconds: 30 });
    expect(a.job.conditions.at(-1)).toMatchObject({ type: 'Failed', reason: 'Error', message: expect.stringContaining('exit code 3') });
    expect(a.job.conditions.at(-1)!.message).toContain('bye');
    expect(b.job.conditions.at(-1)).toMatchObject({ type: 'Failed', reason: 'Killed', message: expect.stringContaining('SIGKILL') });
  });
});

describe('environment isolation', () => {
  it('gives the job only its declared variables and what Python needs, never the server env', async () => {
    process.env.KFMCP_TEST_SECRET = 'do-not-leak-me';
    try {
      const backend = newBackend();
      const name = await launch(
        backend,
        custom('def train():\n    import json, os\n    print(json.dumps(dict(os.environ)))\n', { env: { MY_SETTING: 'on', LEVEL: '3' } }),
      );
      await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });
      const env = JSON.parse((await backend.logs('default', name, { step: 'node-0', tail: 5 })).lines[0]!) as Record<string, string>;
      // KUBEFLOW_MCP_JOB: the job's uid, by which delete finds every process the job started.
      const allowed = new Set(['MY_SETTING', 'LEVEL', 'PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'HOME', 'TMPDIR', 'PYTHONUNBUFFERED', 'KUBEFLOW_MCP_JOB']);
      expect(Object.keys(env).filter((k) => !allowed.has(k))).toEqual([]);
      expect(env.KUBEFLOW_MCP_JOB).toMatch(/^[0-9a-f-]{36}$/);
      expect(env).toMatchObject({ MY_SETTING: 'on', LEVEL: '3', PYTHONUNBUFFERED: '1', HOME: os.homedir() });
      expect(env.TMPDIR).toContain(name);
      expect(JSON.stringify(env)).not.toContain('do-not-leak-me');
    } finally {
      delete process.env.KFMCP_TEST_SECRET;
    }
  });
});

describe('logs', () => {
  const backend = newBackend();

  it('sinceSeconds returns only recent output; followSeconds streams until the job ends', async () => {
    const name = await launch(backend, custom('def train():\n    import time\n    print("early")\n    time.sleep(2.5)\n    print("late")\n'));
    await backend.waitFor('default', name, { statuses: ['Running'], timeoutSeconds: 30 });
    const started = Date.now();
    const followed = await backend.logs('default', name, { step: 'node-0', tail: 10, followSeconds: 20 });
    expect(followed.lines).toEqual(['early', 'late']);
    // Ended with the job, not after 20 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    const recent = await backend.logs('default', name, { step: 'node-0', tail: 10, sinceSeconds: 1 });
    expect(recent.lines).toEqual(['late']);
  });

  it('a queued job has Pending steps and no logs yet', async () => {
    const single = newBackend({ maxConcurrent: 1 });
    const blocker = await launch(single, custom('def train():\n    import time\n    time.sleep(30)\n'));
    const queued = await launch(single, custom(LOSS, { funcArgs: { steps: 1 } }));
    const job = await single.getJob('default', queued);
    expect(job).toMatchObject({ status: 'Created', steps: [{ name: 'node-0', status: 'Pending', podName: '' }] });
    await expect(single.logs('default', queued, { step: 'node-0', tail: 5 })).rejects.toMatchObject({ code: 'step_pending' });
    await single.deleteJob('default', blocker, { dryRun: false });
    expect((await single.waitFor('default', queued, { statuses: ['Complete'], timeoutSeconds: 30 })).reached).toBe(true);
  });
});

describe('previews, refusals and errors', () => {
  const backend = newBackend();

  it('dry-run validates without running or storing anything and shows the local command', async () => {
    const prepared = await backend.prepare('default', custom(LOSS, { funcArgs: { steps: 1 } }, { name: 'preview-job' }));
    expect(prepared.object.spec.trainer?.command?.[0]).toBe('bash');
    const res = await backend.submit(prepared, { dryRun: true });
    expect(res.dryRun).toBe(true);
    expect(res.accepted.metadata.annotations?.[LOCAL_COMMAND_ANNOTATION]).toMatch(/train\.py$/);
    expect((await backend.listJobs('default', {})).jobs).toEqual([]);
    await expect(backend.getJob('default', 'preview-job')).rejects.toMatchObject({ status: 404, reason: 'NotFound' });
  });

  it('a taken name is AlreadyExists', async () => {
    const name = await launch(backend, custom(LOSS, { funcArgs: { steps: 1 } }, { name: 'taken' }));
    const again = await backend.prepare('default', custom(LOSS, { funcArgs: { steps: 1 } }, { name }));
    await expect(backend.submit(again, { dryRun: true })).rejects.toMatchObject({ status: 409, reason: 'AlreadyExists' });
  });

  it.skipIf(torchInstalled)('num_nodes > 1 without torch is refused at dry-run, before anything runs', async () => {
    const prepared = await backend.prepare('default', custom(LOSS, { numNodes: 2, funcArgs: { steps: 1 } }));
    const err = await backend.submit(prepared, { dryRun: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalBackendError);
    expect(err).toMatchObject({ code: 'torch_unavailable', message: expect.stringContaining('torch is not importable') });
    expect((err as LocalBackendError).hint).toContain('pip install torch');
    await expect(backend.submit(prepared, { dryRun: false })).rejects.toMatchObject({ code: 'torch_unavailable' });
    await expect(backend.getJob('default', prepared.name)).rejects.toBeInstanceOf(KubeApiError);
  });

  it('container training says which engine is missing', async () => {
    const prepared = await backend.prepare('default', { trainer: { kind: 'container', image: 'python:3.12', command: ['python', '-c', 'print(1)'] } });
    const err = (await backend.submit(prepared, { dryRun: true }).catch((e: unknown) => e)) as LocalBackendError;
    if (!(err instanceof LocalBackendError)) return; // an engine answers on this machine
    expect(err.code).toBe('container_engine_unavailable');
    expect(err.message).toMatch(/docker is installed but its engine is not reachable: .+|neither docker nor podman found on PATH|podman is installed but/);
    await expect(backend.prepare('default', { trainer: { kind: 'container', image: 'x', numNodes: 2 } })).rejects.toMatchObject({
      code: 'not_supported_locally',
    });
  });

  it('fine_tune (builtin) explains that it needs a cluster', async () => {
    const err = (await backend
      .prepare('default', { runtime: 'torchtune-llama3.2-1b', trainer: { kind: 'builtin', peftMethod: 'lora' } })
      .catch((e: unknown) => e)) as LocalBackendError;
    expect(err.code).toBe('not_supported_locally');
    expect(err.message).toContain('needs a Kubeflow cluster');
    expect(err.hint).toContain('--backend kubernetes');
    expect(err.hint).toContain('run_custom_training');
  });

  it('refuses what only a cluster has, and bad inputs the builders reject', async () => {
    await expect(backend.prepare('default', custom(LOSS, { image: 'pytorch/pytorch' }))).rejects.toMatchObject({ code: 'not_supported_locally' });
    await expect(backend.prepare('default', { ...custom(LOSS), initializer: { model: { uri: 'hf://org/m' } } })).rejects.toMatchObject({
      code: 'not_supported_locally',
    });
    await expect(backend.prepare('default', custom('def other():\n    pass\n'))).rejects.toMatchObject({ code: 'invalid_function' });
    await expect(backend.prepare('default', custom(LOSS, {}, { runtime: 'nope' }))).rejects.toMatchObject({ code: 'runtime_not_found' });
    await expect(backend.prepare('../etc', custom(LOSS))).rejects.toMatchObject({ code: 'invalid_namespace' });
    const multi = await backend.prepare('default', custom(LOSS, { numNodes: 2 }, { runtime: 'python' }));
    await expect(backend.submit(multi, { dryRun: true })).rejects.toMatchObject({ code: 'not_supported_locally' });
  });
});

describe('listing', () => {
  it('pages newest first with an opaque continue token and filters by label selector', async () => {
    const backend = newBackend();
    const names = ['job-a', 'job-b', 'job-c', 'job-d', 'job-e'];
    for (const [i, name] of names.entries())
      await launch(backend, custom(LOSS, { funcArgs: { steps: 1 } }, { name, labels: { team: i % 2 ? 'cv' : 'nlp', idx: String(i) } }));
    const first = await backend.listJobs('default', { limit: 2 });
    expect(first.jobs.map((j) => j.name)).toEqual(['job-e', 'job-d']);
    expect(first.continue).toBeTruthy();
    const second = await backend.listJobs('default', { limit: 2, continue: first.continue });
    expect(second.jobs.map((j) => j.name)).toEqual(['job-c', 'job-b']);
    const third = await backend.listJobs('default', { limit: 2, continue: second.continue });
    expect(third).toMatchObject({ jobs: [{ name: 'job-a' }], offset: 4, total: 5 });
    expect(third.continue).toBeUndefined();
    expect((await backend.listJobs('default', { labelSelector: 'team=nlp' })).jobs.map((j) => j.name)).toEqual(['job-e', 'job-c', 'job-a']);
    expect((await backend.listJobs('default', { labelSelector: 'team!=nlp,idx in (1, 2, 3)' })).jobs.map((j) => j.name)).toEqual(['job-d', 'job-b']);
    expect((await backend.listJobs('default', { labelSelector: '!idx' })).jobs).toEqual([]);
    expect((await backend.listJobs('other', {})).jobs).toEqual([]);
    await expect(backend.listJobs('default', { labelSelector: 'team=(' })).rejects.toMatchObject({ code: 'invalid_label_selector' });
    await expect(backend.listJobs('default', { continue: 'garbage' })).rejects.toMatchObject({ code: 'invalid_continue' });
  });
});

describe('this machine', () => {
  const backend = newBackend({ maxConcurrent: 3 });

  it('lists what it can run; the default runtime works without torch', async () => {
    const listing = await backend.listRuntimes();
    expect(listing.runtimes.map((r) => [r.name, r.trainer.framework, r.entry])).toEqual([
      ['torch-distributed', 'torch', 'torch'],
      ['python', 'python', 'python'],
    ]);
    if (!torchInstalled) expect(listing.notes.join('\n')).toContain('torch is not importable');
    expect((await backend.getRuntime('default', 'python')).trainer.trainerType).toBe('CustomTrainer');
    expect(await backend.getRuntimeObject('default', 'torch-distributed')).toMatchObject({
      kind: 'ClusterTrainingRuntime',
      metadata: { name: 'torch-distributed' },
    });
    await expect(backend.getRuntime('default', 'mpi-distributed')).rejects.toMatchObject({ code: 'runtime_not_found' });
  });

  it('runtime packages are the system Python and pip list, no job needed', async () => {
    const res = await backend.runtimePackages('default', 'torch-distributed', { timeoutSeconds: 60 });
    expect(res.output[0]).toMatch(/^Python: 3\.\d+/);
    expect(res.output.some((l) => /^pip\s+\d/.test(l))).toBe(true);
    expect((await backend.listJobs('default', {})).jobs).toEqual([]);
  });

  it('resources: one node for this machine; always allowed', async () => {
    const res = await backend.clusterResources();
    expect(res.backend).toBe(`local: this machine (${os.hostname()})`);
    expect(res.nodes).toEqual([expect.objectContaining({ name: os.hostname(), ready: true, schedulable: true })]);
    expect(res.nodes[0]!.cpu.allocatable).toBe(os.availableParallelism());
    expect(res.nodes[0]!.memoryGiB.allocatable).toBeGreaterThan(0);
    expect(res.quota).toContainEqual({ quota: 'local-jobs', resource: 'running jobs', hard: '3', used: '0' });
    expect(await backend.canI()).toMatchObject({ allowed: true });
    expect(backend.describe()).toContain('local: this machine');
  });

  it('unknown jobs are NotFound everywhere', async () => {
    for (const call of [
      () => backend.getJob('default', 'missing'),
      () => backend.events('default', 'missing'),
      () => backend.logs('default', 'missing', { step: 'node-0', tail: 1 }),
      () => backend.deleteJob('default', 'missing', { dryRun: true }),
      () => backend.setSuspended('default', 'missing', true, { dryRun: false }),
      () => backend.waitFor('default', 'missing', { statuses: ['Complete'], timeoutSeconds: 1 }),
    ]) {
      await expect(call()).rejects.toMatchObject({ status: 404, reason: 'NotFound' });
    }
    await sleep(0);
  });
});
