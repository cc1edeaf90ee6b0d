/**
 * What the REST clients (Model Registry, Kubeflow Pipelines) share about a failed exchange: one
 * classification of transport failures and one reading of an error body. Each client turns these
 * into its own CodedError with its own codes and hints.
 */

export type TransportFailure = { kind: 'cancelled' | 'timeout' | 'unreachable'; reason: string };

/** Why fetch threw: the caller gave up, the per-request timeout fired, or the server is unreachable. */
export function transportFailure(err: unknown, caller: AbortSignal | undefined): TransportFailure {
  if (caller?.aborted) return { kind: 'cancelled', reason: 'cancelled' };
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string } | undefined;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { kind: 'timeout', reason: 'timeout' };
  return { kind: 'unreachable', reason: e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err) };
}

/** The message of an error body: the first string among `fields` of its JSON, else its text, cut to `max`. */
export function errorDetail(text: string, fields: readonly string[], max: number): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown> | null;
    const found = fields.map((f) => body?.[f]).find((v): v is string => typeof v === 'string');
    return found ?? '';
  } catch {
    return text.trim().slice(0, max);
  }
}
