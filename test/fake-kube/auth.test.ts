import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, TJ_PATH, trainJob } from './helpers.js';

let kube: FakeKube;

beforeAll(async () => {
  kube = await startFakeKube({
    controller: false,
    namespaces: ['default', 'team-a', 'team-b'],
    tokens: {
      'admin-token': { name: 'admin', groups: ['system:masters'] },
      'alice-token': { name: 'alice', groups: ['ml-team'] },
      'sa-token': { name: 'system:serviceaccount:kubeflow:mcp' },
      'bob-token': { name: 'bob' },
    },
    rbac: [
      { groups: ['ml-team'], verbs: ['get', 'list', 'watch'], apiGroups: ['trainer.kubeflow.org'], resources: ['trainjobs'], namespaces: ['team-a'] },
      { users: ['alice'], verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['team-a'] },
      { users: ['system:serviceaccount:kubeflow:mcp'], verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['alice'] },
      { users: ['system:serviceaccount:kubeflow:mcp'], verbs: ['impersonate'], apiGroups: [''], resources: ['groups'] },
      { groups: ['system:authenticated'], verbs: ['list'], apiGroups: ['trainer.kubeflow.org'], resources: ['clustertrainingruntimes'] },
    ],
  });
  await call(kube, 'POST', TJ_PATH('team-a'), { body: trainJob('job-a') });
});
afterAll(() => kube.close());

describe('authentication', () => {
  it('missing or unknown bearer token → 401 Unauthorized', async () => {
    for (const token of [null, 'nope']) {
      const r = await call(kube, 'GET', TJ_PATH('team-a'), { token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
  });

  it('/version and health checks are public', async () => {
    expect((await call(kube, 'GET', '/version', { token: null })).status).toBe(200);
    expect((await call(kube, 'GET', '/readyz', { token: null })).text).toBe('ok');
    expect((await call(kube, 'GET', '/version', { token: 'nope' })).status).toBe(401);
  });
});

describe('RBAC', () => {
  it('allows what the rules grant', async () => {
    expect((await call(kube, 'GET', TJ_PATH('team-a'), { token: 'alice-token' })).status).toBe(200);
    expect((await call(kube, 'GET', TJ_PATH('team-a', 'job-a'), { token: 'alice-token' })).status).toBe(200);
    expect((await call(kube, 'GET', '/apis/trainer.kubeflow.org/v1alpha1/clustertrainingruntimes', { token: 'bob-token' })).status).toBe(200);
  });

  it('403 messages follow the apiserver format (namespaced, cluster scope, core group, subresource)', async () => {
    const create = await call(kube, 'POST', TJ_PATH('team-a'), { token: 'alice-token', body: trainJob('x') });
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message:
        'trainjobs.trainer.kubeflow.org is forbidden: User "alice" cannot create resource "trainjobs" in API group "trainer.kubeflow.org" in the namespace "team-a"',
      details: { group: 'trainer.kubeflow.org', kind: 'trainjobs' },
    });
    const get = await call(kube, 'GET', TJ_PATH('team-b', 'job-a'), { token: 'alice-token' });
    expect(get.body.message).toBe(
      'trainjobs.trainer.kubeflow.org "job-a" is forbidden: User "alice" cannot get resource "trainjobs" in API group "trainer.kubeflow.org" in the namespace "team-b"',
    );
    const nodes = await call(kube, 'GET', '/api/v1/nodes', { token: 'alice-token' });
    expect(nodes.body.message).toBe('nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
    const logs = await call(kube, 'GET', '/api/v1/namespaces/team-a/pods/p/log', { token: 'alice-token' });
    expect(logs.body.message).toBe('pods "p" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "team-a"');
    const watch = await call(kube, 'GET', `${TJ_PATH('team-b')}?watch=true`, { token: 'alice-token' });
    expect(watch.body.message).toContain('cannot watch resource "trainjobs"');
  });

  it('authorizes before revealing existence (403 beats 404)', async () => {
    expect((await call(kube, 'GET', TJ_PATH('team-b', 'does-not-exist'), { token: 'bob-token' })).status).toBe(403);
  });
});

describe('impersonation', () => {
  it('acts as the impersonated user and records both identities', async () => {
    const r = await call(kube, 'GET', TJ_PATH('team-a'), {
      token: 'sa-token',
      headers: { 'Impersonate-User': 'alice', 'Impersonate-Group': ['ml-team', 'extra'] },
    });
    expect(r.status).toBe(200);
    const rec = kube.requests.filter((x) => x.impersonatedBy === 'system:serviceaccount:kubeflow:mcp').pop()!;
    expect(rec).toMatchObject({ method: 'GET', path: TJ_PATH('team-a'), user: 'alice', status: 200 });
    expect(rec.groups).toEqual(['ml-team', 'extra', 'system:authenticated']);
    // The impersonated user has no rule for team-b.
    const denied = await call(kube, 'GET', TJ_PATH('team-b'), { token: 'sa-token', headers: { 'Impersonate-User': 'alice', 'Impersonate-Group': 'ml-team' } });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('User "alice" cannot list');
  });

  it('denies impersonating users without the impersonate verb', async () => {
    const r = await call(kube, 'GET', TJ_PATH('team-a'), { token: 'sa-token', headers: { 'Impersonate-User': 'bob' } });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(
      'users "bob" is forbidden: User "system:serviceaccount:kubeflow:mcp" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    const alice = await call(kube, 'GET', TJ_PATH('team-a'), { token: 'alice-token', headers: { 'Impersonate-User': 'admin' } });
    expect(alice.body.message).toBe('users "admin" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});

describe('SelfSubjectAccessReview / SelfSubjectReview', () => {
  const ssar = (token: string, resourceAttributes: Record<string, string>) =>
    call(kube, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      token,
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } },
    });

  it('evaluates RBAC for the caller', async () => {
    const yes = await ssar('alice-token', { namespace: 'team-a', verb: 'list', group: 'trainer.kubeflow.org', resource: 'trainjobs' });
    expect(yes.status).toBe(201);
    expect(yes.body).toMatchObject({ kind: 'SelfSubjectAccessReview', status: { allowed: true } });
    expect(yes.body.spec.resourceAttributes.verb).toBe('list');
    const no = await ssar('alice-token', { namespace: 'team-a', verb: 'create', group: 'trainer.kubeflow.org', resource: 'trainjobs' });
    expect(no.body.status).toEqual({ allowed: false });
    const logs = await ssar('alice-token', { namespace: 'team-a', verb: 'get', group: '', resource: 'pods', subresource: 'log' });
    expect(logs.body.status.allowed).toBe(false);
    const admin = await ssar('admin-token', { namespace: 'x', verb: 'delete', group: '*', resource: '*' });
    expect(admin.body.status.allowed).toBe(true);
    const viaImpersonation = await call(kube, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      token: 'sa-token',
      headers: { 'Impersonate-User': 'alice', 'Impersonate-Group': 'ml-team' },
      body: { spec: { resourceAttributes: { namespace: 'team-a', verb: 'watch', group: 'trainer.kubeflow.org', resource: 'trainjobs' } } },
    });
    expect(viaImpersonation.body.status.allowed).toBe(true);
  });

  it('rejects an empty spec with 422', async () => {
    const r = await call(kube, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { token: 'bob-token', body: { spec: {} } });
    expect(r.status).toBe(422);
    expect(r.body.message).toContain('exactly one of nonResourceAttributes or resourceAttributes must be specified');
  });

  it('SelfSubjectReview reports who the caller is', async () => {
    const r = await call(kube, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { token: 'sa-token', body: { kind: 'SelfSubjectReview' } });
    expect(r.body.status.userInfo).toEqual({
      username: 'system:serviceaccount:kubeflow:mcp',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:kubeflow', 'system:authenticated'],
    });
  });
});

describe('request log', () => {
  it('records method, path, query, user, status and parsed body', async () => {
    await call(kube, 'POST', `${TJ_PATH('team-a')}?dryRun=All`, { body: trainJob('rec') });
    const rec = kube.requests.filter((r) => r.method === 'POST' && r.path === TJ_PATH('team-a')).pop()!;
    expect(rec).toMatchObject({ query: { dryRun: 'All' }, user: 'admin', status: 201, body: { metadata: { name: 'rec' } } });
    const unauth = kube.requests.find((r) => r.status === 401)!;
    expect(unauth.user).toBeUndefined();
  });
});
