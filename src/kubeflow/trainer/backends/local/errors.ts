/**
 * Errors of the local backend. Anything a caller can fix is a `LocalBackendError` carrying a code
 * and an actionable hint (the tools turn every Error with `code` + `hint` into an isError result).
 * "Not found" and "already exists" reuse KubeApiError with the Kubernetes status codes so the tools
 * treat them exactly as on a cluster.
 */
import { KubeApiError } from '../../../../kube/client.js';
import { CodedError } from '../../../errors.js';

export type LocalErrorCode =
  | 'not_supported_locally'
  | 'python_unavailable'
  | 'torch_unavailable'
  | 'venv_unavailable'
  | 'container_engine_unavailable'
  | 'insufficient_gpus'
  | 'queue_full'
  | 'invalid_namespace'
  | 'invalid_label_selector'
  | 'invalid_continue'
  | 'invalid_env'
  | 'store_busy'
  | 'record_damaged';

export class LocalBackendError extends CodedError<LocalErrorCode> {
  override readonly name = 'LocalBackendError';
}

/** A store document that cannot be read; the job is shown as Unknown and can still be deleted. */
export class DamagedRecordError extends LocalBackendError {
  constructor(
    readonly namespace: string,
    readonly jobName: string,
    readonly file: string,
    problem: string,
  ) {
    super(
      'record_damaged',
      `the local job store's record of TrainJob '${jobName}' is damaged: ${file} ${problem}`,
      `delete the job with delete_training_job (it still stops the job's processes and removes it), or repair or remove ${file} by hand`,
    );
  }
}

export function jobNotFound(namespace: string, name: string): KubeApiError {
  return new KubeApiError(`TrainJob '${name}' not found in namespace '${namespace}' on this machine`, 404, 'NotFound', { name, kind: 'trainjobs' });
}

export function jobAlreadyExists(namespace: string, name: string): KubeApiError {
  return new KubeApiError(`TrainJob '${name}' already exists in namespace '${namespace}' on this machine`, 409, 'AlreadyExists', { name, kind: 'trainjobs' });
}

export function cancelled(): KubeApiError {
  return new KubeApiError('request cancelled', 499, 'Aborted');
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}
