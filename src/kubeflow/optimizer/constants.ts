/**
 * Wire-level constants of Katib v1beta1 as Kubeflow SDK 0.5.0 and Katib v0.19 use them
 * (docs/wire/optimizer.md). Changing one changes what we send or how we read.
 */

const KATIB_GROUP = 'kubeflow.org';
const KATIB_VERSION = 'v1beta1';
export const KATIB_API_VERSION = `${KATIB_GROUP}/${KATIB_VERSION}`;

/** Label Katib puts on every Trial of an Experiment. */
export const LABEL_EXPERIMENT = 'katib.kubeflow.org/experiment';

/** Sidecar Katib injects into the primary pod; the SDK reads trial logs from it. */
export const METRICS_COLLECTOR_CONTAINER = 'metrics-logger-and-collector';
/** The TrainJob trainer container (the SDK's primaryContainerName). */
export const PRIMARY_CONTAINER = 'node';
/** Namespace label that lets Katib inject the metrics collector sidecar. */
export const LABEL_METRICS_COLLECTOR_INJECTION = 'katib.kubeflow.org/metrics-collector-injection';

/** Katib substitutes this in the trial template with the trial's value of `name`. */
export function trialParameterPlaceholder(name: string): string {
  return `\${trialParameters.${name}}`;
}

/** Algorithms the shipped katib-config serves for hyperparameter search (NAS/PBT left out). */
export const ALGORITHM_NAMES = ['random', 'grid', 'tpe', 'multivariate-tpe', 'bayesianoptimization', 'cmaes', 'sobol', 'hyperband'] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];
/** The SDK's algorithm when none is given (RandomSearch). */
export const DEFAULT_ALGORITHM: AlgorithmName = 'random';

/** SDK defaults: Objective() minimises `loss`; TrialConfig() runs 10 trials one at a time. */
export const DEFAULT_OBJECTIVE_METRIC = 'loss';
export const DEFAULT_MAX_TRIALS = 10;
export const DEFAULT_PARALLEL_TRIALS = 1;

/** Katib's experiment webhook refuses longer names (trial names add 9 characters). */
export const EXPERIMENT_NAME_MAX_LENGTH = 40;

/**
 * Container trainers receive parameters they do not reference themselves as env vars with this
 * prefix (the convention of Trainer's upcoming OptimizationJob).
 */
export const CONTAINER_PARAM_ENV_PREFIX = 'KUBEFLOW_TRAINER_OPT_';

export const INT32_MAX = 2 ** 31 - 1;
