/**
 * Simulation of Katib v0.19 (experiment, suggestion and trial controllers, the metrics-collector
 * sidecar injection and the StdOut collector) on top of the Trainer simulation:
 *
 *   Experiment created → Created condition and a Suggestion; the suggestion service's settings
 *   check (failure → Suggestion Failed, Experiment Failed "Suggestion has failed"); then Trials
 *   `<exp>-<8 chars>` (label katib.kubeflow.org/experiment) up to parallelTrialCount at a time and
 *   maxTrialCount in total, each with a TrainJob of the same name rendered from trialSpec (placeholders
 *   substituted, Trainer admission applied) that the Trainer controller runs. The primary pod gets
 *   the `metrics-logger-and-collector` sidecar when the namespace carries the injection label; it
 *   prints `<metric>=<value>` lines computed from the parameters (`metricValue`), the sidecar echoes
 *   them klog-style. When the TrainJob ends the Trial gets Succeeded + observation (or Failed /
 *   MetricsUnavailable); the Experiment keeps counters, trial lists, currentOptimalTrial and ends
 *   Succeeded (goal, max trials, suggestion end) or Failed (max failed trials).
 *
 * Deleting an Experiment cascades through ownerReferences (Trials, TrainJobs, Suggestion).
 */
import { DirtyQueue } from './dirtyQueue.js';
import { admit } from '../admission.js';
import { ApiError } from '../errors.js';
import { INJECTION_LABEL } from '../katib-admission.js';
import { nowRfc3339, randomSuffix } from '../meta.js';
import { findByResource } from '../registry.js';
import type { ObjectStore, StoreEvent } from '../store.js';
import type { ControllerLogContext, KatibMetricContext, KatibOptions } from '../types.js';
import { EventRecorder } from './events.js';
import { METRICS_SIDECAR, metricSeries, observe, sidecarContainer, sidecarLines, trainingLines, type ObservedMetric } from './katib-metrics.js';
import { gridAssignment, rng, sampleRandom, validateSuggestion } from './katib-search.js';
import type { TrainerController } from './trainer-controller.js';

const EXPERIMENTS = findByResource('kubeflow.org', 'v1beta1', 'experiments')!;
const TRIALS = findByResource('kubeflow.org', 'v1beta1', 'trials')!;
const SUGGESTIONS = findByResource('kubeflow.org', 'v1beta1', 'suggestions')!;
const TRAINJOBS = findByResource('trainer.kubeflow.org', 'v1alpha1', 'trainjobs')!;
const NAMESPACES = findByResource('', 'v1', 'namespaces')!;

const EXPERIMENT_KEY = 'kubeflow.org/experiments';
const TRAINJOB_KEY = 'trainer.kubeflow.org/trainjobs';
const LABEL_EXPERIMENT = 'katib.kubeflow.org/experiment';
const KATIB_API = 'kubeflow.org/v1beta1';
const TRIAL_SOURCE = { component: 'trial-controller' };

/** Default `metricValue`: loss = Σ over numeric parameters (x - 0.05)² + 0.1; other metrics 1 / (1 + loss). */
export function defaultMetricValue(ctx: KatibMetricContext): number {
  let loss = 0.1;
  for (const v of Object.values(ctx.parameters)) {
    const x = Number(v);
    if (v.trim() !== '' && Number.isFinite(x)) loss += (x - 0.05) ** 2;
  }
  const score = 1 / (1 + loss);
  const isObjective = ctx.metric === ctx.objectiveMetric;
  return isObjective === (ctx.direction === 'minimize') ? loss : score;
}

interface ExperimentRun {
  uid: string;
  random: () => number;
  gridNext: number;
  suggestionChecked: boolean;
  suggestionDone: boolean;
}

type Cond = { type: string; status: 'True' | 'False'; reason: string; message: string; lastUpdateTime: string; lastTransitionTime: string };

/** Katib's setCondition: replace by type (appended last); no-op when status and reason are unchanged. */
function setCond(conditions: Cond[] | undefined, type: string, status: 'True' | 'False', reason: string, message: string): Cond[] {
  const list = [...(conditions ?? [])];
  const cur = list.find((c) => c.type === type);
  if (cur && cur.status === status && cur.reason === reason) return list;
  const now = nowRfc3339();
  const next: Cond = { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: cur && cur.status === status ? cur.lastTransitionTime : now };
  return [...list.filter((c) => c.type !== type), next];
}

/** MarkExperimentStatusSucceeded/Failed and the Trial equivalents: Running goes False first. */
function finishCond(conditions: Cond[] | undefined, type: string, reason: string, message: string): Cond[] {
  let list = conditions ?? [];
  const running = list.find((c) => c.type === 'Running');
  if (running) list = setCond(list, 'Running', 'False', running.reason, running.message);
  return setCond(list, type, 'True', reason, message);
}

const isTrue = (obj: any, type: string): boolean => (obj?.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');
const TRIAL_END = ['Succeeded', 'Failed', 'Killed', 'EarlyStopped', 'MetricsUnavailable'];
const trialDone = (t: any): boolean => TRIAL_END.some((c) => isTrue(t, c));
const experimentDone = (e: any): boolean => isTrue(e, 'Succeeded') || isTrue(e, 'Failed');

export class KatibController {
  private readonly runs = new Map<string, ExperimentRun>();
  private readonly events: EventRecorder;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private paused = false;
  private readonly dirty = new DirtyQueue((uid, ref) => {
    if (this.stopped) return;
    const exp = this.store.get(EXPERIMENTS, ref.ns, ref.name);
    if (exp && exp.metadata.uid === uid) this.safely(() => this.reconcile(exp));
  });
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly trainer: TrainerController,
    private readonly opts: KatibOptions,
    private readonly env: { stepMs: number; crdValidation: boolean },
  ) {
    this.events = new EventRecorder(store);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.cleanups.push(this.store.subscribe((e) => this.onStoreEvent(e)));
    this.cleanups.push(this.trainer.addPodMutator((pod, tj) => this.injectSidecar(pod, tj)));
    this.cleanups.push(this.trainer.addLogProvider((ctx) => this.trialLogs(ctx)));
    for (const e of this.store.list(EXPERIMENTS)) this.markDirty(e);
    this.timer = setInterval(() => this.tick(), this.env.stepMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.cleanups.splice(0)) c();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  // -------------------------------------------------------------------------------------------
  // Intake

  private onStoreEvent(e: StoreEvent): void {
    if (e.key === EXPERIMENT_KEY) {
      if (e.type === 'DELETED') this.runs.delete(e.object.metadata.uid);
      else if (e.type === 'ADDED' || e.prev?.metadata?.generation !== e.object.metadata.generation) this.markDirty(e.object);
      return;
    }
    if (e.key === TRAINJOB_KEY && e.type === 'MODIFIED') {
      const ended = (o: any) => isTrue(o, 'Complete') || isTrue(o, 'Failed');
      if (!ended(e.object) || ended(e.prev)) return;
      const owner = (e.object.metadata.ownerReferences ?? []).find((r: any) => r.kind === 'Trial');
      if (!owner) return;
      const tj = e.object;
      // Never write inside a store listener: our writes would re-enter the store.
      setImmediate(() => this.safely(() => this.trialJobEnded(tj, owner.uid)));
    }
  }

  private markDirty(exp: any): void {
    this.dirty.add(exp);
  }

  private tick(): void {
    if (this.paused || this.stopped) return;
    for (const exp of this.store.list(EXPERIMENTS)) if (!experimentDone(exp)) this.safely(() => this.reconcile(exp));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error('[fake-kube] katib controller error:', err);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Experiment

  private runFor(exp: any): ExperimentRun {
    let run = this.runs.get(exp.metadata.uid);
    if (!run) {
      const seedSetting = exp.spec?.algorithm?.algorithmSettings?.find((s: any) => s.name === 'random_state')?.value;
      const seed = seedSetting !== undefined ? Number(seedSetting) : (this.opts.seed ?? Math.floor(Math.random() * 2 ** 31));
      run = { uid: exp.metadata.uid, random: rng(seed), gridNext: 0, suggestionChecked: false, suggestionDone: false };
      this.runs.set(run.uid, run);
    }
    return run;
  }

  private reconcile(exp: any): void {
    if (experimentDone(exp)) return;
    const run = this.runFor(exp);
    const status = structuredClone(exp.status ?? {});
    if (!(status.conditions?.length > 0)) {
      status.startTime = nowRfc3339();
      status.conditions = setCond(status.conditions, 'Created', 'True', 'ExperimentCreated', 'Experiment is created');
      this.writeStatus(exp, status);
      this.ensureSuggestion(exp);
      return; // trials start on a later tick, so clients can see the Created state
    }
    if (this.paused) return;
    if (!run.suggestionChecked) {
      run.suggestionChecked = true;
      const problem = validateSuggestion(exp);
      this.setSuggestionCondition(exp, problem);
      if (problem) {
        status.conditions = finishCond(status.conditions, 'Failed', 'ExperimentFailed', 'Suggestion has failed');
        status.completionTime = nowRfc3339();
        this.writeStatus(exp, status);
        return;
      }
    }

    let trials = this.trialsOf(exp);
    let next = this.computeStatus(exp, trials, status, run);
    if (!experimentDone({ status: next })) {
      const spec = exp.spec;
      const active = trials.filter((t) => !trialDone(t)).length;
      const want = Math.min((spec.parallelTrialCount ?? 3) - active, (spec.maxTrialCount ?? Infinity) - trials.length);
      let created = 0;
      for (let i = 0; i < want; i++) {
        const assignments = this.nextAssignments(exp, run);
        if (!assignments) {
          run.suggestionDone = true;
          break;
        }
        this.createTrial(exp, assignments);
        created++;
      }
      if (created > 0 || run.suggestionDone) {
        trials = this.trialsOf(exp);
        next = this.computeStatus(exp, trials, status, run);
      }
    }
    this.writeStatus(exp, next);
  }

  private trialsOf(exp: any): any[] {
    return this.store
      .list(TRIALS, exp.metadata.namespace)
      .filter(
        (t) => t.metadata.labels?.[LABEL_EXPERIMENT] === exp.metadata.name && (t.metadata.ownerReferences ?? []).some((r: any) => r.uid === exp.metadata.uid),
      );
  }

  private nextAssignments(exp: any, run: ExperimentRun): Array<{ name: string; value: string }> | undefined {
    const params = exp.spec.parameters ?? [];
    if (exp.spec.algorithm?.algorithmName === 'grid') return gridAssignment(params, run.gridNext++);
    return sampleRandom(params, run.random);
  }

  /** UpdateExperimentStatus + UpdateExperimentStatusCondition. */
  private computeStatus(exp: any, trials: any[], base: any, run: ExperimentRun): any {
    const status = structuredClone(base);
    const lists: Record<string, string[]> = { pending: [], running: [], succeeded: [], failed: [], killed: [], earlyStopped: [], metricsUnavailable: [] };
    for (const t of trials) {
      const n = t.metadata.name;
      if (isTrue(t, 'Succeeded')) lists.succeeded!.push(n);
      else if (isTrue(t, 'Failed')) lists.failed!.push(n);
      else if (isTrue(t, 'Killed')) lists.killed!.push(n);
      else if (isTrue(t, 'EarlyStopped')) lists.earlyStopped!.push(n);
      else if (isTrue(t, 'MetricsUnavailable')) lists.metricsUnavailable!.push(n);
      else if (isTrue(t, 'Running')) lists.running!.push(n);
      else lists.pending!.push(n);
    }
    const put = (key: string, value: unknown, keep: boolean) => (keep ? (status[key] = value) : delete status[key]);
    put('trials', trials.length, trials.length > 0);
    put('trialsSucceeded', lists.succeeded!.length, lists.succeeded!.length > 0);
    put('trialsFailed', lists.failed!.length, lists.failed!.length > 0);
    put('trialsKilled', lists.killed!.length, lists.killed!.length > 0);
    put('trialsEarlyStopped', lists.earlyStopped!.length, lists.earlyStopped!.length > 0);
    put('trialMetricsUnavailable', lists.metricsUnavailable!.length, lists.metricsUnavailable!.length > 0);
    put('trialsRunning', lists.running!.length, lists.running!.length > 0);
    put('trialsPending', lists.pending!.length, lists.pending!.length > 0);
    for (const [k, v] of Object.entries(lists)) put(`${k}TrialList`, [...v].sort(), v.length > 0);

    const objective = exp.spec.objective;
    const strategy =
      objective.metricStrategies?.find((s: any) => s.name === objective.objectiveMetricName)?.value ?? (objective.type === 'maximize' ? 'max' : 'min');
    let best: { trial: any; value: number } | undefined;
    for (const t of trials) {
      if (!isTrue(t, 'Succeeded')) continue;
      const m = (t.status?.observation?.metrics ?? []).find((x: any) => x.name === objective.objectiveMetricName);
      const value = m ? Number(m[strategy]) : NaN;
      if (Number.isNaN(value)) continue;
      if (!best || (objective.type === 'maximize' ? value > best.value : value < best.value)) best = { trial: t, value };
    }
    status.currentOptimalTrial = best
      ? {
          bestTrialName: best.trial.metadata.name,
          parameterAssignments: structuredClone(best.trial.spec.parameterAssignments),
          observation: structuredClone(best.trial.status.observation),
        }
      : { bestTrialName: '', observation: {} };

    const failedCount = lists.failed!.length + lists.metricsUnavailable!.length;
    const completed = trials.length - lists.running!.length - lists.pending!.length;
    const active = lists.running!.length + lists.pending!.length;
    const goal = objective.goal;
    const goalReached = best !== undefined && goal !== undefined && (objective.type === 'maximize' ? best.value >= goal : best.value <= goal);
    const maxFailed = exp.spec.maxFailedTrialCount;
    let finished = true;
    if (goalReached)
      status.conditions = finishCond(status.conditions, 'Succeeded', 'ExperimentGoalReached', 'Experiment has succeeded because Objective goal has reached');
    else if (maxFailed !== undefined && failedCount !== 0 && failedCount >= maxFailed)
      status.conditions = finishCond(status.conditions, 'Failed', 'ExperimentFailed', 'Experiment has failed because max failed count has reached');
    else if (completed >= (exp.spec.maxTrialCount ?? Infinity))
      status.conditions = finishCond(
        status.conditions,
        'Succeeded',
        'ExperimentMaxTrialsReached',
        'Experiment has succeeded because max trial count has reached',
      );
    else if (run.suggestionDone && active === 0)
      status.conditions = finishCond(
        status.conditions,
        'Succeeded',
        'ExperimentSuggestionEndReached',
        'Experiment has succeeded because suggestion service has reached the end',
      );
    else {
      status.conditions = setCond(status.conditions, 'Running', 'True', 'ExperimentRunning', 'Experiment is running');
      finished = false;
    }
    if (finished) status.completionTime ??= nowRfc3339();
    return status;
  }

  private writeStatus(exp: any, status: any): void {
    const cur = this.store.get(EXPERIMENTS, exp.metadata.namespace, exp.metadata.name);
    if (!cur || cur.metadata.uid !== exp.metadata.uid) return;
    cur.status = status;
    this.store.update(EXPERIMENTS, cur);
  }

  // -------------------------------------------------------------------------------------------
  // Suggestion

  private ensureSuggestion(exp: any): void {
    if (this.store.get(SUGGESTIONS, exp.metadata.namespace, exp.metadata.name)) return;
    this.store.create(SUGGESTIONS, {
      apiVersion: KATIB_API,
      kind: 'Suggestion',
      metadata: {
        name: exp.metadata.name,
        namespace: exp.metadata.namespace,
        labels: { [LABEL_EXPERIMENT]: exp.metadata.name },
        ownerReferences: [this.ownerRef(exp, 'Experiment')],
      },
      spec: { algorithm: structuredClone(exp.spec.algorithm), requests: 0, resumePolicy: exp.spec.resumePolicy ?? 'Never' },
      status: { conditions: setCond([], 'Created', 'True', 'SuggestionCreated', 'Suggestion is created'), startTime: nowRfc3339() },
    });
  }

  private setSuggestionCondition(exp: any, problem: string | undefined): void {
    const s = this.store.get(SUGGESTIONS, exp.metadata.namespace, exp.metadata.name);
    if (!s) return;
    s.status = { ...(s.status ?? {}) };
    s.status.conditions = problem
      ? setCond(s.status.conditions, 'Failed', 'True', 'SuggestionFailed', `Validation failed: ValidateAlgorithmSettings Error: ${problem}`)
      : setCond(s.status.conditions, 'Running', 'True', 'SuggestionRunning', 'Suggestion is running');
    this.store.update(SUGGESTIONS, s);
  }

  // -------------------------------------------------------------------------------------------
  // Trials

  private ownerRef(obj: any, kind: string): any {
    return { apiVersion: KATIB_API, kind, name: obj.metadata.name, uid: obj.metadata.uid, controller: true, blockOwnerDeletion: true };
  }

  private createTrial(exp: any, assignments: Array<{ name: string; value: string }>): void {
    const ns = exp.metadata.namespace;
    let name: string;
    do name = `${exp.metadata.name}-${randomSuffix(8)}`;
    while (this.store.get(TRIALS, ns, name));
    const tmpl = exp.spec.trialTemplate ?? {};
    const rendered = this.render(tmpl, assignments, name, ns);
    // As Katib's generator: SetName/SetNamespace, other template metadata (labels) kept.
    const runSpec = { ...rendered, metadata: { ...(rendered.metadata ?? {}), name, namespace: ns } };
    const trial = this.store.create(TRIALS, {
      apiVersion: KATIB_API,
      kind: 'Trial',
      metadata: { name, namespace: ns, labels: { [LABEL_EXPERIMENT]: exp.metadata.name }, ownerReferences: [this.ownerRef(exp, 'Experiment')] },
      spec: {
        objective: structuredClone(exp.spec.objective),
        parameterAssignments: assignments,
        runSpec,
        metricsCollector: structuredClone(exp.spec.metricsCollectorSpec),
        primaryPodLabels: structuredClone(tmpl.primaryPodLabels),
        primaryContainerName: tmpl.primaryContainerName,
        successCondition: tmpl.successCondition,
        failureCondition: tmpl.failureCondition,
        retainRun: tmpl.retain === true,
      },
      status: { startTime: nowRfc3339(), conditions: setCond([], 'Created', 'True', 'TrialCreated', 'Trial is created') },
    });
    this.startTrialJob(trial);
  }

  /** The trial template with `${trialParameters.<name>}` (and trial metadata references) substituted. */
  private render(tmpl: any, assignments: Array<{ name: string; value: string }>, name: string, ns: string): any {
    let text = JSON.stringify(tmpl.trialSpec ?? {});
    const esc = (v: string) => JSON.stringify(v).slice(1, -1);
    for (const p of tmpl.trialParameters ?? []) {
      const meta: Record<string, string> = { '${trialSpec.Name}': name, '${trialSpec.Namespace}': ns };
      const value = meta[p.reference] ?? assignments.find((a) => a.name === p.reference)?.value ?? '';
      text = text.split(`\${trialParameters.${p.name}}`).join(esc(value));
    }
    return JSON.parse(text);
  }

  private startTrialJob(trial: any): void {
    const job = { ...structuredClone(trial.spec.runSpec), metadata: { ...trial.spec.runSpec.metadata, ownerReferences: [this.ownerRef(trial, 'Trial')] } };
    try {
      const { object } = admit(TRAINJOBS, job, undefined, { crdValidation: this.env.crdValidation });
      this.store.create(TRAINJOBS, object);
    } catch (err) {
      // Katib would retry forever and leave the trial Created; ending it Failed keeps tests short.
      const why = err instanceof ApiError ? err.message : String(err);
      this.updateTrial(trial, (s) => {
        s.conditions = finishCond(s.conditions, 'Failed', 'TrialFailed', `Trial has failed. Job message: failed to create the TrainJob: ${why}`);
        s.completionTime = nowRfc3339();
      });
      this.events.record(trial, 'Warning', 'JobFailed', `Job ${trial.metadata.name} has failed. ${why}`, TRIAL_SOURCE);
      return;
    }
    this.events.record(trial, 'Normal', 'JobCreated', `Job ${trial.metadata.name} has been created`, TRIAL_SOURCE);
    // Katib's trial controller reports Running as soon as neither the success nor the failure condition holds.
    this.updateTrial(trial, (s) => {
      s.conditions = setCond(s.conditions, 'Running', 'True', 'TrialRunning', 'Trial is running');
    });
    this.events.record(trial, 'Normal', 'JobRunning', `Job ${trial.metadata.name} is running`, TRIAL_SOURCE);
  }

  private updateTrial(trial: any, mutate: (status: any) => void): any {
    const cur = this.store.get(TRIALS, trial.metadata.namespace, trial.metadata.name);
    if (!cur || cur.metadata.uid !== trial.metadata.uid) return undefined;
    const status = structuredClone(cur.status ?? {});
    mutate(status);
    cur.status = status;
    return this.store.update(TRIALS, cur);
  }

  private trialJobEnded(tj: any, trialUid: string): void {
    const ns = tj.metadata.namespace;
    const trial = this.store.get(TRIALS, ns, tj.metadata.name);
    if (!trial || trial.metadata.uid !== trialUid || trialDone(trial)) return;
    const name = trial.metadata.name;
    if (isTrue(tj, 'Complete')) {
      const metrics = this.observation(trial);
      if (metrics) {
        this.updateTrial(trial, (s) => {
          s.observation = { metrics };
          s.conditions = finishCond(s.conditions, 'Succeeded', 'TrialSucceeded', 'Trial has succeeded');
          s.completionTime = nowRfc3339();
        });
        this.events.record(trial, 'Normal', 'JobSucceeded', `Job ${name} has succeeded`, TRIAL_SOURCE);
      } else {
        this.updateTrial(trial, (s) => {
          s.conditions = finishCond(s.conditions, 'MetricsUnavailable', 'MetricsUnavailable', 'Metrics are not available');
          s.completionTime = nowRfc3339();
        });
        this.events.record(trial, 'Warning', 'MetricsUnavailable', `Metrics are not available for Job ${name}`, TRIAL_SOURCE);
      }
    } else {
      const c = (tj.status?.conditions ?? []).find((x: any) => x.type === 'Failed' && x.status === 'True') ?? {};
      this.updateTrial(trial, (s) => {
        s.conditions = finishCond(
          s.conditions,
          'Failed',
          c.reason ? `TrialFailed. Job reason: ${c.reason}` : 'TrialFailed',
          c.message ? `Trial has failed. Job message: ${c.message}` : 'Trial has failed',
        );
        s.completionTime = nowRfc3339();
      });
      this.events.record(trial, 'Normal', 'JobFailed', `Job ${name} has failed. ${c.message ?? ''} ${c.reason ?? ''}`.trimEnd(), TRIAL_SOURCE);
    }
    const owner = (trial.metadata.ownerReferences ?? []).find((r: any) => r.kind === 'Experiment');
    const exp = owner ? this.store.get(EXPERIMENTS, ns, owner.name) : undefined;
    if (exp && exp.metadata.uid === owner.uid) this.markDirty(exp);
  }

  // -------------------------------------------------------------------------------------------
  // Metrics collection (katib-metrics.ts renders the lines and observations)

  private metricsOf(trial: any): Map<string, string[]> | undefined {
    return metricSeries(trial, this.opts.metricValue);
  }

  private observation(trial: any): ObservedMetric[] | undefined {
    const series = this.metricsOf(trial);
    return series ? observe(series) : undefined;
  }

  private trialOfJob(tj: any): any | undefined {
    const owner = (tj?.metadata?.ownerReferences ?? []).find((r: any) => r.kind === 'Trial');
    if (!owner) return undefined;
    const trial = this.store.get(TRIALS, tj.metadata.namespace, owner.name);
    return trial && trial.metadata.uid === owner.uid ? trial : undefined;
  }

  private isPrimaryPod(pod: any, trial: any): boolean {
    const labels = trial.spec?.primaryPodLabels ?? {};
    return Object.keys(labels).length > 0 && Object.entries(labels).every(([k, v]) => pod.metadata?.labels?.[k] === v);
  }

  /** Katib's pod webhook: the collector sidecar joins the primary pod in labelled namespaces. */
  private injectSidecar(pod: any, tj: any): void {
    const trial = this.trialOfJob(tj);
    if (!trial || !this.isPrimaryPod(pod, trial)) return;
    const ns = this.store.get(NAMESPACES, undefined, pod.metadata.namespace);
    if (ns?.metadata?.labels?.[INJECTION_LABEL] !== 'enabled') return;
    pod.spec.containers = [...pod.spec.containers, sidecarContainer(trial)];
  }

  /** The primary pod prints the metrics; the sidecar echoes the output like klog, then reports. */
  private trialLogs(ctx: ControllerLogContext): string[] | undefined {
    const trial = this.trialOfJob(ctx.trainJob);
    if (!trial || !this.isPrimaryPod(ctx.pod, trial)) return undefined;
    if (ctx.container !== 'node' && ctx.container !== METRICS_SIDECAR) return undefined;
    const series = this.metricsOf(trial);
    const training = trainingLines(series, ctx.outcome);
    return ctx.container === 'node' ? training : sidecarLines(trial.metadata.name, training, series ? observe(series) : undefined);
  }
}
