/**
 * Errors of the optimizer layer a caller can fix: `{ code, message, hint, field }`, the shape tool
 * handlers already turn into `isError` results (see TrainerError). Problems in the trial's trainer
 * part (script, resources, env) surface as the Trainer layer's WireValidationError.
 */

export type OptimizerErrorCode =
  | 'invalid_name'
  | 'invalid_argument'
  | 'invalid_search_space'
  | 'invalid_objective'
  | 'invalid_algorithm'
  | 'incompatible_algorithm'
  | 'grid_needs_step'
  | 'invalid_trial_config'
  | 'namespace_not_enabled'
  | 'trial_not_found'
  | 'no_trials'
  | 'trial_pod_not_found'
  | 'trial_pod_pending';

export class OptimizerError extends Error {
  override readonly name = 'OptimizerError';

  constructor(
    readonly code: OptimizerErrorCode,
    message: string,
    /** What to change; always actionable. */
    readonly hint: string,
    /** Dotted path of the offending input, e.g. "searchSpace.lr.step". */
    readonly field?: string,
  ) {
    super(message);
  }

  toJSON(): { code: OptimizerErrorCode; message: string; hint: string; field?: string } {
    return { code: this.code, message: this.message, hint: this.hint, ...(this.field ? { field: this.field } : {}) };
  }
}

export function isOptimizerError(e: unknown): e is OptimizerError {
  return e instanceof OptimizerError;
}
