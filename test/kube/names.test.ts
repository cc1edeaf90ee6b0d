/**
 * Caller input that reaches a URL path: only valid Kubernetes names and namespaces get through,
 * so '.', '..', '/' or '%2F' can never rewrite the path. Refusals are invalid_arguments with a hint,
 * and nothing is sent to the API server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, KubeNameError, RESOURCES } from '../../src/kube/client.js';
import { loadKubeConnection } from '../../src/kube/connection.js';
import { toToolError } from '../../src/tools/errors.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, inProcess, type InProcess } from '../support/inprocess.js';

let kube: FakeKube;
let client: KubeClient;
let srv: InProcess;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', 'team-a'], controller: false });
  kube.seedDefaultRuntimes();
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-names-')), { namespace: 'team-a' });
  client = new KubeClient(await loadKubeConnection({ kubeconfig }));
  srv = await inProcess({ kubeconfig, clients: ['trainer'] });
});

afterAll(async () => {
  await srv?.close();
  await kube?.close();
});

const HOSTILE = ['.', '..', '../..', 'a/b', '..%2F..', 'a%2Fb', 'UPPER', ' x', '-lead', 'x'.repeat(254)];
const dotted = () => kube.requests.filter((r) => /(^|\/)\.\.?(\/|$)|%2e|%2f/i.test(r.path));

describe('path segments from callers', () => {
  it.each(HOSTILE)('refuses the name %j before sending anything', async (bad) => {
    const before = kube.requests.length;
    const err = await client.get(RESOURCES.trainingruntimes, bad, 'team-a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeNameError);
    const te = toToolError(err);
    expect(te.code).toBe('invalid_arguments');
    expect(te.hint).toMatch(/lowercase letters, digits/);
    expect(kube.requests.length).toBe(before);
  });

  it.each(['.', '..', 'a.b', 'a/b', 'Team'])('refuses the namespace %j', async (bad) => {
    await expect(client.list(RESOURCES.pods, bad)).rejects.toBeInstanceOf(KubeNameError);
  });

  it('still accepts dotted names and encodes nothing away', async () => {
    await expect(client.get(RESOURCES.configmaps, 'kube-root-ca.crt', 'team-a').catch((e: { status?: number }) => e.status)).resolves.not.toBeInstanceOf(
      KubeNameError,
    );
    expect(kube.requests.at(-1)!.path).toBe('/api/v1/namespaces/team-a/configmaps/kube-root-ca.crt');
  });

  it.each([
    ['get_runtime', { name: '..' }],
    ['get_runtime', { name: '.' }],
    ['get_runtime_packages', { runtime: '..', confirmed: true }],
    ['get_training_job', { name: '..' }],
    ['list_training_jobs', { namespace: '..' }],
  ])('%s %j is invalid_arguments with a hint, and no ".." reaches the API server', async (tool, args) => {
    const c = await srv.connect();
    const r = await callTool(c, tool, args);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/invalid_arguments/);
    expect(r.text).toMatch(/lowercase letters, digits/);
    expect(dotted()).toEqual([]);
  });
});
