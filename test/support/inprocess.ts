/**
 * The server in the test process, connected to a real MCP client over an in-memory transport:
 * fast enough for matrices and fuzzing. Identity can be injected as the HTTP layer would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { IDENTITY_KEY, type Identity } from '../../src/auth/identity.js';
import { resolveSettings, type ServeFlags } from '../../src/config/settings.js';
import { createApp, type App } from '../../src/server/app.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { newClient, type Era } from './mcp.js';

export interface InProcess {
  app: App;
  /** A client connected as `identity` (default: the server's own kubeconfig identity), in `era` (default legacy). */
  connect(identity?: Identity, era?: Era): Promise<Client>;
  close(): Promise<void>;
}

/** Writes a config file (YAML text) to a temp dir and returns its path. */
export function configFile(yaml = ''): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-cfg-')), 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

export async function inProcess(flags: ServeFlags): Promise<InProcess> {
  const settings = resolveSettings({ config: configFile(), auditLog: 'off', backend: flags.kubeconfig ? 'kubernetes' : 'auto', ...flags }, ALL_TOOLS);
  const app = await createApp(settings);
  // Start-up requests (who am I) must not be counted as the calls' own.
  await app.ready;
  const clients: Client[] = [];
  return {
    app,
    async connect(identity?: Identity, era: Era = 'legacy') {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      if (identity) {
        // As the HTTP layer serves an authenticated caller (a 2025-era request with its identity).
        const server = await app.factory({ era: 'legacy', authInfo: { token: '', clientId: identity.user, scopes: [], extra: { [IDENTITY_KEY]: identity } } });
        await server.connect(serverSide);
      } else {
        // As `serve --transport stdio` does: the opening exchange picks the era.
        serveStdio(app.factory, { transport: serverSide });
      }
      const client = newClient(era);
      await client.connect(clientSide);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await app.close();
    },
  };
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const res = await client.callTool({ name, arguments: args });
  const text = (res.content as Array<{ type: string; text?: string }>).map((b) => b.text ?? '').join('\n');
  return { isError: Boolean(res.isError), data: res.structuredContent as Record<string, any>, text };
}
