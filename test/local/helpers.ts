/** Shared set-up for the local backend tests: a fresh store per backend, and cleanup of every job process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TrainRequest } from '../../src/kubeflow/trainer/backend.js';
import { LocalBackend, type LocalBackendOptions } from '../../src/kubeflow/trainer/backends/local/index.js';
import { isJobGroup, signalGroup } from '../../src/kubeflow/trainer/backends/local/processes.js';

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
export function custom(source: string, extra: Partial<Extract<TrainRequest['trainer'], { kind: 'custom' }>> = {}, request: Partial<TrainRequest> = {}): TrainRequest {
  return { ...request, trainer: { kind: 'custom', funcSource: source, funcName: 'train', ...extra } };
}

/** prepare + submit (not dry-run); returns the job name. */
export async function launch(backend: LocalBackend, request: TrainRequest, namespace = 'default'): Promise<string> {
  const prepared = await backend.prepare(namespace, request);
  await backend.submit(prepared, { dryRun: false });
  return prepared.name;
}

/**
 * Kills the job processes a test left running (process groups recorded in its stores, checked to
 * still be those jobs), closes backends, removes stores.
 */
export async function cleanupAll(): Promise<void> {
  for (const b of backends.splice(0)) b.close();
  for (const dir of dirs.splice(0)) {
    for (const p of await runningProcesses(dir)) {
      if (await isJobGroup(p.pid, p.startToken)) signalGroup(p.pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runningProcesses(storeDir: string): Promise<Array<{ pid: number; startToken: string }>> {
  const found: Array<{ pid: number; startToken: string }> = [];
  const jobs = path.join(storeDir, 'jobs');
  for (const ns of await readdir(jobs).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(jobs, ns)).catch(() => [] as string[])) {
      const text = await readFile(path.join(jobs, ns, name, 'status.json'), 'utf8').catch(() => '');
      const record = text ? (JSON.parse(text) as { phase: string; process?: { pid: number; startToken: string } }) : undefined;
      if (record?.process && record.phase === 'Running') found.push(record.process);
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
