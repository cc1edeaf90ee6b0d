import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, TJ_PATH, trainJob } from './helpers.js';

let kube: FakeKube;
const CM = '/api/v1/namespaces/default/configmaps';
const MERGE = 'application/merge-patch+json';
const JSONP = 'application/json-patch+json';

beforeAll(async () => {
  kube = await startFakeKube({ controller: false });
  await call(kube, 'POST', CM, { body: { metadata: { name: 'p', labels: { a: '1', b: '2' } }, data: { x: '1', y: '2' } } });
  await call(kube, 'POST', TJ_PATH('default'), { body: trainJob('pj', { labels: { keep: 'me' } }) });
});
afterAll(() => kube.close());

describe('merge patch (RFC 7386)', () => {
  it('merges objects, null deletes, arrays replace', async () => {
    const r = await call(kube, 'PATCH', `${CM}/p`, { body: { metadata: { labels: { a: null, c: '3' } }, data: { y: null, z: '3' } }, contentType: MERGE });
    expect(r.status).toBe(200);
    expect(r.body.metadata.labels).toEqual({ b: '2', c: '3' });
    expect(r.body.data).toEqual({ x: '1', z: '3' });
  });

  it('suspends a TrainJob with the SDK-style patch and bumps generation', async () => {
    const r = await call(kube, 'PATCH', TJ_PATH('default', 'pj'), { body: { spec: { suspend: true } }, contentType: MERGE });
    expect(r.status).toBe(200);
    expect(r.body.spec.suspend).toBe(true);
    expect(r.body.spec.runtimeRef.name).toBe('torch-distributed');
    expect(r.body.metadata.generation).toBe(2);
  });

  it('a stale resourceVersion in the patch is a 409 Conflict', async () => {
    const r = await call(kube, 'PATCH', `${CM}/p`, { body: { metadata: { resourceVersion: '1' }, data: { q: '1' } }, contentType: MERGE });
    expect(r.status).toBe(409);
  });

  it('patching a missing object is 404', async () => {
    expect((await call(kube, 'PATCH', `${CM}/missing`, { body: { data: {} }, contentType: MERGE })).status).toBe(404);
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('applies add/replace/remove/test/copy/move', async () => {
    const r = await call(kube, 'PATCH', `${CM}/p`, {
      body: [
        { op: 'test', path: '/data/x', value: '1' },
        { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'demo' },
        { op: 'replace', path: '/data/x', value: 'one' },
        { op: 'remove', path: '/data/z' },
        { op: 'copy', from: '/data/x', path: '/data/copied' },
        { op: 'move', from: '/data/copied', path: '/data/moved' },
      ],
      contentType: JSONP,
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ x: 'one', moved: 'one' });
    expect(r.body.metadata.labels['app.kubernetes.io/name']).toBe('demo');
  });

  it('a failing test op is 422 and changes nothing', async () => {
    const r = await call(kube, 'PATCH', `${CM}/p`, {
      body: [
        { op: 'test', path: '/data/x', value: 'nope' },
        { op: 'remove', path: '/data/x' },
      ],
      contentType: JSONP,
    });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('Invalid');
    expect(kube.store.get('', 'configmaps', 'default', 'p').data.x).toBe('one');
  });

  it('removing a missing path is a 500 like the real apiserver', async () => {
    const r = await call(kube, 'PATCH', `${CM}/p`, { body: [{ op: 'remove', path: '/data/nothing' }], contentType: JSONP });
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/remove operation does not apply: doc is missing path/);
  });

  it('appends to arrays with "-" on a TrainJob', async () => {
    const r = await call(kube, 'PATCH', TJ_PATH('default', 'pj'), {
      body: [
        { op: 'add', path: '/metadata/finalizers', value: [] },
        { op: 'add', path: '/metadata/finalizers/-', value: 'example.com/f' },
      ],
      contentType: JSONP,
    });
    expect(r.status).toBe(200);
    expect(r.body.metadata.finalizers).toEqual(['example.com/f']);
  });
});

describe('content types', () => {
  it('strategic merge patch works on core types but is 415 on custom resources', async () => {
    const ok = await call(kube, 'PATCH', `${CM}/p`, { body: { data: { s: '1' } }, contentType: 'application/strategic-merge-patch+json' });
    expect(ok.status).toBe(200);
    const r = await call(kube, 'PATCH', TJ_PATH('default', 'pj'), {
      body: { spec: { suspend: false } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(r.status).toBe(415);
    expect(r.body.reason).toBe('UnsupportedMediaType');
    expect(r.body.message).toContain('application/merge-patch+json');
  });

  it('unknown patch types are 415', async () => {
    const r = await call(kube, 'PATCH', `${CM}/p`, { body: { data: {} }, contentType: 'application/json' });
    expect(r.status).toBe(415);
  });

  it('strategicMergePatchOnCustomResources opts into leniency', async () => {
    const lenient = await startFakeKube({ controller: false, strategicMergePatchOnCustomResources: true });
    try {
      await call(lenient, 'POST', TJ_PATH('default'), { body: trainJob('smp') });
      const r = await call(lenient, 'PATCH', TJ_PATH('default', 'smp'), {
        body: { spec: { suspend: true } },
        contentType: 'application/strategic-merge-patch+json',
      });
      expect(r.status).toBe(200);
    } finally {
      await lenient.close();
    }
  });
});
