/**
 * Several servers on one store (every desktop client starts its own): three server processes
 * (fixtures/peer.mjs on the compiled backend) share a temporary store. They agree on each job's
 * status, hold the running limit together exactly under concurrent submissions, and a job queued
 * by a server that was killed is started by another.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import type { TrainRequest } from '../../src/kubeflow/trainer/backend.js';
import type { TrainJobView } from '../../src/kubeflow/trainer/types.js';
import { cleanupAll, custom, newBackend, sleep, tempDir, TICKER, LOCAL_BACKEND_MODULE, jobSpans, peakConcurrency } from './helpers.js';

const peers: ChildProcess[] = [];

afterAll(async () => {
  for (const p of peers) p.kill('SIGKILL');
  await cleanupAll();
});

interface Peer {
  process: ChildProcess;
  call: <T>(op: string, args?: Record<string, unknown>) => Promise<T>;
  kill: () => Promise<void>;
}

async function startPeer(storeDir: string, maxConcurrent: number): Promise<Peer> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'fixtures/peer.mjs'), LOCAL_BACKEND_MODULE, storeDir, String(maxConcurrent)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  peers.push(child);
  const pending = new Map<number, (reply: Record<string, unknown>) => void>();
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const reply = JSON.parse(line) as Record<string, unknown>;
    if ('ready' in reply) return ready();
    pending.get(reply.id as number)?.(reply);
    pending.delete(reply.id as number);
  });
  await Promise.race([started, new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`peer exited with ${code}`))))]);
  let next = 0;
  return {
    process: child,
    call: <T>(op: string, args: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = ++next;
        pending.set(id, (reply) =>
          reply.error ? reject(Object.assign(new Error(String((reply.error as { message: string }).message)), reply.error)) : resolve(reply as T),
        );
        child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
      }),
    kill: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const submit = async (peer: Peer, request: TrainRequest) => (await peer.call<{ name: string }>('submit', { request })).name;
const statusOn = async (peer: Peer, name: string) => (await peer.call<{ job: TrainJobView }>('get', { name })).job.status;

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const TIMED = `
def train(index):
    import time
    print(f"start {time.time():.6f}", flush=True)
    time.sleep(0.6)
    print(f"end {time.time():.6f}", flush=True)
`;

it('three servers on one store hold a running limit of 2 together and agree on status', { timeout: 90_000 }, async () => {
  const storeDir = tempDir();
  const servers = await Promise.all([0, 1, 2].map(() => startPeer(storeDir, 2)));
  // Nine jobs, submitted to all three at once.
  const names = await Promise.all(
    servers.flatMap((s, i) => [0, 1, 2].map((j) => submit(s, custom(TIMED, { funcArgs: { index: i * 3 + j } }, { name: `shared-${i}-${j}` })))),
  );

  // While they run, every server sees the same status for every job.
  let compared = 0;
  await until(
    async () => {
      const views = await Promise.all(servers.map((s) => s.call<{ jobs: TrainJobView[] }>('list')));
      const statuses = views.map((v) => v.jobs.map((j) => `${j.name}:${j.status}`).join(','));
      // A job may finish between two reads: compare only snapshots without a transition between.
      if (new Set(statuses).size === 1) compared++;
      else {
        const again = await Promise.all(servers.map((s) => s.call<{ jobs: TrainJobView[] }>('list')));
        const statuses2 = again.map((v) => v.jobs.map((j) => `${j.name}:${j.status}`).join(','));
        if (statuses2[0] === statuses[0] && statuses2.every((s) => s === statuses2[0])) compared++;
      }
      const running = views[0]!.jobs.filter((j) => j.status === 'Running').length;
      expect(running).toBeLessThanOrEqual(2);
      return views[0]!.jobs.every((j) => j.status === 'Complete');
    },
    60_000,
    'all nine jobs to complete',
  );
  expect(compared).toBeGreaterThan(3);

  // From the jobs' own clocks: never more than two at once, and two at once did happen.
  const reader = newBackend({ storeDir, maxConcurrent: 2 });
  const spans = await jobSpans(reader, names);
  const peak = peakConcurrency(spans);
  expect(peak).toBe(2);
  for (const s of servers) await s.kill();
});

it('a running job started by one server is Running on the others', async () => {
  const storeDir = tempDir();
  const [a, b] = await Promise.all([startPeer(storeDir, 2), startPeer(storeDir, 2)]);
  const name = await submit(a, custom(TICKER, { funcArgs: { n: 100, every: 0.1 } }));
  await until(async () => (await statusOn(a, name)) === 'Running', 20_000, 'the job to run');
  expect(await statusOn(b, name)).toBe('Running');
  for (const s of [a, b]) await s.kill();
});

it('a job queued by a server that was killed is started by another server', { timeout: 90_000 }, async () => {
  const storeDir = tempDir();
  const [a, b] = await Promise.all([startPeer(storeDir, 1), startPeer(storeDir, 1)]);
  const blocker = await submit(a, custom(TICKER, { funcArgs: { n: 10, every: 0.1 } }));
  const queued = await submit(a, custom(TICKER, { funcArgs: { n: 1, every: 0 } }));
  expect(await statusOn(b, queued)).toBe('Created');
  await a.kill();
  // The blocker finishes on its own; b notices and starts the queued job.
  await until(async () => (await statusOn(b, blocker)) === 'Complete', 30_000, 'the blocker to complete');
  await until(async () => (await statusOn(b, queued)) === 'Complete', 30_000, 'the queued job to be started by the other server');
  await b.kill();
});
