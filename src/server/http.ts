/**
 * Streamable HTTP on node:http: /mcp serves both protocol eras (createMcpHandler: 2026-07-28
 * natively, 2025-era clients through the stateless fallback). In front of it: Host/Origin checks
 * (DNS rebinding), authentication (httpAuth.ts), a per-identity rate limit and the body limit.
 * Also /healthz (alive), /readyz (backend loaded), /metrics (Prometheus; no identities, see
 * docs/security.md), the MCP server card (discovery.ts) and, with OAuth, the RFC 9728 metadata
 * document.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { hostHeaderValidation, localhostHostValidation, localhostOriginValidation, originValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type McpServerFactory } from '@modelcontextprotocol/server';
import { IDENTITY_KEY } from '../auth/identity.js';
import { MAX_BODY_BYTES } from './argumentLimits.js';
import { enableMetrics, recordRateLimited } from '../telemetry/metrics.js';
import { sendServerCard, serverCardPaths, type ServerCard } from './discovery.js';
import { noAuth, type HttpAuth } from './httpAuth.js';
import { RateLimiter } from './rateLimit.js';

export interface HttpOptions {
  host: string;
  port: number;
  factory: McpServerFactory;
  auth?: HttpAuth;
  rateLimit?: { perSecond: number; burst: number };
  /** Extra Host/Origin hostnames accepted besides the bind address (e.g. an ingress name). */
  allowedHosts?: string[];
  limits?: Partial<HttpLimits>;
  /** For /readyz. */
  ready?: () => boolean;
  /** True once shutdown began (drain.ts): /readyz and /mcp answer 503 so traffic moves elsewhere. */
  draining?: () => boolean;
  /** The MCP server card (discovery.ts), public at /.well-known/mcp-server-card and /mcp/server-card. */
  serverCard?: () => ServerCard;
  onError?: (err: Error) => void;
}

/** What a slow, idle or greedy client may hold. Streams (progress, long waits) are responses, not bounded here. */
export interface HttpLimits {
  /** Headers and body of one request must arrive within this (slow-body clients). */
  requestTimeoutMs: number;
  /** A kept-alive connection with no request in flight is closed after this. */
  idleTimeoutMs: number;
  maxConnections: number;
  /** How often Node checks the request timeout; its default (30 s) would double the timeout. */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { requestTimeoutMs: 30_000, idleTimeoutMs: 10_000, maxConnections: 1024, checkIntervalMs: 1_000 };

const CARD_PATHS = serverCardPaths('/mcp');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function serveHttp(opts: HttpOptions): Promise<{ server: HttpServer; url: string; close: () => Promise<void> }> {
  const mcp = createMcpHandler(opts.factory, { onerror: opts.onError, maxRequestBodySize: MAX_BODY_BYTES });
  const handle = toNodeHandler(mcp, { onerror: opts.onError, maxRequestBodySize: MAX_BODY_BYTES });
  const auth = opts.auth ?? noAuth();
  const limiter = opts.rateLimit ? new RateLimiter(opts.rateLimit.perSecond, opts.rateLimit.burst) : undefined;
  const loopbackOnly = LOOPBACK.has(opts.host) && !opts.allowedHosts?.length;
  const names = [opts.host.replace(/^\[|\]$/g, ''), ...(opts.allowedHosts ?? []), 'localhost', '127.0.0.1', '::1'];
  const validHost = loopbackOnly ? localhostHostValidation() : hostHeaderValidation(names);
  const validOrigin = loopbackOnly ? localhostOriginValidation() : originValidation(names);
  const metrics = await enableMetrics();

  const limits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.idleTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      route(req, res).catch((err: Error) => {
        opts.onError?.(err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
      });
    },
  );

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === '/readyz') {
      if (opts.draining?.()) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('shutting down\n');
      const ok = opts.ready?.() ?? true;
      return void res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'starting\n');
    }
    if (path === '/metrics') return void res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.render());
    if (opts.serverCard && CARD_PATHS.includes(path ?? '')) return sendServerCard(req, res, opts.serverCard());
    if (opts.draining?.()) return shuttingDown(res);
    if (auth.resourceMetadata?.path.includes(path ?? '')) {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(auth.resourceMetadata.document));
    }
    if (path !== '/mcp') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the MCP endpoint is /mcp\n');
    if (!validHost(req, res) || !validOrigin(req, res)) return;
    const outcome = await auth.authenticate(req);
    if (!outcome.ok) return sendResponse(res, outcome.response);
    if (limiter) {
      // Keyed by the verified caller (gateway or OAuth identity), else the peer address: never by
      // a header a client could vary to get a fresh budget.
      const who = (outcome.auth.extra?.[IDENTITY_KEY] as { user?: string } | undefined)?.user ?? req.socket.remoteAddress ?? 'unknown';
      const wait = limiter.take(who);
      if (wait > 0) {
        recordRateLimited();
        return rateLimited(res, wait);
      }
    }
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return bodyTooLarge(req, res);
    (req as IncomingMessage & { auth?: unknown }).auth = outcome.auth;
    await handle(req, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  server.maxConnections = limits.maxConnections;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const hostPart = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  return {
    server,
    url: `http://${hostPart}:${port}/mcp`,
    // Cuts whatever still runs (drain.ts lets in-flight calls finish first): the close callback
    // fires only once every connection is gone, so they are closed before waiting for it.
    close: async () => {
      await mcp.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** 503 while draining (drain.ts), JSON-RPC shaped like the 429; the connection closes after it. */
function shuttingDown(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
  res.end(
    JSON.stringify({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: 'This server is shutting down: retry (another replica answers).', data: { retryAfterSeconds: 1 } },
    }),
  );
}

/** Past this, a client still sending an oversized body is cut off instead of read to the end. */
const DISCARD_LIMIT = { bytes: 16 * MAX_BODY_BYTES, ms: 5_000 };

/**
 * 413 for a declared length over the limit. The client is usually still sending: closing at once
 * resets the connection under it and it sees EPIPE/ECONNRESET instead of the answer (no lingering
 * close in Node). So the rest of the body is read and dropped, bounded in bytes and time, and the
 * connection is closed after it. (Chunked bodies without a length are cut by the SDK's own limit.)
 */
function bodyTooLarge(req: IncomingMessage, res: ServerResponse): void {
  let dropped = 0;
  const cutOff = (): void => void req.socket.destroy();
  const timer = setTimeout(cutOff, DISCARD_LIMIT.ms).unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT.bytes) cutOff();
  });
  req.on('end', () => {
    clearTimeout(timer);
    res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `Request body larger than ${MAX_BODY_BYTES} bytes: send less.` } }));
  });
}

/** 429 with a JSON-RPC error body, so MCP clients surface it as an error of the request. */
function rateLimited(res: ServerResponse, wait: number): void {
  res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(wait) });
  res.end(
    JSON.stringify({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: `Rate limit exceeded for this caller: retry after ${wait}s.`, data: { retryAfterSeconds: wait } },
    }),
  );
}

async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  res.end(Buffer.from(await response.arrayBuffer()));
}
