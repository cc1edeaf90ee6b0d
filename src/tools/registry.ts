/** The single list of tools. Everything that enumerates tools reads it. */
import type { AnyToolSpec, ModuleName } from './contract.js';
import { checkPrerequisites } from './core/check_prerequisites.js';
import { estimateResourcesTool } from './core/estimate_resources.js';
import { getClusterResources } from './core/get_cluster_resources.js';
import { deleteTrainingJob } from './trainer/delete_training_job.js';
import { fineTune } from './trainer/fine_tune.js';
import { getRuntime } from './trainer/get_runtime.js';
import { getRuntimePackages } from './trainer/get_runtime_packages.js';
import { getTrainingEvents } from './trainer/get_training_events.js';
import { getTrainingJob } from './trainer/get_training_job.js';
import { getTrainingLogs } from './trainer/get_training_logs.js';
import { getTrainingMetrics } from './trainer/get_training_metrics.js';
import { listRuntimes } from './trainer/list_runtimes.js';
import { listTrainingJobs } from './trainer/list_training_jobs.js';
import { runContainerTraining } from './trainer/run_container_training.js';
import { runCustomTraining } from './trainer/run_custom_training.js';
import { resumeTrainingJob, suspendTrainingJob } from './trainer/suspend_resume.js';
import { waitForTraining } from './trainer/wait_for_training.js';
import { getBestResults, getOptimizationEvents, getOptimizationJob, getOptimizationLogs, listOptimizationJobs } from './optimizer/discovery.js';
import { deleteOptimizationJob, waitForOptimization } from './optimizer/lifecycle.js';
import { optimize } from './optimizer/optimize.js';
import { getModel, getModelArtifact, getModelVersion, listModels, listModelVersions } from './hub/read.js';
import { registerModel } from './hub/register.js';
import { deleteSpark } from './spark/delete.js';
import { getSparkStatus } from './spark/read.js';
import { createSparkSession } from './spark/session.js';
import { submitSparkJob } from './spark/submit.js';
import { managePipelineRun } from './pipelines/lifecycle.js';
import { getPipeline, listPipelines, uploadPipeline } from './pipelines/pipelines.js';
import { getPipelineRun, listPipelineRuns, runPipeline } from './pipelines/runs.js';

export const ALL_TOOLS: readonly AnyToolSpec[] = [
  // core: always loaded
  getClusterResources,
  estimateResourcesTool,
  checkPrerequisites,
  // trainer
  fineTune,
  runCustomTraining,
  runContainerTraining,
  listTrainingJobs,
  getTrainingJob,
  listRuntimes,
  getRuntime,
  getRuntimePackages,
  getTrainingLogs,
  getTrainingMetrics,
  getTrainingEvents,
  waitForTraining,
  deleteTrainingJob,
  suspendTrainingJob,
  resumeTrainingJob,
  // optimizer (Katib)
  optimize,
  listOptimizationJobs,
  getOptimizationJob,
  getOptimizationLogs,
  getBestResults,
  waitForOptimization,
  deleteOptimizationJob,
  getOptimizationEvents,
  // hub (Model Registry)
  registerModel,
  listModels,
  getModel,
  listModelVersions,
  getModelVersion,
  getModelArtifact,
  // spark (Spark Operator)
  submitSparkJob,
  getSparkStatus,
  createSparkSession,
  deleteSpark,
  // pipelines (Kubeflow Pipelines v2)
  uploadPipeline,
  runPipeline,
  listPipelines,
  getPipeline,
  listPipelineRuns,
  getPipelineRun,
  managePipelineRun,
];

/** Client modules a user can enable with --clients (core is always on). */
export const CLIENT_MODULES: ReadonlyArray<{ name: Exclude<ModuleName, 'core'>; description: string; sdkClient: string }> = [
  { name: 'trainer', description: 'Distributed training and LLM fine-tuning (Kubeflow Trainer v2 TrainJobs)', sdkClient: 'TrainerClient' },
  { name: 'optimizer', description: 'Hyperparameter optimization (Katib v1beta1 Experiments)', sdkClient: 'OptimizerClient' },
  { name: 'hub', description: 'Model Registry: registered models, versions and artifacts (REST v1alpha3)', sdkClient: 'ModelRegistryClient' },
  { name: 'spark', description: 'Spark batch jobs and Spark Connect sessions (Spark Operator SparkApplication / SparkConnect)', sdkClient: 'SparkClient' },
  {
    name: 'pipelines',
    description: 'Kubeflow Pipelines v2: pipelines, versions, experiments, runs, recurring runs (REST v2beta1)',
    sdkClient: 'PipelinesClient',
  },
];

export function toolsForModules(modules: readonly string[]): AnyToolSpec[] {
  return ALL_TOOLS.filter((t) => t.module === 'core' || modules.includes(t.module));
}
