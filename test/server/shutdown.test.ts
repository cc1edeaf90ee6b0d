/**
 * SIGTERM on the real server process: over HTTP the call in flight finishes and gets its result
 * while new work is refused with 503, then the process exits 0; past the grace period what still
 * runs is cut and the process still exits 0, promptly. Over stdio SIGTERM exits 0 at once.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { BIN, call, connectHttp, isolatedEnv, startHttpServer, type HttpServerProcess } from '../support/mcp.js';

const NS = 'team-s';
let kube: FakeKube;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 20, runSteps: 2 } });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-shutdown-')), { namespace: NS });
  // Jobs never progress: a wait runs exactly its timeout.
  kube.controller.pause();
});

afterAll(async () => {
  kube?.controller.resume();
  await kube?.close();
});

function get(url: string, p: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: p,
        method,
        agent: false,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }) : undefined);
  });
}

function exitOf(srv: HttpServerProcess): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve) => srv.proc.once('exit', (code) => resolve({ code, at: Date.now() })));
}

async function serverWithJob(grace: string): Promise<{ srv: HttpServerProcess; job: string; c: Awaited<ReturnType<typeof connectHttp>> }> {
  const srv = await startHttpServer(
    ['--kubeconfig', kubeconfig, '--persona', 'platform-admin', '--clients', 'trainer', '--shutdown-grace', grace],
    isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' }),
  );
  const c = await connectHttp(srv.url, 'modern');
  const sub = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', confirmed: true });
  return { srv, c, job: sub.data.job.name };
}

describe('SIGTERM over HTTP', () => {
  it('lets the call in flight finish, refuses new work meanwhile, then exits 0', async () => {
    const { srv, c, job } = await serverWithJob('20');
    const exited = exitOf(srv);
    const waiting = c.client.callTool({ name: 'wait_for_training', arguments: { name: job, timeout_seconds: 3 } });
    await new Promise((r) => setTimeout(r, 500));
    srv.proc.kill('SIGTERM');
    // The signal is handled asynchronously: poll until readiness drops (at most 2 s).
    let ready = await get(srv.url, '/readyz');
    for (let i = 0; i < 20 && ready.status === 200; i++) ready = await new Promise((r) => setTimeout(r, 100)).then(() => get(srv.url, '/readyz'));

    expect(ready).toEqual({ status: 503, body: 'shutting down\n' });
    expect((await get(srv.url, '/healthz')).status).toBe(200);
    const refused = await get(srv.url, '/mcp', 'POST');
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: -32000, data: { retryAfterSeconds: 1 } } });
    expect(srv.proc.exitCode).toBeNull();

    const res = (await waiting) as { structuredContent: { outcome: string }; isError?: boolean };
    const doneAt = Date.now();
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent.outcome).toBe('timed_out');
    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - doneAt).toBeLessThan(2000);
    expect(srv.output()).toContain('shutting down: finishing the requests in flight');
  }, 30_000);

  it('cuts what still runs when the grace period is over, and exits 0 promptly', async () => {
    const { srv, c, job } = await serverWithJob('0.5');
    const exited = exitOf(srv);
    const waiting = c.client.callTool({ name: 'wait_for_training', arguments: { name: job, timeout_seconds: 20 } }).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 500));
    const signalledAt = Date.now();
    srv.proc.kill('SIGTERM');
    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(3000);
    expect(await waiting).toBe('cut');
    expect(srv.output()).toContain('shutdown grace over');
  }, 30_000);

  it('exits at once on SIGTERM when nothing is in flight', async () => {
    const srv = await startHttpServer([], isolatedEnv());
    const exited = exitOf(srv);
    const signalledAt = Date.now();
    srv.proc.kill('SIGTERM');
    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(2000);
  });
});

describe('SIGTERM over stdio', () => {
  it('exits 0 while the client still holds stdin open', async () => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--transport', 'stdio', '--backend', 'local', '--clients', 'trainer'], {
      env: isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stdio server did not start:\n${err}`)), 15_000);
      proc.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('serving MCP on stdio')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
