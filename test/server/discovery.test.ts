/**
 * Discovery: server.json (the MCP Registry entry) validates and agrees with package.json, and the
 * HTTP server's MCP server card, derived from it, validates and is served where the draft and
 * earlier clients look, as public, cacheable, CORS-open metadata.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/program.js';
import { REGISTRY_ENTRY, serverCard, SERVER_CARD_MEDIA_TYPE } from '../../src/server/discovery.js';
import { isolatedEnv, ROOT, startHttpServer, type HttpServerProcess } from '../support/mcp.js';

const json = (p: string) => JSON.parse(readFileSync(path.join(ROOT, p), 'utf8')) as Record<string, any>;
const pkg = json('package.json');
const entry = json('server.json');
const validateEntry = new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(json('test/fixtures/discovery/server-json.schema.json'));
const validateCard = new Ajv2020({ strict: true, strictRequired: false, allErrors: true }).compile(json('test/fixtures/discovery/server-card.schema.json'));

describe('server.json', () => {
  it('validates against the registry schema', () => {
    expect(validateEntry(entry), JSON.stringify(validateEntry.errors)).toBe(true);
  });

  it('rejects what the registry rejects (the schema is not vacuous)', () => {
    expect(validateEntry({ ...entry, name: 'kubeflow-mcp' })).toBe(false);
    expect(validateEntry({ ...entry, description: 'x'.repeat(101) })).toBe(false);
    expect(validateEntry({ ...entry, version: '^0.1.0' })).toBe(false);
    expect(validateEntry({ ...entry, packages: [{ ...entry.packages[0], version: 'latest' }] })).toBe(false);
    expect(validateEntry({ ...entry, packages: [{ ...entry.packages[0], version: undefined }] })).toBe(false);
  });

  it('is the npm package: same name (mcpName, which the registry verifies), version and bin arguments', () => {
    expect(entry.name).toBe(pkg.mcpName);
    expect(entry.version).toBe(pkg.version);
    const npm = entry.packages.find((p: { registryType: string }) => p.registryType === 'npm');
    expect(npm).toMatchObject({ identifier: pkg.name, version: pkg.version, transport: { type: 'stdio' } });
    expect(pkg.files).toContain('server.json');
  });

  it('starts the server with the arguments it gives, and names only variables the server reads', async () => {
    const npm = entry.packages[0];
    const args = npm.packageArguments.map((a: { value: string }) => a.value);
    let served = false;
    const cli = buildCli().exitOverride();
    cli.commands.find((c) => c.name() === 'serve')!.action(() => void (served = true));
    await cli.parseAsync(['node', 'kubeflow-mcp', ...args]);
    expect(served).toBe(true);
    const src = ['src/kube/connection.ts', 'src/config/settings.ts'].map((f) => readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
    for (const v of npm.environmentVariables as Array<{ name: string }>) expect(src).toContain(`process.env.${v.name}`);
  });
});

describe('server card', () => {
  it('is derived from server.json and validates, with or without an endpoint', () => {
    for (const card of [serverCard(), serverCard('https://mcp.example.com/mcp')]) {
      expect(validateCard(card), JSON.stringify(validateCard.errors)).toBe(true);
      expect(card).toMatchObject({ name: REGISTRY_ENTRY.name, version: pkg.version, title: entry.title, description: entry.description });
    }
    expect(serverCard().remotes).toBeUndefined();
    expect(validateCard({ ...serverCard(), packages: [] })).toBe(false);
  });
});

describe('server card over HTTP', () => {
  let loopback: HttpServerProcess;
  let published: HttpServerProcess;

  beforeAll(async () => {
    [loopback, published] = await Promise.all([
      startHttpServer(['--backend', 'local'], isolatedEnv()),
      startHttpServer(['--backend', 'local', '--public-url', 'https://mcp.example.com/team/mcp'], isolatedEnv()),
    ]);
  });

  afterAll(async () => {
    await Promise.all([loopback?.stop(), published?.stop()]);
  });

  function request(
    url: string,
    p: string,
    method = 'GET',
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: p, method, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('is served at <endpoint>/server-card and /.well-known/mcp-server-card, naming the loopback endpoint', async () => {
    for (const p of ['/mcp/server-card', '/.well-known/mcp-server-card']) {
      const r = await request(loopback.url, p, 'GET', { accept: SERVER_CARD_MEDIA_TYPE });
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type']).toBe(SERVER_CARD_MEDIA_TYPE);
      expect(r.headers['access-control-allow-origin']).toBe('*');
      expect(r.headers['cache-control']).toBe('public, max-age=3600');
      const card = JSON.parse(r.body);
      expect(validateCard(card), JSON.stringify(validateCard.errors)).toBe(true);
      expect(card.remotes).toEqual([{ type: 'streamable-http', url: loopback.url }]);
    }
  });

  it('names the public URL when one is configured, whatever Host the request carries', async () => {
    const r = await request(published.url, '/mcp/server-card', 'GET', { host: 'evil.example.com' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).remotes).toEqual([{ type: 'streamable-http', url: 'https://mcp.example.com/team/mcp' }]);
  });

  it('answers the CORS preflight and refuses writes', async () => {
    const pre = await request(loopback.url, '/mcp/server-card', 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toBe('GET');
    const post = await request(loopback.url, '/.well-known/mcp-server-card', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
  });
});
