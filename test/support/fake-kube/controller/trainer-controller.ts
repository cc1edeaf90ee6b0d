/**
 * Simulation of Kubeflow Trainer v2.3 + JobSet + Job controller + scheduler + kubelet, collapsed
 * into one tick-driven state machine per TrainJob:
 *
 *   TrainJob → JobSet → pods (Pending → Running → Succeeded/Failed), dependsOn waves
 *   (initializers complete before the trainer starts), log lines, Events, TrainJob status
 *   (jobsStatus, Complete/Failed/Suspended conditions).
 *
 * Spec changes (create, suspend/resume) are handled right away; phase transitions happen once
 * per tick (stepMs) so tests see realistic intermediate states.
 */
import { DirtyQueue } from './dirtyQueue.js';
import type { LogStore } from '../logs.js';
import { nowRfc3339 } from '../meta.js';
import { findByResource } from '../registry.js';
import type { ObjectStore, StoreEvent } from '../store.js';
import type { ControllerLogContext, ControllerOptions, FakeController } from '../types.js';
import { hasCondition, isFinished, setCondition } from './conditions.js';
import { EventRecorder } from './events.js';
import { buildJobSet, buildPod, planTrainJob, type JobRole, type Plan } from './materialize.js';
import { podStatus, type PodPhase, type PodTimes } from './pod-status.js';

const TRAINJOBS = findByResource('trainer.kubeflow.org', 'v1alpha1', 'trainjobs')!;
const RUNTIMES = findByResource('trainer.kubeflow.org', 'v1alpha1', 'trainingruntimes')!;
const CLUSTER_RUNTIMES = findByResource('trainer.kubeflow.org', 'v1alpha1', 'clustertrainingruntimes')!;
const JOBSETS = findByResource('jobset.x-k8s.io', 'v1alpha2', 'jobsets')!;
const PODS = findByResource('', 'v1', 'pods')!;
const NODES = findByResource('', 'v1', 'nodes')!;

const TRAINJOB_KEY = 'trainer.kubeflow.org/trainjobs';
const JOBSET_NAME_LABEL = 'jobset.sigs.k8s.io/jobset-name';
const FALLBACK_NODE = 'fake-node';

const FAILURE_MESSAGES: Record<string, string> = {
  FailedJobs: 'jobset failed due to one or more job failures',
  ReachedMaxRestarts: 'jobset failed due to reaching max number of restarts',
  DeadlineExceeded: 'TrainJob exceeded its active deadline',
};

interface PodRun {
  name: string;
  rjob: string;
  role: JobRole;
  index: number;
  phase: PodPhase;
  bornTick: number;
  /** Ticks spent Running so far (the n-th running tick prints log chunk n-1). */
  runTicks: number;
  /** Per container: log lines grouped by the running tick that prints them. */
  chunks: Map<string, string[][]>;
  printed: number;
  times: PodTimes;
}

interface JobRun {
  uid: string;
  ns: string;
  name: string;
  state: 'active' | 'suspended' | 'done';
  plan?: Plan;
  created: Set<string>;
  pods: PodRun[];
  startedAt: number;
}

/** Changes a pod before it is stored, like a mutating admission webhook (e.g. Katib's sidecar injection). */
export type PodMutator = (pod: any, trainJob: any) => void;
/** Lines a container prints; undefined = not this provider's pod (the next one, then opts.logs, decide). */
export type LogProvider = (ctx: ControllerLogContext) => string[] | undefined;

const isTerminal = (p: PodPhase): boolean => p === 'Succeeded' || p === 'Failed';

function chunk<T>(items: T[], parts: number): T[][] {
  const n = Math.max(1, parts);
  const size = Math.max(1, Math.ceil(items.length / n));
  const out: T[][] = [];
  for (let i = 0; i < n; i++) out.push(items.slice(i * size, (i + 1) * size));
  return out;
}

export class TrainerController implements FakeController {
  private readonly runs = new Map<string, JobRun>();
  private readonly dirty = new DirtyQueue((uid, ref) => {
    if (this.stopped) return;
    const tj = this.store.get(TRAINJOBS, ref.ns, ref.name);
    if (tj && tj.metadata.uid === uid) this.safely(() => this.reconcile(tj, false));
  });
  private readonly events: EventRecorder;
  private tickCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private stopped = true;
  private nodeCursor = 0;
  private unsubscribe: () => void = () => {};
  private readonly podMutators = new Set<PodMutator>();
  private readonly logProviders = new Set<LogProvider>();

  constructor(
    private readonly store: ObjectStore,
    private readonly logs: LogStore,
    private readonly opts: ControllerOptions,
  ) {
    this.events = new EventRecorder(store);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.store.subscribe((e) => this.onStoreEvent(e));
    for (const tj of this.store.list(TRAINJOBS)) this.markDirty(tj);
    this.timer = setInterval(() => this.tick(), this.opts.stepMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Extension points for other simulated controllers (Katib); each returns its remover. */
  addPodMutator(fn: PodMutator): () => void {
    this.podMutators.add(fn);
    return () => this.podMutators.delete(fn);
  }

  addLogProvider(fn: LogProvider): () => void {
    this.logProviders.add(fn);
    return () => this.logProviders.delete(fn);
  }

  private logsFor(ctx: ControllerLogContext): string[] {
    for (const provider of this.logProviders) {
      const lines = provider(ctx);
      if (lines) return lines;
    }
    return this.opts.logs(ctx);
  }

  // -------------------------------------------------------------------------------------------
  // FakeController

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  completeNow(ns: string, name: string): void {
    const { run, tj } = this.runFor(ns, name);
    if (run.state === 'done') return;
    for (const pr of run.pods) if (pr.phase === 'Pending') this.startPod(run, pr);
    this.finish(run, tj, 'Complete');
  }

  failNow(ns: string, name: string, reason = 'FailedJobs'): void {
    const { run, tj } = this.runFor(ns, name);
    if (run.state === 'done') return;
    this.finish(run, tj, 'Failed', reason, FAILURE_MESSAGES[reason] ?? `TrainJob failed: ${reason}`);
  }

  setProgress(ns: string, name: string, trainerStatus: Record<string, unknown>): void {
    const tj = this.store.get(TRAINJOBS, ns, name);
    if (!tj) throw new Error(`TrainJob ${ns}/${name} not found`);
    tj.status = { ...(tj.status ?? {}), trainerStatus: { lastUpdatedTime: nowRfc3339(), ...trainerStatus } };
    this.store.update(TRAINJOBS, tj);
  }

  // -------------------------------------------------------------------------------------------
  // Event intake

  private onStoreEvent(e: StoreEvent): void {
    if (e.key !== TRAINJOB_KEY) return;
    if (e.type === 'DELETED') {
      // Children go away through ownerReference garbage collection.
      this.runs.delete(e.object.metadata.uid);
      this.dirty.forget(e.object.metadata.uid);
      return;
    }
    // Status-only writes (ours included) do not need a reconcile; spec changes bump generation.
    if (e.type === 'MODIFIED' && e.prev?.metadata?.generation === e.object.metadata.generation) return;
    this.markDirty(e.object);
  }

  private markDirty(tj: any): void {
    this.dirty.add(tj);
  }

  private tick(): void {
    if (this.paused || this.stopped) return;
    this.tickCount++;
    for (const run of [...this.runs.values()]) {
      if (run.state === 'done') continue;
      const tj = this.store.get(TRAINJOBS, run.ns, run.name);
      if (!tj || tj.metadata.uid !== run.uid) {
        this.runs.delete(run.uid);
        continue;
      }
      this.safely(() => this.reconcile(tj, true));
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error('[fake-kube] trainer controller error:', err);
    }
  }

  private runFor(ns: string, name: string): { run: JobRun; tj: any } {
    const tj = this.store.get(TRAINJOBS, ns, name);
    if (!tj) throw new Error(`TrainJob ${ns}/${name} not found`);
    this.reconcile(tj, false);
    return { run: this.runs.get(tj.metadata.uid)!, tj: this.store.get(TRAINJOBS, ns, name) };
  }

  // -------------------------------------------------------------------------------------------
  // Reconcile

  private reconcile(tj: any, advance: boolean): void {
    let run = this.runs.get(tj.metadata.uid);
    if (!run) {
      run = { uid: tj.metadata.uid, ns: tj.metadata.namespace, name: tj.metadata.name, state: 'active', created: new Set(), pods: [], startedAt: Date.now() };
      this.runs.set(run.uid, run);
    }
    if (run.state === 'done') return;
    if (isFinished(tj)) {
      run.state = 'done';
      return;
    }
    if (tj.spec?.suspend === true) {
      if (run.state !== 'suspended' || !hasCondition(tj, 'Suspended')) this.suspend(run);
      return;
    }
    if (run.state === 'suspended' || hasCondition(tj, 'Suspended')) this.resumeJob(run, tj);
    if (!run.plan && !this.materialize(run, tj)) return;
    if (advance) {
      const deadline = tj.spec?.activeDeadlineSeconds;
      if (deadline && Date.now() - run.startedAt > deadline * 1000) {
        this.finish(run, tj, 'Failed', 'DeadlineExceeded', FAILURE_MESSAGES.DeadlineExceeded!);
        return;
      }
      if (this.trainersDone(run)) {
        this.finish(run, tj, this.opts.outcome(tj));
        return;
      }
      this.advancePods(run, tj);
    }
    this.createReadyJobs(run, tj);
    this.syncJobsStatus(run);
  }

  private resolveRuntime(tj: any): any | undefined {
    const ref = tj.spec?.runtimeRef ?? {};
    if ((ref.apiGroup ?? 'trainer.kubeflow.org') !== 'trainer.kubeflow.org') return undefined;
    if (ref.kind === 'TrainingRuntime') return this.store.get(RUNTIMES, tj.metadata.namespace, ref.name);
    if ((ref.kind ?? 'ClusterTrainingRuntime') === 'ClusterTrainingRuntime') return this.store.get(CLUSTER_RUNTIMES, undefined, ref.name);
    return undefined;
  }

  private materialize(run: JobRun, tj: any): boolean {
    const runtime = this.resolveRuntime(tj);
    if (!runtime) {
      const kind = tj.spec?.runtimeRef?.kind ?? 'ClusterTrainingRuntime';
      const known = kind === 'ClusterTrainingRuntime' || kind === 'TrainingRuntime';
      const message = known ? `not found ${kind} specified in TrainJob` : `unsupported runtime: ${kind}`;
      this.finish(run, tj, 'Failed', 'TrainingRuntimeNotSupported', message);
      return false;
    }
    run.plan = planTrainJob(tj, runtime);
    let jobset = this.store.get(JOBSETS, run.ns, run.name);
    if (!jobset) {
      jobset = this.store.create(JOBSETS, buildJobSet(tj, run.plan));
      this.events.record(tj, 'Normal', 'Created', `Created JobSet: ${run.name}`, { component: 'trainjob-controller' });
    } else if (jobset.spec?.suspend) {
      jobset.spec.suspend = false;
      this.store.update(JOBSETS, jobset);
    }
    return true;
  }

  private depsMet(run: JobRun, deps: Array<{ name: string; status: string }>): boolean {
    return deps.every((d) => {
      if (!run.created.has(d.name)) return false;
      const pods = run.pods.filter((p) => p.rjob === d.name);
      return d.status === 'Ready' ? pods.every((p) => p.phase === 'Running' || p.phase === 'Succeeded') : pods.every((p) => p.phase === 'Succeeded');
    });
  }

  private createReadyJobs(run: JobRun, tj: any): void {
    for (const p of run.plan!.replicatedJobs) {
      if (run.created.has(p.name) || !this.depsMet(run, p.dependsOn)) continue;
      run.created.add(p.name);
      for (let i = 0; i < p.podCount; i++) this.createPod(run, tj, p.name, i);
    }
  }

  private pickNode(): string {
    const nodes = this.store.list(NODES).filter((n) => !n.spec?.unschedulable);
    if (nodes.length === 0) return FALLBACK_NODE;
    return nodes[this.nodeCursor++ % nodes.length]!.metadata.name;
  }

  private createPod(run: JobRun, tj: any, rjob: string, index: number): PodRun {
    const plan = run.plan!.replicatedJobs.find((p) => p.name === rjob)!;
    const jobset = this.store.get(JOBSETS, run.ns, run.name) ?? { metadata: { uid: '' } };
    const node = this.pickNode();
    const pod = buildPod(tj, jobset, plan, index, node);
    for (const mutate of this.podMutators) mutate(pod, tj);
    const times: PodTimes = { scheduledAt: nowRfc3339() };
    pod.status = podStatus(pod, 'Pending', times);
    const stored = this.store.create(PODS, pod);
    this.events.record(stored, 'Normal', 'Scheduled', `Successfully assigned ${run.ns}/${stored.metadata.name} to ${node}`, {
      component: 'default-scheduler',
    });
    const outcome = this.opts.outcome(tj);
    const chunks = new Map<string, string[][]>();
    for (const c of stored.spec.containers ?? []) {
      const lines = this.logsFor({ trainJob: tj, pod: stored, container: c.name, outcome });
      chunks.set(c.name, chunk(lines, plan.role === 'trainer' ? this.opts.runSteps : 1));
    }
    const pr: PodRun = {
      name: stored.metadata.name,
      rjob,
      role: plan.role,
      index,
      phase: 'Pending',
      bornTick: this.tickCount,
      runTicks: 0,
      chunks,
      printed: 0,
      times,
    };
    run.pods.push(pr);
    return pr;
  }

  private writePodStatus(run: JobRun, pr: PodRun, exitCode = 0): void {
    const pod = this.store.get(PODS, run.ns, pr.name);
    if (!pod) return;
    pod.status = podStatus(pod, pr.phase, pr.times, exitCode);
    this.store.update(PODS, pod);
  }

  private printNextChunk(run: JobRun, pr: PodRun): void {
    for (const [container, chunks] of pr.chunks) for (const line of chunks[pr.printed] ?? []) this.logs.append(run.ns, pr.name, container, line);
    pr.printed++;
  }

  private startPod(run: JobRun, pr: PodRun): void {
    pr.phase = 'Running';
    pr.times.startedAt = nowRfc3339();
    pr.runTicks = 1;
    this.writePodStatus(run, pr);
    const pod = this.store.get(PODS, run.ns, pr.name);
    if (pod) {
      const source = { component: 'kubelet', host: pod.spec.nodeName };
      for (const c of pod.spec.containers ?? []) {
        this.events.record(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, source);
        this.events.record(pod, 'Normal', 'Created', `Created container: ${c.name}`, source);
        this.events.record(pod, 'Normal', 'Started', `Started container ${c.name}`, source);
      }
    }
    this.printNextChunk(run, pr);
  }

  private terminatePod(run: JobRun, pr: PodRun, phase: 'Succeeded' | 'Failed'): void {
    // A container that ran prints the rest of its output before it exits.
    if (pr.phase === 'Running') {
      const total = Math.max(0, ...[...pr.chunks.values()].map((c) => c.length));
      while (pr.printed < total) this.printNextChunk(run, pr);
    }
    pr.phase = phase;
    pr.times.finishedAt = nowRfc3339();
    this.writePodStatus(run, pr, phase === 'Succeeded' ? 0 : 1);
    for (const container of pr.chunks.keys()) this.logs.terminate(run.ns, pr.name, container);
  }

  /** Job-controller behaviour: a pod deleted behind our back is replaced (same index, new name). */
  private replaceMissingPods(run: JobRun, tj: any): void {
    for (const pr of [...run.pods]) {
      if (isTerminal(pr.phase) || this.store.get(PODS, run.ns, pr.name)) continue;
      run.pods.splice(run.pods.indexOf(pr), 1);
      this.createPod(run, tj, pr.rjob, pr.index);
    }
  }

  private advancePods(run: JobRun, tj: any): void {
    this.replaceMissingPods(run, tj);
    for (const pr of [...run.pods]) {
      if (pr.phase === 'Pending') {
        if (this.tickCount > pr.bornTick) this.startPod(run, pr);
      } else if (pr.phase === 'Running') {
        if (pr.role === 'initializer') this.terminatePod(run, pr, 'Succeeded');
        else if (pr.role === 'trainer' && pr.runTicks < this.opts.runSteps) {
          pr.runTicks++;
          this.printNextChunk(run, pr);
        }
      }
    }
  }

  private trainersDone(run: JobRun): boolean {
    const plan = run.plan!;
    const trainerJobs = plan.replicatedJobs.filter((p) => p.role === 'trainer');
    if (trainerJobs.length === 0 || trainerJobs.some((p) => !run.created.has(p.name))) return false;
    const trainers = run.pods.filter((p) => p.role === 'trainer');
    return trainers.length > 0 && trainers.every((p) => p.phase === 'Running' && p.runTicks >= this.opts.runSteps);
  }

  private finish(run: JobRun, tj: any, outcome: 'Complete' | 'Failed', reason?: string, message?: string): void {
    const failed = outcome === 'Failed';
    const condReason = reason ?? (failed ? 'FailedJobs' : 'AllJobsCompleted');
    const condMessage = message ?? (failed ? FAILURE_MESSAGES.FailedJobs! : 'jobset completed successfully');
    for (const pr of run.pods) if (!isTerminal(pr.phase)) this.terminatePod(run, pr, failed ? 'Failed' : 'Succeeded');
    run.state = 'done';
    this.syncJobsStatus(run);
    const jobset = this.store.get(JOBSETS, run.ns, run.name);
    if (jobset) {
      const type = failed ? 'Failed' : 'Completed';
      jobset.status = {
        ...(jobset.status ?? {}),
        conditions: setCondition(jobset.status?.conditions, { type, status: 'True', reason: condReason, message: condMessage }),
        terminalState: type,
      };
      this.store.update(JOBSETS, jobset);
      this.events.record(jobset, failed ? 'Warning' : 'Normal', condReason, condMessage, { component: 'jobset-controller' });
    }
    this.updateTrainJobStatus(run, (status) => {
      status.conditions = setCondition(status.conditions, { type: outcome, status: 'True', reason: condReason, message: condMessage });
    });
    if (failed) this.events.record(tj, 'Warning', condReason, condMessage, { component: 'trainjob-controller' });
  }

  private suspend(run: JobRun): void {
    for (const pod of this.store.list(PODS, run.ns)) {
      if (pod.metadata.labels?.[JOBSET_NAME_LABEL] === run.name) this.store.delete(PODS, run.ns, pod.metadata.name);
    }
    run.pods = [];
    run.created.clear();
    run.state = 'suspended';
    const jobset = this.store.get(JOBSETS, run.ns, run.name);
    if (jobset && !jobset.spec?.suspend) {
      jobset.spec = { ...(jobset.spec ?? {}), suspend: true };
      this.store.update(JOBSETS, jobset);
    }
    this.updateTrainJobStatus(run, (status) => {
      status.conditions = setCondition(status.conditions, { type: 'Suspended', status: 'True', reason: 'Suspended', message: 'TrainJob is suspended' });
      if (run.plan) status.jobsStatus = run.plan.replicatedJobs.map((p) => ({ name: p.name, ready: 0, succeeded: 0, failed: 0, active: 0, suspended: 1 }));
    });
  }

  private resumeJob(run: JobRun, tj: any): void {
    run.state = 'active';
    run.pods = [];
    run.created.clear();
    run.startedAt = Date.now();
    if (hasCondition(tj, 'Suspended'))
      this.updateTrainJobStatus(run, (status) => {
        status.conditions = setCondition(status.conditions, { type: 'Suspended', status: 'False', reason: 'Resumed', message: 'TrainJob is resumed' });
      });
    const jobset = this.store.get(JOBSETS, run.ns, run.name);
    if (jobset?.spec?.suspend) {
      jobset.spec.suspend = false;
      this.store.update(JOBSETS, jobset);
    }
  }

  /** JobSet replicatedJobsStatus (counts of Jobs, one Job per replicated job here), mirrored into TrainJob jobsStatus. */
  private syncJobsStatus(run: JobRun): void {
    if (!run.plan) return;
    const jobsStatus = run.plan.replicatedJobs.map((p) => {
      const pods = run.pods.filter((x) => x.rjob === p.name);
      const created = run.created.has(p.name);
      const failed = pods.some((x) => x.phase === 'Failed');
      const succeeded = created && !failed && pods.every((x) => x.phase === 'Succeeded');
      const active = created && pods.some((x) => !isTerminal(x.phase));
      const ready = active && pods.every((x) => x.phase === 'Running' || x.phase === 'Succeeded');
      return { name: p.name, ready: ready ? 1 : 0, succeeded: succeeded ? 1 : 0, failed: failed ? 1 : 0, active: active ? 1 : 0, suspended: 0 };
    });
    const jobset = this.store.get(JOBSETS, run.ns, run.name);
    if (jobset) {
      jobset.status = { ...(jobset.status ?? {}), replicatedJobsStatus: jobsStatus };
      this.store.update(JOBSETS, jobset);
    }
    this.updateTrainJobStatus(run, (status) => {
      status.jobsStatus = jobsStatus;
    });
  }

  private updateTrainJobStatus(run: JobRun, mutate: (status: any) => void): void {
    const tj = this.store.get(TRAINJOBS, run.ns, run.name);
    if (!tj || tj.metadata.uid !== run.uid) return;
    const status = structuredClone(tj.status ?? {});
    mutate(status);
    tj.status = status;
    this.store.update(TRAINJOBS, tj);
  }
}
