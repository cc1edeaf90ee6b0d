/**
 * Errors of the Model Registry client, in the `{ code, message, hint }` shape tool handlers turn
 * into `isError` results, plus the HTTP status (0 when no answer came back). Built from the
 * registry's `{code, message}` error bodies; messages never carry the token.
 */
import { CodedError } from '../errors.js';

export type HubErrorCode =
  | 'invalid_argument'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'access_check_failed'
  | 'not_found'
  | 'conflict'
  | 'registry_error'
  | 'registry_unreachable'
  | 'registry_timeout'
  | 'invalid_response'
  | 'cancelled';

export class HubError extends CodedError<HubErrorCode> {
  override readonly name = 'HubError';

  constructor(
    code: HubErrorCode,
    message: string,
    hint: string,
    /** HTTP status of the registry's answer; 0 when there was none. */
    readonly status = 0,
    field?: string,
  ) {
    super(code, message, hint, field);
  }

  override toJSON(): { code: HubErrorCode; message: string; hint: string; status: number; field?: string } {
    return { ...super.toJSON(), status: this.status };
  }
}
