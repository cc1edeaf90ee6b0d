/**
 * Experiment and Trial views. Status follows the SDK (docs/wire/optimizer.md#experiment-status):
 * `Created` by default, `Complete` when Succeeded=True, `Failed` when Failed=True. For `Running`
 * the SDK asks every trial's TrainJob; we read Katib's own running-trial counter (or the trials'
 * Running conditions), which needs no per-trial lookups. The deciding condition's reason/message
 * are kept (e.g. ExperimentMaxTrialsReached vs ExperimentGoalReached).
 */
import type {
  BestTrial,
  Experiment,
  ExperimentState,
  ExperimentSummary,
  KatibCondition,
  Metric,
  MetricView,
  ParameterView,
  Trial,
  TrialCounts,
  TrialState,
  TrialView,
} from './types.js';

const isTrue = (c: KatibCondition | undefined): boolean => c?.status === 'True';
const conditionOf = (conditions: KatibCondition[] | undefined, type: string): KatibCondition | undefined => (conditions ?? []).find((c) => c.type === type);

function experimentState(exp: Pick<Experiment, 'status'>, anyTrialRunning?: boolean): { status: ExperimentState; reason?: string; message?: string } {
  const conditions = exp.status?.conditions;
  const succeeded = conditionOf(conditions, 'Succeeded');
  const failed = conditionOf(conditions, 'Failed');
  const pick = (status: ExperimentState, c: KatibCondition | undefined) => ({
    status,
    ...(c?.reason ? { reason: c.reason } : {}),
    ...(c?.message ? { message: c.message } : {}),
  });
  if (isTrue(failed)) return pick('Failed', failed);
  if (isTrue(succeeded)) return pick('Complete', succeeded);
  const running = anyTrialRunning ?? (exp.status?.trialsRunning ?? 0) > 0;
  if (running) return pick('Running', conditionOf(conditions, 'Running'));
  return pick('Created', conditionOf(conditions, 'Created'));
}

/** The SDK keeps only metrics with all of name/min/max/latest. */
function metricViews(metrics: Metric[] | undefined): MetricView[] {
  return (metrics ?? []).flatMap((m) =>
    m.name && m.min !== undefined && m.max !== undefined && m.latest !== undefined ? [{ name: m.name, min: m.min, max: m.max, latest: m.latest }] : [],
  );
}

function assignments(list: Array<{ name?: string; value?: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list ?? []) if (a.name !== undefined && a.value !== undefined) out[a.name] = a.value;
  return out;
}

export function bestTrialOf(exp: Pick<Experiment, 'status'>): BestTrial | undefined {
  const best = exp.status?.currentOptimalTrial;
  if (!best?.bestTrialName) return undefined;
  return { trial: best.bestTrialName, parameters: assignments(best.parameterAssignments), metrics: metricViews(best.observation?.metrics) };
}

function parameterViews(exp: Experiment): ParameterView[] {
  return (exp.spec?.parameters ?? []).map((p) => {
    const fs = p.feasibleSpace ?? {};
    return {
      name: p.name,
      type: p.parameterType,
      ...(fs.min !== undefined ? { min: fs.min } : {}),
      ...(fs.max !== undefined ? { max: fs.max } : {}),
      ...(fs.step ? { step: fs.step } : {}),
      ...(fs.distribution && (p.parameterType === 'double' || p.parameterType === 'int') ? { distribution: fs.distribution } : {}),
      ...(fs.list ? { values: fs.list } : {}),
    };
  });
}

function counts(exp: Experiment): TrialCounts {
  const s = exp.status ?? {};
  return {
    total: s.trials ?? 0,
    succeeded: s.trialsSucceeded ?? 0,
    failed: s.trialsFailed ?? 0,
    running: s.trialsRunning ?? 0,
    pending: s.trialsPending ?? 0,
    killed: s.trialsKilled ?? 0,
    earlyStopped: s.trialsEarlyStopped ?? 0,
    metricsUnavailable: s.trialMetricsUnavailable ?? 0,
  };
}

export function experimentSummary(exp: Experiment, anyTrialRunning?: boolean): ExperimentSummary {
  const spec = exp.spec ?? {};
  const objective = spec.objective;
  const best = bestTrialOf(exp);
  return {
    name: exp.metadata.name ?? '',
    namespace: exp.metadata.namespace ?? '',
    ...experimentState(exp, anyTrialRunning),
    algorithm: {
      name: spec.algorithm?.algorithmName ?? '',
      settings: Object.fromEntries((spec.algorithm?.algorithmSettings ?? []).map((s) => [s.name, s.value])),
    },
    objective: {
      metric: objective?.objectiveMetricName ?? '',
      direction: objective?.type ?? '',
      ...(objective?.goal !== undefined ? { goal: objective.goal } : {}),
      additionalMetrics: objective?.additionalMetricNames ?? [],
    },
    parameters: parameterViews(exp),
    ...(spec.maxTrialCount !== undefined ? { maxTrials: spec.maxTrialCount } : {}),
    ...(spec.parallelTrialCount !== undefined ? { parallelTrials: spec.parallelTrialCount } : {}),
    ...(spec.maxFailedTrialCount !== undefined ? { maxFailedTrials: spec.maxFailedTrialCount } : {}),
    trialCounts: counts(exp),
    ...(best ? { best } : {}),
    creationTimestamp: exp.metadata.creationTimestamp ?? '',
    annotations: exp.metadata.annotations ?? {},
    ...(exp.status?.completionTime ? { completionTime: exp.status.completionTime } : {}),
  };
}

const TERMINAL: TrialState[] = ['Succeeded', 'Failed', 'Killed', 'MetricsUnavailable', 'EarlyStopped'];

function trialState(trial: Pick<Trial, 'status'>): { status: TrialState; reason?: string } {
  const conditions = trial.status?.conditions ?? [];
  // Katib appends the newest condition last; the latest true terminal one decides.
  for (let i = conditions.length - 1; i >= 0; i--) {
    const c = conditions[i]!;
    if (c.status === 'True' && (TERMINAL as string[]).includes(c.type)) return { status: c.type as TrialState, ...(c.reason ? { reason: c.reason } : {}) };
  }
  const running = conditionOf(conditions, 'Running');
  if (isTrue(running)) return { status: 'Running', ...(running?.reason ? { reason: running.reason } : {}) };
  return { status: 'Created' };
}

export function trialView(trial: Trial): TrialView {
  return {
    name: trial.metadata.name ?? '',
    ...trialState(trial),
    parameters: assignments(trial.spec?.parameterAssignments),
    metrics: metricViews(trial.status?.observation?.metrics),
    creationTimestamp: trial.metadata.creationTimestamp ?? '',
    ...(trial.status?.completionTime ? { completionTime: trial.status.completionTime } : {}),
  };
}
