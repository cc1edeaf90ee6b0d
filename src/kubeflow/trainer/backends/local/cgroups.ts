/**
 * cgroup v2 containment of local jobs, where the server may create cgroups below its own (root,
 * or a delegated systemd user slice). Each job gets `<server's cgroup>/kubeflow-mcp/<uid>`; the
 * wrapper moves itself in before it starts anything, so every process the job starts stays in it
 * whatever it does (setsid, double fork, a cleared environment). Elsewhere (no cgroup2 mount, no
 * write access, not Linux) jobs are found by session, process group and an environment marker
 * instead (processes.ts); the cgroup is an addition, never a requirement.
 */
import { accessSync, constants, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isErrno } from './errors.js';

const PARENT = 'kubeflow-mcp';
/** statfs f_type of cgroup2 (linux/magic.h). */
const CGROUP2_MAGIC = 0x63677270;
let cached: string | null | undefined;

/** `<mount>/<own cgroup>/kubeflow-mcp` when jobs can be put in cgroups here, else undefined. */
function parentDir(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  if (process.platform !== 'linux') return undefined;
  try {
    const mount = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .find((f) => f[f.indexOf('-') + 1] === 'cgroup2')?.[4];
    const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    if (!mount || own === undefined) return undefined;
    const dir = path.join(mount, own, PARENT);
    mkdirSync(dir, { recursive: true });
    accessSync(path.join(mount, own, 'cgroup.procs'), constants.W_OK);
    cached = dir;
  } catch {
    // not available to this user
  }
  return cached ?? undefined;
}

export const cgroupSupport = {
  available: (): boolean => parentDir() !== undefined,
};

/**
 * `dir` when it is a job cgroup of `uid` (`.../kubeflow-mcp/<uid>` on a cgroup2 mount), else
 * undefined: a path read from the store is never trusted to name some other cgroup.
 */
export function jobCgroup(uid: string, dir: string): string | undefined {
  const normal = path.normalize(dir);
  if (!uid || normal !== dir || !path.isAbsolute(dir) || path.basename(dir) !== uid || path.basename(path.dirname(dir)) !== PARENT) return undefined;
  try {
    return statfsSync(dir).type === CGROUP2_MAGIC ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the job's cgroup; undefined when cgroups are not available here. */
export async function createJobCgroup(uid: string): Promise<string | undefined> {
  const parent = parentDir();
  if (!parent || !/^[0-9a-f-]+$/.test(uid)) return undefined;
  const dir = path.join(parent, uid);
  try {
    mkdirSync(dir);
    return dir;
  } catch (err) {
    return isErrno(err, 'EEXIST') ? dir : undefined;
  }
}

/** Pids in the job's cgroup (none when it is gone). */
export async function cgroupPids(dir: string): Promise<number[]> {
  try {
    return (await readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** SIGKILL to every process of the cgroup at once (kernel 5.14+); false when not supported. */
export async function killCgroup(dir: string): Promise<boolean> {
  try {
    await writeFile(path.join(dir, 'cgroup.kill'), '1');
    return true;
  } catch {
    return false;
  }
}

/** Removes an empty job cgroup (a cgroup with processes cannot be removed: EBUSY). */
export async function removeCgroup(dir: string): Promise<void> {
  await rmdir(dir).catch(() => undefined);
}
