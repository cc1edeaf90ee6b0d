/**
 * The local backend keeps its own promises: everything a job started ends with it (escaped
 * `setsid` children too), stored logs are capped (head and tail kept), a damaged record is
 * flagged instead of breaking the listing and stays deletable, the owner annotation is kept, and
 * the queue cap is exact under concurrent submissions.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { log } from '../../src/log.js';
import { CREATED_BY } from '../../src/tools/ownership.js';
import { invokeTool } from '../../src/tools/mutation.js';
import { cgroupSupport } from '../../src/kubeflow/trainer/backends/local/cgroups.js';
import { processInfo } from '../../src/kubeflow/trainer/backends/local/processes.js';
import type { ToolContext } from '../../src/tools/context.js';
import { BUILT_IN_DEFAULTS } from '../../src/tools/defaults.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { cleanupAll, custom, launch, newBackend, sleep, tempDir, waitForLine } from './helpers.js';

afterAll(cleanupAll);

/** Whether `pid` still runs (a zombie waiting for init to reap it does not). */
async function running(pid: number): Promise<boolean> {
  const info = await processInfo(pid);
  return info !== undefined && !info.zombie;
}

/** Polls until `pid` is gone (or the time is up); true when gone. */
async function gone(pid: number, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while ((await running(pid)) && Date.now() < deadline) await sleep(25);
  return !(await running(pid));
}

function pidOf(lines: string[], word: string): number {
  const line = lines.find((l) => l.startsWith(`${word} `));
  if (!line) throw new Error(`no '${word}' line in ${lines.join(' | ')}`);
  return Number(line.split(' ')[1]);
}

describe('everything a job started ends with it', () => {
  it('a finished job leaves no setsid child behind, and the slot frees only then', async () => {
    const backend = newBackend({ maxConcurrent: 1 });
    // The child escapes the job's session and process group and does not hold the output pipe.
    const source = `
def train():
    import subprocess
    p = subprocess.Popen(["setsid", "sleep", "1000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"escaped {p.pid}", flush=True)
`;
    const name = await launch(backend, custom(source));
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });
    expect(res.job.status).toBe('Complete');
    const escaped = pidOf((await backend.logs('default', name, { step: 'node-0', tail: 10 })).lines, 'escaped');
    // Complete is recorded only once nothing of the job is left.
    expect(await running(escaped)).toBe(false);
    expect((await backend.events('default', name)).map((e) => e.reason)).toEqual(['Queued', 'Started', 'Completed']);
  });

  it('delete ends a running job whose setsid child holds its output', async () => {
    const backend = newBackend();
    const source = `
def train():
    import subprocess, time
    p = subprocess.Popen(["setsid", "sleep", "1000"])
    print(f"escaped {p.pid}", flush=True)
    time.sleep(1000)
`;
    const name = await launch(backend, custom(source));
    const escaped = pidOf(await waitForLine(backend, name, 'escaped'), 'escaped');
    await backend.deleteJob('default', name, { dryRun: false });
    expect(await running(escaped)).toBe(false);
  });

  it('a job ends when its main process ends, even if a child it left keeps the output open', async () => {
    const backend = newBackend();
    const source = `
def train():
    import subprocess
    p = subprocess.Popen(["setsid", "sleep", "1000"])
    print(f"escaped {p.pid}", flush=True)
`;
    const name = await launch(backend, custom(source));
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 20 });
    expect(res.job.status).toBe('Complete');
    expect(await gone(pidOf((await backend.logs('default', name, { step: 'node-0', tail: 10 })).lines, 'escaped'))).toBe(true);
  });

  it.runIf(cgroupSupport.available())('with cgroup v2, a child that also clears its environment is found and killed', async () => {
    const backend = newBackend();
    const source = `
def train():
    import subprocess, time
    p = subprocess.Popen(["env", "-i", "setsid", "sleep", "1000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"escaped {p.pid}", flush=True)
    time.sleep(1000)
`;
    const name = await launch(backend, custom(source));
    const escaped = pidOf(await waitForLine(backend, name, 'escaped'), 'escaped');
    await backend.deleteJob('default', name, { dryRun: false });
    expect(await running(escaped)).toBe(false);
  });
});

describe('stored logs are capped', () => {
  const FLOOD = `
def train(lines):
    import sys
    write = sys.stdout.write
    for start in range(0, lines, 10000):
        write("".join(f"line {i} {'x' * 40}\\n" for i in range(start, min(lines, start + 10000))))
    sys.stdout.flush()
    print("the end", flush=True)
`;

  it('keeps the head and the tail with a marker, and tail / since / follow still work', async () => {
    const storeDir = tempDir();
    const backend = newBackend({ storeDir, maxLogBytes: 2 * 2 ** 20 });
    const lines = 1_000_000; // about 50 MiB
    const name = await launch(backend, custom(FLOOD, { funcArgs: { lines } }));
    await backend.waitFor('default', name, { statuses: ['Running'], timeoutSeconds: 30 });
    const followed = await backend.logs('default', name, { step: 'node-0', tail: 3, followSeconds: 60 });
    expect(followed.lines).toEqual([`line ${lines - 2} ${'x'.repeat(40)}`, `line ${lines - 1} ${'x'.repeat(40)}`, 'the end']);
    expect((await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 60 })).job.status).toBe('Complete');

    const file = path.join(storeDir, 'jobs', 'default', name, 'run', 'output.log');
    // The rotation record chains file to file up to the log there is now, for slow followers.
    const { rotations } = JSON.parse(await readFile(`${file}.rotation`, 'utf8')) as { rotations: Array<{ gen: number; ino: number }> };
    expect(rotations.length).toBe(16);
    for (let i = 1; i < rotations.length; i++) expect(rotations[i]!.gen).toBe(rotations[i - 1]!.gen + 1);
    expect(rotations.at(-1)!.ino).toBe((await stat(file)).ino);
    const size = (await stat(file)).size;
    expect(size).toBeLessThanOrEqual(2 * 2 ** 20 + 64 * 1024);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(`line 0 ${'x'.repeat(40)}\n`)).toBe(true);
    const marker = text.split('\n').find((l) => l.includes('bytes of output dropped'));
    expect(marker).toMatch(/^\[kubeflow-mcp: \d+ bytes of output dropped here; the log keeps its first \d+ and last \d+ bytes \(--local-max-log-mb\)\]$/);
    // Every kept line is whole.
    for (const l of text.split('\n').slice(1, -2)) if (l !== marker) expect(l).toMatch(/^line \d+ x{40}$/);

    const tail = await backend.logs('default', name, { step: 'node-0', tail: 2 });
    expect(tail.lines).toEqual([`line ${lines - 1} ${'x'.repeat(40)}`, 'the end']);
    const since = await backend.logs('default', name, { step: 'node-0', tail: 2, sinceSeconds: 3600 });
    expect(since.lines).toEqual(tail.lines);
    const all = await backend.logs('default', name, { step: 'node-0', tail: 100_000 });
    expect(all.lines[0]).toBe(`line 0 ${'x'.repeat(40)}`);
    expect(all.lines).toContain(marker);
  });
});

describe('damaged records', () => {
  it('are listed as Unknown with the file and the repair, do not break the listing, and can be deleted', async () => {
    const storeDir = tempDir();
    const backend = newBackend({ storeDir });
    const healthy = await launch(backend, custom('def train():\n    pass\n', {}, { name: 'healthy' }));
    const broken = await launch(backend, custom('def train():\n    pass\n', {}, { name: 'broken' }));
    const eventsBroken = await launch(backend, custom('def train():\n    pass\n', {}, { name: 'events-broken' }));
    for (const n of [healthy, broken, eventsBroken]) await backend.waitFor('default', n, { statuses: ['Complete'], timeoutSeconds: 30 });
    const statusFile = path.join(storeDir, 'jobs', 'default', broken, 'status.json');
    const eventsFile = path.join(storeDir, 'jobs', 'default', eventsBroken, 'events.json');
    await writeFile(statusFile, '{"version": 1, "na');
    await writeFile(eventsFile, 'not json');

    const warn = vi.spyOn(log, 'warn');
    const restarted = newBackend({ storeDir });
    await restarted.whenReady();
    expect(warn.mock.calls.map((c) => String(c[1]))).toContainEqual(expect.stringContaining(statusFile));
    warn.mockRestore();

    for (const b of [backend, restarted]) {
      const page = await b.listJobs('default', {});
      expect(page.jobs.map((j) => [j.name, j.status]).sort()).toEqual([
        ['broken', 'Unknown'],
        ['events-broken', 'Complete'],
        ['healthy', 'Complete'],
      ]);
      const flagged = await b.getJob('default', broken);
      expect(flagged.conditions).toEqual([expect.objectContaining({ type: 'RecordDamaged', status: 'True', message: expect.stringContaining(statusFile) })]);
      expect(flagged.conditions[0]!.message).toMatch(/delete_training_job/);
    }
    expect((await restarted.getJob('default', broken)).status).toBe('Unknown');
    const events = await restarted.events('default', eventsBroken);
    expect(events).toEqual([expect.objectContaining({ reason: 'RecordDamaged', type: 'Warning', message: expect.stringContaining(eventsFile) })]);

    await restarted.deleteJob('default', broken, { dryRun: false });
    await restarted.deleteJob('default', eventsBroken, { dryRun: false });
    expect((await restarted.listJobs('default', {})).jobs.map((j) => j.name)).toEqual(['healthy']);
  });

  it('a running job whose record is damaged is still stopped by delete', async () => {
    const storeDir = tempDir();
    const backend = newBackend({ storeDir });
    const source = 'def train():\n    import os, time\n    print(f"pid {os.getpid()}", flush=True)\n    time.sleep(1000)\n';
    const name = await launch(backend, custom(source));
    const pid = pidOf(await waitForLine(backend, name, 'pid'), 'pid');
    await writeFile(path.join(storeDir, 'jobs', 'default', name, 'status.json'), '');
    await backend.deleteJob('default', name, { dryRun: false });
    expect(await gone(pid)).toBe(true);
    await expect(backend.getJob('default', name)).rejects.toMatchObject({ status: 404 });
  });
});

describe('ownership', () => {
  it('keeps the created-by owner, so a data scientist can delete its own job', async () => {
    const backend = newBackend();
    const ctx = {
      namespace: 'default',
      backend: () => backend,
      caller: { user: 'ana', groups: [], source: 'gateway', impersonate: false },
      ownJobsOnly: true,
      defaults: BUILT_IN_DEFAULTS,
      signal: new AbortController().signal,
      progress: async () => undefined,
    } as unknown as ToolContext;
    const call = async (name: string, args: Record<string, unknown>, as = ctx) => {
      const tool = ALL_TOOLS.find((t) => t.name === name)!;
      const outcome = await invokeTool(tool, tool.input.parse(args), as);
      if (!('out' in outcome)) throw new Error(`${name} asked for confirmation`);
      return tool.output.parse(outcome.out) as Record<string, unknown>;
    };
    await call('run_custom_training', { code: 'def train():\n    import time\n    time.sleep(30)\n', name: 'anas-job', confirmed: true });
    expect((await backend.getJob('default', 'anas-job')).annotations?.[CREATED_BY]).toBe('ana');
    const bob = { ...ctx, caller: { ...ctx.caller, user: 'bob' } } as ToolContext;
    await expect(call('delete_training_job', { name: 'anas-job', confirmed: true }, bob)).rejects.toMatchObject({ code: 'not_owner' });
    expect(await call('delete_training_job', { name: 'anas-job', confirmed: true })).toMatchObject({ status: 'done' });
  });
});

describe('the queue cap', () => {
  it('is exact under concurrent submissions', async () => {
    const backend = newBackend({ maxConcurrent: 1, maxQueued: 3 });
    const blocker = await launch(backend, custom('def train():\n    import time\n    time.sleep(60)\n'));
    await backend.waitFor('default', blocker, { statuses: ['Running'], timeoutSeconds: 30 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => launch(backend, custom('def train():\n    pass\n', {}, { name: `q-${i}` }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(7);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'queue_full' });
    expect((await backend.listJobs('default', {})).jobs.filter((j) => j.status === 'Created')).toHaveLength(3);
    await backend.deleteJob('default', blocker, { dryRun: false });
  });
});
