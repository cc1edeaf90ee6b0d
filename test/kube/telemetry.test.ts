/**
 * Outbound telemetry in-process: how a Kubernetes request is named (verb and resource, as the API
 * server's RequestInfo derives them), and the CLIENT spans of Kubernetes and Model Registry calls
 * as a loopback OTLP collector receives them, with no token in them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, RESOURCES } from '../../src/kube/client.js';
import { loadKubeConnection } from '../../src/kube/connection.js';
import { RegistryHttp } from '../../src/kubeflow/hub/http.js';
import { kubeRequestKind, statusLabel } from '../../src/telemetry/outbound.js';
import { inSpan, startTracing, type Tracing } from '../../src/telemetry/tracing.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry/index.js';
import { callTool, inProcess } from '../support/inprocess.js';
import { startOtlpCollector, type OtlpCollector } from '../support/telemetry.js';

const kind = (method: string, p: string) => kubeRequestKind(method, new URL(`https://api.example:6443${p}`));

describe('kubeRequestKind', () => {
  it('derives the verb and resource like the API server', () => {
    expect(kind('GET', '/apis/trainer.kubeflow.org/v1alpha1/namespaces/team-a/trainjobs')).toEqual({
      verb: 'list',
      resource: 'trainjobs',
      namespace: 'team-a',
    });
    expect(kind('GET', '/apis/trainer.kubeflow.org/v1alpha1/namespaces/team-a/trainjobs?watch=true')).toEqual({
      verb: 'watch',
      resource: 'trainjobs',
      namespace: 'team-a',
    });
    expect(kind('GET', '/apis/trainer.kubeflow.org/v1alpha1/namespaces/team-a/trainjobs/job-1')).toEqual({
      verb: 'get',
      resource: 'trainjobs',
      namespace: 'team-a',
    });
    expect(kind('GET', '/api/v1/namespaces/team-a/pods/job-1-node-0/log')).toEqual({ verb: 'get', resource: 'pods/log', namespace: 'team-a' });
    expect(kind('PATCH', '/apis/trainer.kubeflow.org/v1alpha1/namespaces/team-a/trainjobs/job-1')).toMatchObject({ verb: 'patch' });
    expect(kind('DELETE', '/apis/trainer.kubeflow.org/v1alpha1/namespaces/team-a/trainjobs/job-1')).toMatchObject({ verb: 'delete' });
    expect(kind('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).toEqual({ verb: 'create', resource: 'selfsubjectaccessreviews' });
    expect(kind('GET', '/api/v1/namespaces')).toEqual({ verb: 'list', resource: 'namespaces' });
    expect(kind('GET', '/api/v1/namespaces/team-a')).toEqual({ verb: 'get', resource: 'namespaces' });
    expect(kind('GET', '/apis/clustertrainingruntimes')).toEqual({ verb: 'get', resource: 'discovery' });
    expect(kind('GET', '/apis/trainer.kubeflow.org/v1alpha1')).toEqual({ verb: 'get', resource: 'discovery' });
    expect(kind('GET', '/version')).toEqual({ verb: 'get', resource: 'version' });
  });

  it('labels exchanges that got no HTTP status', () => {
    expect([
      statusLabel(0, 'Unreachable'),
      statusLabel(499, 'Aborted'),
      statusLabel(504, 'Timeout'),
      statusLabel(504, 'Unknown'),
      statusLabel(404, 'NotFound'),
    ]).toEqual(['unreachable', 'cancelled', 'timeout', '504', '404']);
  });
});

describe('outbound spans', () => {
  let collector: OtlpCollector;
  let kube: FakeKube;
  let registry: FakeRegistry;
  let tracing: Tracing;
  const saved = { ...process.env };

  beforeAll(async () => {
    collector = await startOtlpCollector();
    kube = await startFakeKube({ namespaces: ['team-a'], controller: false });
    registry = await startFakeRegistry({ token: 'registry-s3cret-token' });
    // The SDK reads its exporter settings from the process environment.
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    tracing = await startTracing({ stdoutIsProtocol: false });
  });

  afterAll(async () => {
    await tracing?.shutdown();
    process.env = saved;
    await registry?.close();
    await kube?.close();
    await collector?.close();
  });

  it('exports Kubernetes and Model Registry calls as CLIENT children of the active span', async () => {
    const client = new KubeClient(await loadKubeConnection({ kubeconfig: kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-otel-'))) }));
    const http = new RegistryHttp({ baseUrl: registry.url, token: 'registry-s3cret-token' });
    await inSpan('test parent', { kind: 'internal' }, async () => {
      await client.list(RESOURCES.trainjobs, 'team-a', { labelSelector: 'team=secret-label-value' });
      await client
        .as({ user: 'alice', groups: ['ml'] })
        .get(RESOURCES.trainjobs, 'missing', 'team-a')
        .catch(() => undefined);
      await http.request('GET', '/registered_models');
    });
    await tracing.shutdown();

    const parent = collector.spans.find((s) => s.name === 'test parent')!;
    const children = collector.spans.filter((s) => s.parentSpanId === parent.spanId);
    expect(children.map((s) => s.name)).toEqual(['kube list trainjobs', 'kube get trainjobs', 'registry GET']);
    expect(children.every((s) => s.kind === 3)).toBe(true);
    const [list, get, reg] = children;
    expect(list!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'k8s.namespace.name': 'team-a',
      'kubeflow_mcp.kube.verb': 'list',
    });
    expect(list!.status?.code ?? 0).toBe(0);
    expect(get!.attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': '404', 'kubeflow_mcp.kube.impersonate': 'alice' });
    expect(reg!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.path': '/api/model_registry/v1alpha3/registered_models',
    });

    const all = collector.bodies.join('\n');
    expect(all).not.toContain('registry-s3cret-token');
    expect(all).not.toContain('secret-label-value');
    expect(all).not.toMatch(/authorization|bearer/i);
  });

  it('names the impersonated caller on the request, tool and Kubernetes spans of a tool call', async () => {
    collector.spans.length = 0;
    tracing = await startTracing({ stdoutIsProtocol: false });
    const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-otel-')), { namespace: 'team-a' });
    const server = await inProcess({ kubeconfig, clients: ['trainer'] });
    try {
      const client = await server.connect({ user: 'alice@example.com', groups: ['ml'], source: 'gateway', impersonate: true });
      expect((await callTool(client, 'list_runtimes')).isError).toBe(false);
    } finally {
      await server.close();
      await tracing.shutdown();
    }
    const request = collector.spans.find((s) => s.name === 'tools/call list_runtimes')!;
    expect(request.attributes).toMatchObject({ 'enduser.id': 'alice@example.com', 'kubeflow_mcp.auth.source': 'gateway' });
    const run = collector.spans.find((s) => s.parentSpanId === request.spanId)!;
    expect(run.attributes).toMatchObject({ 'enduser.id': 'alice@example.com' });
    const calls = collector.spans.filter((s) => s.parentSpanId === run.spanId);
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect(c.attributes['kubeflow_mcp.kube.impersonate']).toBe('alice@example.com');
    // Groups are not recorded anywhere.
    expect(collector.bodies.join('\n')).not.toContain('"ml"');
  });
});
