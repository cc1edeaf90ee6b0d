/**
 * The REST client as a good citizen of a busy cluster: bounded retries of idempotent reads (429,
 * 5xx, dropped connections) honouring Retry-After and the caller's signal, no retried writes, a
 * total deadline, a User-Agent, a kubeconfig proxy-url, and watches that back off.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeApiError, KubeClient, RESOURCES, USER_AGENT } from '../../src/kube/client.js';
import { loadKubeConnection } from '../../src/kube/connection.js';
import type { RetryPolicy } from '../../src/kube/retry.js';
import { waitForJob } from '../../src/kubeflow/trainer/backends/kubernetes/wait.js';
import { SERVER_VERSION } from '../../src/server/version.js';

const FAST: RetryPolicy = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 5000 };

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A scripted API server; `seen` records each request. */
async function scripted(handler: Handler) {
  const seen: IncomingMessage[] = [];
  const url = await listen(createServer((req, res) => (seen.push(req), handler(req, res, seen.length))));
  return { url, seen };
}

function kubeconfig(server: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-gc-')), 'config');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true, ...extra } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'ns' } }],
      'current-context': 'c',
      users: [{ name: 'u', user: { token: 't' } }],
    }),
  );
  return file;
}

async function clientFor(url: string, retry: RetryPolicy = FAST, timeoutMs?: number): Promise<KubeClient> {
  return new KubeClient(await loadKubeConnection({ kubeconfig: kubeconfig(url) }), undefined, timeoutMs, retry);
}

const json = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const status = (code: number, reason: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: reason });
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } };

describe('retries', () => {
  it('retries an idempotent read after 503, 429 and a reset connection, then succeeds', async () => {
    const s = await scripted((req, res, n) => {
      if (n === 1) return json(res, 503, status(503, 'ServiceUnavailable'));
      if (n === 2) return json(res, 429, status(429, 'TooManyRequests'));
      if (n === 3) return req.socket.destroy();
      json(res, 200, cm);
    });
    const got = await (await clientFor(s.url)).get(RESOURCES.configmaps, 'x', 'ns');
    expect(got.metadata.name).toBe('x');
    expect(s.seen).toHaveLength(4);
  });

  it('is bounded in attempts and gives the last error', async () => {
    const s = await scripted((_req, res) => json(res, 500, status(500, 'InternalError')));
    const err = (await (await clientFor(s.url)).get(RESOURCES.configmaps, 'x', 'ns').catch((e: unknown) => e)) as KubeApiError;
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err.status).toBe(500);
    expect(s.seen).toHaveLength(FAST.attempts);
  });

  it('does not retry what will not change (404, 403)', async () => {
    const s = await scripted((_req, res) => json(res, 404, status(404, 'NotFound')));
    await expect((await clientFor(s.url)).get(RESOURCES.configmaps, 'x', 'ns')).rejects.toMatchObject({ status: 404 });
    expect(s.seen).toHaveLength(1);
  });

  it('honours Retry-After', async () => {
    const s = await scripted((_req, res, n) => (n === 1 ? json(res, 429, status(429, 'TooManyRequests'), { 'Retry-After': '1' }) : json(res, 200, cm)));
    const t0 = Date.now();
    await (await clientFor(s.url)).get(RESOURCES.configmaps, 'x', 'ns');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(s.seen).toHaveLength(2);
  });

  it('gives up at once when Retry-After is beyond the retry budget', async () => {
    const s = await scripted((_req, res) => json(res, 429, status(429, 'TooManyRequests'), { 'Retry-After': '60' }));
    const t0 = Date.now();
    await expect((await clientFor(s.url)).get(RESOURCES.configmaps, 'x', 'ns')).rejects.toMatchObject({ status: 429 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.seen).toHaveLength(1);
  });

  it("stops waiting when the caller's signal aborts", async () => {
    const s = await scripted((_req, res) => json(res, 503, status(503, 'ServiceUnavailable'), { 'Retry-After': '3' }));
    const client = await clientFor(s.url, { ...FAST, budgetMs: 20_000 });
    const t0 = Date.now();
    const err = await client.get(RESOURCES.configmaps, 'x', 'ns', AbortSignal.timeout(200)).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'Aborted', status: 499 });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(s.seen).toHaveLength(1);
  });

  it('never retries a write', async () => {
    const s = await scripted((req, res) => (req.resume(), json(res, 503, status(503, 'ServiceUnavailable'))));
    const client = await clientFor(s.url);
    await expect(client.create(RESOURCES.configmaps, 'ns', cm)).rejects.toMatchObject({ status: 503 });
    await expect(client.mergePatch(RESOURCES.configmaps, 'ns', 'x', {})).rejects.toMatchObject({ status: 503 });
    await expect(client.delete(RESOURCES.configmaps, 'ns', 'x')).rejects.toMatchObject({ status: 503 });
    expect(s.seen.map((r) => r.method)).toEqual(['POST', 'PATCH', 'DELETE']);
  });

  it('retries an access review, a POST that only asks a question', async () => {
    const s = await scripted(
      (req, res, n) => (req.resume(), n === 1 ? json(res, 503, status(503, 'ServiceUnavailable')) : json(res, 201, { status: { allowed: true } })),
    );
    await (await clientFor(s.url)).create(RESOURCES.selfsubjectaccessreviews, undefined, { spec: {} });
    expect(s.seen).toHaveLength(2);
  });
});

describe('timeouts are total', () => {
  it('ends a call whose server keeps trickling bytes past the deadline', async () => {
    const s = await scripted((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"items": [');
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    });
    const client = await clientFor(s.url, { ...FAST, attempts: 1 }, 400);
    const t0 = Date.now();
    const err = await client.list(RESOURCES.configmaps, 'ns').catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'Timeout', status: 504 });
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});

describe('identity on the wire', () => {
  it('sends User-Agent kubeflow-mcp/<version>', async () => {
    const s = await scripted((_req, res) => json(res, 200, cm));
    await (await clientFor(s.url)).get(RESOURCES.configmaps, 'x', 'ns');
    expect(USER_AGENT).toBe(`kubeflow-mcp/${SERVER_VERSION}`);
    expect(s.seen[0]!.headers['user-agent']).toBe(USER_AGENT);
  });
});

/** A loopback HTTP CONNECT proxy (what kubeconfig proxy-url points at); `tunnels` records each target. */
async function connectProxy() {
  const tunnels: string[] = [];
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const up = connect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    socket.on('error', () => up.destroy());
  });
  return { url: await listen(proxy), tunnels };
}

describe('kubeconfig proxy-url', () => {
  it('reaches the API server through the proxy', async () => {
    const api = await scripted((_req, res) => json(res, 200, cm));
    const proxy = await connectProxy();
    const client = new KubeClient(await loadKubeConnection({ kubeconfig: kubeconfig(api.url, { 'proxy-url': proxy.url }) }));
    expect((await client.get(RESOURCES.configmaps, 'x', 'ns')).metadata.name).toBe('x');
    expect(proxy.tunnels).toEqual([new URL(api.url).host]);
    expect(api.seen).toHaveLength(1);
  });

  it('tunnels to an https server with CONNECT', async () => {
    const proxy = await connectProxy();
    // Nothing listens behind the tunnel: the call fails, but only after the proxy was asked.
    const client = new KubeClient(await loadKubeConnection({ kubeconfig: kubeconfig('https://127.0.0.1:1', { 'proxy-url': proxy.url }) }), undefined, 2000);
    await expect(client.get(RESOURCES.configmaps, 'x', 'ns')).rejects.toBeInstanceOf(KubeApiError);
    expect(proxy.tunnels[0]).toBe('127.0.0.1:1');
  });
});

describe('watches back off', () => {
  it('does not spin when the server keeps ending the watch at once', async () => {
    let watches = 0;
    const s = await scripted((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.searchParams.get('watch') === 'true') {
        watches++;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end();
      }
      if (url.pathname.endsWith('/trainjobs/j')) {
        return json(res, 200, {
          apiVersion: 'trainer.kubeflow.org/v1alpha1',
          kind: 'TrainJob',
          metadata: { name: 'j', namespace: 'ns', resourceVersion: '5' },
          spec: { runtimeRef: { name: 'rt' } },
        });
      }
      if (url.pathname.endsWith('/pods')) return json(res, 200, { kind: 'PodList', metadata: { resourceVersion: '5' }, items: [] });
      json(res, 404, status(404, 'NotFound'));
    });
    const res = await waitForJob(await clientFor(s.url), 'ns', 'j', { statuses: ['Complete'], timeoutSeconds: 1.5 });
    expect(res.reached).toBe(false);
    // Two watches (job and pods), each backing off from 125 ms: a handful, not thousands.
    expect(watches).toBeGreaterThanOrEqual(2);
    expect(watches).toBeLessThan(20);
  });
});
