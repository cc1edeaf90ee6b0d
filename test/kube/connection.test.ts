/** Where the server finds its cluster: in-cluster service account, and streaming decode. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { findKubeconfig, loadKubeConnection } from '../../src/kube/connection.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('in-cluster service account', () => {
  it('uses the pod token, CA and namespace files and the service env', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kfmcp-sa-'));
    const dir = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'token'), 'sa-token-123');
    writeFileSync(path.join(dir, 'namespace'), 'ml-team\n');
    writeFileSync(path.join(dir, 'ca.crt'), '');
    process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    const conn = await loadKubeConnection({ inClusterRoot: root });
    expect(conn.source).toBe('in-cluster');
    expect(conn.server).toBe('https://10.0.0.1:443');
    expect(conn.defaultNamespace).toBe('ml-team');
    expect((await conn.authHeaders()).Authorization).toBe('Bearer sa-token-123');
  });

  it('finds nothing on a machine without kubeconfig or service account', () => {
    process.env.HOME = mkdtempSync(path.join(tmpdir(), 'kfmcp-home-'));
    delete process.env.KUBECONFIG;
    expect(findKubeconfig()).toBeUndefined();
    expect(findKubeconfig('/some/file')).toEqual({ kind: 'file', paths: ['/some/file'] });
  });
});

describe('line streams', () => {
  it('decodes multi-byte characters split across chunks', async () => {
    const text = Buffer.from('loss=0.5 ✓ épоch\nnext\n', 'utf8');
    const cut = text.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte check mark
    const srv = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(text.subarray(0, cut));
      setTimeout(() => res.end(text.subarray(cut)), 20);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kc-')), 'config');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    const client = new KubeClient(await loadKubeConnection({ kubeconfig: file }));
    const lines: string[] = [];
    for await (const l of client.lines('/logs')) lines.push(l);
    srv.close();
    expect(lines).toEqual(['loss=0.5 ✓ épоch', 'next']);
  });
});
