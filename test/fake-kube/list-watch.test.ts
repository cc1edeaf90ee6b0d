import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, openStream, waitFor } from './helpers.js';

let kube: FakeKube;
const PODS = '/api/v1/namespaces/default/pods';
const CM = '/api/v1/namespaces/default/configmaps';

function pod(name: string, labels: Record<string, string>, phase = 'Running', nodeName = 'n1'): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { nodeName, containers: [{ name: 'c', image: 'i' }] },
    status: { phase },
  };
}

beforeAll(async () => {
  kube = await startFakeKube({ controller: false, bookmarkIntervalMs: 50 });
  kube.store.create(pod('a-node', { 'jobset.sigs.k8s.io/jobset-name': 'a', 'jobset.sigs.k8s.io/replicatedjob-name': 'node', tier: 'x' }));
  kube.store.create(pod('a-init', { 'jobset.sigs.k8s.io/jobset-name': 'a', 'jobset.sigs.k8s.io/replicatedjob-name': 'dataset-initializer' }, 'Succeeded'));
  kube.store.create(pod('b-node', { 'jobset.sigs.k8s.io/jobset-name': 'b', 'jobset.sigs.k8s.io/replicatedjob-name': 'node' }, 'Pending', 'n2'));
  kube.store.create(pod('plain', {}, 'Running', 'n2'));
});
afterAll(() => kube.close());

const names = (r: { body: any }): string[] => r.body.items.map((i: any) => i.metadata.name);
const list = (q: string) => call(kube, 'GET', `${PODS}?${q}`);

describe('label selectors', () => {
  it('supports =, ==, !=, in, notin, exists, !exists and comma-AND', async () => {
    expect(names(await list('labelSelector=jobset.sigs.k8s.io/jobset-name=a'))).toEqual(['a-init', 'a-node']);
    expect(names(await list('labelSelector=jobset.sigs.k8s.io/jobset-name==b'))).toEqual(['b-node']);
    expect(names(await list('labelSelector=jobset.sigs.k8s.io/jobset-name!=a'))).toEqual(['b-node', 'plain']);
    expect(names(await list('labelSelector=tier'))).toEqual(['a-node']);
    expect(names(await list('labelSelector=!tier'))).toEqual(['a-init', 'b-node', 'plain']);
    expect(names(await list('labelSelector=jobset.sigs.k8s.io/replicatedjob-name notin (node)'))).toEqual(['a-init', 'plain']);
    // The exact selector string the Kubeflow SDK sends (docs/wire/trainer.md#pod-label-selector).
    const sdk = `jobset.sigs.k8s.io/jobset-name=a,jobset.sigs.k8s.io/replicatedjob-name in (dataset-initializer, model-initializer, launcher, node)`;
    expect(names(await list(`labelSelector=${encodeURIComponent(sdk)}`))).toEqual(['a-init', 'a-node']);
  });

  it('rejects malformed selectors with 400', async () => {
    const r = await list(`labelSelector=${encodeURIComponent('a in (b')}`);
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe('BadRequest');
    expect((await list(`labelSelector=${encodeURIComponent('a=b c')}`)).status).toBe(400);
  });
});

describe('field selectors', () => {
  it('supports metadata.name, status.phase, spec.nodeName; unsupported → 400', async () => {
    expect(names(await list('fieldSelector=metadata.name=plain'))).toEqual(['plain']);
    expect(names(await list('fieldSelector=status.phase=Running,spec.nodeName=n2'))).toEqual(['plain']);
    expect(names(await list('fieldSelector=status.phase!=Running'))).toEqual(['a-init', 'b-node']);
    const bad = await list('fieldSelector=spec.foo=bar');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('field label not supported: spec.foo');
  });

  it('filters events by involvedObject', async () => {
    for (const [n, kind, obj] of [
      ['e1', 'Pod', 'p1'],
      ['e2', 'TrainJob', 'j1'],
      ['e3', 'Pod', 'p2'],
    ])
      kube.store.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: n!, namespace: 'default' },
        involvedObject: { kind, name: obj, namespace: 'default' },
        reason: 'R',
      });
    const r = await call(kube, 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind=Pod,involvedObject.name=p2');
    expect(names(r)).toEqual(['e3']);
  });
});

describe('limit and continue', () => {
  it('pages with an opaque continue token and remainingItemCount', async () => {
    for (let i = 0; i < 5; i++) await call(kube, 'POST', CM, { body: { metadata: { name: `page-${i}` } } });
    const p1 = await call(kube, 'GET', `${CM}?limit=2`);
    expect(names(p1)).toEqual(['page-0', 'page-1']);
    expect(p1.body.metadata.remainingItemCount).toBe(3);
    const p2 = await call(kube, 'GET', `${CM}?limit=2&continue=${p1.body.metadata.continue}`);
    expect(names(p2)).toEqual(['page-2', 'page-3']);
    expect(p2.body.metadata.resourceVersion).toBe(p1.body.metadata.resourceVersion);
    const p3 = await call(kube, 'GET', `${CM}?limit=2&continue=${p2.body.metadata.continue}`);
    expect(names(p3)).toEqual(['page-4']);
    expect(p3.body.metadata.continue).toBeUndefined();
    expect((await call(kube, 'GET', `${CM}?limit=2&continue=garbage!`)).status).toBe(400);
  });
});

describe('watch', () => {
  it('rv unset: synthetic ADDED for current objects, then live events', async () => {
    const w = await openStream(kube, `${CM}?watch=true&labelSelector=w%3D1`);
    expect(w.status).toBe(200);
    await call(kube, 'POST', CM, { body: { metadata: { name: 'w1', labels: { w: '1' } } } });
    await call(kube, 'POST', CM, { body: { metadata: { name: 'ignored', labels: { w: '2' } } } });
    await call(kube, 'PATCH', `${CM}/w1`, { body: { data: { a: 'b' } }, contentType: 'application/merge-patch+json' });
    // Leaving the selector is seen as DELETED by this watcher.
    await call(kube, 'PATCH', `${CM}/w1`, { body: { metadata: { labels: { w: '3' } } }, contentType: 'application/merge-patch+json' });
    await w.waitForLines(3);
    w.close();
    expect(w.events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);
    expect(w.events[1].object.data).toEqual({ a: 'b' });
  });

  it('resourceVersion replays history after that version; watch=1 works too', async () => {
    const created = (await call(kube, 'POST', CM, { body: { metadata: { name: 'rv1' } } })).body;
    const rv = created.metadata.resourceVersion;
    await call(kube, 'PATCH', `${CM}/rv1`, { body: { data: { n: '1' } }, contentType: 'application/merge-patch+json' });
    await call(kube, 'DELETE', `${CM}/rv1`);
    const w = await openStream(kube, `${CM}?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Drv1`);
    await w.waitForLines(2);
    w.close();
    expect(w.events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(Number(w.events[1].object.metadata.resourceVersion)).toBeGreaterThan(Number(w.events[0].object.metadata.resourceVersion));
  });

  it('resourceVersion=0 starts with the current state', async () => {
    const w = await openStream(kube, `${PODS}?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dplain`);
    await w.waitForLines(1);
    w.close();
    expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'plain' } } });
  });

  it('too old resourceVersion → ERROR event with 410 Expired', async () => {
    const small = await startFakeKube({ controller: false, watchHistory: 3 });
    try {
      for (let i = 0; i < 6; i++) small.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'default' } });
      const w = await openStream(small, `${CM}?watch=true&resourceVersion=1`);
      await w.ended;
      expect(w.events).toHaveLength(1);
      expect(w.events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
      expect(w.events[0].object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
    } finally {
      await small.close();
    }
  });

  it('timeoutSeconds ends the stream; bookmarks are sent when allowed', async () => {
    const t0 = Date.now();
    const w = await openStream(kube, `${CM}?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dnone&timeoutSeconds=1&allowWatchBookmarks=true`);
    await w.ended;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(w.events.length).toBeGreaterThan(0);
    expect(w.events.every((e) => e.type === 'BOOKMARK' && /^\d+$/.test(e.object.metadata.resourceVersion))).toBe(true);
  });

  it('sendInitialEvents ends the initial list with an annotated bookmark', async () => {
    const w = await openStream(
      kube,
      `${PODS}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dplain`,
    );
    await waitFor(() => w.events.some((e) => e.type === 'BOOKMARK'));
    w.close();
    expect(w.events[0].type).toBe('ADDED');
    expect(w.events[1].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });
});
