/**
 * Acting for a caller at Kubeflow Pipelines (gateway / OAuth modes): before any KFP request the
 * server asks Kubernetes, as KFP's authoriser does, whether the caller (the user alone: KFP passes
 * no groups) may use pipelines.kubeflow.org resources in the namespace; then it calls KFP with its
 * own token. A refusal reaches KFP not at all; the audit line names both identities; a
 * data-scientist may change only the runs they started.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/auth/identity.js';
import { startFakeKfp, type FakeKfp } from '../support/fake-kfp/index.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, configFile, inProcess, type InProcess } from '../support/inprocess.js';
import { ROOT } from '../support/mcp.js';

const SA = 'system:serviceaccount:kubeflow:kubeflow-mcp';
const NS = 'team-a';
const PACKAGE = readFileSync(path.join(ROOT, 'test/fixtures/kubeflow-api/pipelines/samples/pipeline_with_retry.yaml'), 'utf8');
const kfpRule = (users: string[] | undefined, groups?: string[]) => ({
  ...(users ? { users } : {}),
  ...(groups ? { groups } : {}),
  verbs: ['*'],
  apiGroups: ['pipelines.kubeflow.org'],
  resources: ['*'],
  namespaces: [NS],
});
const user = (name: string, groups: string[] = []): Identity => ({ user: name, groups, source: 'gateway', impersonate: true });

let kube: FakeKube;
let kfp: FakeKfp;
let srv: InProcess;
let auditFile: string;

beforeAll(async () => {
  kube = await startFakeKube({
    namespaces: [NS, 'kubeflow'],
    tokens: { 'sa-token': { name: SA, groups: ['system:serviceaccounts'] } },
    rbac: [
      { users: [SA], verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'] },
      { users: [SA], verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'] },
      { users: [SA], verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'] },
      kfpRule(['alice', 'carol']),
      // Granted through a group only: KFP's authoriser does not see groups, so neither do we.
      kfpRule(undefined, ['kfp-editors']),
      { users: ['alice', 'carol'], verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'], namespaces: [NS] },
      { users: ['dave'], verbs: ['get', 'list'], apiGroups: ['pipelines.kubeflow.org'], resources: ['*'], namespaces: [NS] },
    ],
    controller: false,
  });
  kfp = await startFakeKfp({ kube, multiUser: true, token: 'kfp-token' });
  const dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-kfp-acc-'));
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, 'kfp-token\n');
  const kubeconfig = kube.writeKubeconfig(dir, { token: 'sa-token', namespace: NS });
  auditFile = path.join(dir, 'audit.log');
  srv = await inProcess({
    kubeconfig,
    persona: 'data-scientist',
    clients: ['pipelines'],
    auditLog: auditFile,
    config: configFile(`pipelines:\n  endpoint: ${kfp.url}\n  token_file: ${tokenFile}\n`),
  });
});

afterAll(async () => {
  await srv?.close();
  await kfp?.close();
  await kube?.close();
});

const reviews = (from: number) => kube.requests.slice(from).filter((r) => r.path === '/apis/authorization.k8s.io/v1/subjectaccessreviews');

describe('pipelines for a served caller', () => {
  it("asks KFP's question as the caller, then calls KFP with the server token", async () => {
    const alice = await srv.connect(user('alice', ['ml']));
    const from = kube.requests.length;
    const r = await callTool(alice, 'list_pipelines');
    expect(r.isError).toBe(false);
    const [review] = reviews(from);
    expect(review?.user).toBe(SA);
    expect(review?.body.spec).toEqual({
      user: 'alice',
      resourceAttributes: { namespace: NS, verb: 'list', group: 'pipelines.kubeflow.org', version: 'v1beta1', resource: 'pipelines' },
    });
    const audit = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.tool === 'list_pipelines');
    expect(audit.at(-1)).toMatchObject({ user: 'alice', acting_as: SA, result: 'ok' });
  });

  it('refuses before KFP sees anything when RBAC does not allow it (groups do not count)', async () => {
    const bob = await srv.connect(user('bob', ['kfp-editors']));
    const seen = kfp.requests.length;
    const r = await callTool(bob, 'list_pipeline_runs');
    expect(r.isError).toBe(true);
    expect(r.data).toMatchObject({ error: { code: 'forbidden' } });
    expect(r.text).toContain('bob may not list runs in namespace team-a');
    expect(r.text).toContain('KFP ignores groups');
    expect(kfp.requests.length).toBe(seen);
    const up = await callTool(bob, 'upload_pipeline', { package: PACKAGE, confirmed: true });
    expect(up.data).toMatchObject({ error: { code: 'forbidden' } });
    expect(kfp.requests.filter((x) => x.method !== 'GET')).toHaveLength(0);
  });

  it('a data-scientist changes only the runs they started; logs are read as the caller', async () => {
    const alice = await srv.connect(user('alice'));
    expect((await callTool(alice, 'upload_pipeline', { package: PACKAGE, confirmed: true })).isError).toBe(false);
    const started = await callTool(alice, 'run_pipeline', { pipeline: 'test-pipeline', experiment: 'acl', confirmed: true });
    expect(started.isError).toBe(false);
    const id = started.data.run.id as string;
    const preview = await callTool(alice, 'manage_pipeline_run', { run_id: id, action: 'archive' });
    expect(preview.data.checks).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'rbac', ok: true })]));
    expect((await callTool(alice, 'get_pipeline_run', { run_id: id, wait_for: 'SUCCEEDED', timeout_seconds: 20 })).data.outcome).toBe('reached');
    const from = kube.requests.length;
    const logs = await callTool(alice, 'get_pipeline_run', { run_id: id, logs: 50 });
    expect(logs.data.logs.lines.join('\n')).toContain('task add');
    const podReads = kube.requests.slice(from).filter((r) => r.path.includes('/pods'));
    expect(podReads.length).toBeGreaterThan(0);
    expect(podReads.every((r) => r.user === 'alice' && r.impersonatedBy === SA)).toBe(true);

    const carol = await srv.connect(user('carol'));
    const denied = await callTool(carol, 'manage_pipeline_run', { run_id: id, action: 'delete', confirmed: true });
    expect(denied.data).toMatchObject({ error: { code: 'not_owner' } });
    expect(denied.text).toContain('submitted by alice');
    expect(kfp.runs.has(id)).toBe(true);
    const own = await callTool(alice, 'manage_pipeline_run', { run_id: id, action: 'delete', confirmed: true });
    expect(own.data.status).toBe('deleted');
    expect(kfp.runs.has(id)).toBe(false);
    expect(kfp.invalidRequests()).toEqual([]);
  });

  it("a preview shows the caller's failed access checks", async () => {
    expect((await callTool(await srv.connect(user('alice')), 'upload_pipeline', { package: PACKAGE, name: 'readable', confirmed: true })).isError).toBe(false);
    const dave = await srv.connect(user('dave'));
    const r = await callTool(dave, 'run_pipeline', { pipeline: 'readable', experiment: 'dave-exp' });
    expect(r.data).toMatchObject({ status: 'preview', checks: expect.arrayContaining([expect.objectContaining({ check: 'rbac', ok: false })]) });
    expect(r.text).toContain('FAIL rbac: dave may not create runs in namespace team-a');
    expect(r.data.next).toContain('Fix the failed checks');
  });

  it('a run of another namespace is not shown, even by id', async () => {
    const api = (method: string, p: string, body?: unknown) =>
      fetch(`${kfp.url}/apis/v2beta1${p}`, {
        method,
        headers: { authorization: 'Bearer kfp-token', 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => r.json() as Promise<Record<string, any>>);
    const exp = await api('POST', '/experiments', { display_name: 'other', namespace: 'team-b' });
    const pipelines = await api('GET', `/pipelines?namespace=${NS}`);
    const pid = pipelines.pipelines[0].pipeline_id;
    const versions = await api('GET', `/pipelines/${pid}/versions`);
    const run = await api('POST', '/runs', {
      experiment_id: exp.experiment_id,
      display_name: 'theirs',
      pipeline_version_reference: { pipeline_id: pid, pipeline_version_id: versions.pipeline_versions[0].pipeline_version_id },
      runtime_config: { parameters: {} },
    });
    const alice = await srv.connect(user('alice'));
    const r = await callTool(alice, 'get_pipeline_run', { run_id: run.run_id });
    expect(r.data).toMatchObject({ error: { code: 'not_found' } });
    expect(r.text).not.toContain('team-b');
  });
});
