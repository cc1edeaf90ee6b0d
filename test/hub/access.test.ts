/**
 * Model Registry calls act for the caller: for a user the server serves (gateway, OAuth), every
 * registry request is preceded by a SubjectAccessReview asked by the server about that user on the
 * registry Service (get for reads, create/update for writes). A refusal stops the call before the
 * registry sees it; the audit line names the user and the identity that acted for them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/auth/identity.js';
import { registryServiceFromUrl } from '../../src/kubeflow/hub/access.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry/index.js';
import { callTool, configFile, inProcess, type InProcess } from '../support/inprocess.js';

const SA = 'system:serviceaccount:kubeflow:kubeflow-mcp';
const SERVICE = { namespace: 'kubeflow', name: 'model-registry-service' };
const registryRule = (groups: string[], verbs: string[]) => ({
  groups,
  verbs,
  apiGroups: [''],
  resources: ['services'],
  resourceNames: [SERVICE.name],
  namespaces: [SERVICE.namespace],
});

let kube: FakeKube;
let registry: FakeRegistry;
let srv: InProcess;
let auditFile: string;

const user = (name: string, groups: string[]): Identity => ({ user: name, groups, source: 'gateway', impersonate: true });
const reviews = (from: number) => kube.requests.slice(from).filter((r) => r.path === '/apis/authorization.k8s.io/v1/subjectaccessreviews');

beforeAll(async () => {
  kube = await startFakeKube({
    namespaces: ['team-a', SERVICE.namespace],
    tokens: { 'sa-token': { name: SA, groups: ['system:serviceaccounts'] } },
    rbac: [
      { users: [SA], verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'] },
      { users: [SA], verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'] },
      { users: [SA], verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'] },
      registryRule(['readers', 'writers'], ['get']),
      registryRule(['writers'], ['create', 'update']),
    ],
    controller: false,
  });
  registry = await startFakeRegistry();
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-hub-acc-')), { token: 'sa-token', namespace: 'team-a' });
  auditFile = path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-hub-audit-')), 'audit.log');
  srv = await inProcess({
    kubeconfig,
    persona: 'platform-admin',
    clients: ['trainer', 'hub'],
    auditLog: auditFile,
    config: configFile(`hub:\n  url: ${registry.url}\n  service: ${SERVICE.namespace}/${SERVICE.name}\n`),
  });
});

afterAll(async () => {
  await srv?.close();
  await registry?.close();
  await kube?.close();
});

const register = { name: 'acl-model', version: 'v1', uri: 's3://models/acl-model/v1', confirmed: true };

describe('registry access as the caller', () => {
  it('lets a reader read, and refuses their write before it reaches the registry', async () => {
    const alice = await srv.connect(user('alice', ['readers']));
    const from = kube.requests.length;
    const listed = await callTool(alice, 'list_models');
    expect(listed.isError).toBe(false);
    const [review] = reviews(from);
    expect(review).toMatchObject({ method: 'POST', user: SA });
    expect(review!.impersonatedBy).toBeUndefined();

    const writesBefore = registry.requests.filter((r) => r.method !== 'GET').length;
    const denied = await callTool(alice, 'register_model', register);
    expect(denied.isError).toBe(true);
    expect(denied.data.error).toMatchObject({ code: 'forbidden' });
    expect(denied.text).toContain('alice may not create the Model Registry');
    expect(denied.text).toContain(`services/${SERVICE.name}`);
    expect(registry.requests.filter((r) => r.method !== 'GET').length).toBe(writesBefore);
  });

  it('refuses a caller without any right, asking nothing of the registry', async () => {
    const bob = await srv.connect(user('bob', ['ml']));
    const before = registry.requests.length;
    const r = await callTool(bob, 'list_models');
    expect(r.isError).toBe(true);
    expect(r.data.error).toMatchObject({ code: 'forbidden' });
    expect(r.text).toContain("Kubernetes RBAC does not allow 'get'");
    expect(registry.requests.length).toBe(before);
  });

  it('lets a writer register, and audits both identities', async () => {
    const carol = await srv.connect(user('carol', ['writers']));
    const r = await callTool(carol, 'register_model', register);
    expect(r.isError).toBe(false);
    expect(r.data.status).toBe('registered');
    // Audit lines are written synchronously: the file is complete here.
    const lines = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.user === 'carol' && l.tool === 'register_model')).toMatchObject({ acting_as: SA, auth: 'gateway', result: 'ok' });
    expect(lines.find((l) => l.user === 'bob')).toMatchObject({ acting_as: SA, result: 'error', code: 'forbidden' });
  });

  it('checks nothing for the server acting as itself', async () => {
    const own = await srv.connect();
    const from = kube.requests.length;
    expect((await callTool(own, 'list_models')).isError).toBe(false);
    expect(reviews(from)).toEqual([]);
  });
});

describe('hub listings', () => {
  it('are newest first, say where each page starts, and give the total on the last page', async () => {
    const own = await srv.connect();
    for (const n of ['first', 'second', 'third']) {
      expect((await callTool(own, 'register_model', { name: `order-${n}`, version: 'v1', uri: `s3://m/${n}`, confirmed: true })).isError).toBe(false);
      await new Promise((r) => setTimeout(r, 5));
    }
    const p1 = await callTool(own, 'list_models', { page_size: 2 });
    expect(p1.data.models.map((m: { name: string }) => m.name)).toEqual(['order-third', 'order-second']);
    expect(p1.data).toMatchObject({ offset: 0 });
    expect(p1.data.total).toBeUndefined();
    expect(p1.text.split('\n')[0]).toBe('1–2 of more than 2 registered models, newest first.');
    const names: string[] = [];
    let token: string | undefined = p1.data.next_page_token;
    let last = p1;
    while (token) {
      last = await callTool(own, 'list_models', { page_size: 2, page_token: token });
      names.push(...last.data.models.map((m: { name: string }) => m.name));
      token = last.data.next_page_token;
    }
    expect(names[0]).toBe('order-first');
    expect(last.data.total).toBe(2 + names.length);
    const bad = await callTool(own, 'list_models', { page_token: 'garbage' });
    expect(bad.data.error).toMatchObject({ code: 'invalid_page_token' });
  });
});

describe('registry Service from the URL', () => {
  it.each([
    ['http://model-registry-service.kubeflow:8080', SERVICE],
    ['https://model-registry-service.kubeflow.svc.cluster.local:8443/api', SERVICE],
    ['http://mr.team-x.svc:8080', { name: 'mr', namespace: 'team-x' }],
    ['https://registry.example.com', undefined],
    ['http://127.0.0.1:8080', undefined],
    ['http://localhost:8080', undefined],
  ])('%s', (url, expected) => {
    expect(registryServiceFromUrl(url)).toEqual(expected);
  });
});
