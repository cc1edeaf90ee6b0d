import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, openStream } from './helpers.js';

let kube: FakeKube;
let dir: string;

beforeAll(async () => {
  kube = await startFakeKube({ controller: false, tokens: { 'admin-token': { name: 'admin', groups: ['system:masters'] }, t2: { name: 'two' } } });
  dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
});
afterAll(async () => {
  await kube.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('server lifecycle', () => {
  it('listens on 127.0.0.1 with a random port', () => {
    expect(kube.url).toBe(`http://127.0.0.1:${kube.port}`);
    expect(kube.port).toBeGreaterThan(0);
  });

  it('stop() refuses connections and cuts open watches; start() reuses the port and keeps state', async () => {
    await call(kube, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'survivor' } } });
    const w = await openStream(kube, '/api/v1/namespaces/default/configmaps?watch=true');
    const port = kube.port;
    await kube.stop();
    await w.ended;
    await expect(fetch(`${kube.url}/version`)).rejects.toThrow();
    await kube.start();
    expect(kube.port).toBe(port);
    const r = await call(kube, 'GET', '/api/v1/namespaces/default/configmaps/survivor');
    expect(r.status).toBe(200);
  });
});

describe('kubeconfig', () => {
  it('renders server, token, context and optional namespace', () => {
    const cfg = parse(kube.kubeconfig({ namespace: 'team-a', context: 'ctx', token: 't2' }));
    expect(cfg['current-context']).toBe('ctx');
    expect(cfg.clusters[0].cluster.server).toBe(kube.url);
    const ctx = cfg.contexts.find((c: any) => c.name === 'ctx').context;
    expect(ctx.namespace).toBe('team-a');
    expect(cfg.users.find((u: any) => u.name === ctx.user).user.token).toBe('t2');
    const dflt = parse(kube.kubeconfig());
    expect(dflt.users[0].user.token).toBe('admin-token');
    expect(dflt.contexts[0].context.namespace).toBeUndefined();
  });

  it('writeKubeconfig writes a file per call and returns its path', () => {
    const a = kube.writeKubeconfig(dir);
    const b = kube.writeKubeconfig(dir, { token: 't2' });
    expect(a).not.toBe(b);
    expect(parse(readFileSync(b, 'utf8')).users[0].user.token).toBe('t2');
  });
});
