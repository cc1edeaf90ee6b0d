/**
 * The server's own warnings: written to the stderr log and, when they happen while an MCP request
 * is being handled, also sent to that request's client as an MCP `notifications/message` (the
 * logging capability). The SDK applies the client's threshold: `logging/setLevel` on 2025-11-25
 * connections, the request's `io.modelcontextprotocol/logLevel` _meta on 2026-07-28 requests.
 *
 * Both copies are redacted (src/audit/secrets.ts): a warning may quote an API server's message.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggingLevel } from '@modelcontextprotocol/server';
import { redact, redactText } from '../audit/secrets.js';
import { log } from '../log.js';

export const LOGGER_NAME = 'kubeflow-mcp';

type Send = (level: LoggingLevel, data: Record<string, unknown>) => Promise<void>;
interface Slot {
  send: Send;
  /** False once the request has been answered: background work it started must not write to it. */
  open: boolean;
}

const requests = new AsyncLocalStorage<Slot>();

/** Runs one MCP request's handler so that warnings raised inside it reach its client through `send`. */
export async function withClientLog<T>(send: Send, fn: () => Promise<T>): Promise<T> {
  const slot: Slot = { send, open: true };
  try {
    return await requests.run(slot, fn);
  } finally {
    slot.open = false;
  }
}

export function serverWarning(message: string, fields: Record<string, unknown> = {}): void {
  emit('warning', message, fields);
}

export function serverError(message: string, fields: Record<string, unknown> = {}): void {
  emit('error', message, fields);
}

function emit(level: 'warning' | 'error', message: string, fields: Record<string, unknown>): void {
  const safe = redact(fields);
  const text = redactText(message);
  if (level === 'error') log.error(safe, text);
  else log.warn(safe, text);
  const slot = requests.getStore();
  if (!slot?.open) return;
  // A client that went away cannot be told; the stderr copy remains.
  slot.send(level, { message: text, ...safe }).catch(() => undefined);
}
