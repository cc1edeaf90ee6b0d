/**
 * Errors of the Model Registry client, in the `{ code, message, hint }` shape tool handlers turn
 * into `isError` results, plus the HTTP status (0 when no answer came back). Built from the
 * registry's `{code, message}` error bodies; messages never carry the token.
 */

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

export class HubError extends Error {
  override readonly name = 'HubError';

  constructor(
    readonly code: HubErrorCode,
    message: string,
    /** What to change; always actionable. */
    readonly hint: string,
    /** HTTP status of the registry's answer; 0 when there was none. */
    readonly status = 0,
    /** Dotted path of the offending input, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }

  toJSON(): { code: HubErrorCode; message: string; hint: string; status: number; field?: string } {
    return { code: this.code, message: this.message, hint: this.hint, status: this.status, ...(this.field ? { field: this.field } : {}) };
  }
}

export function isHubError(e: unknown): e is HubError {
  return e instanceof HubError;
}
