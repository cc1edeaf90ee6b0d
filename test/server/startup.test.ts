/**
 * Start-up says why it fell back, and does not make tools/list wait for a cluster when the
 * modules are given explicitly (calls still wait for start-up to finish).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { resolveSettings, type ServeFlags } from '../../src/config/settings.js';
import { createApp } from '../../src/server/app.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-startup-'));
const settings = (flags: ServeFlags) =>
  resolveSettings({ config: path.join(dir, 'none.yaml'), auditLog: 'off', storeDir: path.join(dir, 'jobs'), ...flags }, ALL_TOOLS);

/** An API server that accepts connections and never answers: a cluster that is slow to start. */
let hanging: Server;
let kubeconfig: string;
beforeAll(async () => {
  writeFileSync(path.join(dir, 'none.yaml'), '');
  hanging = createServer(() => undefined);
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  kubeconfig = path.join(dir, 'kubeconfig');
  const server = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
      users: [{ name: 'u', user: { token: 't' } }],
    }),
  );
});
afterAll(async () => {
  hanging.closeAllConnections();
  await new Promise((r) => hanging.close(r));
});

describe('start-up', () => {
  it('with --backend auto, names the missing file $KUBECONFIG points at', async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = path.join(dir, 'missing-kubeconfig');
    try {
      const app = await createApp(settings({ backend: 'auto' }));
      const text = await app.describe();
      expect(text).toContain(`kubeconfig file not found: ${path.join(dir, 'missing-kubeconfig')}`);
      expect(text).not.toContain('no kubeconfig or service account found');
      await app.close();
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it('with explicit --clients, answers tools/list before the cluster does', async () => {
    const app = await createApp(settings({ backend: 'kubernetes', kubeconfig, clients: ['trainer'] }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const listed = (async () => {
      await (await app.factory()).connect(serverSide);
      const client = new Client({ name: 't', version: '1' });
      await client.connect(clientSide);
      return (await client.listTools()).tools;
    })();
    const tools = await Promise.race([listed, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000))]);
    expect(tools).not.toBe('timeout');
    expect((tools as Array<{ name: string }>).map((t) => t.name)).toContain('list_runtimes');
    expect(app.isReady()).toBe(false); // the cluster still has not answered
    await app.close();
  });
});
