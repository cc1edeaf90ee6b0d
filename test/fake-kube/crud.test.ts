import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, TJ_PATH, trainJob } from './helpers.js';

let kube: FakeKube;
const CM = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  kube = await startFakeKube({ controller: false, namespaces: ['default', 'team-a'] });
});
afterAll(() => kube.close());

describe('discovery', () => {
  it('serves /api, /apis, group versions and /version', async () => {
    expect((await call(kube, 'GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const core = (await call(kube, 'GET', '/api/v1')).body;
    expect(core.kind).toBe('APIResourceList');
    expect(core.resources).toContainEqual(expect.objectContaining({ name: 'pods', namespaced: true, kind: 'Pod' }));
    expect(core.resources).toContainEqual(expect.objectContaining({ name: 'pods/log', verbs: ['get'] }));
    expect(core.resources).toContainEqual(expect.objectContaining({ name: 'nodes', namespaced: false }));
    const groups = (await call(kube, 'GET', '/apis')).body;
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: any) => g.name)).toEqual(
      expect.arrayContaining(['trainer.kubeflow.org', 'jobset.x-k8s.io', 'authorization.k8s.io', 'kubeflow.org']),
    );
    const trainer = (await call(kube, 'GET', '/apis/trainer.kubeflow.org/v1alpha1')).body;
    expect(trainer.groupVersion).toBe('trainer.kubeflow.org/v1alpha1');
    expect(trainer.resources).toContainEqual(expect.objectContaining({ name: 'clustertrainingruntimes', namespaced: false, kind: 'ClusterTrainingRuntime' }));
    expect(trainer.resources).toContainEqual(expect.objectContaining({ name: 'trainjobs/status', verbs: ['get', 'patch', 'update'] }));
    expect((await call(kube, 'GET', '/version')).body).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) });
    expect((await call(kube, 'GET', '/apis/nope.example.com/v1')).status).toBe(404);
  });
});

describe('CRUD', () => {
  it('creates with server-owned metadata and answers 201', async () => {
    const r = await call(kube, 'POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', uid: 'mine' }, data: { k: 'v' } } });
    expect(r.status).toBe(201);
    expect(r.body.metadata).toMatchObject({ name: 'a', namespace: 'default', generation: 1 });
    expect(r.body.metadata.uid).not.toBe('mine');
    expect(r.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(r.body.metadata.resourceVersion).toMatch(/^\d+$/);
    const got = await call(kube, 'GET', `${CM}/a`);
    expect(got.body).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', data: { k: 'v' } });
  });

  it('409 AlreadyExists, 404 NotFound with the real messages and details', async () => {
    const dup = await call(kube, 'POST', CM, { body: { metadata: { name: 'a' } } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', message: 'configmaps "a" already exists', code: 409 });
    const nf = await call(kube, 'GET', TJ_PATH('default', 'x'));
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'trainjobs.trainer.kubeflow.org "x" not found',
      reason: 'NotFound',
      details: { name: 'x', group: 'trainer.kubeflow.org', kind: 'trainjobs' },
      code: 404,
    });
  });

  it('creating in a missing namespace is 404 for the namespace', async () => {
    const r = await call(kube, 'POST', TJ_PATH('ghost'), { body: trainJob('j') });
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('namespaces "ghost" not found');
  });

  it('honours generateName', async () => {
    const r = await call(kube, 'POST', CM, { body: { metadata: { generateName: 'gen-' } } });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('PUT uses optimistic concurrency; custom resources require resourceVersion', async () => {
    const created = (await call(kube, 'POST', TJ_PATH('default'), { body: trainJob('occ') })).body;
    const stale = { ...created, metadata: { ...created.metadata, resourceVersion: '1' }, spec: { ...created.spec, suspend: true } };
    const c = await call(kube, 'PUT', TJ_PATH('default', 'occ'), { body: stale });
    expect(c.status).toBe(409);
    expect(c.body.reason).toBe('Conflict');
    expect(c.body.message).toBe(
      'Operation cannot be fulfilled on trainjobs.trainer.kubeflow.org "occ": the object has been modified; please apply your changes to the latest version and try again',
    );
    const noRv = { ...created, metadata: { name: 'occ' } };
    const i = await call(kube, 'PUT', TJ_PATH('default', 'occ'), { body: noRv });
    expect(i.status).toBe(422);
    expect(i.body.message).toBe('TrainJob.trainer.kubeflow.org "occ" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
    const ok = await call(kube, 'PUT', TJ_PATH('default', 'occ'), { body: { ...created, spec: { ...created.spec, suspend: true } } });
    expect(ok.status).toBe(200);
    expect(ok.body.metadata.generation).toBe(2);
    expect(Number(ok.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const mismatch = await call(kube, 'PUT', TJ_PATH('default', 'other'), { body: ok.body });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.message).toBe('the name of the object (occ) does not match the name on the URL (other)');
  });

  it('status subresource: main endpoint ignores status, /status only touches status', async () => {
    const created = (await call(kube, 'POST', TJ_PATH('default'), { body: { ...trainJob('st'), status: { conditions: [] } } })).body;
    expect(created.status).toBeUndefined();
    const cond = { type: 'Complete', status: 'True', reason: 'AllJobsCompleted', message: 'done', lastTransitionTime: '2024-01-01T00:00:00Z' };
    const viaMain = await call(kube, 'PATCH', TJ_PATH('default', 'st'), {
      body: { status: { conditions: [cond] }, metadata: { labels: { a: 'b' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(viaMain.status).toBe(200);
    expect(viaMain.body.status).toBeUndefined();
    expect(viaMain.body.metadata.labels).toEqual({ a: 'b' });
    const viaStatus = await call(kube, 'PATCH', `${TJ_PATH('default', 'st')}/status`, {
      body: { status: { conditions: [cond] }, metadata: { labels: { a: 'changed' } }, spec: { suspend: true } },
      contentType: 'application/merge-patch+json',
    });
    expect(viaStatus.status).toBe(200);
    expect(viaStatus.body.status.conditions[0].type).toBe('Complete');
    expect(viaStatus.body.metadata.labels).toEqual({ a: 'b' });
    expect(viaStatus.body.spec.suspend).toBe(false);
    expect(viaStatus.body.metadata.generation).toBe(1);
  });

  it('dryRun=All validates but persists nothing (create, patch, delete)', async () => {
    const before = kube.store.list('', 'configmaps', 'default').length;
    const r = await call(kube, 'POST', `${CM}?dryRun=All`, { body: { metadata: { name: 'dry' } } });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toBe('dry');
    expect(r.body.metadata.uid).toBeTruthy();
    expect(kube.store.list('', 'configmaps', 'default')).toHaveLength(before);
    expect((await call(kube, 'GET', `${CM}/dry`)).status).toBe(404);
    const bad = await call(kube, 'POST', `${TJ_PATH('default')}?dryRun=All`, { body: trainJob('Bad_Name') });
    expect(bad.status).toBe(422);
    const p = await call(kube, 'PATCH', `${CM}/a?dryRun=All`, { body: { data: { k: 'dry' } }, contentType: 'application/merge-patch+json' });
    expect(p.body.data.k).toBe('dry');
    expect(kube.store.get('', 'configmaps', 'default', 'a').data.k).toBe('v');
    const d = await call(kube, 'DELETE', `${CM}/a?dryRun=All`);
    expect(d.status).toBe(200);
    expect(kube.store.get('', 'configmaps', 'default', 'a')).toBeDefined();
  });

  it('DELETE returns the object for custom resources and a Success Status for configmaps', async () => {
    await call(kube, 'POST', TJ_PATH('default'), { body: trainJob('del') });
    const d = await call(kube, 'DELETE', TJ_PATH('default', 'del'));
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ kind: 'TrainJob', metadata: { name: 'del' } });
    expect((await call(kube, 'DELETE', TJ_PATH('default', 'del'))).status).toBe(404);
    const s = await call(kube, 'DELETE', `${CM}/a`);
    expect(s.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'a', kind: 'configmaps' } });
  });

  it('deletecollection with a label selector', async () => {
    for (const [n, l] of [
      ['x1', 'x'],
      ['x2', 'x'],
      ['y1', 'y'],
    ] as const)
      await call(kube, 'POST', '/api/v1/namespaces/team-a/configmaps', { body: { metadata: { name: n, labels: { g: l } } } });
    const r = await call(kube, 'DELETE', '/api/v1/namespaces/team-a/configmaps?labelSelector=g%3Dx');
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: any) => i.metadata.name)).toEqual(['x1', 'x2']);
    expect(kube.store.list('', 'configmaps', 'team-a').map((o) => o.metadata.name)).toEqual(['y1']);
  });

  it('405 for unsupported methods, 404 for unknown resources, 400 for malformed JSON', async () => {
    expect((await call(kube, 'POST', `${CM}/named`, { body: { metadata: { name: 'named' } } })).status).toBe(405);
    expect((await call(kube, 'GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).body.reason).toBe('MethodNotAllowed');
    expect((await call(kube, 'GET', '/api/v1/namespaces/default/widgets')).status).toBe(404);
    const bad = await call(kube, 'POST', CM, { body: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toBe('BadRequest');
  });

  it('cluster-scoped resources and all-namespace lists', async () => {
    const ns = await call(kube, 'GET', '/api/v1/namespaces/team-a');
    expect(ns.body).toMatchObject({ kind: 'Namespace', status: { phase: 'Active' } });
    await call(kube, 'POST', TJ_PATH('team-a'), { body: trainJob('in-a') });
    const all = await call(kube, 'GET', '/apis/trainer.kubeflow.org/v1alpha1/trainjobs');
    expect(all.body.kind).toBe('TrainJobList');
    expect(all.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`)).toContain('team-a/in-a');
  });

  it('JSON bodies may also be YAML', async () => {
    const r = await call(kube, 'POST', CM, { body: 'metadata:\n  name: from-yaml\ndata:\n  x: "1"\n', contentType: 'application/yaml' });
    expect(r.status).toBe(201);
    expect(r.body.data).toEqual({ x: '1' });
  });
});
