/**
 * Errors of the optimizer layer a caller can fix: `{ code, message, hint, field }`, the shape tool
 * handlers already turn into `isError` results (see TrainerError). Problems in the trial's trainer
 * part (script, resources, env) surface as the Trainer layer's WireValidationError.
 */
import { CodedError } from '../errors.js';

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

/** `field` is the dotted path of the offending input, e.g. "searchSpace.lr.step". */
export class OptimizerError extends CodedError<OptimizerErrorCode> {
  override readonly name = 'OptimizerError';
}
