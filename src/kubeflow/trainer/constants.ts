/**
 * Wire-level constants of the Kubeflow Trainer v2 API as used by the Python SDK 0.5.0
 * (docs/wire/trainer.md). Strings here are facts of the protocol: changing one changes
 * what we send to, or how we read from, the API server.
 */

type Env = Readonly<Record<string, string | undefined>>;

// ---------------------------------------------------------------------------------------------
// Labels

/** Runtime label naming the ML framework; a client-side convention (the controller ignores it). */
export const LABEL_FRAMEWORK = 'trainer.kubeflow.org/framework';
/** Replicated-job template label telling which TrainJob part (trainer / initializers) it runs. */
export const LABEL_ANCESTOR = 'trainer.kubeflow.org/trainjob-ancestor-step';
/** Runtime label marking deprecation (`deprecated`). */
export const LABEL_SUPPORT = 'trainer.kubeflow.org/support';
export const SUPPORT_DEPRECATED = 'deprecated';

/** Pod labels set by JobSet and batch/v1 Job. */
/**
 * Kueue's queue label: a TrainJob carrying it is admitted by Kueue through that LocalQueue (Kueue
 * keeps it suspended until its Workload is admitted). See docs/wire/trainer.md#kueue.
 */
export const LABEL_QUEUE_NAME = 'kueue.x-k8s.io/queue-name';
export const LABEL_JOBSET_NAME = 'jobset.sigs.k8s.io/jobset-name';
export const LABEL_REPLICATED_JOB_NAME = 'jobset.sigs.k8s.io/replicatedjob-name';
export const LABEL_JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

// ---------------------------------------------------------------------------------------------
// Replicated jobs, ancestor values and container names (the same strings serve all three roles)

export const DATASET_INITIALIZER = 'dataset-initializer';
export const MODEL_INITIALIZER = 'model-initializer';
/** Trainer replicated job and the trainer container name. */
export const NODE = 'node';
/** MPI launcher replicated job (its container is still named `node`). */
export const LAUNCHER = 'launcher';
/** Ancestor-label value of the trainer replicated job. */
export const ANCESTOR_TRAINER = 'trainer';

/** Replicated jobs whose pods are TrainJob steps, in the SDK's selector order. */
export const STEP_REPLICATED_JOBS: readonly string[] = [DATASET_INITIALIZER, MODEL_INITIALIZER, LAUNCHER, NODE];

/**
 * Label selector for the pods of a TrainJob, exactly as the SDK sends it (docs/wire/trainer.md#pod-label-selector). Kept byte-equal so
 * that server logs, audit records and caches line up with SDK clients.
 */
export function podSelector(jobName: string): string {
  return `${LABEL_JOBSET_NAME}=${jobName},${LABEL_REPLICATED_JOB_NAME} in (${STEP_REPLICATED_JOBS.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// Runtimes and trainers

/** The runtime used when none is named; SDK-compatible `DEFAULT_TRAINING_RUNTIME` env override. */
export function defaultTrainingRuntime(env: Env = process.env): string {
  const v = env.DEFAULT_TRAINING_RUNTIME?.trim();
  return v ? v : 'torch-distributed';
}

/** defaultTrainingRuntime() as read at start-up (the SDK also reads the env once, at import). */
export const DEFAULT_RUNTIME = defaultTrainingRuntime();

export const TORCHTUNE_FRAMEWORK = 'torchtune';
export const TORCHTUNE_COMMAND: readonly string[] = ['tune', 'run'];
export const TORCHTUNE_INSTRUCT_DATASET = 'torchtune.datasets.instruct_dataset';

/** Manager of every RuntimePatch the SDK sends (list-map key of spec.runtimePatches). */
export const RUNTIME_PATCH_MANAGER = 'trainer.kubeflow.org/kubeflow-sdk';

/** torchrun env the Torch plugin injects; a numeric value is the per-node process count. */
export const TORCH_ENV_NUM_PROC_PER_NODE = 'PET_NPROC_PER_NODE';

/** Env names the controller owns; a TrainJob setting them in trainer.env is rejected (docs/wire/trainer.md#reserved-env-names). */
export const TORCH_RESERVED_ENV: readonly string[] = ['PET_NNODES', 'PET_NPROC_PER_NODE', 'PET_NODE_RANK', 'PET_MASTER_ADDR', 'PET_MASTER_PORT'];
export const MPI_RESERVED_ENV: readonly string[] = [
  'OMPI_MCA_orte_default_hostfile',
  'OMPI_MCA_plm_rsh_args',
  'OMPI_MCA_orte_keep_fqdn_hostnames',
  'OMPI_MCA_orte_set_default_slots',
];
export const XGBOOST_RESERVED_ENV: readonly string[] = ['DMLC_TRACKER_URI', 'DMLC_TRACKER_PORT', 'DMLC_TASK_ID', 'DMLC_NUM_WORKER'];

/** MPI: hostfile mounted by the MPI plugin, and where CustomTrainer scripts are written. */
export const MPI_HOSTFILE = '/etc/mpi/hostfile';
const DEFAULT_MPI_USER_HOME = '/home/mpiuser';

export function mpiUserHome(env: Env = process.env): string {
  const v = env.DEFAULT_MPI_USER_HOME?.trim();
  return v ? v : DEFAULT_MPI_USER_HOME;
}

// ---------------------------------------------------------------------------------------------
// Python packages

const DEFAULT_PIP_INDEX_URL = 'https://pypi.org/simple';
/** Relative to the container's working directory (or under the MPI home for MPI runtimes). */
export const PIP_INSTALL_LOG = 'pip_install.log';

/**
 * Pip index URLs: SDK-compatible `DEFAULT_PIP_INDEX_URLS` (comma list; first = --index-url).
 * Unlike Python's `split(",")` we trim items and drop empty ones, so "a, b," does not produce a
 * blank `--extra-index-url ''`.
 */
export function defaultPipIndexUrls(env: Env = process.env): string[] {
  const urls = (env.DEFAULT_PIP_INDEX_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  return urls.length > 0 ? urls : [DEFAULT_PIP_INDEX_URL];
}

// ---------------------------------------------------------------------------------------------
// Devices (container resource keys, checked in this order by the SDK)

export const GPU_RESOURCE = 'nvidia.com/gpu';
export const TPU_RESOURCE = 'google.com/tpu';
export const GPU_MIG_PREFIX = 'nvidia.com/mig-';
/** Huawei Ascend NPU; reported as device "npu" (the key's suffix does not name the device type). */
export const NPU_RESOURCE = 'huawei.com/Ascend910';
export const CPU_RESOURCE = 'cpu';
export const UNKNOWN = 'Unknown';

// ---------------------------------------------------------------------------------------------
// Initializers and workspace

export const DATASET_PATH = '/workspace/dataset';
/** HuggingFace/S3 model initializers skip these files unless told otherwise. */
export const MODEL_DEFAULT_IGNORE_PATTERNS: readonly string[] = ['*.msgpack', '*.h5', '*.bin', '*.pt', '*.pth'];

// ---------------------------------------------------------------------------------------------
// Job names

/** Generated names: one random lowercase letter + this many hex chars of a uuid4 (12 chars). */
export const JOB_NAME_UUID_LENGTH = 11;
export const JOB_NAME_MAX_LENGTH = 63;
