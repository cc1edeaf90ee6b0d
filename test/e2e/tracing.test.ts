/**
 * OpenTelemetry traces from the built server, received by a loopback OTLP/HTTP collector: a tool
 * call is a SERVER span continuing the client's trace (params._meta traceparent), with the tool run
 * and the Kubernetes API calls it made as children, the caller named, and no credential anywhere.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { connectStdio, isolatedEnv, type Era } from '../support/mcp.js';
import { startOtlpCollector, type OtlpCollector, type OtlpSpan } from '../support/telemetry.js';

const NS = 'team-traces';
let kube: FakeKube;
let kubeconfig: string;
let collector: OtlpCollector;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', NS], controller: false });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-traces-')), { namespace: NS });
  collector = await startOtlpCollector();
});

afterAll(async () => {
  await collector?.close();
  await kube?.close();
});

const otlpEnv = () =>
  isolatedEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
  });

/** Calls list_runtimes inside a client trace, closes the server (which flushes) and returns that trace's spans. */
async function tracedCall(era: Era): Promise<{ spans: OtlpSpan[]; traceId: string; clientSpanId: string }> {
  const traceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');
  const c = await connectStdio(['--kubeconfig', kubeconfig, '--clients', 'trainer'], otlpEnv(), era);
  const res = await c.client.callTool({ name: 'list_runtimes', arguments: {}, _meta: { traceparent: `00-${traceId}-${clientSpanId}-01` } });
  expect(res.isError).toBeFalsy();
  await c.close();
  // Closing stdin stops the server, which flushes its spans before exiting.
  const deadline = Date.now() + 10_000;
  while (!collector.spans.some((s) => s.traceId === traceId && s.kind === 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { spans: collector.spans.filter((s) => s.traceId === traceId), traceId, clientSpanId };
}

describe.each<Era>(['modern', 'legacy'])('OTLP traces (%s era)', (era) => {
  it('exports the tool call, its tool run and its Kubernetes API calls as one trace under the client span', async () => {
    const { spans, clientSpanId } = await tracedCall(era);
    const request = spans.find((s) => s.name === 'tools/call list_runtimes');
    expect(request, `spans: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
    expect(request!.kind).toBe(2); // SERVER
    expect(request!.parentSpanId).toBe(clientSpanId);
    expect(request!.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'list_runtimes',
      'gen_ai.operation.name': 'execute_tool',
      'network.transport': 'pipe',
      'mcp.protocol.version': era === 'modern' ? '2026-07-28' : '2025-11-25',
    });
    expect(request!.attributes['jsonrpc.request.id']).toBeDefined();
    // The caller: the kubeconfig's user, as the API server reported it (SelfSubjectReview).
    expect(typeof request!.attributes['enduser.id']).toBe('string');
    expect(request!.attributes['kubeflow_mcp.auth.source']).toBe('kubeconfig');

    const run = spans.find((s) => s.name === 'execute_tool list_runtimes')!;
    expect(run.kind).toBe(1); // INTERNAL
    expect(run.parentSpanId).toBe(request!.spanId);
    expect(run.attributes).toMatchObject({
      'gen_ai.tool.name': 'list_runtimes',
      'kubeflow_mcp.tool.outcome': 'ok',
      'enduser.id': request!.attributes['enduser.id'],
    });

    const kubeCalls = spans.filter((s) => s.parentSpanId === run.spanId && s.kind === 3); // CLIENT
    expect(kubeCalls.map((s) => s.name)).toContain('kube list clustertrainingruntimes');
    const list = kubeCalls.find((s) => s.name === 'kube list clustertrainingruntimes')!;
    expect(list.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.path': '/apis/trainer.kubeflow.org/v1alpha1/clustertrainingruntimes',
      'server.address': '127.0.0.1',
    });
    expect(list.resource).toMatchObject({ 'service.name': 'kubeflow-mcp', 'deployment.environment.name': 'test' });
  });
});

describe('what traces never carry', () => {
  it('has no credential, header or process command line in any export', () => {
    const all = collector.bodies.join('\n');
    expect(all.length).toBeGreaterThan(0);
    const token = /token: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))![1]!;
    expect(all).not.toContain(token);
    expect(all).not.toMatch(/authorization|bearer/i);
    expect(all).not.toContain('process.command_args');
  });

  it('marks a failed tool call as an error with the tool_error type and its code', async () => {
    const c = await connectStdio(['--kubeconfig', kubeconfig, '--clients', 'trainer'], otlpEnv());
    const traceId = randomBytes(16).toString('hex');
    const res = await c.client.callTool({
      name: 'get_training_job',
      arguments: { name: 'no-such-job' },
      _meta: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(res.isError).toBe(true);
    await c.close();
    const deadline = Date.now() + 10_000;
    while (!collector.spans.some((s) => s.traceId === traceId && s.kind === 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const spans = collector.spans.filter((s) => s.traceId === traceId);
    const request = spans.find((s) => s.kind === 2)!;
    expect(request.attributes['error.type']).toBe('tool_error');
    expect(request.status?.code).toBe(2); // ERROR
    const run = spans.find((s) => s.name === 'execute_tool get_training_job')!;
    expect(run.attributes).toMatchObject({ 'error.type': 'tool_error', 'kubeflow_mcp.error.code': expect.any(String) });
    const get = spans.find((s) => s.name === 'kube get trainjobs')!;
    expect(get.attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': '404', 'k8s.namespace.name': NS });
  });
});
