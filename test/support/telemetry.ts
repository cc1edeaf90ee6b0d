/**
 * Test doubles for telemetry: a loopback OTLP/HTTP collector (JSON encoding), a Prometheus text
 * parser, and a proxy in front of the test API server that can make chosen requests fail (to make
 * the server retry, and so warn).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FakeKube } from './fake-kube/index.js';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status?: { code?: number; message?: string };
  resource: Record<string, string | number | boolean>;
}

export interface OtlpCollector {
  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  spans: OtlpSpan[];
  /** Every request body as received, to check what never appears in it. */
  bodies: string[];
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };

const flat = (kvs: KeyValue[] = []) =>
  Object.fromEntries(
    kvs.map((kv) => [
      kv.key,
      kv.value.stringValue ?? (kv.value.intValue !== undefined ? Number(kv.value.intValue) : (kv.value.boolValue ?? kv.value.doubleValue ?? '')),
    ]),
  );

/** Accepts OTLP/HTTP JSON trace exports on POST /v1/traces (OTEL_EXPORTER_OTLP_PROTOCOL=http/json). */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: OtlpSpan[] = [];
  const bodies: string[] = [];
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    bodies.push(body);
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
      return void res.writeHead(415, { 'content-type': 'text/plain' }).end('this collector takes OTLP/HTTP JSON traces only\n');
    }
    const doc = JSON.parse(body) as {
      resourceSpans?: Array<{ resource?: { attributes?: KeyValue[] }; scopeSpans?: Array<{ spans?: Array<Record<string, any>> }> }>;
    };
    for (const rs of doc.resourceSpans ?? []) {
      const resource = flat(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          spans.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: s.name,
            kind: s.kind,
            attributes: flat(s.attributes),
            status: s.status,
            resource,
          });
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const url = await listen(server);
  return { endpoint: url, spans, bodies, close: () => close(server) };
}

/** Samples of a Prometheus text exposition: `name{a="b"} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of one sample (0 when absent). */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

export interface FlakyKube {
  /** A kubeconfig file pointing at the proxy. */
  kubeconfig: string;
  /** The next `count` requests whose path ends with `pathSuffix` get a 503 Status carrying `message`. */
  failNext(pathSuffix: string, count: number, message: string): void;
  close(): Promise<void>;
}

/** A pass-through proxy in front of the test API server that answers chosen requests with 503. */
export async function startFlakyKube(kube: FakeKube, namespace: string): Promise<FlakyKube> {
  const target = new URL(kube.url);
  let failing: { suffix: string; left: number; message: string } | undefined;
  const server = createServer((req, res) => {
    const pathOnly = (req.url ?? '/').split('?')[0]!;
    if (failing && failing.left > 0 && pathOnly.endsWith(failing.suffix)) {
      failing.left -= 1;
      const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: failing.message, reason: 'ServiceUnavailable', code: 503 };
      // Retry-After 0: the server retries at once, so the test does not wait for the backoff.
      return void res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end(JSON.stringify(status));
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const url = (await listen(server)).replace(/\/$/, '');
  const dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-flaky-'));
  const kubeconfig = path.join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, kube.kubeconfig({ namespace }).replace(kube.url, url), { mode: 0o600 });
  return {
    kubeconfig,
    failNext: (suffix, count, message) => void (failing = { suffix, left: count, message }),
    close: () => close(server),
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
