/** The REST client against the test API server: Status errors, transport failures, identity, streams. */
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeClient, RESOURCES } from '../../src/kube/client.js';
import { KubeConfigError, loadKubeConnection } from '../../src/kube/connection.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';

let kube: FakeKube;
let dir: string;
let client: KubeClient;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', 'team-a'], controller: false });
  dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-client-'));
  client = new KubeClient(await loadKubeConnection({ kubeconfig: kube.writeKubeconfig(dir, { namespace: 'team-a' }) }));
});

afterAll(async () => {
  await kube?.close();
});

describe('kubeconfig loading', () => {
  it('takes the server and default namespace from the current context', async () => {
    const conn = await loadKubeConnection({ kubeconfig: kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')), { namespace: 'team-a' }) });
    expect(conn.server).toBe(kube.url);
    expect(conn.defaultNamespace).toBe('team-a');
    expect(conn.source).toBe('kubeconfig');
    expect((await conn.authHeaders()).Authorization).toMatch(/^Bearer /);
  });

  it('falls back to "default" when the context has no namespace, and --namespace wins', async () => {
    const file = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')));
    expect((await loadKubeConnection({ kubeconfig: file })).defaultNamespace).toBe('default');
    expect((await loadKubeConnection({ kubeconfig: file, namespace: 'ml' })).defaultNamespace).toBe('ml');
  });

  it('names the available contexts when --context is wrong', async () => {
    const file = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')), { context: 'fake' });
    const err = await loadKubeConnection({ kubeconfig: file, context: 'prod' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConfigError);
    expect((err as KubeConfigError).message).toContain('"prod"');
    expect((err as KubeConfigError).hint).toContain('fake');
  });

  it('explains a missing or unreadable kubeconfig', async () => {
    await expect(loadKubeConnection({ kubeconfig: path.join(dir, 'nope.yaml') })).rejects.toThrow(/not found/);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters: [oops');
    await expect(loadKubeConnection({ kubeconfig: bad })).rejects.toThrow(KubeConfigError);
  });
});

describe('requests', () => {
  it('turns API Status failures into KubeApiError with code and reason', async () => {
    const err = (await client.get(RESOURCES.trainjobs, 'missing', 'team-a').catch((e: unknown) => e)) as KubeApiError;
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err.status).toBe(404);
    expect(err.reason).toBe('NotFound');
    expect(err.message).toContain('"missing" not found');
  });

  it('sends Impersonate-User / Impersonate-Group for an impersonating client', async () => {
    const alice = client.as({ user: 'alice', groups: ['ml-team', 'devs'] });
    await alice.list(RESOURCES.pods, 'team-a').catch(() => undefined);
    const last = kube.requests.filter((r) => r.path === '/api/v1/namespaces/team-a/pods').at(-1)!;
    expect(last.user).toBe('alice');
    expect(last.groups).toEqual(expect.arrayContaining(['ml-team', 'devs']));
    expect(last.impersonatedBy).toBe('admin');
  });

  it('watches a collection', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const ev of client.watch<{ metadata: { name?: string } }>(RESOURCES.configmaps, 'team-a', {}, stop.signal)) {
        seen.push(`${ev.type}:${ev.object.metadata.name}`);
        if (seen.length === 2) stop.abort();
      }
    })();
    await client.create(RESOURCES.configmaps, 'team-a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    await client.create(RESOURCES.configmaps, 'team-a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    await watching;
    expect(seen).toEqual(['ADDED:a', 'ADDED:b']);
  });

  it('reports an unreachable API server as status 0 / Unreachable', async () => {
    const down = await startFakeKube({ controller: false });
    const c = new KubeClient(await loadKubeConnection({ kubeconfig: down.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-'))) }));
    await down.close();
    const err = (await c.list(RESOURCES.pods, 'default').catch((e: unknown) => e)) as KubeApiError;
    expect(err.status).toBe(0);
    expect(err.reason).toBe('Unreachable');
    expect(err.message).toContain('cannot reach the Kubernetes API server');
  });

  it('times out a call that never answers', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const file = path.join(dir, 'silent.yaml');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    const c = new KubeClient(await loadKubeConnection({ kubeconfig: file }), undefined, 200);
    const err = (await c.list(RESOURCES.pods, 'default').catch((e: unknown) => e)) as KubeApiError;
    silent.closeAllConnections();
    silent.close();
    expect(err.reason).toBe('Timeout');
    expect(err.message).toContain('timed out');
  });
});
