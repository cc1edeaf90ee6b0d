/**
 * The life of local jobs: FIFO start as slots free up, the detached wrapper process, exit and
 * loss detection, suspend/resume, deadlines, delete, and re-attaching to jobs after a restart.
 *
 * The store is the source of truth and every transition is written there before anyone is told.
 * Any number of servers may share one store: the queue and the running limit live in it
 * (queue.ts), each job's transitions are serialised by a per-job lock file (fileLock.ts), and every
 * server watches every running job, so they agree on status and any of them starts what waits.
 * How an end is noticed:
 *  - jobs this process started: the wrapper's `exit` event (we are its parent);
 *  - jobs found running after a restart or started by another server on the same store: an
 *    fs.watch on run/ for exit.json, plus a sweep every few seconds that also notices a process
 *    that died without recording an exit (pid gone, or reused: the start time differs).
 * A job is over only once everything it started is gone: when its main process ends, whatever it
 * left behind (background children, `setsid` escapes) is stopped before the end is recorded and
 * its slot given back, as a container's processes end with it. Finishing is idempotent, so two
 * observers (or two servers) of the same exit record the same outcome once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KubeEvent } from '../../../../kube/types.js';
import { log } from '../../../../log.js';
import { DIR_MODE, FILE_MODE, readJson, writeFileAtomic, writeJsonAtomic } from './atomicFile.js';
import { createJobCgroup, jobCgroup, removeCgroup } from './cgroups.js';
import { containerName, engineCommand, type ContainerEngines } from './container.js';
import { DamagedRecordError, isErrno } from './errors.js';
import { lifecycleEvent } from './events.js';
import type { FileLocks } from './fileLock.js';
import { planLaunch, SCRIPT_FILE, type LaunchHost } from './launch.js';
import { lastLines } from './logs.js';
import { isSameProcess, JOB_MARKER, jobPids, pidExists, processInfo, sleep, stopJobProcesses, type JobProcesses } from './processes.js';
import type { PythonProbe } from './python.js';
import type { StoreQueue, Startable } from './queue.js';
import type { ExitRecord, JobRecord, ProcessRef, StoredJob } from './records.js';
import type { JobStore } from './store.js';
import { setCondition, withHistory } from './views.js';

/** SIGTERM to SIGKILL when stopping a job (delete, deadline). */
export const STOP_GRACE_MS = 5000;
/** SIGTERM to SIGKILL for what a finished job left running. */
const LEFTOVER_GRACE_MS = 1000;
/** How long a wrapper that recorded its exit may take to actually exit. */
const WRAPPER_EXIT_MS = 1000;
const SWEEP_MS = 2000;
/** Lines of the log quoted in a Failed condition (the traceback tail). */
const FAILURE_TAIL_LINES = 20;
const MAX_QUOTED_LINE = 500;
/** setTimeout's limit; longer deadlines are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A claimed job with no recorded process after this long was lost during its start. */
const START_TIMEOUT_MS = 60_000;

export interface SupervisorDeps {
  store: JobStore;
  queue: StoreQueue;
  locks: FileLocks;
  python: PythonProbe;
  engines: ContainerEngines;
  home: string;
  serverEnv: NodeJS.ProcessEnv;
  wrapperPath: string;
  /** Stored log cap of each job (the wrapper keeps its head and tail). */
  maxLogBytes: number;
}

interface LiveJob {
  namespace: string;
  name: string;
  pid: number;
  /** Set when this process spawned the wrapper: its exit event says when the job ended. */
  child?: ChildProcess;
  watcher?: FSWatcher;
  deadline?: NodeJS.Timeout;
}

/** run/process.json, written by the wrapper once it runs (and inside its cgroup, if any). */
interface StartedProcess {
  pid: number;
  startedAt: string;
  cgroup?: string | null;
}

type Change = { record: JobRecord; event?: KubeEvent } | undefined;

function jobKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function isFinished(record: JobRecord): boolean {
  return record.phase === 'Succeeded' || record.phase === 'Failed';
}

/** What identifies the processes of a job (for finding and stopping all of them). */
function processesOf(record: Pick<JobRecord, 'uid' | 'process'>): JobProcesses {
  const p = record.process;
  const cgroup = p?.cgroup && jobCgroup(record.uid, p.cgroup);
  return { uid: record.uid, ...(p ? { pid: p.pid, startToken: p.startToken, ...(cgroup ? { cgroup } : {}) } : {}) };
}

export class JobSupervisor {
  readonly queue: StoreQueue;
  private readonly live = new Map<string, LiveJob>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private pumping: Promise<void> = Promise.resolve();
  private readonly sweepTimer: NodeJS.Timeout;
  private sweeping = false;
  private closed = false;
  /** No job starts until recovery has seen the whole store. */
  private recovering = false;
  private serverToken = '';

  constructor(private readonly deps: SupervisorDeps) {
    this.queue = deps.queue;
    this.sweepTimer = setInterval(() => this.background(this.sweep()), SWEEP_MS);
    this.sweepTimer.unref();
  }

  /**
   * After a (re)start: puts waiting jobs in line and running ones in their slots (the store may
   * predate the shared queue, or a server died between two steps), re-attaches to running jobs,
   * settles the rest, and warns about damaged records.
   */
  async recover(): Promise<void> {
    const { store } = this.deps;
    this.serverToken = (await processInfo(process.pid))?.startToken ?? '';
    this.recovering = true;
    try {
      await this.recoverJobs(store);
    } finally {
      this.recovering = false;
    }
    this.pump();
  }

  private async recoverJobs(store: JobStore): Promise<void> {
    for (const namespace of await store.listNamespaces()) {
      for (const name of await store.listNames(namespace)) {
        const key = jobKey(namespace, name);
        let record: JobRecord | undefined;
        try {
          record = await store.readRecord(namespace, name);
        } catch (err) {
          if (err instanceof DamagedRecordError) log.warn({ job: key }, `local backend: ${err.message}; ${err.hint}`);
          else throw err;
          continue;
        }
        if (!record || isFinished(record)) continue;
        if (record.phase === 'Queued' && !(await exists(store.paths(namespace, name).run))) {
          await this.queue.enqueue(key, record.seq);
          continue;
        }
        await this.queue.occupy(key);
        await this.reconcile(record, 'recovery');
      }
    }
  }

  /** Writes a new job and queues it (refused when the queue is full). */
  async submit(job: StoredJob, record: JobRecord): Promise<void> {
    const key = jobKey(job.namespace, job.name);
    await this.queue.admit(key, job.seq, async () => {
      const { running, queued, limit } = await this.queue.counts();
      const message =
        running < limit
          ? `queued; a slot is free (${running} of ${limit} local jobs running)`
          : `waiting for a free slot: ${running} of ${limit} local jobs running, ${queued} queued before it`;
      await this.deps.store.create(job, record, [lifecycleEvent(record, 'Queued', message)]);
    });
    this.notify(key);
    this.pump();
  }

  /** The job's record, first settling a running job whose process ended unnoticed. */
  async refresh(namespace: string, name: string): Promise<JobRecord | undefined> {
    const record = await this.deps.store.readRecord(namespace, name);
    if (!record || record.phase !== 'Running' || this.live.get(jobKey(namespace, name))?.child) return record;
    if (await this.reconcile(record, 'read')) return this.deps.store.readRecord(namespace, name);
    return record;
  }

  subscribe(namespace: string, name: string, listener: () => void): () => void {
    const key = jobKey(namespace, name);
    const set = this.listeners.get(key) ?? new Set();
    set.add(listener);
    this.listeners.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  async setSuspended(namespace: string, name: string, suspend: boolean): Promise<JobRecord | undefined> {
    const updated = await this.mutate(namespace, name, async (r): Promise<Change> => {
      if (isFinished(r) || r.suspended === suspend) return undefined;
      const running = r.phase === 'Running';
      // A process that is already gone is about to be finished by its exit: leave it to that.
      if (running && !(await this.pauseProcess(r, suspend))) return undefined;
      const condition = suspend
        ? { type: 'Suspended', status: 'True', reason: 'Suspended', message: 'TrainJob is suspended' }
        : { type: 'Suspended', status: 'False', reason: 'Resumed', message: 'TrainJob is resumed' };
      const detail = running
        ? suspend
          ? `its processes (pid ${r.process?.pid} and everything it started) are stopped with SIGSTOP; they keep their memory and their slot, and resuming continues them where they were`
          : `its processes (pid ${r.process?.pid} and everything it started) continue`
        : suspend
          ? 'it stays queued and will not start until resumed'
          : 'it is queued again';
      const record = withHistory({
        ...r,
        suspended: suspend,
        conditions: setCondition(r.conditions, condition),
        ...(running && !suspend ? { activeSince: new Date().toISOString() } : {}),
      });
      return { record, event: lifecycleEvent(r, suspend ? 'Suspended' : 'Resumed', `${condition.message}: ${detail}`) };
    });
    if (updated) this.armDeadline(updated);
    if (updated && !suspend) this.pump();
    return updated;
  }

  /**
   * Stops everything the job started (also a finished job's leftovers, and a job whose record is
   * damaged: found by its uid from spec.json and its cgroup from run/process.json) and removes it.
   */
  async delete(namespace: string, name: string): Promise<void> {
    const key = jobKey(namespace, name);
    await this.withJob(key, async () => {
      const { store } = this.deps;
      let record: JobRecord | undefined;
      let damaged: DamagedRecordError | undefined;
      try {
        record = await store.readRecord(namespace, name);
      } catch (err) {
        if (!(err instanceof DamagedRecordError)) throw err;
        damaged = err;
      }
      if (!record && !damaged) return;
      await this.queue.dequeue(key);
      const ref = record ?? (await this.damagedJobRef(namespace, name));
      const running = record && !isFinished(record) ? record : undefined;
      if (running) await this.terminate(running);
      else await stopJobProcesses(processesOf(ref), record ? LEFTOVER_GRACE_MS : STOP_GRACE_MS);
      const { cgroup } = processesOf(ref);
      if (cgroup) await removeCgroup(cgroup);
      this.forget(key);
      const message = running?.process
        ? `TrainJob deleted; its processes (pid ${running.process.pid} and everything it started) were stopped`
        : 'TrainJob deleted';
      await store.remove(namespace, name, lifecycleEvent({ namespace, name, uid: ref.uid }, 'Deleted', message));
      await this.queue.release(key);
    });
    this.notify(key);
    this.pump();
  }

  /** Stops watching; the jobs themselves keep running (a restarted server re-attaches). */
  close(): void {
    this.closed = true;
    clearInterval(this.sweepTimer);
    for (const live of this.live.values()) {
      clearTimeout(live.deadline);
      live.watcher?.close();
      live.child?.removeAllListeners('exit');
    }
    this.live.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Starting

  private pump(): void {
    if (this.closed || this.recovering) return;
    this.pumping = this.pumping.then(async () => {
      if (this.closed) return;
      let claimed: string[] = [];
      try {
        claimed = await this.queue.claim(
          (key) => this.holdsSlot(key),
          (key) => this.startable(key),
        );
      } catch (err) {
        log.warn({ err }, 'local backend: could not take queued jobs');
      }
      for (const key of claimed) {
        try {
          await this.start(key);
        } catch (err) {
          await this.queue.release(key).catch(() => undefined);
          log.warn({ err, job: key }, 'local backend: could not start job');
        }
      }
    });
  }

  /** A slot is held until the job's end is recorded (which waits for all its processes to be gone). */
  private async holdsSlot(key: string): Promise<boolean> {
    const [namespace, name] = key.split('/') as [string, string];
    try {
      const record = await this.deps.store.readRecord(namespace, name);
      return record !== undefined && !isFinished(record);
    } catch (err) {
      if (!(err instanceof DamagedRecordError)) throw err;
      // Unknown state: held while its wrapper has not recorded an end.
      const paths = this.deps.store.paths(namespace, name);
      return (await exists(paths.run)) && !(await exists(paths.exit));
    }
  }

  private async startable(key: string): Promise<Startable> {
    const [namespace, name] = key.split('/') as [string, string];
    const record = await this.deps.store.readRecord(namespace, name).catch(() => undefined);
    if (!record || record.phase !== 'Queued' || (await exists(this.deps.store.paths(namespace, name).run))) return 'drop';
    return record.suspended ? 'hold' : 'start';
  }

  private async start(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const { store } = this.deps;
    await this.withJob(key, async () => {
      const record = await store.readRecord(namespace, name).catch(() => undefined);
      if (!record || record.phase !== 'Queued') {
        await this.queue.release(key);
        return;
      }
      if (record.suspended) {
        // Suspended between being claimed and starting: back in line, held.
        await this.queue.release(key);
        await this.queue.enqueue(key, record.seq);
        return;
      }
      const paths = store.paths(namespace, name);
      try {
        await mkdir(paths.run, { mode: DIR_MODE });
      } catch (err) {
        // Claimed by a server of an older version sharing this store: it runs the job.
        if (isErrno(err, 'EEXIST')) return;
        throw err;
      }

      let python: string;
      let wrapperEnv: Record<string, string>;
      let commandLine: string;
      let cgroup: string | undefined;
      try {
        const spec = await store.readSpec(namespace, name);
        if (!spec) throw new Error('spec.json is missing');
        const host = await this.host(spec);
        const plan = planLaunch(spec, paths, host);
        await mkdir(paths.work, { recursive: true, mode: DIR_MODE });
        await mkdir(paths.tmp, { recursive: true, mode: DIR_MODE });
        if (plan.script !== undefined) await writeFileAtomic(path.join(paths.work, SCRIPT_FILE), plan.script);
        if (plan.envFile !== undefined) await writeFileAtomic(paths.envFile, plan.envFile);
        cgroup = await createJobCgroup(record.uid);
        // The marker comes last: the job's own variables cannot hide a process from delete.
        const marked = (env: Record<string, string>) => ({ ...env, [JOB_MARKER]: record.uid });
        await writeJsonAtomic(paths.config, {
          ...plan.config,
          env: marked(plan.config.env),
          maxLogBytes: this.deps.maxLogBytes,
          ...(cgroup ? { cgroup } : {}),
        });
        python = host.python.executable;
        wrapperEnv = marked(plan.wrapperEnv);
        commandLine = plan.commandLine;
      } catch (err) {
        if (cgroup) await removeCgroup(cgroup);
        await this.finishUnstarted(record, err);
        return;
      }

      const out = openSync(paths.wrapperLog, 'a', FILE_MODE);
      let child: ChildProcess;
      try {
        // detached: its own session and process group, so it outlives the server and one signal
        // to the group reaches every process of the job. -I: the wrapper ignores PYTHON* variables.
        child = spawn(python, ['-I', this.deps.wrapperPath, paths.config], { detached: true, stdio: ['ignore', out, out], env: wrapperEnv, cwd: paths.work });
      } finally {
        closeSync(out);
      }
      const spawnError = await new Promise<Error | undefined>((resolve) => {
        child.once('spawn', () => resolve(undefined));
        child.once('error', resolve);
      });
      if (spawnError || child.pid === undefined) {
        if (cgroup) await removeCgroup(cgroup);
        await this.finishUnstarted(record, spawnError ?? new Error('no pid'));
        return;
      }
      const pid = child.pid;
      child.unref();
      this.live.set(key, { namespace, name, pid, child });
      child.once('exit', () => this.background(this.finish(namespace, name)));

      const info = await processInfo(pid);
      const startedAt = new Date().toISOString();
      // A wrapper that already exited has an exit record; an empty token is never "the same process".
      const process: ProcessRef = { pid, startToken: info?.startToken ?? '', startedAt, ...(cgroup ? { cgroup } : {}), server: this.serverRef() };
      const running = withHistory({ ...record, phase: 'Running', process, activeSince: startedAt });
      const where = cgroup ? `, cgroup ${cgroup}` : '';
      await this.save(running, lifecycleEvent(record, 'Started', `started as pid ${pid} (session and process group ${pid}${where}): ${commandLine}`));
      this.armDeadline(running);
    });
  }

  private serverRef(): { pid: number; startToken: string } {
    return { pid: process.pid, startToken: this.serverToken };
  }

  private async host(job: StoredJob): Promise<LaunchHost> {
    return {
      python: await this.deps.python.info(),
      engine: job.request.trainer.kind === 'container' ? await this.deps.engines.engine() : undefined,
      home: this.deps.home,
      serverEnv: this.deps.serverEnv,
    };
  }

  private async finishUnstarted(record: JobRecord, err: unknown): Promise<void> {
    const message = `the job could not be started: ${err instanceof Error ? err.message : String(err)}`;
    await this.save(finished(record, 'Failed', 'StartFailed', message), lifecycleEvent(record, 'Failed', message, 'Warning'));
    const key = jobKey(record.namespace, record.name);
    this.forget(key);
    await this.queue.release(key);
    this.pump();
  }

  /** Enough of a damaged job to find its processes: the uid from spec.json, the wrapper's own record. */
  private async damagedJobRef(namespace: string, name: string): Promise<Pick<JobRecord, 'uid' | 'process'>> {
    const paths = this.deps.store.paths(namespace, name);
    const spec = await this.deps.store.readSpec(namespace, name).catch(() => undefined);
    const started = await readJson<StartedProcess>(paths.processFile).catch(() => undefined);
    const cgroup = spec && typeof started?.cgroup === 'string' ? jobCgroup(spec.uid, started.cgroup) : undefined;
    // The pid alone cannot be trusted (no start time to check it against): marker and cgroup only.
    return { uid: spec?.uid ?? '', ...(cgroup ? { process: { pid: 0, startToken: '', startedAt: '', cgroup } } : {}) };
  }

  // -------------------------------------------------------------------------------------------
  // Noticing ends

  /**
   * Settles a running job whose process this instance does not parent. Returns true when the
   * record changed (finished, or the process was recorded).
   */
  private async reconcile(record: JobRecord, context: 'recovery' | 'read' | 'sweep'): Promise<boolean> {
    const { store } = this.deps;
    const key = jobKey(record.namespace, record.name);
    const paths = store.paths(record.namespace, record.name);
    if (this.live.get(key)?.child) return false;
    if (await exists(paths.exit)) {
      await this.finish(record.namespace, record.name);
      return true;
    }
    const process = record.process;
    if (!process) {
      // Claimed, but the server stopped before it recorded the pid: the wrapper wrote its own.
      const started = await readJson<StartedProcess>(paths.processFile).catch(() => undefined);
      const info = started && (await processInfo(started.pid));
      if (!started || !info || info.zombie) {
        const claimedAt = (await stat(paths.run).catch(() => undefined))?.mtimeMs ?? 0;
        if (context !== 'recovery' && Date.now() - claimedAt < START_TIMEOUT_MS) return false;
        await this.finish(
          record.namespace,
          record.name,
          'the server stopped while starting the job; its process never ran or is gone (no exit code was recorded)',
        );
        return true;
      }
      const cgroup = typeof started.cgroup === 'string' ? jobCgroup(record.uid, started.cgroup) : undefined;
      const found: ProcessRef = { pid: started.pid, startToken: info.startToken, startedAt: started.startedAt, ...(cgroup ? { cgroup } : {}) };
      const withProcess = await this.mutate(record.namespace, record.name, (r) =>
        r.phase === 'Queued' && !r.process ? { record: withHistory({ ...r, phase: 'Running', process: found, activeSince: found.startedAt }) } : undefined,
      );
      if (withProcess) this.adopt(withProcess, false);
      return true;
    }
    if (!(await isSameProcess(process.pid, process.startToken))) {
      const why = pidExists(process.pid) ? `pid ${process.pid} now belongs to another process` : `pid ${process.pid} is gone`;
      await this.finish(
        record.namespace,
        record.name,
        context === 'recovery'
          ? `the job's process died while the kubeflow-mcp server was down (${why}; no exit code was recorded)`
          : `the job's process ended without recording an exit code (${why}): it was killed together with its wrapper`,
      );
      return true;
    }
    // "Re-attached" only when the server that started it is gone (not when another one joins).
    const starter = process.server;
    if (!this.live.has(key)) this.adopt(record, context === 'recovery' && !(starter && (await isSameProcess(starter.pid, starter.startToken))));
    return false;
  }

  private adopt(record: JobRecord, announce: boolean): void {
    const key = jobKey(record.namespace, record.name);
    if (!record.process || this.live.has(key)) return;
    const live: LiveJob = { namespace: record.namespace, name: record.name, pid: record.process.pid };
    try {
      live.watcher = watch(this.deps.store.paths(record.namespace, record.name).run, (_event, file) => {
        if (file === 'exit.json') this.background(this.finish(record.namespace, record.name));
      });
      live.watcher.on('error', () => undefined);
      live.watcher.unref();
    } catch {
      // The sweep still notices the end.
    }
    this.live.set(key, live);
    this.armDeadline(record);
    if (announce) {
      const pid = record.process.pid;
      this.background(
        this.mutate(record.namespace, record.name, (r) => ({
          record: r,
          event: lifecycleEvent(r, 'Reattached', `kubeflow-mcp restarted; the job is still running as pid ${pid} and is tracked again`),
        })),
      );
    }
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    try {
      // Every job holding a slot, whichever server started it: their ends free slots for all.
      const keys = new Set([...this.live.keys(), ...(await this.queue.slotKeys())]);
      for (const key of keys) {
        if (this.live.get(key)?.child) continue;
        const [namespace, name] = key.split('/') as [string, string];
        const record = await this.deps.store.readRecord(namespace, name).catch((err: unknown) => {
          if (err instanceof DamagedRecordError) return undefined; // flagged where it is read
          throw err;
        });
        if (!record || isFinished(record)) this.forget(key);
        else if (record.phase === 'Running' || (await exists(this.deps.store.paths(namespace, name).run))) await this.reconcile(record, 'sweep');
      }
    } finally {
      this.sweeping = false;
    }
    // Jobs queued by a server that has gone start here.
    this.pump();
  }

  /**
   * Records how a job ended (idempotent), once whatever its main process left running is gone.
   * `lostMessage` explains an end without an exit record.
   */
  private async finish(namespace: string, name: string, lostMessage?: string): Promise<void> {
    const key = jobKey(namespace, name);
    let ended = false;
    try {
      await this.withJob(key, async () => {
        const record = await this.deps.store.readRecord(namespace, name);
        if (!record || isFinished(record)) {
          ended = true;
          return;
        }
        const paths = this.deps.store.paths(namespace, name);
        const exit = await readJson<ExitRecord>(paths.exit).catch(() => undefined);
        // The wrapper writes exit.json just before it exits: give it that moment.
        if (exit && record.process) await untilGone(record.process, WRAPPER_EXIT_MS);
        const leftovers = (await jobPids(processesOf(record))).length;
        if (leftovers > 0 && !(await stopJobProcesses(processesOf(record), LEFTOVER_GRACE_MS))) {
          throw new Error(`processes of ${key} survived SIGKILL; its slot stays taken until they are gone`);
        }
        const { cgroup } = processesOf(record);
        if (cgroup) await removeCgroup(cgroup);
        const outcome = await this.outcome(record, exit, lostMessage, paths.log);
        const done = finished({ ...record, ...(exit ? { exit } : {}) }, outcome.phase, outcome.reason, outcome.message);
        const stopped = leftovers > 0 ? ` (${leftovers} process(es) it left running were stopped)` : '';
        await this.save(
          done,
          lifecycleEvent(
            record,
            outcome.phase === 'Succeeded' ? 'Completed' : 'Failed',
            `${outcome.message}${stopped}`,
            outcome.phase === 'Succeeded' ? 'Normal' : 'Warning',
          ),
        );
        ended = true;
      });
    } finally {
      if (ended) {
        this.forget(key);
        await this.queue.release(key);
        this.pump();
      }
    }
  }

  private async outcome(
    record: JobRecord,
    exit: ExitRecord | undefined,
    lostMessage: string | undefined,
    logFile: string,
  ): Promise<{ phase: 'Succeeded' | 'Failed'; reason: string; message: string }> {
    if (exit?.stage === 'run' && exit.exitCode === 0) return { phase: 'Succeeded', reason: 'Completed', message: 'the training process exited with code 0' };
    if (record.stopping) return { phase: 'Failed', ...record.stopping };
    if (!exit) return { phase: 'Failed', reason: 'ProcessLost', message: lostMessage ?? "the job's process ended without recording an exit code" };
    if (exit.stage === 'wrapper') return { phase: 'Failed', reason: 'WrapperFailed', message: `the job wrapper failed: ${exit.error ?? 'unknown error'}` };
    const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.exitCode}`;
    const tail = (await lastLines(logFile, FAILURE_TAIL_LINES).catch(() => [])).map((l) =>
      l.length > MAX_QUOTED_LINE ? `${l.slice(0, MAX_QUOTED_LINE)}…` : l,
    );
    const quoted = tail.length ? ` Last log lines:\n${tail.join('\n')}` : ' The log is empty.';
    if (exit.stage === 'venv' || exit.stage === 'install') {
      return {
        phase: 'Failed',
        reason: 'PackageInstallFailed',
        message: `${exit.stage === 'venv' ? 'creating the virtual environment' : 'pip install'} failed (${how}).${quoted}`,
      };
    }
    const who = record.numNodes > 1 ? `the torchrun process group (${record.numNodes} nodes)` : 'the training process';
    return { phase: 'Failed', reason: exit.signal ? 'Killed' : 'Error', message: `${who} ended with ${how}.${quoted}` };
  }

  // -------------------------------------------------------------------------------------------
  // Signals and deadlines

  /** SIGSTOP / SIGCONT to every process of the job (pause / unpause for containers); false when none is left. */
  private async pauseProcess(record: JobRecord, suspend: boolean): Promise<boolean> {
    const pids = await jobPids(processesOf(record));
    if (pids.length === 0) return false;
    if (record.trainerKind === 'container') {
      await engineCommand(await this.deps.engines.engine(), suspend ? 'pause' : 'unpause', containerName(record.namespace, record.name));
      return true;
    }
    for (const pid of pids) {
      try {
        process.kill(pid, suspend ? 'SIGSTOP' : 'SIGCONT');
      } catch {
        // ended meanwhile
      }
    }
    return true;
  }

  /** Stops every process of the job (and its container); never signals a process that is not the job's. */
  private async terminate(record: JobRecord): Promise<void> {
    const p = record.process;
    await stopJobProcesses(processesOf(record), STOP_GRACE_MS);
    if (record.trainerKind === 'container' && p) {
      const engine = await this.deps.engines.engine().catch(() => undefined);
      if (engine) await engineCommand(engine, 'remove', containerName(record.namespace, record.name)).catch(() => undefined);
    }
  }

  /** activeDeadlineSeconds counts from the latest start or resume, as the Trainer controller does. */
  private armDeadline(record: JobRecord): void {
    const live = this.live.get(jobKey(record.namespace, record.name));
    if (!live) return;
    clearTimeout(live.deadline);
    live.deadline = undefined;
    if (!record.activeDeadlineSeconds || record.suspended || !record.activeSince || isFinished(record)) return;
    const remaining = record.activeDeadlineSeconds * 1000 - (Date.now() - Date.parse(record.activeSince));
    live.deadline = setTimeout(() => this.background(this.expire(record.namespace, record.name)), Math.max(0, Math.min(remaining, MAX_TIMER_MS)));
    live.deadline.unref();
  }

  private async expire(namespace: string, name: string): Promise<void> {
    const stopping = await this.mutate(namespace, name, (r): Change => {
      if (r.phase !== 'Running' || r.suspended || !r.activeDeadlineSeconds || !r.activeSince) return undefined;
      if (Date.now() - Date.parse(r.activeSince) < r.activeDeadlineSeconds * 1000) {
        this.armDeadline(r);
        return undefined;
      }
      return { record: { ...r, stopping: { reason: 'DeadlineExceeded', message: 'TrainJob exceeded its active deadline' } } };
    });
    if (stopping) await this.terminate(stopping);
  }

  // -------------------------------------------------------------------------------------------
  // Bookkeeping

  /** Runs `fn` holding the job's lock (shared by every server on the store). */
  private withJob<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.deps.locks.run(this.deps.store.lockFile(key), fn);
  }

  /** Read-modify-write of one job under its lock; returns the saved record. */
  private mutate(namespace: string, name: string, change: (r: JobRecord) => Change | Promise<Change>): Promise<JobRecord | undefined> {
    return this.withJob(jobKey(namespace, name), async () => {
      const record = await this.deps.store.readRecord(namespace, name);
      if (!record) return undefined;
      const next = await change(record);
      if (!next) return undefined;
      await this.save(next.record, next.event);
      return next.record;
    });
  }

  private async save(record: JobRecord, event?: KubeEvent): Promise<void> {
    // The event first: whoever sees the new status (another server watches the record file) then
    // finds the event that explains it too.
    if (event) await this.deps.store.addEvent(record.namespace, record.name, event);
    await this.deps.store.writeRecord(record);
    this.notify(jobKey(record.namespace, record.name));
  }

  private notify(key: string): void {
    for (const listener of this.listeners.get(key) ?? []) listener();
  }

  private forget(key: string): void {
    const live = this.live.get(key);
    if (live) {
      clearTimeout(live.deadline);
      live.watcher?.close();
      this.live.delete(key);
    }
  }

  /** Event-driven work: never an unhandled rejection, and nothing after close(). */
  private background(work: Promise<unknown>): void {
    work.catch((err: unknown) => {
      if (!this.closed) log.warn({ err }, 'local backend: background job bookkeeping failed');
    });
  }
}

/** The record of a job that ended, with its Complete / Failed condition. */
function finished(record: JobRecord, phase: 'Succeeded' | 'Failed', reason: string, message: string): JobRecord {
  const now = new Date();
  const condition = { type: phase === 'Succeeded' ? 'Complete' : 'Failed', status: 'True', reason, message };
  return withHistory(
    { ...record, phase, suspended: false, finishedAt: now.toISOString(), conditions: setCondition(record.conditions, condition, now) },
    reason,
    now,
  );
}

async function untilGone(p: ProcessRef, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await isSameProcess(p.pid, p.startToken)) && Date.now() < deadline) await sleep(10);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
