/**
 * Where training runs. The Kubernetes backend speaks the Trainer v2 API; a local backend (processes
 * on this machine) implements the same interface. Tools only talk to this interface.
 */
import type { KubeEvent } from '../../kube/types.js';
import type { Listed, ListingPage } from '../listing.js';
import type { Blocker, LocalQueue } from './blockers.js';
import type { MetricsReader } from './metrics.js';
import type { JobStatus, Runtime, TrainJob, TrainJobView } from './types.js';

/** What to train, independent of where: the TypeScript counterpart of the SDK's trainer classes. */
export type TrainerRequest =
  | {
      kind: 'custom';
      /** Python source defining the entry function (already checked). */
      funcSource: string;
      funcName: string;
      funcArgs?: Record<string, unknown>;
      packages?: string[];
      pipIndexUrls?: string[];
      numNodes?: number;
      resourcesPerNode?: Record<string, string | number>;
      env?: Record<string, string>;
      image?: string;
    }
  | {
      kind: 'container';
      image: string;
      command?: string[];
      args?: string[];
      numNodes?: number;
      resourcesPerNode?: Record<string, string | number>;
      env?: Record<string, string>;
    }
  | {
      kind: 'builtin';
      peftMethod: 'lora' | 'qlora' | 'dora' | 'full';
      epochs?: number;
      batchSize?: number;
      dtype?: 'bf16' | 'fp32';
      loraRank?: number;
      loraAlpha?: number;
      loraDropout?: number;
      /** File format of the dataset for torchtune's instruct_dataset (default parquet). */
      datasetFormat?: 'json' | 'csv' | 'parquet' | 'arrow' | 'text';
      numNodes?: number;
      resourcesPerNode?: Record<string, string | number>;
    };

interface StorageSource {
  /** hf://org/name or s3://bucket/path */
  uri: string;
  /** Kubernetes Secret (same namespace) holding the credentials as env keys (ACCESS_TOKEN, ...). */
  secretName?: string;
}

export interface TrainRequest {
  /**
   * Runtime name; undefined = the SDK's default (DEFAULT_RUNTIME). The tools always name one: the
   * call's, the model's torchtune runtime, or the server's configured default (tools/defaults.ts).
   */
  runtime?: string;
  trainer: TrainerRequest;
  initializer?: { model?: StorageSource; dataset?: StorageSource };
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  activeDeadlineSeconds?: number;
  /** Kueue LocalQueue to submit through (the kueue.x-k8s.io/queue-name label). */
  queue?: string;
}

/** A job built and ready to submit: nothing has been written yet. */
export interface PreparedJob {
  name: string;
  namespace: string;
  runtime: Runtime;
  /** What was asked for (backends that do not submit wire objects run from this). */
  request: TrainRequest;
  /** The TrainJob that would be submitted (on Kubernetes, exactly what is sent). */
  object: TrainJob;
}

export interface SubmitResult extends PreparedJob {
  /** The object as the backend accepted it (the dry-run answer when dryRun). */
  accepted: TrainJob;
  dryRun: boolean;
}

export interface RuntimeListing {
  runtimes: Runtime[];
  /** Runtimes that could not be used, with why (e.g. no framework label). */
  skipped: Array<{ name: string; reason: string }>;
  /** Partial-answer notes (e.g. no permission to list namespaced runtimes). */
  notes: string[];
}

/** One row of a listing: what list_training_jobs shows, derived exactly as the job's view is. */
export interface JobSummary extends Listed {
  status: JobStatus;
  runtime: string;
  numNodes: number;
}

/** One page of a namespace-wide listing (newest first), with counts over the whole namespace. */
export type JobPage = Omit<ListingPage<JobSummary>, 'items'> & { jobs: JobSummary[] };

export interface ListJobsOptions {
  labelSelector?: string;
  status?: JobStatus;
  runtime?: string;
  /** Rows per page (default 50). */
  limit?: number;
  /** The cursor of the previous page (opaque). */
  continue?: string;
  signal?: AbortSignal;
}

export interface LogResult {
  step: string;
  pod: string;
  container: string;
  lines: string[];
  /** More lines exist before the first one returned. */
  truncated: boolean;
}

export interface WaitResult {
  job: TrainJobView;
  /** True when the job reached one of the awaited statuses. */
  reached: boolean;
  waitedSeconds: number;
  /** The job was deleted while waited on; `job` is the last state seen. */
  deleted?: { by?: string };
}

export interface NodeSummary {
  name: string;
  ready: boolean;
  schedulable: boolean;
  cpu: { allocatable: number; requested: number };
  memoryGiB: { allocatable: number; requested: number };
  gpus: Array<{ resource: string; product?: string; memoryGb?: number; allocatable: number; requested: number }>;
}

export interface QuotaLine {
  quota: string;
  resource: string;
  hard: string;
  used: string;
}

export interface ClusterResources {
  backend: string;
  nodes: NodeSummary[];
  /** ResourceQuota lines of the namespace, when readable. */
  quota: QuotaLine[];
  notes: string[];
}

export interface TrainerBackend {
  readonly kind: 'kubernetes' | 'local';
  /** Who validates a write without effect (dry-run), as previews name it: "the API server". */
  readonly validatedBy: string;
  /** Whether it runs built-in (TorchTune) fine-tuning on runtimes matched to the model. */
  readonly builtinTrainers: boolean;
  /** One line: where jobs run (server URL and context, or "this machine"). */
  describe(): string;
  defaultNamespace(): string;

  listRuntimes(namespace: string, signal?: AbortSignal): Promise<RuntimeListing>;
  getRuntime(namespace: string, name: string, signal?: AbortSignal): Promise<Runtime>;
  /** The raw runtime object, for get_runtime's details. */
  getRuntimeObject(namespace: string, name: string, signal?: AbortSignal): Promise<unknown>;

  /** Resolves the runtime and builds the job; writes nothing. */
  prepare(namespace: string, request: TrainRequest, signal?: AbortSignal): Promise<PreparedJob>;
  /** Submits a prepared job; with dryRun the backend validates it fully (server-side) and keeps nothing. */
  submit(job: PreparedJob, opts: { dryRun: boolean; signal?: AbortSignal }): Promise<SubmitResult>;
  /** A page of the namespace's jobs, newest first; order, filters and counts hold over the whole namespace. */
  listJobs(namespace: string, opts: ListJobsOptions): Promise<JobPage>;
  getJob(namespace: string, name: string, signal?: AbortSignal): Promise<TrainJobView>;
  /** The job's view and what keeps it from running or finishing (nothing once it is Complete). */
  diagnose(namespace: string, name: string, signal?: AbortSignal): Promise<{ job: TrainJobView; blockers: Blocker[] }>;
  /** The TrainJob object itself (where the backend has one). */
  getJobObject?(namespace: string, name: string, signal?: AbortSignal): Promise<TrainJob>;
  logs(
    namespace: string,
    name: string,
    opts: { step: string; tail: number; sinceSeconds?: number; followSeconds?: number; signal?: AbortSignal },
  ): Promise<LogResult>;
  /**
   * Feeds every line of a step's log, oldest first, to `reader` as it streams (never holding the
   * log); returns the pod read. The local backend's log keeps head and tail once capped.
   */
  readMetrics(namespace: string, name: string, opts: { step: string; reader: MetricsReader; signal?: AbortSignal }): Promise<{ step: string; pod: string }>;
  events(namespace: string, name: string, signal?: AbortSignal): Promise<KubeEvent[]>;
  waitFor(
    namespace: string,
    name: string,
    opts: { statuses: JobStatus[]; timeoutSeconds: number; signal?: AbortSignal; onChange?: (job: TrainJobView) => void },
  ): Promise<WaitResult>;
  deleteJob(namespace: string, name: string, opts: { dryRun: boolean; signal?: AbortSignal }): Promise<void>;
  setSuspended(namespace: string, name: string, suspend: boolean, opts: { dryRun: boolean; signal?: AbortSignal }): Promise<TrainJobView>;
  runtimePackages(
    namespace: string,
    runtime: string,
    opts: { timeoutSeconds: number; signal?: AbortSignal; onProgress?: (message: string) => void },
  ): Promise<{ runtime: string; /** The temporary job, when one was needed. */ job?: string; output: string[] }>;
  /** One sentence: what runtimePackages would do (what it creates, where, for how long). */
  runtimePackagesPlan(namespace: string, runtime: Runtime, timeoutSeconds: number): string;
  clusterResources(namespace: string, signal?: AbortSignal): Promise<ClusterResources>;
  /** ResourceQuota lines of a namespace (empty when there is none or it cannot be read). */
  quota?(namespace: string, signal?: AbortSignal): Promise<QuotaLine[]>;
  /** A Kueue LocalQueue of the namespace: undefined = it does not exist; throws when Kueue is not served or it cannot be read. */
  localQueue?(namespace: string, name: string, signal?: AbortSignal): Promise<LocalQueue | undefined>;
  /** SelfSubjectAccessReview; undefined when the answer cannot be had. */
  canI(namespace: string, verb: string, resource: string, group: string, signal?: AbortSignal): Promise<{ allowed: boolean; reason?: string } | undefined>;
}
