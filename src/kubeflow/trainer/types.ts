/**
 * The Trainer v2 API shapes (trainer.kubeflow.org/v1alpha1, v2.3 wire level) and the
 * SDK-equivalent views built from them. See docs/wire/trainer.md.
 */
import type { Condition, Container, EnvVar, KubeObject, ObjectMeta, ResourceRequirements } from '../../kube/types.js';

const TRAINER_GROUP = 'trainer.kubeflow.org';
const TRAINER_VERSION = 'v1alpha1';
export const TRAINER_API_VERSION = `${TRAINER_GROUP}/${TRAINER_VERSION}`;

export type RuntimeKind = 'ClusterTrainingRuntime' | 'TrainingRuntime';
type TrainerType = 'CustomTrainer' | 'BuiltinTrainer';

// ---------------------------------------------------------------------------------------------
// Wire objects

export interface InitializerSpec {
  storageUri?: string;
  env?: EnvVar[];
  secretRef?: { name: string };
}

export interface TrainerSpec {
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  numNodes?: number;
  resourcesPerNode?: ResourceRequirements;
  numProcPerNode?: number;
}

export interface TrainJobSpec {
  runtimeRef: { name: string; kind?: RuntimeKind; apiGroup?: string };
  initializer?: { dataset?: InitializerSpec; model?: InitializerSpec };
  trainer?: TrainerSpec;
  runtimePatches?: Array<{ manager: string; trainingRuntimeSpec?: Record<string, unknown> }>;
  suspend?: boolean;
  activeDeadlineSeconds?: number;
  managedBy?: string;
}

interface TrainJobStatus {
  conditions?: Condition[];
  jobsStatus?: Array<{ name: string; ready?: number; succeeded?: number; failed?: number; active?: number; suspended?: number }>;
  trainerStatus?: {
    progressPercentage?: number;
    estimatedRemainingSeconds?: number;
    metrics?: Array<{ name: string; value: string }>;
    lastUpdatedTime?: string;
  };
}

export interface TrainJob extends KubeObject {
  apiVersion: typeof TRAINER_API_VERSION;
  kind: 'TrainJob';
  metadata: ObjectMeta;
  spec: TrainJobSpec;
  status?: TrainJobStatus;
}

export interface ReplicatedJob {
  name: string;
  replicas?: number;
  dependsOn?: Array<{ name: string; status: string }>;
  template: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: { template: { spec: { containers: Container[]; initContainers?: Container[] } } };
  };
}

export interface TrainingRuntimeObject extends KubeObject {
  apiVersion: typeof TRAINER_API_VERSION;
  kind: RuntimeKind;
  spec: {
    mlPolicy?: {
      numNodes?: number;
      torch?: Record<string, unknown>;
      mpi?: { numProcPerNode?: number; mpiImplementation?: string; sshAuthMountPath?: string; runLauncherAsNode?: boolean };
      [framework: string]: unknown;
    };
    template: { metadata?: ObjectMeta; spec: { replicatedJobs: ReplicatedJob[]; [k: string]: unknown } };
    [k: string]: unknown;
  };
}

// ---------------------------------------------------------------------------------------------
// SDK-equivalent views (what tools present)

interface RuntimeTrainer {
  trainerType: TrainerType;
  /** Value of the trainer.kubeflow.org/framework label (torch, deepspeed, mlx, jax, xgboost, torchtune, ...). */
  framework: string;
  image: string;
  numNodes: number;
  /** gpu | tpu | mig-<profile> | npu | cpu | Unknown */
  device: string;
  deviceCount: string;
  /** Entry-point template: ["tune","run"] for torchtune, else the shape in docs/wire/trainer.md#customtrainer-command with SCRIPT as placeholder. */
  command: string[];
}

export type EntryTemplate = 'torch' | 'mpi' | 'python' | 'torchtune';

/** Which spec.mlPolicy source the runtime sets (decides the controller's reserved env names). */
export type MLPolicyKind = 'torch' | 'mpi' | 'jax' | 'xgboost' | 'flux';

export interface Runtime {
  name: string;
  kind: RuntimeKind;
  trainer: RuntimeTrainer;
  entry: EntryTemplate;
  /** Which initializer replicated jobs the runtime declares. */
  initializers: { dataset: boolean; model: boolean };
  /** STORAGE_URI defaults baked into the runtime's initializer containers, if any. */
  defaultDatasetUri?: string;
  defaultModelUri?: string;
  deprecated: boolean;
  mlPolicy?: MLPolicyKind;
  /** Python `major.minor` of the trainer image, as the runtime's kubeflow-mcp/python-version annotation declares it. */
  pythonVersion?: string;
}

/**
 * Status reported for a TrainJob. Follows SDK 0.5.0 (docs/wire/trainer.md#job-status) with two deliberate differences:
 * `Suspended` is reported while spec.suspend / the Suspended=True condition holds, and a resumed
 * job is `Running`/`Created` from its pods instead of being stuck at `Created`.
 */
export type JobStatus = 'Created' | 'Running' | 'Suspended' | 'Complete' | 'Failed' | 'Unknown';

export interface Step {
  /** dataset-initializer | model-initializer | node-<i> */
  name: string;
  /** Pod phase, or null when unknown. */
  status: string | null;
  podName: string;
  device: string;
  deviceCount: string;
}

export interface TrainJobView {
  name: string;
  namespace: string;
  runtime: { name: string; kind: RuntimeKind };
  status: JobStatus;
  numNodes: number;
  creationTimestamp: string;
  steps: Step[];
  conditions: Condition[];
  trainerStatus?: TrainJobStatus['trainerStatus'];
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}
