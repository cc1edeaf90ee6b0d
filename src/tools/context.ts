/**
 * What a tool handler gets for one call. Nothing here is shared between callers: the server builds
 * a fresh context per call from the caller's identity.
 */
import type { Identity } from '../auth/identity.js';
import type { ModelRegistryClient } from '../kubeflow/hub/client.js';
import type { OptimizerClient } from '../kubeflow/optimizer/client.js';
import type { PipelinesClient } from '../kubeflow/pipelines/client.js';
import type { SparkClient } from '../kubeflow/spark/client.js';
import type { TrainerBackend } from '../kubeflow/trainer/backend.js';
import type { CallDefaults } from './defaults.js';

export interface ProgressReporter {
  /**
   * Sends notifications/progress when the client asked for it (a progressToken); otherwise a no-op.
   * `progress` counts toward `total` when the tool has one (trials finished of max trials, percent
   * of 100); undefined means "still working, nothing new to count" (a heartbeat). The values sent
   * only increase, whatever the tool passes (see monotonicProgress).
   */
  (progress: number | undefined, total?: number, message?: string): Promise<void>;
}

/** The next value after `last`: a small step, kept to three decimals so the numbers stay readable. */
function stepPast(last: number): number {
  const next = Math.round((last + PROGRESS_STEP) * 1000) / 1000;
  return next > last ? next : last + Math.abs(last) * Number.EPSILON * 2;
}

/** How often a wait says it is still waiting. */
const HEARTBEAT_MS = 5000;

/**
 * Runs a wait with a heartbeat ("waiting for x: 15s") every few seconds: it keeps the client's
 * request alive and the user informed while nothing changes.
 */
export async function withHeartbeat<T>(ctx: Pick<ToolContext, 'progress'>, name: string, wait: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const heartbeat = setInterval(
    () => void ctx.progress(undefined, undefined, `waiting for ${name}: ${Math.round((Date.now() - started) / 1000)}s`),
    HEARTBEAT_MS,
  );
  try {
    return await wait();
  } finally {
    clearInterval(heartbeat);
  }
}

/** What a progress notification carries. */
export interface ProgressValue {
  progress: number;
  total?: number;
  message?: string;
}

/** How far a heartbeat, or a value that did not grow, moves past the last value sent. */
const PROGRESS_STEP = 0.001;

/**
 * The one progress helper: turns whatever a tool reports into values that strictly increase, as
 * MCP requires. A value at or below the last one sent (a heartbeat, a repeated count) is nudged a
 * small step past it; a total the value has passed is left out rather than contradicted.
 */
export function monotonicProgress(send: (value: ProgressValue) => Promise<void>): ProgressReporter {
  let last: number | undefined;
  let lastTotal: number | undefined;
  return (progress, total, message) => {
    const wanted = progress !== undefined && Number.isFinite(progress) ? progress : undefined;
    const value = last === undefined ? (wanted ?? 0) : wanted !== undefined && wanted > last ? wanted : stepPast(last);
    last = value;
    // A heartbeat keeps the total of the last real report.
    if (progress !== undefined) lastTotal = total !== undefined && Number.isFinite(total) ? total : undefined;
    const shownTotal = lastTotal !== undefined && value <= lastTotal ? lastTotal : undefined;
    return send({ progress: value, ...(shownTotal !== undefined ? { total: shownTotal } : {}), ...(message ? { message } : {}) });
  };
}

export interface ToolContext {
  /**
   * The namespace this call acts in: the `namespace` argument, else the server's default. Reading
   * it enforces the namespace policy (throws ToolError namespace_not_allowed).
   */
  readonly namespace: string;
  /** The training backend acting as the caller. Throws a ToolError when no cluster is configured. */
  backend(): TrainerBackend;
  /** Katib (hyperparameter optimisation) acting as the caller; throws a ToolError without a cluster. */
  optimizer(): OptimizerClient;
  /** Spark Operator SparkApplications and SparkConnect sessions acting as the caller; throws a ToolError without a cluster. */
  spark(): SparkClient;
  /** The Model Registry; throws a ToolError when none is configured. */
  registry(): ModelRegistryClient;
  /** The KFP API server (acting for the caller: their right is checked first); throws a ToolError when none is configured. */
  pipelines(): PipelinesClient;
  /** Who is calling (recorded as the creator of jobs they submit). */
  caller: Identity;
  /** The caller may delete/suspend/resume only jobs it created (data-scientist persona). */
  ownJobsOnly: boolean;
  /** What the call gets for a runtime or algorithm it leaves out (the server's settings). */
  defaults: CallDefaults;
  /** Cancelled when the client cancels the request or disconnects. */
  signal: AbortSignal;
  progress: ProgressReporter;
}
