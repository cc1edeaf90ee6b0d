/**
 * The documents of the job store (one directory per job, see store.ts). status.json is small and
 * holds everything a TrainJobView needs, so listing and reading jobs never load the spec (which
 * carries the whole function source).
 */
import type { Condition } from '../../../../kube/types.js';
import type { PreparedJob } from '../../backend.js';
import type { JobStatus, RuntimeKind } from '../../types.js';

/** spec.json: what was submitted, written once. */
export interface StoredJob extends PreparedJob {
  uid: string;
  /** FIFO position among queued jobs (survives restarts). */
  seq: number;
  createdAt: string;
}

/**
 * Where a job is in its life. Queued: waiting for a slot (a queued job whose run/ directory
 * exists has been claimed and is being started). Running: a process exists (it may be installing
 * packages first). Suspension is a separate flag, as spec.suspend is on Kubernetes: a queued job
 * can be suspended too.
 */
type LocalPhase = 'Queued' | 'Running' | 'Succeeded' | 'Failed';

export interface ProcessRef {
  /** Pid of the job wrapper, which leads the job's process group (pgid = pid). */
  pid: number;
  /** OS start time of that pid, to tell it from a later process that reuses the number. */
  startToken: string;
  startedAt: string;
  /** The job's cgroup (cgroups.ts), where this machine allows one. */
  cgroup?: string;
  /** The server that started it: "re-attached" is said only when that server is gone. */
  server?: { pid: number; startToken: string };
}

/** exit.json, written atomically by the wrapper when the job's last step ends. */
export interface ExitRecord {
  /** venv | install | run | wrapper */
  stage: string;
  exitCode: number | null;
  signal: string | null;
  finishedAt: string;
  error?: string;
}

interface HistoryEntry {
  time: string;
  status: JobStatus;
  detail?: string;
}

/** status.json */
export interface JobRecord {
  version: 1;
  uid: string;
  name: string;
  namespace: string;
  runtime: { name: string; kind: RuntimeKind };
  trainerKind: 'custom' | 'container';
  numNodes: number;
  device: string;
  deviceCount: string;
  labels: Record<string, string>;
  /** metadata.annotations as submitted (kubeflow-mcp/created-by: the owner). */
  annotations?: Record<string, string>;
  /** resourcesPerNode limits, for the "requested" column of get_cluster_resources. */
  resources?: Record<string, string | number>;
  createdAt: string;
  seq: number;
  phase: LocalPhase;
  suspended: boolean;
  activeDeadlineSeconds?: number;
  /** When the deadline clock started: the latest start or resume. */
  activeSince?: string;
  process?: ProcessRef;
  /** Set before the backend itself stops the job, so the outcome names the real cause. */
  stopping?: { reason: string; message: string };
  exit?: ExitRecord;
  finishedAt?: string;
  conditions: Condition[];
  history: HistoryEntry[];
}

export const MAX_HISTORY = 50;
