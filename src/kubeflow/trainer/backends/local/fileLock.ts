/**
 * Mutual exclusion between servers sharing a job store, with files only (no daemon): a lock is a
 * file created with O_EXCL holding its holder's pid, the pid's start time and a nonce. A holder
 * that died (its pid gone, or now another process) leaves a stale lock, which the next waiter
 * breaks. Critical sections are short (reading and writing a few small files), so waiters poll.
 * Within one process, callers are serialised by a KeyedMutex first: the file lock is per process.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { FILE_MODE } from './atomicFile.js';
import { isErrno, LocalBackendError } from './errors.js';
import { KeyedMutex } from './keyedMutex.js';
import { isSameProcess, processInfo, sleep } from './processes.js';

/** A lock held longer than this by a live process is reported, not broken. */
const WAIT_LIMIT_MS = 60_000;
/** A lock file still empty after this long was left by a holder that died while creating it. */
const EMPTY_GRACE_MS = 5_000;

interface Holder {
  pid: number;
  startToken: string;
  nonce: string;
}

let self: Promise<Holder['startToken']> | undefined;
const ownStartToken = () => (self ??= processInfo(process.pid).then((i) => i?.startToken ?? ''));

export class FileLocks {
  private readonly mutex = new KeyedMutex();

  /** Runs `fn` holding the lock `file` (exclusive across processes and within this one). */
  run<T>(file: string, fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(file, async () => {
      const release = await acquire(file);
      try {
        return await fn();
      } finally {
        await release();
      }
    });
  }
}

async function acquire(file: string): Promise<() => Promise<void>> {
  const me: Holder = { pid: process.pid, startToken: await ownStartToken(), nonce: randomBytes(8).toString('hex') };
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', FILE_MODE);
      try {
        await handle.writeFile(JSON.stringify(me));
      } finally {
        await handle.close();
      }
      return () => releaseIfMine(file, me.nonce);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    const holder = await readHolder(file);
    if (holder === 'gone') continue;
    if (holder === 'stale' || !(await isSameProcess(holder.pid, holder.startToken))) {
      await breakLock(file, holder);
      continue;
    }
    if (Date.now() - started > WAIT_LIMIT_MS) {
      throw new LocalBackendError(
        'store_busy',
        `the job store lock ${file} has been held by pid ${holder.pid} for over ${WAIT_LIMIT_MS / 1000} s`,
        `if pid ${holder.pid} is a hung kubeflow-mcp server, stop it; then call again`,
      );
    }
    await sleep(Math.min(50, 2 + attempt) * (0.5 + Math.random()));
  }
}

async function readHolder(file: string): Promise<Holder | 'stale' | 'gone'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return 'gone';
    throw err;
  }
  try {
    const h = JSON.parse(text) as Holder;
    if (typeof h.pid === 'number' && typeof h.nonce === 'string') return h;
  } catch {
    // empty (being written) or garbage
  }
  const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
  return age > EMPTY_GRACE_MS ? 'stale' : 'gone';
}

/**
 * Removes a stale lock without removing a fresh one taken meanwhile: the lock is renamed aside
 * first and put back if it turns out not to be the stale one.
 */
async function breakLock(file: string, stale: Holder | 'stale'): Promise<void> {
  const aside = `${file}.${randomBytes(6).toString('hex')}.broken`;
  try {
    await rename(file, aside);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  const taken = await readFile(aside, 'utf8').catch(() => '');
  const wasStale = stale === 'stale' ? !/"nonce"/.test(taken) : taken.includes(stale.nonce);
  // Someone took the lock between our read and the rename: give it back (link never overwrites).
  if (!wasStale) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

async function releaseIfMine(file: string, nonce: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text.includes(nonce)) await unlink(file).catch(() => undefined);
}
