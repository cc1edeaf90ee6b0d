/**
 * OS process helpers: identity of a pid across restarts (pid + start time, so a reused pid is not
 * mistaken for the job), and signals to a job's whole process group.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { isErrno } from './errors.js';

const run = promisify(execFile);

/**
 * An opaque token that changes when `pid` is reused (the start time in clock ticks since boot from
 * /proc on Linux, `ps -o lstart` elsewhere), and whether the process is a zombie (exited, not yet
 * reaped). Undefined when no such process exists.
 */
export async function processInfo(pid: number): Promise<{ startToken: string; zombie: boolean } | undefined> {
  if (process.platform === 'linux') {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may contain spaces) start at field 3, the state.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const startToken = fields[19];
      return startToken ? { startToken, zombie: fields[0] === 'Z' || fields[0] === 'X' } : undefined;
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ESRCH')) return undefined;
      throw err;
    }
  }
  try {
    const { stdout } = await run('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], { timeout: 5000 });
    const m = /^\s*(\S+)\s+(.+?)\s*$/.exec(stdout);
    return m ? { startToken: m[2]!, zombie: m[1]!.startsWith('Z') } : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is still the live process that had `startToken`. */
export async function isSameProcess(pid: number, startToken: string): Promise<boolean> {
  const info = await processInfo(pid);
  return info !== undefined && !info.zombie && info.startToken === startToken;
}

/**
 * True when the process group led by `pid` is still the job's: the leader is the same process
 * (possibly a zombie), or the leader is gone but members remain (a pid is never reused while a
 * group with that id exists, so those members are ours).
 */
export async function isJobGroup(pid: number, startToken: string): Promise<boolean> {
  const info = await processInfo(pid);
  if (info) return info.startToken === startToken;
  return signalGroup(pid, 0);
}

export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

/** Signals every process of the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (isErrno(err, 'ESRCH')) return false;
    throw err;
  }
}

/** SIGTERM, then SIGKILL after `graceMs` if anything of the group is left. */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  // A stopped (suspended) process only acts on SIGTERM once continued.
  signalGroup(pgid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(50);
    if (!(await groupHasLiveMembers(pgid))) return;
  }
  signalGroup(pgid, 'SIGKILL');
}

/**
 * Whether any process of the group still runs. Zombies do not count: orphaned grandchildren wait
 * for init to reap them, which some inits (containers, sandboxes) do only now and then.
 */
export async function groupHasLiveMembers(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return true;
  }
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // After the command: state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
