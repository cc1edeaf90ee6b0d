/**
 * Katib v1beta1 shapes (Experiment, Trial, Suggestion; fields we send or read, as in Katib's
 * swagger) and the views the OptimizerClient returns. See docs/wire/optimizer.md.
 */
import type { KubeObject, ObjectMeta } from '../../kube/types.js';
import type { TrainJobSpec } from '../trainer/types.js';
import type { KATIB_API_VERSION } from './constants.js';

// ---------------------------------------------------------------------------------------------
// Wire objects

type ParameterType = 'double' | 'int' | 'discrete' | 'categorical';
type Distribution = 'uniform' | 'logUniform' | 'normal' | 'logNormal';

interface FeasibleSpace {
  min?: string;
  max?: string;
  list?: string[];
  step?: string;
  distribution?: Distribution;
}

export interface ParameterSpec {
  name: string;
  parameterType: ParameterType;
  feasibleSpace: FeasibleSpace;
}

export interface ObjectiveSpec {
  type: 'minimize' | 'maximize';
  objectiveMetricName: string;
  goal?: number;
  additionalMetricNames?: string[];
  metricStrategies?: Array<{ name: string; value: 'min' | 'max' | 'latest' }>;
}

export interface AlgorithmSpec {
  algorithmName: string;
  algorithmSettings?: Array<{ name: string; value: string }>;
}

interface TrialTemplate {
  retain?: boolean;
  primaryContainerName?: string;
  primaryPodLabels?: Record<string, string>;
  successCondition?: string;
  failureCondition?: string;
  trialParameters?: Array<{ name: string; reference: string; description?: string }>;
  trialSpec?: { apiVersion: string; kind: string; spec: TrainJobSpec | Record<string, unknown>; metadata?: ObjectMeta };
  configMap?: { configMapName?: string; configMapNamespace?: string; templatePath?: string };
}

interface ExperimentSpec {
  trialTemplate?: TrialTemplate;
  parameters?: ParameterSpec[];
  maxTrialCount?: number;
  parallelTrialCount?: number;
  maxFailedTrialCount?: number;
  objective?: ObjectiveSpec;
  algorithm?: AlgorithmSpec;
  resumePolicy?: string;
  metricsCollectorSpec?: Record<string, unknown>;
}

export interface KatibCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface Metric {
  name: string;
  min?: string;
  max?: string;
  latest?: string;
}

interface ExperimentStatus {
  startTime?: string;
  completionTime?: string;
  conditions?: KatibCondition[];
  currentOptimalTrial?: {
    bestTrialName?: string;
    parameterAssignments?: Array<{ name?: string; value?: string }>;
    observation?: { metrics?: Metric[] };
  };
  trials?: number;
  trialsSucceeded?: number;
  trialsFailed?: number;
  trialsKilled?: number;
  trialsPending?: number;
  trialsRunning?: number;
  trialsEarlyStopped?: number;
  trialMetricsUnavailable?: number;
}

export interface Experiment extends KubeObject {
  apiVersion: typeof KATIB_API_VERSION;
  kind: 'Experiment';
  metadata: ObjectMeta;
  spec: ExperimentSpec;
  status?: ExperimentStatus;
}

export interface Trial extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    parameterAssignments?: Array<{ name?: string; value?: string }>;
    objective?: ObjectiveSpec;
    runSpec?: Record<string, unknown>;
    primaryContainerName?: string;
  };
  status?: {
    startTime?: string;
    completionTime?: string;
    conditions?: KatibCondition[];
    observation?: { metrics?: Metric[] };
  };
}

export interface Suggestion extends KubeObject {
  status?: { conditions?: KatibCondition[] };
}

// ---------------------------------------------------------------------------------------------
// Views

/** SDK statuses (docs/wire/optimizer.md#experiment-status). */
export type ExperimentState = 'Created' | 'Running' | 'Complete' | 'Failed';
export type TrialState = 'Created' | 'Running' | 'Succeeded' | 'Failed' | 'Killed' | 'MetricsUnavailable' | 'EarlyStopped';

/** A metric as the SDK's Metric: every field present, values as Katib reports them (strings). */
export interface MetricView {
  name: string;
  min: string;
  max: string;
  latest: string;
}

export interface ParameterView {
  name: string;
  type: ParameterType;
  min?: string;
  max?: string;
  step?: string;
  distribution?: string;
  values?: string[];
}

export interface TrialCounts {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
  pending: number;
  killed: number;
  earlyStopped: number;
  metricsUnavailable: number;
}

export interface BestTrial {
  trial: string;
  parameters: Record<string, string>;
  metrics: MetricView[];
}

/** What a listing shows: read from the Experiment alone (counters, no per-trial lookups). */
export interface ExperimentSummary {
  name: string;
  namespace: string;
  status: ExperimentState;
  /** Reason/message of the condition that decided the status, e.g. ExperimentMaxTrialsReached. */
  reason?: string;
  message?: string;
  algorithm: { name: string; settings: Record<string, string> };
  objective: { metric: string; direction: string; goal?: number; additionalMetrics: string[] };
  parameters: ParameterView[];
  maxTrials?: number;
  parallelTrials?: number;
  maxFailedTrials?: number;
  trialCounts: TrialCounts;
  best?: BestTrial;
  creationTimestamp: string;
  completionTime?: string;
  annotations?: Record<string, string>;
}

export interface TrialView {
  name: string;
  status: TrialState;
  reason?: string;
  parameters: Record<string, string>;
  metrics: MetricView[];
  creationTimestamp: string;
  completionTime?: string;
}

export interface ExperimentView extends ExperimentSummary {
  trials: TrialView[];
  /** More trials exist than were read (the view keeps at most MAX_TRIALS_IN_VIEW). */
  trialsTruncated: boolean;
}
