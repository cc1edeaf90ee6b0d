/**
 * Streamable HTTP on node:http: /mcp serves both protocol eras (createMcpHandler: 2026-07-28
 * natively, 2025-era clients through the stateless fallback), /healthz and /readyz for probes.
 * Host and Origin headers are validated (DNS-rebinding protection).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { hostHeaderValidation, localhostHostValidation, localhostOriginValidation, originValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type Server } from '@modelcontextprotocol/server';

export interface HttpOptions {
  host: string;
  port: number;
  factory: () => Server;
  /** Extra Host/Origin hostnames accepted besides the bind address (e.g. an ingress name). */
  allowedHosts?: string[];
  onError?: (err: Error) => void;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const MAX_BODY_BYTES = 1024 * 1024;

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

export async function serveHttp(opts: HttpOptions): Promise<{ server: HttpServer; url: string; close: () => Promise<void> }> {
  const mcp = createMcpHandler(opts.factory, { onerror: opts.onError, maxRequestBodySize: MAX_BODY_BYTES });
  const handle = toNodeHandler(mcp, { onerror: opts.onError, maxRequestBodySize: MAX_BODY_BYTES });
  const names = [opts.host.replace(/^\[|\]$/g, ''), ...(opts.allowedHosts ?? [])];
  const validHost = isLoopback(opts.host) && !opts.allowedHosts?.length ? localhostHostValidation() : hostHeaderValidation([...names, 'localhost', '127.0.0.1', '::1']);
  const validOrigin = isLoopback(opts.host) && !opts.allowedHosts?.length ? localhostOriginValidation() : originValidation([...names, 'localhost', '127.0.0.1', '::1']);

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the MCP endpoint is /mcp\n');
      return;
    }
    if (!validHost(req, res) || !validOrigin(req, res)) return;
    handle(req, res).catch((err: Error) => {
      opts.onError?.(err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const hostPart = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  return {
    server,
    url: `http://${hostPart}:${port}/mcp`,
    close: async () => {
      await mcp.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
