/**
 * Errors of the Trainer layer that a caller can fix. A tool handler turns any `TrainerError` into
 * an `isError` result `{ code, message, hint }` without guessing: `message` says what is wrong,
 * `hint` says what to change so a model (or a person) can fix the call and retry.
 *
 * The wire builders (names, script, resources, initializers, torchtune, runtime, trainjob) throw
 * only `WireValidationError`. The lookup errors below are for the backends.
 */
import { CodedError } from '../errors.js';

export type WireErrorCode =
  | 'invalid_name'
  | 'invalid_argument'
  | 'invalid_python_value'
  | 'invalid_function'
  | 'invalid_packages'
  | 'invalid_resources'
  | 'invalid_env'
  | 'invalid_storage_uri'
  | 'invalid_runtime'
  | 'missing_framework_label'
  | 'runtime_mismatch'
  | 'unsupported_model'
  | 'invalid_torchtune'
  | 'invalid_runtime_patch';

export type TrainerErrorCode = WireErrorCode | 'runtime_not_found' | 'step_not_found' | 'step_pending' | 'probe_failed';

export class TrainerError extends CodedError<TrainerErrorCode> {
  override readonly name: string = 'TrainerError';
}

/** An input the Trainer API (or the SDK before it) would reject; raised before anything is sent. */
export class WireValidationError extends TrainerError {
  override readonly name = 'WireValidationError';
  declare readonly code: WireErrorCode;

  constructor(code: WireErrorCode, message: string, hint: string, field?: string) {
    super(code, message, hint, field);
  }
}

function listOrNone(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : 'none';
}

export class RuntimeNotFoundError extends TrainerError {
  override readonly name = 'RuntimeNotFoundError';

  constructor(
    readonly runtime: string,
    readonly available: readonly string[],
  ) {
    super('runtime_not_found', `runtime '${runtime}' not found`, `use one of: ${listOrNone(available)} (list_runtimes shows details)`, 'runtime');
  }
}

export class StepNotFoundError extends TrainerError {
  override readonly name = 'StepNotFoundError';

  constructor(
    readonly job: string,
    readonly step: string,
    readonly available: readonly string[],
  ) {
    super('step_not_found', `TrainJob '${job}' has no step '${step}'`, `use one of its steps: ${listOrNone(available)}`, 'step');
  }
}

export class StepPendingError extends TrainerError {
  override readonly name = 'StepPendingError';

  constructor(
    readonly job: string,
    readonly step: string,
  ) {
    super(
      'step_pending',
      `step '${step}' of TrainJob '${job}' is still Pending, so it has no logs yet`,
      'wait until the step is Running (wait_for_training), then ask again',
      'step',
    );
  }
}
