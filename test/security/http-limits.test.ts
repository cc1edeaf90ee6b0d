/**
 * HTTP stays up under slow and greedy clients (server/http.ts limits): a body trickled a byte at a
 * time is cut off, idle keep-alive connections are closed, connections beyond the cap are refused.
 */
import { connect, type Socket } from 'node:net';
import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS, serveHttp } from '../../src/server/http.js';

const factory = () => new McpServer({ name: 't', version: '1' });
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(limits: Partial<typeof DEFAULT_HTTP_LIMITS>): Promise<URL> {
  const http = await serveHttp({ host: '127.0.0.1', port: 0, factory, limits: { checkIntervalMs: 100, ...limits } });
  close = http.close;
  return new URL(http.url);
}

/** Resolves with what the server sent once it closes the connection (or after `ms`). */
function untilClosed(socket: Socket, ms: number): Promise<{ closed: boolean; data: string; afterMs: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    const timer = setTimeout(() => resolve({ closed: false, data, afterMs: Date.now() - t0 }), ms);
    socket.on('close', () => (clearTimeout(timer), resolve({ closed: true, data, afterMs: Date.now() - t0 })));
    socket.on('error', () => undefined);
  });
}

describe('HTTP limits', () => {
  it('defaults: the body must arrive within 30 s, idle connections close after 10 s, at most 1024 connections', () => {
    expect(DEFAULT_HTTP_LIMITS).toMatchObject({ requestTimeoutMs: 30_000, idleTimeoutMs: 10_000, maxConnections: 1024 });
  });

  it('cuts off a request body trickled one byte at a time', async () => {
    const url = await start({ requestTimeoutMs: 800 });
    const socket = connect(Number(url.port), url.hostname);
    socket.write(`POST /mcp HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
    const drip = setInterval(() => socket.writable && socket.write('{'), 200);
    const seen = await untilClosed(socket, 5000);
    clearInterval(drip);
    expect(seen.closed).toBe(true);
    expect(seen.afterMs).toBeLessThan(3000);
    expect(seen.data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a kept-alive connection that stays idle', async () => {
    const url = await start({ idleTimeoutMs: 300 });
    const socket = connect(Number(url.port), url.hostname);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    const seen = await untilClosed(socket, 5000);
    expect(seen.data).toContain('200 OK');
    expect(seen.closed).toBe(true);
    expect(seen.afterMs).toBeLessThan(2000);
  });

  it('refuses connections beyond the cap and keeps serving the others', async () => {
    const url = await start({ maxConnections: 2 });
    const held = [connect(Number(url.port), url.hostname), connect(Number(url.port), url.hostname)];
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))));
    await new Promise((r) => setTimeout(r, 100));
    const third = connect(Number(url.port), url.hostname);
    const seen = await untilClosed(third, 3000);
    expect(seen.closed).toBe(true);
    expect(seen.data).toBe('');
    held[0]!.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
    expect((await untilClosed(held[0]!, 3000)).data).toContain('200 OK');
    held[1]!.destroy();
  });
});
