/**
 * Prometheus /metrics on the built HTTP server: after a few tool calls the scrape shows them by tool
 * and outcome, with durations, the Kubernetes API requests they made by verb, resource and code,
 * and the rate limit's refusals; it names no user, namespace or credential.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, connectHttp, isolatedEnv, startHttpServer, type Connected, type HttpServerProcess } from '../support/mcp.js';
import { parsePrometheus, sampleValue, type Sample } from '../support/telemetry.js';

const NS = 'team-metrics';
let kube: FakeKube;
let kubeconfig: string;
let srv: HttpServerProcess;
let c: Connected;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', NS], controller: false });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-metrics-')), { namespace: NS });
  srv = await startHttpServer(['--kubeconfig', kubeconfig, '--clients', 'trainer'], isolatedEnv());
  c = await connectHttp(srv.url);
});

afterAll(async () => {
  await c?.close();
  await srv?.stop();
  await kube?.close();
});

async function scrape(url: string): Promise<{ text: string; samples: Sample[]; type: string | null }> {
  const res = await fetch(new URL('/metrics', url));
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, samples: parsePrometheus(text), type: res.headers.get('content-type') };
}

describe('/metrics', () => {
  it('counts tool calls by tool and outcome, with durations and the API requests they made', async () => {
    await call(c, 'list_runtimes');
    await call(c, 'list_runtimes');
    const missing = await call(c, 'get_training_job', { name: 'no-such-job' }, { allowError: true });
    expect(missing.isError).toBe(true);
    const refused = await call(c, 'list_runtimes', { bogus: 1 }, { allowError: true });
    expect(refused.isError).toBe(true);

    const { samples, type } = await scrape(srv.url);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(samples, 'kubeflow_mcp_tool_calls_total', { tool: 'list_runtimes', outcome: 'ok' })).toBe(2);
    expect(sampleValue(samples, 'kubeflow_mcp_tool_calls_total', { tool: 'list_runtimes', outcome: 'refused' })).toBe(1);
    expect(sampleValue(samples, 'kubeflow_mcp_tool_calls_total', { tool: 'get_training_job', outcome: 'error' })).toBe(1);
    expect(sampleValue(samples, 'kubeflow_mcp_tool_call_duration_seconds_count', { tool: 'list_runtimes', outcome: 'ok' })).toBe(2);
    expect(sampleValue(samples, 'kubeflow_mcp_tool_call_duration_seconds_bucket', { tool: 'list_runtimes', outcome: 'ok', le: '+Inf' })).toBe(2);
    // The runtimes were listed from the API server; the missing job was a 404 there.
    expect(
      sampleValue(samples, 'kubeflow_mcp_kube_api_requests_total', { verb: 'list', resource: 'clustertrainingruntimes', code: '200' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'kubeflow_mcp_kube_api_requests_total', { verb: 'get', resource: 'trainjobs', code: '404' })).toBe(1);
    expect(sampleValue(samples, 'kubeflow_mcp_kube_api_request_duration_seconds_count', { verb: 'get', resource: 'trainjobs' })).toBe(1);
    // Every MCP request, by method (semantic conventions' mcp.server.operation.duration).
    expect(sampleValue(samples, 'mcp_server_operation_duration_seconds_count', { mcp_method_name: 'tools/call' })).toBe(4);
    expect(sampleValue(samples, 'mcp_server_operation_duration_seconds_count', { mcp_method_name: 'tools/call', error_type: 'tool_error' })).toBe(2);
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('holds no user, namespace, job name or credential, and needs no MCP authentication', async () => {
    const { text } = await scrape(srv.url);
    const token = /token: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))![1]!;
    for (const secretOrIdentity of [token, NS, 'no-such-job', 'admin', 'fake-kube-user']) expect(text).not.toContain(secretOrIdentity);
    // Labels are drawn from fixed vocabularies (tool names, verbs, resources, codes, phases).
    const labelNames = new Set(parsePrometheus(text).flatMap((s) => Object.keys(s.labels)));
    for (const l of labelNames)
      expect([
        'tool',
        'outcome',
        'verb',
        'resource',
        'code',
        'method',
        'phase',
        'mcp_method_name',
        'error_type',
        'le',
        'version',
        'major',
        'minor',
        'patch',
        'space',
        'kind',
        'type',
      ]).toContain(l);
  });

  it("counts the local backend's jobs by phase", async () => {
    const store = mkdtempSync(path.join(tmpdir(), 'kfmcp-metrics-store-'));
    const local = await startHttpServer(['--backend', 'local', '--store-dir', store], isolatedEnv());
    const lc = await connectHttp(local.url);
    try {
      const code = 'def train():\n    print("loss=0.1")\n';
      const name = (await call<{ job: { name: string } }>(lc, 'run_custom_training', { code, confirmed: true })).data.job.name;
      await call(lc, 'wait_for_training', { name, timeout_seconds: 60 });
      const { samples } = await scrape(local.url);
      expect(sampleValue(samples, 'kubeflow_mcp_local_jobs', { phase: 'Succeeded' })).toBe(1);
      expect(sampleValue(samples, 'kubeflow_mcp_local_jobs')).toBe(1);
    } finally {
      await lc.close();
      await local.stop();
    }
  });

  it('counts requests the rate limit refused', async () => {
    const limited = await startHttpServer(['--kubeconfig', kubeconfig, '--clients', 'trainer', '--rate-limit', '0.001'], isolatedEnv());
    try {
      const post = () =>
        fetch(limited.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        });
      // A burst of one: the first request passes, the next two are refused.
      const statuses = [(await post()).status, (await post()).status, (await post()).status];
      expect(statuses.slice(1)).toEqual([429, 429]);
      const { samples } = await scrape(limited.url);
      expect(sampleValue(samples, 'kubeflow_mcp_rate_limited_total')).toBe(2);
    } finally {
      await limited.stop();
    }
  });
});
