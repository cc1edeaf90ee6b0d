/**
 * Restarts: the server is a separate Node process (fixtures/server.mjs on the compiled backend)
 * that we SIGKILL mid-run. Jobs must outlive it, and a new LocalBackend on the same store must
 * pick everything up: running jobs re-attached, finished ones settled from their exit records,
 * dead ones failed with the reason, queued ones started in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainRequest } from '../../src/kubeflow/trainer/backend.js';
import { alive, cleanupAll, custom, launch, newBackend, sleep, tempDir, TICKER, LOCAL_BACKEND_MODULE } from './helpers.js';

const servers: ChildProcess[] = [];

afterAll(async () => {
  for (const s of servers) s.kill('SIGKILL');
  await cleanupAll();
});

/** Starts a server process that submits `requests`; resolves when the first job runs. */
async function startServer(storeDir: string, requests: TrainRequest[], maxConcurrent = 2): Promise<{ server: ChildProcess; names: string[]; pid: number }> {
  const server = spawn(
    process.execPath,
    [path.join(import.meta.dirname, 'fixtures/server.mjs'), LOCAL_BACKEND_MODULE, storeDir, String(maxConcurrent), JSON.stringify(requests)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  servers.push(server);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { server, ...(JSON.parse(line) as { names: string[]; pid: number }) };
}

/** Reads the log file directly (no backend runs while the server is down). */
async function untilLogged(storeDir: string, name: string): Promise<void> {
  const log = path.join(storeDir, 'jobs', 'default', name, 'run', 'output.log');
  for (let i = 0; i < 200 && !(await readFile(log, 'utf8').catch(() => '')).includes('tick'); i++) await sleep(25);
}

async function killServer(server: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGKILL');
  await exited;
}

describe('server killed with SIGKILL', () => {
  it('the running job survives, is re-attached by the next server and completes with its full log', async () => {
    const storeDir = tempDir();
    const { server, names, pid } = await startServer(storeDir, [custom(TICKER, { funcArgs: { n: 15, every: 0.2 } })]);
    const [name] = names as [string];
    await killServer(server);
    expect(alive(pid)).toBe(true);

    const backend = newBackend({ storeDir });
    const job = await backend.getJob('default', name);
    expect(job).toMatchObject({ status: 'Running', steps: [{ podName: `pid:${pid}`, status: 'Running' }] });
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });
    expect(res.reached).toBe(true);
    expect((await backend.logs('default', name, { step: 'node-0', tail: 100 })).lines).toEqual([...Array.from({ length: 15 }, (_, i) => `tick ${i}`), 'done']);
    expect((await backend.events('default', name)).map((e) => e.reason)).toEqual(['Queued', 'Started', 'Reattached', 'Completed']);
  });

  it('a job killed together with the server is Failed, saying it died while the server was down', async () => {
    const storeDir = tempDir();
    const { server, names, pid } = await startServer(storeDir, [custom(TICKER, { funcArgs: { n: 300, every: 0.1 } })]);
    await untilLogged(storeDir, names[0]!);
    await killServer(server);
    process.kill(-pid, 'SIGKILL');
    await sleep(100);

    const backend = newBackend({ storeDir });
    const job = await backend.getJob('default', names[0]!);
    expect(job.status).toBe('Failed');
    expect(job.conditions.at(-1)).toMatchObject({
      type: 'Failed',
      reason: 'ProcessLost',
      message: expect.stringContaining('died while the kubeflow-mcp server was down'),
    });
    expect((await backend.logs('default', names[0]!, { step: 'node-0', tail: 5 })).lines[0]).toMatch(/^tick \d+$/);
  });

  it('finished jobs keep their outcome and logs, and the queue carries on in order', async () => {
    const storeDir = tempDir();
    // Names sort against the submission order: the queue must follow submission, not names.
    const requests = [
      custom(TICKER, { funcArgs: { n: 3, every: 0.2 } }, { name: 'm-first' }),
      custom(TICKER, { funcArgs: { n: 2, every: 0 } }, { name: 'z-second' }),
      custom(TICKER, { funcArgs: { n: 1, every: 0 } }, { name: 'a-third' }),
    ];
    const { server, names } = await startServer(storeDir, requests, 1);
    await killServer(server);
    // The first job finishes while no server runs; the others wait in the store.
    await sleep(1500);

    const backend = newBackend({ storeDir, maxConcurrent: 1 });
    const [first, second, third] = names as [string, string, string];
    expect((await backend.getJob('default', first)).status).toBe('Complete');
    expect((await backend.logs('default', first, { step: 'node-0', tail: 10 })).lines).toEqual(['tick 0', 'tick 1', 'tick 2', 'done']);
    const results = await Promise.all([second, third].map((n) => backend.waitFor('default', n, { statuses: ['Complete'], timeoutSeconds: 30 })));
    expect(results.map((r) => r.reached)).toEqual([true, true]);
    const startedAt = async (n: string) => Date.parse((await backend.events('default', n)).find((e) => e.reason === 'Started')!.firstTimestamp!);
    expect(await startedAt(second)).toBeLessThanOrEqual(await startedAt(third));
  });

  it('a recorded pid that now belongs to another process is not the job: Failed, and that process is left alone', async () => {
    const storeDir = tempDir();
    const first = newBackend({ storeDir });
    const name = await launch(first, custom(TICKER, { funcArgs: { n: 1, every: 0 } }));
    expect((await first.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 })).reached).toBe(true);
    first.close();
    // Pretend the job still ran as a pid that has since been reused by an unrelated process:
    // the recorded start time no longer matches, and it carries no mark of the job.
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = stranger.pid!;
    const statusFile = path.join(storeDir, 'jobs', 'default', name, 'status.json');
    const record = JSON.parse(await readFile(statusFile, 'utf8')) as Record<string, unknown>;
    await writeFile(
      statusFile,
      JSON.stringify({
        ...record,
        phase: 'Running',
        finishedAt: undefined,
        exit: undefined,
        conditions: [],
        process: { pid, startToken: '1', startedAt: new Date().toISOString() },
      }),
    );
    await rm(path.join(storeDir, 'jobs', 'default', name, 'run', 'exit.json'));

    const second = newBackend({ storeDir });
    const job = await second.getJob('default', name);
    expect(job.status).toBe('Failed');
    expect(job.conditions.at(-1)).toMatchObject({ reason: 'ProcessLost', message: expect.stringContaining(`pid ${pid} now belongs to another process`) });
    await second.deleteJob('default', name, { dryRun: false });
    expect(alive(pid)).toBe(true);
    stranger.kill('SIGKILL');
  });
});
