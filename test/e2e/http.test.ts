/** The Streamable HTTP endpoint: DNS-rebinding protection, probes, and plain misuse. */
import http from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, startHttpServer, type HttpServerProcess } from '../support/mcp.js';

let srv: HttpServerProcess;
let port: number;

beforeAll(async () => {
  srv = await startHttpServer([], isolatedEnv());
  port = Number(new URL(srv.url).port);
});

afterAll(async () => {
  await srv?.stop();
});

function request(path: string, headers: Record<string, string>, body?: string, method = 'POST'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const init = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

describe('HTTP transport', () => {
  it('prints how to connect a client', () => {
    expect(srv.output()).toContain('claude mcp add --transport http kubeflow');
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it('serves a 2025-era initialize on /mcp', async () => {
    const r = await request('/mcp', { host: `127.0.0.1:${port}` }, init);
    expect(r.status).toBe(200);
    expect(r.body).toContain('kubeflow-mcp');
  });

  it('rejects a foreign Host header (DNS rebinding)', async () => {
    const r = await request('/mcp', { host: 'evil.example.com' }, init);
    expect(r.status).toBe(403);
  });

  it('rejects a foreign Origin', async () => {
    const r = await request('/mcp', { host: `127.0.0.1:${port}`, origin: 'https://evil.example.com' }, init);
    expect(r.status).toBe(403);
  });

  it('answers health and readiness probes, and 404 elsewhere', async () => {
    expect((await request('/healthz', {}, undefined, 'GET')).status).toBe(200);
    expect((await request('/readyz', {}, undefined, 'GET')).status).toBe(200);
    const other = await request('/', {}, undefined, 'GET');
    expect(other.status).toBe(404);
    expect(other.body).toContain('/mcp');
  });

  // A 2026-era client asks server/discover first; the 2025 era is served on the same endpoint.
  it('names both protocol eras in server/discover', async () => {
    const discovered: Array<{ supportedVersions: string[] }> = [];
    const recording: typeof fetch = async (url, init) => {
      const res = await fetch(url, init);
      if (typeof init?.body === 'string' && init.body.includes('"server/discover"')) {
        const text = await res.clone().text();
        const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? '{}');
        discovered.push((JSON.parse(json) as { result: { supportedVersions: string[] } }).result);
      }
      return res;
    };
    const client = new Client({ name: 't', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(srv.url), { fetch: recording }));
    await client.listTools();
    await client.close();
    expect(discovered).toHaveLength(1);
    expect(discovered[0]!.supportedVersions).toEqual(expect.arrayContaining(['2026-07-28', '2025-11-25', '2025-06-18']));
    // The 2025 versions listed are really served: initialize with one of them.
    const r = await request('/mcp', { host: `127.0.0.1:${port}` }, init);
    expect(JSON.parse(r.body.startsWith('{') ? r.body : /^data: (.*)$/m.exec(r.body)![1]!).result.protocolVersion).toBe('2025-11-25');
  });

  it('refuses oversized bodies', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const r = await request('/mcp', { host: `127.0.0.1:${port}` }, big);
    expect(r.status).toBe(413);
  });

  // A client still sending when the 413 goes out must be able to read it: the server reads and
  // drops the rest (bounded) instead of resetting the connection under the client (CI saw EPIPE).
  it('lets a client that is still sending finish and read the 413', async () => {
    const total = 2 * 1024 * 1024;
    const r = await new Promise<{ status: number; body: string; writeError?: string }>((resolve) => {
      let writeError: string | undefined;
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', 'content-length': total },
        },
        (res) => {
          let data = '';
          res.on('data', (d: Buffer) => (data += d.toString()));
          // The whole body must have left the client, not only the response have arrived.
          res.on('end', () =>
            req.writableFinished
              ? resolve({ status: res.statusCode ?? 0, body: data })
              : req.once('finish', () => resolve({ status: res.statusCode ?? 0, body: data, writeError })),
          );
        },
      );
      req.on('error', (e) => resolve({ status: 0, body: '', writeError: e.message }));
      setTimeout(() => resolve({ status: 0, body: '', writeError: 'the body never finished sending' }), 5_000).unref();
      req.write(Buffer.alloc(64 * 1024, 'x'));
      setTimeout(() => req.end(Buffer.alloc(total - 64 * 1024, 'x')), 300);
    });
    expect(r.writeError).toBeUndefined();
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining('1048576 bytes') } });
  });
});
