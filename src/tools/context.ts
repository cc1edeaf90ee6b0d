/**
 * What a tool handler gets for one call. Nothing here is shared between callers: the server builds
 * a fresh context per call from the caller's identity.
 */
import type { Identity } from '../auth/identity.js';
import type { ModelRegistryClient } from '../kubeflow/hub/client.js';
import type { OptimizerClient } from '../kubeflow/optimizer/client.js';
import type { TrainerBackend } from '../kubeflow/trainer/backend.js';

export interface ProgressReporter {
  /** Sends notifications/progress when the client asked for it (a progressToken); otherwise a no-op. */
  (progress: number, total?: number, message?: string): Promise<void>;
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
  /** The Model Registry; throws a ToolError when none is configured. */
  registry(): ModelRegistryClient;
  /** Who is calling (recorded as the creator of jobs they submit). */
  caller: Identity;
  /** The caller may delete/suspend/resume only jobs it created (data-scientist persona). */
  ownJobsOnly: boolean;
  /** Cancelled when the client cancels the request or disconnects. */
  signal: AbortSignal;
  progress: ProgressReporter;
}
