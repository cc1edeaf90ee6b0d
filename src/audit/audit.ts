/**
 * The audit log: one JSON line per tool call, allowed or not (KEP-936 "Audit Logging"). Nothing
 * here ever holds a raw credential: parameters are redacted by value pattern and by key name at any
 * depth, large values are summarised by size and hash, request ids are cleaned. See
 * docs/security.md "Audit log" for the guarantees, including what happens when a write fails.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { serverError } from '../telemetry/serverLog.js';
import { SECRET_REF } from '../kube/secretRef.js';
import { ToolError } from '../tools/contract.js';
import { CREDENTIAL_NAME, redact, redactText } from './secrets.js';

export interface AuditRecord {
  time: string;
  request_id?: string;
  user: string;
  groups: string[];
  auth: string;
  /** The server's own identity when it acted for `user` (impersonation, registry calls). */
  acting_as?: string;
  tool: string;
  namespace?: string;
  parameters: Record<string, unknown>;
  decision: 'allowed' | 'denied';
  reason?: string;
  result: 'ok' | 'error' | 'refused';
  code?: string;
  job?: string;
  duration_ms: number;
}

export interface AuditSink {
  write(record: AuditRecord): void;
  /** Set once a write has failed: from then on calls are refused, since none may run unaudited. */
  failure(): ToolError | undefined;
  close(): Promise<void>;
}

/**
 * '-' writes to stderr, 'off' writes nothing, anything else appends to that file. The file is
 * opened now, so an unwritable path is a start-up error naming it; lines are written
 * synchronously, so a failing write (disk full) is noticed at once, reported once on stderr, and
 * every later call is refused with `audit_unavailable` instead of crashing the server.
 */
export function openAuditLog(target: string): AuditSink {
  if (target === 'off') return { write: () => {}, failure: () => undefined, close: async () => {} };
  let fd: number | undefined;
  if (target !== '-') {
    try {
      fd = openSync(target, 'a', 0o600);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(
        `cannot open the audit log ${target}: ${e.code ?? ''} ${e.message}. Fix the path or its permissions, or choose another target with --audit-log (server.audit_log): a file, '-' for stderr, 'off' for none.`,
      );
    }
  }
  let failed: ToolError | undefined;
  const fail = (err: NodeJS.ErrnoException) => {
    if (failed) return;
    const where = target === '-' ? 'stderr' : target;
    failed = new ToolError(
      'audit_unavailable',
      `The audit log ${where} cannot be written (${err.code ?? err.message}); calls are refused because every call must be audited.`,
      'Ask the operator to fix the audit log (disk space, permissions) and restart the server, or restart it with another --audit-log target.',
    );
    serverError(`audit log ${where} cannot be written: refusing tool calls from now on`, { err: err.code ?? err.message });
  };
  if (fd === undefined) process.stderr.on('error', fail);
  return {
    write(record) {
      if (failed) return;
      const line = auditLine(record);
      try {
        if (fd === undefined) process.stderr.write(line, (err) => err && fail(err));
        else writeSync(fd, line);
      } catch (err) {
        fail(err as NodeJS.ErrnoException);
      }
    },
    failure: () => failed,
    close: async () => {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
      failed ??= new ToolError('audit_unavailable', `The audit log ${target} is closed.`, 'The server is shutting down; call again after it restarts.');
    },
  };
}

/** One line of JSON: no raw newline of any kind, whatever a value holds. */
function auditLine(record: AuditRecord): string {
  const { parameters, request_id, ...rest } = record;
  const clean = {
    audit: true,
    ...redact(rest),
    ...(request_id !== undefined ? { request_id: cleanRequestId(request_id) } : {}),
    parameters: redact(parameters),
  };
  // JSON.stringify escapes \n and \r but not these, which some line readers also split on.
  return `${JSON.stringify(clean).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

const MAX_REQUEST_ID = 128;

/** A request id as sent by a client or gateway: redacted, printable ASCII, bounded. */
function cleanRequestId(id: string): string {
  const text = redactText(id).replace(/[^\x20-\x7e]/g, '?');
  return text.length <= MAX_REQUEST_ID ? text : `${text.slice(0, 64)}…<${id.length} chars, sha256:${hash(text)}>`;
}

const MAX_STRING = 256;
const MAX_KEY = 64;
const MAX_ENTRIES = 32;
const MAX_DEPTH = 6;
const MAX_VALUE_JSON = 512;
const MAX_PARAMETERS_JSON = 4096;
const REDACTED_BY_NAME = '[REDACTED:credential-named value]';

/** The first 12 hex digits of the SHA-256: enough to tell values apart and match them up. */
function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/**
 * Parameters as they are audited. Strings are redacted, then summarised as "<N chars, sha256:…>"
 * beyond 256 characters (the hash is of the redacted text); lists and maps beyond 32 entries or
 * 512 characters of JSON likewise ("<object of N keys, sha256:…>"); nothing deeper than 6 levels
 * is shown.
 * Entries under credential-named keys (HF_TOKEN, awsSecretAccessKey, ...) at any depth are
 * redacted whatever their type, unless they are Secret references. `declared` are the tool's own
 * parameter names, whose values are audited even when the name looks like a credential
 * (model_secret holds a Secret's name).
 */
export function auditParameters(args: Record<string, unknown>, declared: Iterable<string> = []): Record<string, unknown> {
  const own = new Set(declared);
  const entries = Object.entries(args);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, MAX_ENTRIES)) out[auditKey(k)] = own.has(k) ? auditValue(v, 1) : auditEntry(k, v, 1);
  if (entries.length > MAX_ENTRIES) out['<more>'] = `<${entries.length - MAX_ENTRIES} more parameters>`;
  // Still too long together: summarise the largest ones first.
  const sizes = Object.entries(out).map(([k, v]) => [k, (JSON.stringify(v) ?? '').length] as const);
  let total = sizes.reduce((n, [, s]) => n + s, 0);
  for (const [k, size] of sizes.sort((a, b) => b[1] - a[1])) {
    if (total <= MAX_PARAMETERS_JSON) break;
    const json = JSON.stringify(out[k]);
    out[k] = `<${size} chars of JSON, sha256:${hash(json)}>`;
    total -= size - JSON.stringify(out[k]).length;
  }
  return out;
}

function auditEntry(key: string, value: unknown, depth: number): unknown {
  if (CREDENTIAL_NAME.test(key) && !isInert(value)) return REDACTED_BY_NAME;
  return auditValue(value, depth);
}

/** Values a credential-named entry may show: flags, nothing, a Secret reference. */
function isInert(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'boolean' || value === '' || (typeof value === 'string' && SECRET_REF.test(value));
}

function auditKey(key: string): string {
  const text = redactText(key);
  return text.length <= MAX_KEY ? text : `<key of ${key.length} chars, sha256:${hash(text)}>`;
}

function auditValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    const text = redactText(value);
    return text.length <= MAX_STRING ? text : `<${value.length} chars, sha256:${hash(text)}>`;
  }
  if (!value || typeof value !== 'object') return value;
  const isList = Array.isArray(value);
  const kind = isList ? 'array' : 'object';
  if (depth >= MAX_DEPTH) return `<${kind} nested deeper than ${MAX_DEPTH} levels>`;
  const entries: Array<[string | number, unknown]> = isList ? value.map((v, i) => [i, v]) : Object.entries(value);
  const summary = (json: string) => `<${kind} of ${entries.length} ${isList ? 'items' : 'keys'}, sha256:${hash(json)}>`;
  if (entries.length > MAX_ENTRIES) {
    // Not walked entry by entry (one redaction pass over its JSON is far cheaper for 10^5 keys);
    // JSON.stringify gives up on extreme nesting, and then there is nothing sensible to hash.
    try {
      return summary(redactText(JSON.stringify(value)));
    } catch {
      return `<${kind} of ${entries.length} ${isList ? 'items' : 'keys'}, nested too deep to hash>`;
    }
  }
  const clean = isList
    ? entries.map(([, v]) => auditValue(v, depth + 1))
    : Object.fromEntries(entries.map(([k, v]) => [auditKey(k as string), auditEntry(k as string, v, depth + 1)]));
  const json = JSON.stringify(clean);
  return json.length <= MAX_VALUE_JSON ? clean : summary(json);
}
