/**
 * The one base of the Kubeflow layer's errors a caller can fix: a stable code, a message saying
 * what is wrong, a hint saying what to change, and the offending input's dotted path when there is
 * one. The tools layer maps every CodedError to an isError result by type, keeping all of it.
 */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** What to change; always actionable. */
    readonly hint: string,
    /** Dotted path of the offending input, when there is one (e.g. "resourcesPerNode.gpu"). */
    readonly field?: string,
  ) {
    super(message);
  }

  toJSON(): { code: C; message: string; hint: string; field?: string } {
    return { code: this.code, message: this.message, hint: this.hint, ...(this.field ? { field: this.field } : {}) };
  }
}
