/**
 * OS process helpers: identity of a pid across restarts (pid + start time, so a reused pid is not
 * mistaken for the job), signals to a job's process group, and finding and ending every process a
 * job started.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { cgroupPids, killCgroup } from './cgroups.js';
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
async function isJobGroup(pid: number, startToken: string): Promise<boolean> {
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

/** The environment variable every process of a job inherits: the job's uid. */
export const JOB_MARKER = 'KUBEFLOW_MCP_JOB';
/** After SIGKILL, how long to wait for the kernel to remove the processes. */
const KILL_WAIT_MS = 3000;

/** What identifies the processes of one job. */
export interface JobProcesses {
  uid: string;
  /** The wrapper, leader of the job's session and process group. */
  pid?: number;
  startToken?: string;
  /** The job's cgroup (cgroups.ts), where available. */
  cgroup?: string;
}

/**
 * Live pids of the job: its cgroup's members, the members of its session and process group
 * (while those are still the job's), and any process whose environment carries the job's marker
 * (children that left the session with setsid). Never this process.
 */
export async function jobPids(job: JobProcesses): Promise<number[]> {
  const found = new Set<number>(job.cgroup ? await cgroupPids(job.cgroup) : []);
  const leader = job.pid !== undefined && job.startToken ? job.pid : undefined;
  const ownGroup = leader !== undefined && (await isJobGroup(leader, job.startToken!));
  if (process.platform !== 'linux') {
    if (ownGroup && signalGroup(leader, 0)) found.add(leader);
    return [...found];
  }
  const marker = job.uid ? Buffer.from(`${JOB_MARKER}=${job.uid}\0`) : undefined;
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid || found.has(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // After the command: state, ppid, pgrp, session.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!stat || fields[0] === 'Z' || fields[0] === 'X') continue;
    if (ownGroup && (fields[2] === String(leader) || fields[3] === String(leader))) {
      found.add(pid);
      continue;
    }
    const env = marker && (await readFile(`/proc/${pid}/environ`).catch(() => undefined));
    if (marker && env && (env.subarray(0, marker.length).equals(marker) || env.includes(Buffer.concat([Buffer.from([0]), marker])))) found.add(pid);
  }
  const live: number[] = [];
  for (const pid of found) if (pid !== process.pid && !(await processInfo(pid))?.zombie && pidExists(pid)) live.push(pid);
  return live;
}

/**
 * Ends every process of the job: SIGTERM (with SIGCONT, for a suspended job), SIGKILL to what is
 * left after `graceMs`, and waits until nothing is left. True when nothing is left.
 */
export async function stopJobProcesses(job: JobProcesses, graceMs: number): Promise<boolean> {
  let pids = await jobPids(job);
  if (pids.length === 0) return true;
  for (const signal of ['SIGTERM', 'SIGCONT'] as const) for (const pid of pids) signalPid(pid, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(50);
    pids = await jobPids(job);
    if (pids.length === 0) return true;
  }
  if (job.cgroup) await killCgroup(job.cgroup);
  const killDeadline = Date.now() + KILL_WAIT_MS;
  while (pids.length > 0 && Date.now() < killDeadline) {
    for (const pid of pids) signalPid(pid, 'SIGKILL');
    await sleep(50);
    pids = await jobPids(job);
  }
  return pids.length === 0;
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
