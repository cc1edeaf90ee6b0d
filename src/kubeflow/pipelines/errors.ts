/**
 * Errors of the Kubeflow Pipelines client, in the `{ code, message, hint }` shape tool handlers
 * turn into `isError` results, plus the HTTP status (0 when no answer came back). Built from the
 * API server's google.rpc.Status bodies (or the upload handler's `error_message`); messages never
 * carry the token.
 */
import { CodedError } from '../errors.js';

export type PipelinesErrorCode =
  | 'invalid_argument'
  | 'invalid_package'
  | 'invalid_parameters'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'access_check_failed'
  | 'not_found'
  | 'ambiguous_name'
  | 'conflict'
  | 'wrong_state'
  | 'pipelines_error'
  | 'pipelines_unreachable'
  | 'pipelines_timeout'
  | 'invalid_response'
  | 'cancelled';

export class PipelinesError extends CodedError<PipelinesErrorCode> {
  override readonly name = 'PipelinesError';

  constructor(
    code: PipelinesErrorCode,
    message: string,
    hint: string,
    /** HTTP status of the API server's answer; 0 when there was none. */
    readonly status = 0,
    field?: string,
  ) {
    super(code, message, hint, field);
  }

  override toJSON(): { code: PipelinesErrorCode; message: string; hint: string; status: number; field?: string } {
    return { ...super.toJSON(), status: this.status };
  }
}
