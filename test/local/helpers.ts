/** Shared set-up for the local backend tests: a fresh store per backend, and cleanup of every job process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TrainRequest } from '../../src/kubeflow/trainer/backend.js';
import type { ToolContext } from '../../src/tools/context.js';
import { BUILT_IN_DEFAULTS } from '../../src/tools/defaults.js';
import { LocalBackend, type LocalBackendOptions } from '../../src/kubeflow/trainer/backends/local/index.js';
import { removeCgroup } from '../../src/kubeflow/trainer/backends/local/cgroups.js';
import { signalGroup, stopJobProcesses, type JobProcesses } from '../../src/kubeflow/trainer/backends/local/processes.js';

/**
 * The local backend as built by the test run's global setup (dist/), for tests that run it in
 * other processes (restarts, several servers on one store).
 */
export const LOCAL_BACKEND_MODULE = path.resolve(import.meta.dirname, '../../dist/lib/local-backend.js');

const dirs: string[] = [];
const backends: LocalBackend[] = [];

export function tempDir(prefix = 'kfmcp-local-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function newBackend(opts: Partial<LocalBackendOptions> = {}): LocalBackend {
  const backend = new LocalBackend({ storeDir: opts.storeDir ?? tempDir(), maxConcurrent: 4, ...opts });
  backends.push(backend);
  return backend;
}

/** A custom-training request for the function `train` in `source`. */
export function custom(
  source: string,
  extra: Partial<Extract<TrainRequest['trainer'], { kind: 'custom' }>> = {},
  request: Partial<TrainRequest> = {},
): TrainRequest {
  return { ...request, trainer: { kind: 'custom', funcSource: source, funcName: 'train', ...extra } };
}

/** prepare + submit (not dry-run); returns the job name. */
export async function launch(backend: LocalBackend, request: TrainRequest, namespace = 'default'): Promise<string> {
  const prepared = await backend.prepare(namespace, request);
  await backend.submit(prepared, { dryRun: false });
  return prepared.name;
}

/**
 * Kills every process the jobs of a test's stores left running (found as the backend finds them:
 * by uid marker, cgroup and process group), closes backends, removes stores.
 */
export async function cleanupAll(): Promise<void> {
  for (const b of backends.splice(0)) b.close();
  for (const dir of dirs.splice(0)) {
    for (const job of await storedJobs(dir)) {
      await stopJobProcesses(job, 0);
      if (job.cgroup) await removeCgroup(job.cgroup);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function storedJobs(storeDir: string): Promise<JobProcesses[]> {
  const found: JobProcesses[] = [];
  const jobs = path.join(storeDir, 'jobs');
  for (const ns of await readdir(jobs).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(jobs, ns)).catch(() => [] as string[])) {
      const text = await readFile(path.join(jobs, ns, name, 'spec.json'), 'utf8').catch(() => '');
      const status = await readFile(path.join(jobs, ns, name, 'status.json'), 'utf8').catch(() => '');
      const uid = text ? (JSON.parse(text) as { uid: string }).uid : '';
      let p: { pid: number; startToken: string; cgroup?: string } | undefined;
      try {
        p = (JSON.parse(status) as { process?: typeof p }).process;
      } catch {
        // a test damaged it on purpose
      }
      found.push({ uid, ...(p ? { pid: p.pid, startToken: p.startToken, ...(p.cgroup ? { cgroup: p.cgroup } : {}) } : {}) });
    }
  }
  return found;
}

/** Polls the job's log until a line contains `text`. */
export async function waitForLine(backend: LocalBackend, name: string, text: string, timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = (await backend.logs('default', name, { step: 'node-0', tail: 1000 }).catch(() => ({ lines: [] as string[] }))).lines;
    if (lines.some((l) => l.includes(text))) return lines;
    if (Date.now() > deadline) throw new Error(`no log line with '${text}' in ${timeoutMs} ms; last lines: ${lines.slice(-5).join(' | ')}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A training function that prints n ticks, `every` seconds apart, then "done". */
export const TICKER = `
def train(n, every):
    import time
    for i in range(n):
        print(f"tick {i}", flush=True)
        time.sleep(every)
    print("done")
`;

/** Each job's [start, end] from its own clock: TIMED-style jobs print "start <ms>" and "end <ms>". */
export async function jobSpans(backend: LocalBackend, names: readonly string[]): Promise<Array<[number, number]>> {
  const spans: Array<[number, number]> = [];
  for (const n of names) {
    const lines = (await backend.logs('default', n, { step: 'node-0', tail: 10 })).lines;
    const at = (word: string) => Number(lines.find((l) => l.startsWith(word))!.split(' ')[1]);
    spans.push([at('start'), at('end')]);
  }
  return spans;
}

/** The most spans open at one instant (an end at the same instant as a start comes first). */
export function peakConcurrency(spans: ReadonlyArray<readonly [number, number]>): number {
  const edges = spans.flatMap(([s, e]) => [[s, 1] as const, [e, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, delta] of edges) peak = Math.max(peak, (running += delta));
  return peak;
}

/**
 * Whether any process of the group still runs. Zombies do not count: orphaned grandchildren wait
 * for init to reap them, which some inits (containers, sandboxes) do only now and then.
 */
export async function groupHasLiveMembers(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // After the command: state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/** A tool context on `backend` for a local caller: only what the trainer tools read. */
export function localToolContext(backend: object): ToolContext {
  return {
    namespace: 'default',
    backend: () => backend,
    caller: { user: 'tester', groups: [], source: 'local', impersonate: false },
    ownJobsOnly: false,
    defaults: BUILT_IN_DEFAULTS,
    signal: new AbortController().signal,
    progress: async () => undefined,
  } as unknown as ToolContext;
}
