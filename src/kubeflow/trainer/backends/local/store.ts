/**
 * The durable job store: one directory per job under <storeDir>/jobs/<namespace>/<name>/.
 *
 *   spec.json    the PreparedJob as submitted (with uid, FIFO seq, creation time)
 *   status.json  phase, process, conditions, bounded status history (records.ts)
 *   events.json  bounded lifecycle events
 *   config.json  what the wrapper runs (written when the job starts)
 *   work/        the job's working directory (train.py), tmp/ its TMPDIR, venv/ its virtualenv
 *   run/         written by the wrapper: output.log, output.idx (time -> byte offset), exit.json,
 *                process.json, pip.log, wrapper.log. Creating run/ claims the job (mkdir is atomic),
 *                so two servers sharing a store never start the same job twice.
 *
 * Jobs appear atomically (built in staging/, then renamed into place) and disappear atomically
 * (renamed into trash/ before being removed). A deleted job leaves its events in deleted/ for a
 * while, as Kubernetes keeps events of deleted objects. locks/ holds the per-job lock files of
 * the servers sharing the store, scheduler/ their shared queue (queue.ts).
 *
 * A document that cannot be parsed (a disk filled up, a hand edit) is a DamagedRecordError
 * naming the file: that job is flagged, never the whole store.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KubeEvent } from '../../../../kube/types.js';
import { validateJobName } from '../../names.js';
import { DIR_MODE, readJson, writeJsonAtomic } from './atomicFile.js';
import { DamagedRecordError, jobAlreadyExists, isErrno, LocalBackendError } from './errors.js';
import { withEvent } from './events.js';
import type { JobRecord, StoredJob } from './records.js';

/** Staging / trash entries older than this are leftovers of a crash. */
const LEFTOVER_AGE_MS = 10 * 60 * 1000;
/** Tombstones (events of deleted jobs) kept per namespace. */
const MAX_TOMBSTONES = 100;

export interface JobPaths {
  dir: string;
  spec: string;
  status: string;
  events: string;
  config: string;
  work: string;
  tmp: string;
  venv: string;
  envFile: string;
  run: string;
  log: string;
  index: string;
  exit: string;
  processFile: string;
  pipLog: string;
  wrapperLog: string;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkNamespace(namespace: string): void {
  if (namespace.length > 63 || !NAMESPACE.test(namespace)) {
    throw new LocalBackendError(
      'invalid_namespace',
      `namespace '${namespace}' is not a valid name`,
      'use lowercase letters, digits and "-" (e.g. "default")',
      'namespace',
    );
  }
}

/** Only names the API would accept ever reach the file system (no path tricks). */
function isValidJobName(name: string): boolean {
  return validateJobName(name) === undefined;
}

export class JobStore {
  private readonly jobsDir: string;
  private readonly stagingDir: string;
  private readonly trashDir: string;
  private readonly deletedDir: string;
  private readonly locksDir: string;

  constructor(readonly root: string) {
    this.jobsDir = path.join(root, 'jobs');
    this.stagingDir = path.join(root, 'staging');
    this.trashDir = path.join(root, 'trash');
    this.deletedDir = path.join(root, 'deleted');
    this.locksDir = path.join(root, 'locks');
  }

  async init(): Promise<void> {
    for (const dir of [this.root, this.jobsDir, this.stagingDir, this.trashDir, this.deletedDir, this.locksDir])
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
    // Leftovers of a crash in the middle of a create or delete; recent entries may belong to
    // another server sharing this store, busy right now.
    for (const dir of [this.stagingDir, this.trashDir]) {
      for (const entry of await readdir(dir)) {
        const full = path.join(dir, entry);
        const age = Date.now() - ((await stat(full).catch(() => undefined))?.mtimeMs ?? 0);
        if (age > LEFTOVER_AGE_MS) await rm(full, { recursive: true, force: true });
      }
    }
  }

  /** The lock file of one job (`namespace/name`), outside its directory so delete can rename that. */
  lockFile(key: string): string {
    return path.join(this.locksDir, `${key.replace('/', '_')}.lock`);
  }

  paths(namespace: string, name: string): JobPaths {
    const dir = path.join(this.jobsDir, namespace, name);
    const run = path.join(dir, 'run');
    return {
      dir,
      spec: path.join(dir, 'spec.json'),
      status: path.join(dir, 'status.json'),
      events: path.join(dir, 'events.json'),
      config: path.join(dir, 'config.json'),
      work: path.join(dir, 'work'),
      tmp: path.join(dir, 'tmp'),
      venv: path.join(dir, 'venv'),
      envFile: path.join(dir, 'container.env'),
      run,
      log: path.join(run, 'output.log'),
      index: path.join(run, 'output.idx'),
      exit: path.join(run, 'exit.json'),
      processFile: path.join(run, 'process.json'),
      pipLog: path.join(run, 'pip.log'),
      wrapperLog: path.join(run, 'wrapper.log'),
    };
  }

  /** Writes a new job atomically; AlreadyExists when the name is taken. */
  async create(job: StoredJob, record: JobRecord, events: KubeEvent[]): Promise<void> {
    const staging = path.join(this.stagingDir, `${job.name}-${randomBytes(6).toString('hex')}`);
    await mkdir(staging, { mode: DIR_MODE });
    try {
      await writeJsonAtomic(path.join(staging, 'spec.json'), job);
      await writeJsonAtomic(path.join(staging, 'status.json'), record);
      await writeJsonAtomic(path.join(staging, 'events.json'), events);
      const target = this.paths(job.namespace, job.name).dir;
      await mkdir(path.dirname(target), { recursive: true, mode: DIR_MODE });
      if (await exists(target)) throw jobAlreadyExists(job.namespace, job.name);
      try {
        await rename(staging, target);
      } catch (err) {
        if (isErrno(err, 'ENOTEMPTY', 'EEXIST')) throw jobAlreadyExists(job.namespace, job.name);
        throw err;
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    // A new job of the same name does not inherit the old one's events.
    await rm(this.tombstone(job.namespace, job.name), { force: true });
  }

  async exists(namespace: string, name: string): Promise<boolean> {
    return isValidJobName(name) && (await exists(this.paths(namespace, name).status));
  }

  /** The job's status, undefined when there is no such job; DamagedRecordError when unreadable. */
  async readRecord(namespace: string, name: string): Promise<JobRecord | undefined> {
    if (!isValidJobName(name)) return undefined;
    const file = this.paths(namespace, name).status;
    const record = await readDocument<JobRecord>(namespace, name, file);
    if (record === undefined) return undefined;
    const r = record as Partial<JobRecord> | null;
    if (
      !r ||
      typeof r !== 'object' ||
      r.version !== 1 ||
      r.name !== name ||
      typeof r.uid !== 'string' ||
      typeof r.phase !== 'string' ||
      !Array.isArray(r.conditions) ||
      !Array.isArray(r.history)
    ) {
      throw new DamagedRecordError(namespace, name, file, 'is not a job status record');
    }
    return record;
  }

  async writeRecord(record: JobRecord): Promise<void> {
    await writeJsonAtomic(this.paths(record.namespace, record.name).status, record);
  }

  readSpec(namespace: string, name: string): Promise<StoredJob | undefined> {
    if (!isValidJobName(name)) return Promise.resolve(undefined);
    return readJson<StoredJob>(this.paths(namespace, name).spec);
  }

  /** Events of a live job, else of a recently deleted one, else undefined. DamagedRecordError when unreadable. */
  async readEvents(namespace: string, name: string): Promise<KubeEvent[] | undefined> {
    if (!isValidJobName(name)) return undefined;
    return (
      (await this.eventsOf(namespace, name, this.paths(namespace, name).events)) ?? (await this.eventsOf(namespace, name, this.tombstone(namespace, name)))
    );
  }

  /** Read-modify-write; the caller serialises writers of one job. A damaged history starts over. */
  async addEvent(namespace: string, name: string, event: KubeEvent): Promise<void> {
    const file = this.paths(namespace, name).events;
    await writeJsonAtomic(file, withEvent((await this.eventsOrEmpty(namespace, name, file)) ?? [], event));
  }

  private async eventsOf(namespace: string, name: string, file: string): Promise<KubeEvent[] | undefined> {
    const events = await readDocument<KubeEvent[]>(namespace, name, file);
    if (events !== undefined && !Array.isArray(events)) throw new DamagedRecordError(namespace, name, file, 'is not a list of events');
    return events;
  }

  private async eventsOrEmpty(namespace: string, name: string, file: string): Promise<KubeEvent[] | undefined> {
    try {
      return await this.eventsOf(namespace, name, file);
    } catch (err) {
      if (err instanceof DamagedRecordError) return [];
      throw err;
    }
  }

  /** Job names of a namespace, sorted (the listing order, as the API server's). */
  async listNames(namespace: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(path.join(this.jobsDir, namespace));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    }
    return entries.filter(isValidJobName).sort();
  }

  async listNamespaces(): Promise<string[]> {
    const entries = await readdir(this.jobsDir);
    return entries.filter((n) => NAMESPACE.test(n)).sort();
  }

  /** Removes a job atomically and keeps its events (plus `lastEvent`) as a tombstone. */
  async remove(namespace: string, name: string, lastEvent: KubeEvent): Promise<void> {
    const paths = this.paths(namespace, name);
    const events = withEvent((await this.eventsOrEmpty(namespace, name, paths.events)) ?? [], lastEvent);
    const trash = path.join(this.trashDir, `${name}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(paths.dir, trash);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw err;
    }
    await mkdir(path.dirname(this.tombstone(namespace, name)), { recursive: true, mode: DIR_MODE });
    await writeJsonAtomic(this.tombstone(namespace, name), events);
    await rm(trash, { recursive: true, force: true });
    await this.pruneTombstones(namespace);
  }

  private tombstone(namespace: string, name: string): string {
    return path.join(this.deletedDir, namespace, `${name}.json`);
  }

  private async pruneTombstones(namespace: string): Promise<void> {
    const dir = path.join(this.deletedDir, namespace);
    const files = await readdir(dir);
    if (files.length <= MAX_TOMBSTONES) return;
    const dated = await Promise.all(files.map(async (f) => ({ f, t: (await stat(path.join(dir, f)).catch(() => undefined))?.mtimeMs ?? 0 })));
    dated.sort((a, b) => b.t - a.t);
    await Promise.all(dated.slice(MAX_TOMBSTONES).map(({ f }) => rm(path.join(dir, f), { force: true })));
  }
}

/** A JSON document of one job; DamagedRecordError when it cannot be parsed. */
async function readDocument<T>(namespace: string, name: string, file: string): Promise<T | undefined> {
  try {
    return await readJson<T>(file);
  } catch (err) {
    if (err instanceof SyntaxError) throw new DamagedRecordError(namespace, name, file, `is not valid JSON (${err.message})`);
    throw err;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return false;
    throw err;
  }
}
