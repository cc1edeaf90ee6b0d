/**
 * The Experiment `optimize()` sends (docs/wire/optimizer.md#experiment-body): a TrainJob trial template built by the
 * Trainer builders with `${trialParameters.<p>}` placeholders, Katib parameters, objective,
 * algorithm and trial counts. Deliberate differences from SDK 0.5.0 are in
 * docs/wire-decisions.md ("Optimizer (Katib)"): more algorithms and parameter kinds, the grid
 * fixes (steps, clamped trial count), counts made consistent, container trainers.
 */
import { buildInitializer, type InitializerInput } from '../trainer/initializers.js';
import { validateJobName } from '../trainer/names.js';
import { buildTrainJob, containerTrainer, customTrainer, type ContainerTrainerInput, type CustomTrainerInput } from '../trainer/trainjob.js';
import type { Runtime, TrainerSpec } from '../trainer/types.js';
import { algorithmSpec, checkCompatibility, type AlgorithmInput } from './algorithms.js';
import {
  CONTAINER_PARAM_ENV_PREFIX,
  DEFAULT_ALGORITHM,
  DEFAULT_MAX_TRIALS,
  DEFAULT_OBJECTIVE_METRIC,
  DEFAULT_PARALLEL_TRIALS,
  EXPERIMENT_NAME_MAX_LENGTH,
  INT32_MAX,
  KATIB_API_VERSION,
  PRIMARY_CONTAINER,
  trialParameterPlaceholder,
} from './constants.js';
import { OptimizerError } from './errors.js';
import { gridCombinations, parameterSpec, type Search } from './search.js';
import type { Experiment, ObjectiveSpec, ParameterSpec } from './types.js';

export type TrialTrainerInput = ({ kind: 'custom' } & CustomTrainerInput) | ({ kind: 'container' } & ContainerTrainerInput);

interface TrialTemplateInput {
  trainer: TrialTrainerInput;
  /** The resolved runtime (the tool looks it up, as for train()). */
  runtime: Runtime;
  initializer?: { dataset?: InitializerInput; model?: InitializerInput };
}

interface ObjectiveInput {
  /** Default `loss` (SDK Objective()). */
  metric?: string;
  /** Default `minimize`. */
  direction?: 'minimize' | 'maximize';
  /** Stop as soon as a trial reaches this value. */
  goal?: number;
  /** Also collected from the logs (same direction, as in the SDK). */
  additionalMetrics?: string[];
}

interface TrialsInput {
  /** maxTrialCount; default 10. */
  max?: number;
  /** parallelTrialCount; default 1. */
  parallel?: number;
  /** maxFailedTrialCount; default unset (Katib never fails the experiment for failed trials). */
  maxFailed?: number;
}

export interface BuildExperimentInput {
  name: string;
  namespace?: string;
  trialTemplate: TrialTemplateInput;
  searchSpace: Record<string, Search>;
  objective?: ObjectiveInput;
  /** Default random search. */
  algorithm?: AlgorithmInput;
  trials?: TrialsInput;
}

export interface ExperimentBuild {
  experiment: Experiment;
  /** Adjustments made and how Katib will treat the input (e.g. a clamped grid trial count). */
  notes: string[];
  /** Grid only: how many combinations the search space has. */
  gridCombinations?: number;
}

// Katib's StdOut collector parses `([\w|-]+)\s*=\s*<number>`: other characters never match.
const METRIC_NAME = /^[\w|-]{1,128}$/;

export function buildExperiment(input: BuildExperimentInput): ExperimentBuild {
  checkName(input.name);
  const notes: string[] = [];
  const entries = Object.entries(input.searchSpace ?? {});
  if (entries.length === 0) {
    throw new OptimizerError(
      'invalid_search_space',
      'the search space is empty',
      'give at least one parameter, e.g. { lr: { type: "logUniform", min: 1e-5, max: 1e-2 } }',
      'searchSpace',
    );
  }
  const parameters = entries.map(([name, s]) => parameterSpec(name, s));
  const algorithm = algorithmSpec(input.algorithm ?? { name: DEFAULT_ALGORITHM });

  const counts = trialCounts(input.trials ?? {});
  let combinations: number | undefined;
  if (algorithm.algorithmName === 'grid') {
    checkCompatibility(algorithm, parameters, counts); // steps first, so the count below is defined
    combinations = gridCombinations(parameters);
    if (counts.max > combinations) {
      notes.push(
        `grid search has ${combinations} combinations; maxTrialCount lowered from ${counts.max} to ${combinations} (Katib's grid suggestion fails when it is larger)`,
      );
      counts.max = combinations;
    }
  }
  if (counts.parallel > counts.max) {
    notes.push(`parallelTrialCount lowered from ${counts.parallel} to ${counts.max} (Katib requires it <= maxTrialCount)`);
    counts.parallel = counts.max;
  }
  if (counts.maxFailed !== undefined && counts.maxFailed > counts.max) {
    notes.push(`maxFailedTrialCount lowered from ${counts.maxFailed} to ${counts.max} (Katib requires it <= maxTrialCount)`);
    counts.maxFailed = counts.max;
  }
  notes.push(...checkCompatibility(algorithm, parameters, counts));

  const { trialSpec, notes: templateNotes } = trialSpecFor(input, parameters);
  notes.push(...templateNotes);

  const experiment: Experiment = {
    apiVersion: KATIB_API_VERSION,
    kind: 'Experiment',
    metadata: input.namespace ? { name: input.name, namespace: input.namespace } : { name: input.name },
    spec: {
      trialTemplate: {
        retain: true,
        primaryContainerName: PRIMARY_CONTAINER,
        trialParameters: parameters.map((p) => ({ name: p.name, reference: p.name })),
        trialSpec,
      },
      parameters,
      maxTrialCount: counts.max,
      parallelTrialCount: counts.parallel,
      ...(counts.maxFailed === undefined ? {} : { maxFailedTrialCount: counts.maxFailed }),
      objective: objectiveSpec(input.objective ?? {}),
      algorithm,
    },
  };
  return { experiment, notes, ...(combinations === undefined ? {} : { gridCombinations: combinations }) };
}

function checkName(name: string): void {
  const problem =
    validateJobName(name) ??
    (name.length > EXPERIMENT_NAME_MAX_LENGTH
      ? `experiment name '${name}' is ${name.length} characters long; Katib allows at most ${EXPERIMENT_NAME_MAX_LENGTH}`
      : undefined);
  if (problem)
    throw new OptimizerError(
      'invalid_name',
      problem.replace(/^job name/, 'experiment name'),
      'choose a shorter lowercase name (letters, digits, "-"), or leave it out to get a generated one',
      'name',
    );
}

function trialCounts(t: TrialsInput): { max: number; parallel: number; maxFailed?: number } {
  const count = (v: number | undefined, dflt: number | undefined, field: string, min: number): number | undefined => {
    if (v === undefined) return dflt;
    if (!Number.isSafeInteger(v) || v < min || v > INT32_MAX) {
      throw new OptimizerError(
        'invalid_trial_config',
        `trials.${field} must be a whole number >= ${min}, got ${v}`,
        `set trials.${field} to ${min === 0 ? 'zero or more' : 'one or more'}`,
        `trials.${field}`,
      );
    }
    return v;
  };
  const maxFailed = count(t.maxFailed, undefined, 'maxFailed', 0);
  return {
    max: count(t.max, DEFAULT_MAX_TRIALS, 'max', 1)!,
    parallel: count(t.parallel, DEFAULT_PARALLEL_TRIALS, 'parallel', 1)!,
    ...(maxFailed === undefined ? {} : { maxFailed }),
  };
}

function objectiveSpec(o: ObjectiveInput): ObjectiveSpec {
  const metric = o.metric ?? DEFAULT_OBJECTIVE_METRIC;
  const direction = o.direction ?? 'minimize';
  const extra = o.additionalMetrics ?? [];
  for (const [i, m] of [metric, ...extra].entries()) {
    if (typeof m !== 'string' || !METRIC_NAME.test(m)) {
      throw new OptimizerError(
        'invalid_objective',
        `metric name '${String(m)}' cannot be collected: Katib's StdOut collector only reads names made of letters, digits, "_", "-" and "|"`,
        'rename the metric (e.g. "val_loss" instead of "val.loss") and print it as "val_loss=0.123"',
        i === 0 ? 'objective.metric' : `objective.additionalMetrics[${i - 1}]`,
      );
    }
  }
  if (direction !== 'minimize' && direction !== 'maximize') {
    throw new OptimizerError(
      'invalid_objective',
      `direction must be minimize or maximize, got '${String(direction)}'`,
      'use "minimize" (loss) or "maximize" (accuracy)',
      'objective.direction',
    );
  }
  if (extra.includes(metric))
    throw new OptimizerError(
      'invalid_objective',
      `additional metrics repeat the objective metric '${metric}'`,
      'remove it from additionalMetrics',
      'objective.additionalMetrics',
    );
  const dup = extra.find((m, i) => extra.indexOf(m) !== i);
  if (dup !== undefined)
    throw new OptimizerError('invalid_objective', `additional metric '${dup}' is listed twice`, 'remove the duplicate', 'objective.additionalMetrics');
  if (o.goal !== undefined && !(typeof o.goal === 'number' && Number.isFinite(o.goal))) {
    throw new OptimizerError(
      'invalid_objective',
      `goal must be a finite number, got ${String(o.goal)}`,
      'pass the metric value at which to stop, or leave goal out',
      'objective.goal',
    );
  }
  return {
    objectiveMetricName: metric,
    type: direction,
    ...(o.goal === undefined ? {} : { goal: o.goal }),
    ...(extra.length > 0 ? { additionalMetricNames: [...extra] } : {}),
  };
}

/** TrainJob {apiVersion, kind, spec} with the placeholders wired in; Katib names each trial's job. */
function trialSpecFor(
  input: BuildExperimentInput,
  parameters: ParameterSpec[],
): { trialSpec: NonNullable<Experiment['spec']['trialTemplate']>['trialSpec']; notes: string[] } {
  const { trainer, runtime, initializer } = input.trialTemplate;
  const notes: string[] = [];
  let spec: TrainerSpec;
  if (trainer.kind === 'custom') {
    const { kind: _kind, ...custom } = trainer;
    // As the SDK: every parameter becomes a keyword argument whose value Katib substitutes (a string).
    const funcArgs: Record<string, unknown> = { ...(custom.funcArgs ?? {}) };
    for (const p of parameters) funcArgs[p.name] = trialParameterPlaceholder(p.name);
    spec = customTrainer(runtime, { ...custom, funcArgs, substituted: parameters.map((p) => trialParameterPlaceholder(p.name)) });
  } else if (trainer.kind === 'container') {
    const { kind: _kind, ...container } = trainer;
    const used = JSON.stringify([container.command ?? [], container.args ?? [], container.env ?? {}]);
    const env: Record<string, string | number | boolean> = { ...(container.env ?? {}) };
    const injected: string[] = [];
    for (const p of parameters) {
      if (used.includes(trialParameterPlaceholder(p.name))) continue;
      const envName = `${CONTAINER_PARAM_ENV_PREFIX}${p.name.toUpperCase()}`;
      env[envName] = trialParameterPlaceholder(p.name);
      injected.push(envName);
    }
    if (injected.length > 0)
      notes.push(`the container receives ${injected.join(', ')} (parameters its command, args and env do not reference as \${trialParameters.<name>})`);
    spec = containerTrainer(runtime, { ...container, env });
  } else {
    throw new OptimizerError(
      'invalid_argument',
      `unknown trainer kind '${String((trainer as { kind?: unknown }).kind)}'`,
      'use kind "custom" (a Python function) or "container" (an image)',
      'trialTemplate.trainer.kind',
    );
  }
  const job = buildTrainJob({
    name: input.name,
    runtime,
    trainer: spec,
    initializer: initializer ? buildInitializer(initializer) : undefined,
  });
  // Katib requires the template without metadata.name/namespace: it names each trial's TrainJob.
  const trialSpec = { apiVersion: job.apiVersion, kind: job.kind, spec: job.spec };
  checkPlaceholdersFilled(trialSpec, parameters);
  return { trialSpec, notes };
}

/**
 * Katib's webhook rejects a template in which `${trialParameters.<x>}` text remains after the
 * declared parameters are replaced (its regex, on the template's JSON); say so before submitting.
 */
function checkPlaceholdersFilled(trialSpec: object, parameters: ParameterSpec[]): void {
  let text = JSON.stringify(trialSpec);
  for (const p of parameters) text = text.split(trialParameterPlaceholder(p.name)).join('x');
  const left = /\$\{trialParameters\..+?\}/.exec(text);
  if (!left) return;
  throw new OptimizerError(
    'invalid_argument',
    `the trial template contains '${left[0]}', which names no search-space parameter; Katib rejects templates with placeholders it cannot fill`,
    'add that parameter to searchSpace, or write the text differently (e.g. build the string in Python from two parts)',
    'trialTemplate',
  );
}
