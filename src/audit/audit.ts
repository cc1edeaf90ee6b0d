/**
 * The audit log: one JSON line per tool call, allowed or not (KEP-936 "Audit Logging"). Parameters
 * are redacted before they are written; nothing here ever holds a raw credential.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { redact } from './secrets.js';

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
  close(): Promise<void>;
}

/** '-' writes to stderr, 'off' writes nothing, anything else appends to that file. */
export function openAuditLog(target: string): AuditSink {
  if (target === 'off') return { write: () => {}, close: async () => {} };
  const stream: WriteStream | NodeJS.WriteStream = target === '-' ? process.stderr : createWriteStream(target, { flags: 'a', mode: 0o600 });
  return {
    write(record) {
      stream.write(`${JSON.stringify({ audit: true, ...record, parameters: redact(record.parameters) })}\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (stream === process.stderr) return resolve();
        (stream as WriteStream).end(() => resolve());
      }),
  };
}

/** Parameters worth auditing: everything except bulky source code, which is summarised. */
export function auditParameters(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    out[k] = typeof v === 'string' && v.length > 500 ? `<${v.length} chars>` : v;
  }
  return out;
}
