/** Plain-HTTP helpers for exercising the fake API server exactly as an external client would. */
import http from 'node:http';
import type { FakeKube } from '../support/fake-kube/index.js';

export interface CallOptions {
  body?: unknown;
  token?: string | null;
  contentType?: string;
  headers?: Record<string, string | string[]>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function call(kube: FakeKube, method: string, path: string, o: CallOptions = {}): Promise<CallResult> {
  const headers = new Headers();
  const token = o.token === undefined ? 'admin-token' : o.token;
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(o.headers ?? {})) for (const x of Array.isArray(v) ? v : [v]) headers.append(k, x);
  let body: string | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers.set('Content-Type', o.contentType ?? 'application/json');
  }
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = body;
  const res = await fetch(`${kube.url}${path}`, init);
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text/plain responses (logs, health) stay strings
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export const TJ_PATH = (ns: string, name = ''): string => `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainjobs${name ? `/${name}` : ''}`;

export function trainJob(name: string, extra: Record<string, any> = {}): any {
  const { labels, spec, ...rest } = extra;
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { runtimeRef: { name: 'torch-distributed' }, ...(spec ?? {}) },
    ...rest,
  };
}

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 4000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An open watch (or log follow) stream: collects lines until closed. */
export interface Stream {
  status: number;
  lines: string[];
  events: any[];
  ended: Promise<void>;
  close(): void;
  waitForLines(n: number, timeoutMs?: number): Promise<string[]>;
}

export function openStream(kube: FakeKube, path: string, token = 'admin-token'): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${kube.url}${path}`, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const lines: string[] = [];
      let buf = '';
      let endResolve!: () => void;
      const ended = new Promise<void>((r) => (endResolve = r));
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      const done = (): void => {
        if (buf) lines.push(buf);
        buf = '';
        endResolve();
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
      const s: Stream = {
        status: res.statusCode ?? 0,
        lines,
        get events() {
          return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
        },
        ended,
        close: () => req.destroy(),
        waitForLines: (n, timeoutMs = 3000) => waitFor(() => (lines.length >= n ? lines : undefined), timeoutMs, `${n} stream lines`),
      };
      resolve(s);
    });
    req.on('error', reject);
  });
}
