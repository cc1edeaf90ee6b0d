/**
 * The local scheduler's state, kept in the store so every server on it shares one queue and one
 * limit (several desktop clients each start their own server on ~/.kubeflow-mcp/jobs):
 *
 *   scheduler/lock                     the scheduler lock (fileLock.ts)
 *   scheduler/limit.json               {"maxConcurrent": n}: the running limit of the store
 *   scheduler/queue/<seq>_<ns>_<name>  waiting jobs; FIFO by submission (`seq`, zero-padded)
 *   scheduler/slots/<ns>_<name>        jobs holding a slot: claimed, running, or being stopped
 *
 * Admission (the queue cap) and claiming (the running limit) happen under the scheduler lock, so
 * both are exact however many servers submit at once. A slot is given back only once everything
 * the job started is gone (supervisor.ts); an entry whose job no longer holds it (a server died
 * between two steps) is dropped the next time any server claims. Names and namespaces are DNS
 * labels, so `_` separates the parts unambiguously.
 */
import { mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DIR_MODE, FILE_MODE, readJson, writeJsonAtomic } from './atomicFile.js';
import { isErrno, LocalBackendError } from './errors.js';
import type { FileLocks } from './fileLock.js';

/** Jobs waiting at most, unless configured otherwise. */
export const MAX_QUEUED = 1000;

export interface QueueOptions {
  /** The running limit asked for explicitly; it becomes the store's limit. */
  maxConcurrent?: number;
  /** The limit a store gets when no server set one. */
  defaultMaxConcurrent: number;
  maxQueued: number;
}

export interface QueueCounts {
  running: number;
  queued: number;
  limit: number;
  maxQueued: number;
}

/** What a claim pass learns about a waiting job: start it, leave it waiting (held), or forget it. */
export type Startable = 'start' | 'hold' | 'drop';

export class StoreQueue {
  private readonly dir: string;
  private readonly queueDir: string;
  private readonly slotsDir: string;
  private readonly lockFile: string;
  private readonly limitFile: string;

  constructor(
    root: string,
    private readonly locks: FileLocks,
    private readonly options: QueueOptions,
  ) {
    this.dir = path.join(root, 'scheduler');
    this.queueDir = path.join(this.dir, 'queue');
    this.slotsDir = path.join(this.dir, 'slots');
    this.lockFile = path.join(this.dir, 'lock');
    this.limitFile = path.join(this.dir, 'limit.json');
  }

  async init(): Promise<void> {
    for (const d of [this.dir, this.queueDir, this.slotsDir]) await mkdir(d, { recursive: true, mode: DIR_MODE });
    await this.locked(async () => {
      const stored = await this.storedLimit();
      if (this.options.maxConcurrent !== undefined ? stored !== this.options.maxConcurrent : stored === undefined) {
        await writeJsonAtomic(this.limitFile, { maxConcurrent: this.options.maxConcurrent ?? this.options.defaultMaxConcurrent });
      }
    });
  }

  /** The store's running limit (the last one a server was started with). */
  async limit(): Promise<number> {
    return (await this.storedLimit()) ?? this.options.maxConcurrent ?? this.options.defaultMaxConcurrent;
  }

  /**
   * Admits a new job under the scheduler lock: refuses when the queue is full, else runs
   * `create` (which writes the job) and queues it. Returns the counts it was admitted with.
   */
  async admit(key: string, seq: number, create: () => Promise<void>): Promise<QueueCounts> {
    return this.locked(async () => {
      const counts = await this.counts();
      if (counts.queued >= this.options.maxQueued) {
        throw new LocalBackendError(
          'queue_full',
          `${counts.queued} local jobs are already queued (the limit is ${this.options.maxQueued})`,
          'wait for queued jobs to start or delete some (list_training_jobs status=Created), then submit again',
        );
      }
      await create();
      await this.enqueue(key, seq);
      return counts;
    });
  }

  /** Puts a job in line (idempotent). */
  async enqueue(key: string, seq: number): Promise<void> {
    await touch(path.join(this.queueDir, `${String(seq).padStart(20, '0')}_${entryName(key)}`));
  }

  /** Records that a job holds a slot (a job found running, or being started). */
  async occupy(key: string): Promise<void> {
    await touch(path.join(this.slotsDir, entryName(key)));
  }

  /** The job no longer waits and holds no slot (it ended, everything it started is gone, or it was deleted). */
  async release(key: string): Promise<void> {
    await remove(path.join(this.slotsDir, entryName(key)));
    await this.dequeue(key);
  }

  async dequeue(key: string): Promise<void> {
    const suffix = `_${entryName(key)}`;
    for (const entry of await list(this.queueDir)) if (entry.endsWith(suffix)) await remove(path.join(this.queueDir, entry));
  }

  /** Keys of the jobs holding a slot. */
  async slotKeys(): Promise<string[]> {
    return (await list(this.slotsDir)).map(keyOf);
  }

  /** 1-based place of a waiting job in line (undefined when it does not wait). */
  async position(key: string): Promise<number | undefined> {
    const suffix = `_${entryName(key)}`;
    const i = (await list(this.queueDir)).sort().findIndex((e) => e.endsWith(suffix));
    return i === -1 ? undefined : i + 1;
  }

  async counts(): Promise<QueueCounts> {
    return {
      running: (await list(this.slotsDir)).length,
      queued: (await list(this.queueDir)).length,
      limit: await this.limit(),
      maxQueued: this.options.maxQueued,
    };
  }

  /**
   * Under the scheduler lock: drops slots their jobs no longer hold, then takes waiting jobs in
   * FIFO order into the free slots. The caller starts the returned jobs.
   */
  async claim(holds: (key: string) => Promise<boolean>, startable: (key: string) => Promise<Startable>): Promise<string[]> {
    return this.locked(async () => {
      let used = 0;
      for (const entry of await list(this.slotsDir)) {
        if (await holds(keyOf(entry))) used++;
        else await remove(path.join(this.slotsDir, entry));
      }
      const free = (await this.limit()) - used;
      const claimed: string[] = [];
      if (free <= 0) return claimed;
      for (const entry of (await list(this.queueDir)).sort()) {
        const key = keyOf(entry.slice(entry.indexOf('_') + 1));
        const verdict = await startable(key);
        if (verdict === 'hold') continue;
        if (verdict === 'start') {
          await this.occupy(key);
          claimed.push(key);
        }
        await remove(path.join(this.queueDir, entry));
        if (claimed.length >= free) break;
      }
      return claimed;
    });
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.locks.run(this.lockFile, fn);
  }

  private async storedLimit(): Promise<number | undefined> {
    const stored = await readJson<{ maxConcurrent?: unknown }>(this.limitFile).catch(() => undefined);
    const n = stored?.maxConcurrent;
    return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : undefined;
  }
}

function entryName(key: string): string {
  return key.replace('/', '_');
}

function keyOf(entry: string): string {
  return entry.replace('_', '/');
}

async function touch(file: string): Promise<void> {
  await writeFile(file, '', { mode: FILE_MODE });
}

async function remove(file: string): Promise<void> {
  await unlink(file).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT')) throw err;
  });
}

async function list(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((e) => !e.startsWith('.'));
}
