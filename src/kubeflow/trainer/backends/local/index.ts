/**
 * The local backend: the Trainer tools on this machine, without Kubernetes. Custom training runs
 * the function as a real local process (system python3, a per-job venv when packages are asked
 * for, torchrun for several nodes); container training runs the image with Docker or Podman.
 * Jobs live in a durable store (store.ts) and in detached processes (wrapper.ts), so a server
 * restart loses nothing. Views, conditions, events and errors have the Kubernetes backend's
 * shapes, so every tool renders them unchanged. See docs/wire-decisions.md, "Local backend".
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { osUserName } from '../../../../osUser.js';
import type { KubeEvent } from '../../../../kube/types.js';
import type {
  ClusterResources,
  JobPage,
  ListJobsOptions,
  LogResult,
  PreparedJob,
  SubmitResult,
  TrainerBackend,
  TrainRequest,
  WaitResult,
} from '../../backend.js';
import { DEFAULT_RUNTIME, GPU_RESOURCE, NODE } from '../../constants.js';
import { RuntimeNotFoundError, StepNotFoundError, StepPendingError, WireValidationError } from '../../errors.js';
import { generateJobName, validateJobName } from '../../names.js';
import { buildTrainJob } from '../../trainjob.js';
import { suspendedBlocker, type Blocker } from '../../blockers.js';
import type { MetricsReader } from '../../metrics.js';
import type { TrainJobView } from '../../types.js';
import { ContainerEngines, type ContainerRuntimePreference } from './container.js';
import { cancelled, DamagedRecordError, jobAlreadyExists, jobNotFound, LocalBackendError } from './errors.js';
import { FileLocks } from './fileLock.js';
import { planLaunch, type LaunchPlan } from './launch.js';
import { listJobs } from './listing.js';
import { eachLogLine, lastLines, readLog } from './logs.js';
import { machineGpus, machineNode } from './machine.js';
import { PythonProbe, systemPackages } from './python.js';
import { MAX_QUEUED, StoreQueue } from './queue.js';
import type { JobRecord, StoredJob } from './records.js';
import { initialRecord, refuseUnsupported, trainerSpec, withLocalCommand } from './requests.js';
import { LOCAL_RUNTIME_NAMES, localRuntime, localRuntimeListing, localRuntimeObject } from './runtimes.js';
import { checkNamespace, JobStore } from './store.js';
import { isFinished, JobSupervisor } from './supervisor.js';
import { damagedEvents, damagedView, jobView } from './views.js';
import { waitForJob, type WaitOptions } from './wait.js';
import { installWrapper } from './wrapper.js';

export { LocalBackendError } from './errors.js';
export { LOCAL_COMMAND_ANNOTATION } from './requests.js';
export interface LocalBackendOptions {
  /** Where jobs, logs and events are kept (one directory per job). */
  storeDir: string;
  /**
   * Jobs running at once on this store, shared by every server using it (the last one started
   * with an explicit value sets it); more wait in one FIFO queue. Default max(1, floor(cpus / 2)).
   */
  maxConcurrent?: number;
  /** Jobs waiting at most (default MAX_QUEUED). */
  maxQueued?: number;
  /** Stored output of each job at most; the first quarter and the latest part are kept. Default 64 MiB. */
  maxLogBytes?: number;
  /** The Python that runs jobs (and the job wrapper). Default 'python3'. */
  python?: string;
  /** Engine for container training. Default 'auto': docker, else podman. */
  containerRuntime?: ContainerRuntimePreference;
}

const LOCAL_NAMESPACE = 'default';
/** A log follow never holds a call longer than this. */
const MAX_FOLLOW_SECONDS = 300;
/** Log lines shown with a failure. */
const CRASH_LOG_LINES = 15;

/** Default cap of a job's stored output. */
const DEFAULT_MAX_LOG_BYTES = 64 * 2 ** 20;
/** The wrapper needs room for a head, a marker and a tail. */
const MIN_MAX_LOG_BYTES = 64 * 1024;

export class LocalBackend implements TrainerBackend {
  readonly kind = 'local' as const;
  readonly validatedBy = 'the local backend';
  /** TorchTune recipes need the cluster's model-specific runtimes (refused with an explanation). */
  readonly builtinTrainers = false;
  private readonly store: JobStore;
  private readonly queue: StoreQueue;
  private readonly locks = new FileLocks();
  private readonly python: PythonProbe;
  private readonly engines: ContainerEngines;
  private supervisor?: JobSupervisor;
  private readonly ready: Promise<JobSupervisor>;
  private seqCounter = 0;
  private closed = false;

  constructor(private readonly options: LocalBackendOptions) {
    this.store = new JobStore(options.storeDir);
    this.queue = new StoreQueue(options.storeDir, this.locks, {
      ...(options.maxConcurrent !== undefined ? { maxConcurrent: Math.max(1, Math.floor(options.maxConcurrent)) } : {}),
      defaultMaxConcurrent: Math.max(1, Math.floor(os.availableParallelism() / 2)),
      maxQueued: options.maxQueued ?? MAX_QUEUED,
    });
    this.python = new PythonProbe(options.python ?? 'python3');
    this.engines = new ContainerEngines(options.containerRuntime ?? 'auto');
    this.ready = this.open();
    // Failures surface on the first call; do not crash the process here.
    this.ready.catch(() => undefined);
  }

  private async open(): Promise<JobSupervisor> {
    await this.store.init();
    await this.queue.init();
    this.supervisor = new JobSupervisor({
      store: this.store,
      queue: this.queue,
      locks: this.locks,
      maxLogBytes: Math.max(MIN_MAX_LOG_BYTES, Math.floor(this.options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES)),
      python: this.python,
      engines: this.engines,
      home: os.homedir(),
      serverEnv: process.env,
      wrapperPath: await installWrapper(this.options.storeDir),
    });
    if (this.closed) this.supervisor.close();
    else await this.supervisor.recover();
    return this.supervisor;
  }

  /** Resolves once the store is open and jobs from a previous run are re-attached. */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  /** Stops watching jobs (they keep running; a new LocalBackend on the same store re-attaches). */
  close(): void {
    this.closed = true;
    this.supervisor?.close();
  }

  describe(): string {
    return `local: this machine (${os.hostname()}); jobs in ${this.options.storeDir}`;
  }

  defaultNamespace(): string {
    return LOCAL_NAMESPACE;
  }

  // -------------------------------------------------------------------------------------------
  // Runtimes

  async listRuntimes() {
    try {
      return localRuntimeListing(await this.python.info());
    } catch (err) {
      return localRuntimeListing(undefined, err instanceof Error ? err.message : String(err));
    }
  }

  async getRuntime(_namespace: string, name: string) {
    return localRuntime(name, await this.python.info().catch(() => undefined));
  }

  async getRuntimeObject(_namespace: string, name: string) {
    const obj = localRuntimeObject(name, await this.python.info().catch(() => undefined));
    if (!obj) throw new RuntimeNotFoundError(name, LOCAL_RUNTIME_NAMES);
    return obj;
  }

  async runtimePackages(_namespace: string, runtime: string, opts: { timeoutSeconds: number; signal?: AbortSignal; onProgress?: (message: string) => void }) {
    localRuntime(runtime); // NotFound for other names
    const info = await this.python.info();
    opts.onProgress?.(`${info.executable} -m pip list (no job needed on the local backend)`);
    const output = await systemPackages(info, opts);
    if (opts.signal?.aborted) throw cancelled();
    return { runtime, output };
  }

  runtimePackagesPlan(): string {
    return "This runs `pip list` with this machine's Python (no job is created).";
  }

  // -------------------------------------------------------------------------------------------
  // Submitting

  async prepare(namespace: string, request: TrainRequest): Promise<PreparedJob> {
    checkNamespace(namespace);
    refuseUnsupported(request);
    const runtime = localRuntime(request.runtime ?? DEFAULT_RUNTIME, await this.python.info().catch(() => undefined));
    const name = request.name ?? generateJobName();
    const object = buildTrainJob({
      name,
      namespace,
      runtime,
      trainer: trainerSpec(request, runtime),
      labels: request.labels,
      annotations: request.annotations,
      activeDeadlineSeconds: request.activeDeadlineSeconds,
      queue: request.queue,
    });
    return { name, namespace, runtime, request, object };
  }

  async submit(job: PreparedJob, opts: { dryRun: boolean; signal?: AbortSignal }): Promise<SubmitResult> {
    const supervisor = await this.ready;
    checkNamespace(job.namespace);
    refuseUnsupported(job.request);
    const plan = await this.validate(job);
    if (await this.store.exists(job.namespace, job.name)) throw jobAlreadyExists(job.namespace, job.name);
    const accepted = withLocalCommand(job.object, plan.commandLine);
    if (opts.dryRun) return { ...job, accepted, dryRun: true };
    const createdAt = new Date().toISOString();
    const stored: StoredJob = { ...job, uid: randomUUID(), seq: this.nextSeq(), createdAt };
    await supervisor.submit(stored, initialRecord(stored));
    return { ...job, accepted: { ...accepted, metadata: { ...accepted.metadata, uid: stored.uid, creationTimestamp: createdAt } }, dryRun: false };
  }

  /** Everything that must hold for the job to run here; nothing is started. */
  private async validate(job: PreparedJob): Promise<LaunchPlan> {
    if (process.platform === 'win32') {
      throw new LocalBackendError(
        'not_supported_locally',
        'the local backend needs a POSIX system (process groups and signals)',
        'run kubeflow-mcp inside WSL, or use --backend kubernetes',
      );
    }
    const badName = validateJobName(job.name);
    if (badName) throw new WireValidationError('invalid_name', badName, 'choose another name, or leave it out to get a generated one', 'name');
    // The wrapper runs on Python for every kind of job.
    const python = await this.python.info();
    const engine = job.request.trainer.kind === 'container' ? await this.engines.engine() : undefined;
    const gpus = Number(job.object.spec.trainer?.resourcesPerNode?.limits?.[GPU_RESOURCE] ?? 0);
    if (gpus > 0) {
      const have = (await machineGpus()).gpus.length;
      if (gpus > have) {
        throw new LocalBackendError(
          'insufficient_gpus',
          `the job asks for ${gpus} GPU(s) per node but this machine has ${have} NVIDIA GPU(s)`,
          have > 0 ? `ask for at most ${have} GPU(s)` : 'drop the GPU request to train on CPU, or use --backend kubernetes for a cluster with GPUs',
          'resourcesPerNode.gpu',
        );
      }
    }
    return planLaunch(job, this.store.paths(job.namespace, job.name), { python, engine, home: os.homedir(), serverEnv: process.env });
  }

  /** FIFO order across restarts: wall-clock microseconds, strictly increasing within this process. */
  private nextSeq(): number {
    this.seqCounter = Math.max(this.seqCounter + 1, Date.now() * 1000);
    return this.seqCounter;
  }

  // -------------------------------------------------------------------------------------------
  // Reading jobs

  async listJobs(namespace: string, opts: ListJobsOptions): Promise<JobPage> {
    const supervisor = await this.ready;
    checkNamespace(namespace);
    return listJobs(this.store, supervisor, namespace, opts);
  }

  /**
   * Jobs in the store by phase (Queued, Running, Succeeded, Failed; Suspended for an unfinished
   * suspended job; Damaged for an unreadable record), for the metrics. Reads each small status
   * document as stored: it changes nothing, unlike a listing's refresh.
   */
  async phaseCounts(): Promise<Record<string, number>> {
    await this.ready;
    const counts: Record<string, number> = {};
    for (const namespace of await this.store.listNamespaces()) {
      for (const name of await this.store.listNames(namespace)) {
        const phase = await this.store.readRecord(namespace, name).then(
          (r) => (r ? (r.suspended && !isFinished(r) ? 'Suspended' : r.phase) : undefined),
          (err: unknown) => {
            if (err instanceof DamagedRecordError) return 'Damaged';
            throw err;
          },
        );
        if (phase) counts[phase] = (counts[phase] ?? 0) + 1;
      }
    }
    return counts;
  }

  async getJob(namespace: string, name: string): Promise<TrainJobView> {
    try {
      return jobView(await this.record(namespace, name));
    } catch (err) {
      if (err instanceof DamagedRecordError) return damagedView(err);
      throw err;
    }
  }

  /** Local blockers: suspension, the wait in the local queue, a failed run's last lines. */
  async diagnose(namespace: string, name: string): Promise<{ job: TrainJobView; blockers: Blocker[] }> {
    const record = await this.record(namespace, name);
    const job = jobView(record);
    const blockers: Blocker[] = [];
    if (job.status === 'Suspended') blockers.push(suspendedBlocker(name));
    else if (job.status === 'Created') {
      const [position, counts] = await Promise.all([this.queue.position(`${namespace}/${name}`), this.queue.counts()]);
      if (position !== undefined) {
        blockers.push({
          reason: 'queued',
          message: `waiting in the local queue: position ${position} of ${counts.queued}; ${counts.running} of ${counts.limit} job(s) running`,
          hint: 'it starts when a running job ends; suspend or delete one to make room sooner',
        });
      }
    } else if (job.status === 'Failed') {
      const logs = await lastLines(this.store.paths(namespace, name).log, CRASH_LOG_LINES).catch(() => []);
      const exit = record.exit;
      blockers.push({
        reason: 'container_failed',
        step: `${NODE}-0`,
        message:
          record.conditions.find((c) => c.type === 'Failed')?.message ?? `the job failed${exit ? ` (${exit.stage}: ${exit.exitCode ?? exit.signal})` : ''}`,
        hint: 'see the log lines (get_training_logs for more)',
        ...(logs.length ? { logs } : {}),
      });
    }
    return { job, blockers };
  }

  async logs(
    namespace: string,
    name: string,
    opts: { step: string; tail: number; sinceSeconds?: number; followSeconds?: number; signal?: AbortSignal },
  ): Promise<LogResult> {
    const step = await this.startedStep(namespace, name, opts.step);
    const paths = this.store.paths(namespace, name);
    const res = await readLog(paths, {
      tail: opts.tail,
      sinceSeconds: opts.sinceSeconds,
      followUntil: opts.followSeconds && opts.followSeconds > 0 ? Date.now() + Math.min(opts.followSeconds, MAX_FOLLOW_SECONDS) * 1000 : undefined,
      signal: opts.signal,
      finished: async () => {
        const r = await this.store.readRecord(namespace, name);
        return !r || isFinished(r);
      },
    });
    if (opts.signal?.aborted) throw cancelled();
    // All ranks write to the one process group's output (torchrun interleaves them).
    return { step: step.name, pod: step.podName, container: NODE, lines: res.lines, truncated: res.truncated };
  }

  /** The job's step that has output to read, or why there is none. */
  private async startedStep(namespace: string, name: string, stepName: string) {
    const view = jobView(await this.record(namespace, name));
    const step = view.steps.find((s) => s.name === stepName);
    if (!step)
      throw new StepNotFoundError(
        view.name,
        stepName,
        view.steps.map((s) => s.name),
      );
    if (step.status === 'Pending') throw new StepPendingError(view.name, stepName);
    return step;
  }

  async readMetrics(
    namespace: string,
    name: string,
    opts: { step: string; reader: MetricsReader; signal?: AbortSignal },
  ): Promise<{ step: string; pod: string }> {
    const step = await this.startedStep(namespace, name, opts.step);
    await eachLogLine(this.store.paths(namespace, name).log, (line) => opts.reader.push(line));
    if (opts.signal?.aborted) throw cancelled();
    return { step: step.name, pod: step.podName };
  }

  async events(namespace: string, name: string): Promise<KubeEvent[]> {
    await this.ready;
    checkNamespace(namespace);
    let events: KubeEvent[] | undefined;
    try {
      events = await this.store.readEvents(namespace, name);
    } catch (err) {
      if (err instanceof DamagedRecordError) return damagedEvents(err);
      throw err;
    }
    if (!events) throw jobNotFound(namespace, name);
    return events;
  }

  async waitFor(namespace: string, name: string, opts: WaitOptions): Promise<WaitResult> {
    const supervisor = await this.ready;
    return waitForJob(supervisor, jobView(await this.record(namespace, name)), opts);
  }

  // -------------------------------------------------------------------------------------------
  // Changing jobs

  async deleteJob(namespace: string, name: string, opts: { dryRun: boolean; signal?: AbortSignal }): Promise<void> {
    const supervisor = await this.ready;
    // A damaged record can still be deleted: that is the way out it offers.
    await this.record(namespace, name).catch((err: unknown) => {
      if (!(err instanceof DamagedRecordError)) throw err;
    });
    if (opts.dryRun) return;
    await supervisor.delete(namespace, name);
  }

  async setSuspended(namespace: string, name: string, suspend: boolean, opts: { dryRun: boolean; signal?: AbortSignal }): Promise<TrainJobView> {
    const supervisor = await this.ready;
    const current = await this.record(namespace, name);
    if (opts.dryRun) {
      if (current.trainerKind === 'container' && current.phase === 'Running') await this.engines.engine();
      return jobView(current);
    }
    await supervisor.setSuspended(namespace, name, suspend);
    return jobView(await this.record(namespace, name));
  }

  // -------------------------------------------------------------------------------------------
  // This machine

  async clusterResources(): Promise<ClusterResources> {
    await this.ready;
    const running: Array<{ resources?: Record<string, string | number>; numNodes: number }> = [];
    const counts = await this.queue.counts();
    for (const key of await this.queue.slotKeys()) {
      const [ns, name] = key.split('/') as [string, string];
      const record = await this.store.readRecord(ns, name).catch(() => undefined);
      if (record) running.push({ resources: record.resources, numNodes: record.numNodes });
    }
    const { node, notes } = await machineNode(running);
    return {
      backend: `local: this machine (${os.hostname()})`,
      nodes: [node],
      quota: [
        { quota: 'local-jobs', resource: 'running jobs', hard: String(counts.limit), used: String(counts.running) },
        { quota: 'local-jobs', resource: 'queued jobs', hard: String(counts.maxQueued), used: String(counts.queued) },
      ],
      notes: [...notes, 'local jobs share this machine and are not confined to the resources they request'],
    };
  }

  async canI(): Promise<{ allowed: boolean; reason?: string }> {
    return { allowed: true, reason: `local backend: jobs run as ${osUserName()} on this machine` };
  }

  private async record(namespace: string, name: string): Promise<JobRecord> {
    const supervisor = await this.ready;
    checkNamespace(namespace);
    const record = await supervisor.refresh(namespace, name);
    if (!record) throw jobNotFound(namespace, name);
    return record;
  }
}
