/** Suspend / resume (SIGSTOP / SIGCONT of the process group), delete, deadlines, suspended queued jobs. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STOP_GRACE_MS } from '../../src/kubeflow/trainer/backends/local/supervisor.js';
import { cleanupAll, custom, launch, newBackend, sleep, tempDir, waitForLine, TICKER, groupHasLiveMembers } from './helpers.js';

afterAll(cleanupAll);

describe('suspend and resume', () => {
  it('pauses the job (its log stops growing), resumes it, and it completes', async () => {
    const storeDir = tempDir();
    const backend = newBackend({ storeDir });
    const name = await launch(backend, custom(TICKER, { funcArgs: { n: 20, every: 0.1 } }));
    await backend.waitFor('default', name, { statuses: ['Running'], timeoutSeconds: 30 });
    await sleep(400);
    const log = path.join(storeDir, 'jobs', 'default', name, 'run', 'output.log');

    const suspended = await backend.setSuspended('default', name, true, { dryRun: false });
    expect(suspended.status).toBe('Suspended');
    expect(suspended.steps[0]!.status).toBe('Suspended');
    expect(suspended.conditions).toContainEqual(
      expect.objectContaining({ type: 'Suspended', status: 'True', reason: 'Suspended', message: 'TrainJob is suspended' }),
    );
    const before = (await stat(log)).size;
    await sleep(1000);
    expect((await stat(log)).size).toBe(before);
    expect((await backend.getJob('default', name)).status).toBe('Suspended');

    const resumed = await backend.setSuspended('default', name, false, { dryRun: false });
    expect(resumed.status).toBe('Running');
    expect(resumed.conditions).toContainEqual(expect.objectContaining({ type: 'Suspended', status: 'False', reason: 'Resumed' }));
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });
    expect(res.reached).toBe(true);
    const lines = (await backend.logs('default', name, { step: 'node-0', tail: 100 })).lines;
    expect(lines).toEqual([...Array.from({ length: 20 }, (_, i) => `tick ${i}`), 'done']);
    expect((await backend.events('default', name)).map((e) => e.reason)).toEqual(['Queued', 'Started', 'Suspended', 'Resumed', 'Completed']);
  });

  it('a suspended queued job does not start until resumed', async () => {
    const backend = newBackend({ maxConcurrent: 1 });
    const blocker = await launch(backend, custom(TICKER, { funcArgs: { n: 300, every: 0.1 } }));
    const held = await launch(backend, custom(TICKER, { funcArgs: { n: 1, every: 0 } }));
    expect((await backend.setSuspended('default', held, true, { dryRun: false })).status).toBe('Suspended');
    await backend.deleteJob('default', blocker, { dryRun: false });
    await sleep(500);
    const still = await backend.getJob('default', held);
    expect(still).toMatchObject({ status: 'Suspended', steps: [{ status: 'Pending' }] });
    await backend.setSuspended('default', held, false, { dryRun: false });
    expect((await backend.waitFor('default', held, { statuses: ['Complete'], timeoutSeconds: 30 })).reached).toBe(true);
  });

  it('dry-runs change nothing', async () => {
    const backend = newBackend();
    const name = await launch(backend, custom(TICKER, { funcArgs: { n: 50, every: 0.1 } }));
    await backend.waitFor('default', name, { statuses: ['Running'], timeoutSeconds: 30 });
    expect((await backend.setSuspended('default', name, true, { dryRun: true })).status).toBe('Running');
    await backend.deleteJob('default', name, { dryRun: true });
    expect((await backend.getJob('default', name)).status).toBe('Running');
  });
});

describe('delete', () => {
  it('stops the whole process group (children too) and removes the job', async () => {
    const backend = newBackend();
    // The job starts a grandchild in the same process group.
    const source = `
def train():
    import subprocess, sys, time
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    print("started child", flush=True)
    time.sleep(60)
`;
    const name = await launch(backend, custom(source));
    const running = await backend.waitFor('default', name, { statuses: ['Running'], timeoutSeconds: 30 });
    const pgid = Number(running.job.steps[0]!.podName.slice('pid:'.length));
    await waitForLine(backend, name, 'started child');
    expect(await groupHasLiveMembers(pgid)).toBe(true);

    const waiting = backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });
    const started = Date.now();
    await backend.deleteJob('default', name, { dryRun: false });
    // Gone (zombies waiting for init do not count), without waiting for the SIGKILL grace.
    expect(await groupHasLiveMembers(pgid)).toBe(false);
    expect(Date.now() - started).toBeLessThan(STOP_GRACE_MS);
    await expect(backend.getJob('default', name)).rejects.toMatchObject({ status: 404 });
    expect((await backend.listJobs('default', {})).jobs).toEqual([]);
    // A wait on a deleted job ends with the last known view.
    expect((await waiting).reached).toBe(false);
    // Its events stay readable for a while, as on Kubernetes.
    expect((await backend.events('default', name)).map((e) => e.reason)).toEqual(['Queued', 'Started', 'Deleted']);
    // The name can be reused; the new job has only its own events.
    await launch(backend, custom('def train():\n    pass\n', {}, { name }));
    expect((await backend.events('default', name)).map((e) => e.reason)[0]).toBe('Queued');
  });
});

describe('activeDeadlineSeconds', () => {
  it('fails a job that runs too long, like the Trainer controller', async () => {
    const backend = newBackend();
    const name = await launch(backend, custom(TICKER, { funcArgs: { n: 300, every: 0.1 } }, { activeDeadlineSeconds: 1 }));
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });
    expect(res.job.status).toBe('Failed');
    expect(res.job.conditions.at(-1)).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded', message: 'TrainJob exceeded its active deadline' });
    expect(res.waitedSeconds).toBeLessThan(10);
  });
});
