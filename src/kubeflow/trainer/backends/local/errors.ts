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
  | 'invalid_env';

export class LocalBackendError extends CodedError<LocalErrorCode> {
  override readonly name = 'LocalBackendError';
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
