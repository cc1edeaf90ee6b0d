/** Request body parsing and response writing shared by all handlers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, type ApiError } from './errors.js';

const MAX_BODY = 16 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(badRequest('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Decode a request body: JSON for every JSON-ish media type, YAML for application/yaml. */
export function decodeBody(buf: Buffer, contentType: string | undefined): unknown {
  if (buf.length === 0) return undefined;
  const text = buf.toString('utf8');
  const mt = mediaType(contentType);
  try {
    if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml') return parseYaml(text);
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the object provided is unrecognized: couldn't decode request body: ${(e as Error).message}`);
  }
}

/** Writes response heads; every response goes through one of these so it can be recorded. */
export interface Responder {
  head(code: number, headers?: Record<string, string | string[]>): ServerResponse;
}

export function sendJson(r: Responder, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const res = r.head(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers });
  res.end(JSON.stringify(body));
}

export function sendError(r: Responder, err: ApiError): void {
  sendJson(r, err.code, err.status);
}

export function sendText(r: Responder, code: number, text: string): void {
  const res = r.head(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

/** `Warning: 299 - "..."` headers (how the apiserver reports pruned unknown fields). */
export function warningHeaders(warnings: string[]): Record<string, string[]> {
  return warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};
}
