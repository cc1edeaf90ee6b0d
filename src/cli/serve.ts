/** `kubeflow-mcp serve`: start the server on the chosen transport and explain how to connect. */
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { log } from '../log.js';
import type { Persona } from '../policy/personas.js';
import { createApp } from '../server/app.js';
import { serveHttp } from '../server/http.js';

export interface ServeOptions {
  transport: 'stdio' | 'http';
  host: string;
  port: number;
  clients: string[];
  persona: Persona;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export async function serve(o: ServeOptions): Promise<void> {
  const app = await createApp({
    clients: o.clients,
    persona: o.persona,
    kubeconfig: o.kubeconfig,
    context: o.context,
    namespace: o.namespace,
    onCall: (e) => log.info({ tool: e.tool, namespace: e.namespace, ok: e.ok, code: e.code, ms: e.durationMs }, 'tool call'),
  });
  const summary = async () => `${app.tools.length} tools (persona ${o.persona}, clients ${o.clients.join(',')}); backend: ${await app.backendDescription()}`;

  if (o.transport === 'stdio') {
    const handle = serveStdio(app.factory, { onerror: (err) => log.warn({ err: err.message }, 'stdio transport error') });
    log.info(`kubeflow-mcp serving MCP on stdio: ${await summary()}`);
    const stop = () => void handle.close().finally(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  let http;
  try {
    http = await serveHttp({ host: o.host, port: o.port, factory: app.factory, onError: (err) => log.warn({ err: err.message }, 'http error') });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? `port ${o.port} is already in use (use --port)` : e.code === 'EADDRNOTAVAIL' ? `cannot bind ${o.host} (use --host)` : e.message;
    throw new Error(`cannot serve HTTP on ${o.host}:${o.port}: ${why}`);
  }
  process.stderr.write(
    [
      `kubeflow-mcp ${await summary()}`,
      `MCP endpoint (Streamable HTTP): ${http.url}`,
      'Connect a client:',
      `  Claude Code:  claude mcp add --transport http kubeflow ${http.url}`,
      `  VS Code:      {"servers": {"kubeflow": {"type": "http", "url": "${http.url}"}}}  (.vscode/mcp.json)`,
      `  Cursor:       {"mcpServers": {"kubeflow": {"url": "${http.url}"}}}  (~/.cursor/mcp.json)`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const stop = () => void http.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
