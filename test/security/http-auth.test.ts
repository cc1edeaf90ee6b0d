/**
 * HTTP identity modes end to end, against the built server: OAuth 2.1 resource server (JWTs
 * verified against a JWKS on loopback, RFC 9728 metadata, 401 challenges), trusted gateway headers,
 * headers ignored outside gateway mode, and the per-identity rate limit.
 */
import { spawnSync } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { configFile } from '../support/inprocess.js';
import { BIN, isolatedEnv, startHttpServer, type HttpServerProcess } from '../support/mcp.js';

const NS = 'team-a';
const SA = 'system:serviceaccount:kubeflow:kubeflow-mcp';
let kube: FakeKube;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({
    namespaces: [NS],
    tokens: { 'sa-token': { name: SA, groups: [] } },
    rbac: [
      { users: [SA], verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'] },
      { users: [SA], verbs: ['get', 'list', 'create'], apiGroups: ['*'], resources: ['*'] },
      { groups: ['ml'], verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: [NS] },
    ],
    controller: false,
  });
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')), { token: 'sa-token', namespace: NS });
});

afterAll(async () => {
  await kube?.close();
});

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function listJobsAs(url: string, headers: Record<string, string>): Promise<{ ok: boolean; error?: string }> {
  const client = new Client({ name: 't', version: '1' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    const r = await client.callTool({ name: 'list_training_jobs', arguments: {} });
    return { ok: !r.isError };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    await client.close().catch(() => undefined);
  }
}

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const post = (url: string, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: INIT });

/** A POST with repeated or raw (latin1) header values, which fetch would merge or refuse. */
function rawPost(url: string, headers: Array<[string, string]>, opts: { localAddress?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: opts.localAddress, setHost: true }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const flat = ['content-type', 'application/json', 'accept', 'application/json, text/event-stream', ...headers.flat()];
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i]!;
      const prev = req.getHeader(name);
      req.setHeader(name, prev === undefined ? flat[i + 1]! : [...(Array.isArray(prev) ? prev : [String(prev)]), flat[i + 1]!]);
    }
    req.end(INIT);
  });
}

const lastUser = () => kube.requests.filter((r) => r.path.endsWith('/trainjobs')).at(-1);

describe('OAuth 2.1 resource server', () => {
  let issuer: Server;
  let issuerUrl: string;
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let srv: HttpServerProcess;
  let mcpUrl: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    issuer = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') return void res.end(JSON.stringify({ issuer: issuerUrl, jwks_uri: `${issuerUrl}/jwks.json` }));
      if (req.url === '/jwks.json') return void res.end(JSON.stringify({ keys: [jwk] }));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => issuer.listen(0, '127.0.0.1', r));
    issuerUrl = `http://127.0.0.1:${(issuer.address() as { port: number }).port}`;
    const port = await freePort();
    mcpUrl = `http://127.0.0.1:${port}/mcp`;
    srv = await startHttpServer(
      ['--port', String(port), '--kubeconfig', kubeconfig, '--auth', 'oauth', '--oauth-issuer', issuerUrl, '--public-url', mcpUrl, '--config', configFile()],
      isolatedEnv(),
    );
  });

  afterAll(async () => {
    await srv?.stop();
    issuer?.close();
  });

  const token = (claims: Record<string, unknown>, opts: { signWith?: CryptoKey; iss?: string; aud?: string; exp?: number } = {}) =>
    new SignJWT({ email: 'alice@example.com', groups: ['ml', 'system:masters'], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(opts.iss ?? issuerUrl)
      .setAudience(opts.aud ?? mcpUrl)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(opts.signWith ?? key);

  it('serves RFC 9728 protected-resource metadata', async () => {
    const res = await fetch(new URL('/.well-known/oauth-protected-resource/mcp', mcpUrl));
    expect(await res.json()).toMatchObject({ resource: mcpUrl, authorization_servers: [issuerUrl] });
  });

  it('answers 401 with a WWW-Authenticate challenge without a token', async () => {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${new URL('/.well-known/oauth-protected-resource/mcp', mcpUrl)}"`);
  });

  it("acts as the token's user and groups (never system: groups), never forwarding the token", async () => {
    const jwt = await token({});
    const before = kube.requests.length;
    expect((await listJobsAs(mcpUrl, { authorization: `Bearer ${jwt}` })).ok).toBe(true);
    const seen = lastUser()!;
    expect(seen).toMatchObject({ user: 'alice@example.com', impersonatedBy: SA });
    expect(seen.groups).toContain('ml');
    expect(seen.groups).not.toContain('system:masters');
    expect(JSON.stringify(kube.requests.slice(before))).not.toContain(jwt);
  });

  it.each([
    ['a wrong audience', { aud: 'https://other.example.com/mcp' }],
    ['a wrong issuer', { iss: 'https://evil.example.com' }],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 60 }],
    ['a bad signature', { signWith: 'other' }],
  ] as const)('rejects %s', async (_what, opts) => {
    const jwt = await token({}, { ...opts, signWith: 'signWith' in opts ? otherKey : key } as never);
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it.each([
    ['a system: user behind leading whitespace', { email: ' system:kube-controller-manager' }, 'whitespace'],
    ['a system: user', { email: 'system:kube-controller-manager' }, 'system identity'],
    ['a system: user behind a tab and a trailing newline', { email: '\tsystem:masters\n' }, 'cannot be sent'],
    ['a user with a line break inside', { email: 'alice\r\nImpersonate-User: admin' }, 'cannot be sent'],
    ['a non-ASCII user', { email: 'ålice@example.com' }, 'cannot be sent'],
    ['a group with a line break', { groups: ['ml\nsystem:masters'] }, 'cannot be sent'],
  ])('refuses %s with 401 and a reason, impersonating nobody', async (_what, claims, reason) => {
    const jwt = await token(claims);
    const before = kube.requests.length;
    const res = await post(mcpUrl, { authorization: `Bearer ${jwt}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    expect(res.headers.get('www-authenticate')).toContain(reason);
    expect(kube.requests.length).toBe(before);
  });

  it('refuses a padded ordinary user or group rather than trim it into another account', async () => {
    for (const claims of [{ email: '  dave@example.com ' }, { groups: ['ml', ' admins'] }]) {
      const res = await post(mcpUrl, { authorization: `Bearer ${await token(claims)}` });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('whitespace');
    }
  });

  it('rejects a token naming a system: user', async () => {
    const jwt = await token({ email: 'system:admin' });
    expect((await listJobsAs(mcpUrl, { authorization: `Bearer ${jwt}` })).ok).toBe(false);
  });
});

describe('trusted gateway headers', () => {
  let srv: HttpServerProcess;
  let secretFile: string;
  const SECRET = 'gw-shared-secret-0123456789';
  const viaGateway = (h: Record<string, string>) => ({ 'x-kubeflow-mcp-gateway-secret': SECRET, ...h });
  beforeAll(async () => {
    secretFile = path.join(mkdtempSync(path.join(tmpdir(), 'gw-')), 'secret');
    writeFileSync(secretFile, `${SECRET}\n`);
    srv = await startHttpServer(
      ['--kubeconfig', kubeconfig, '--auth', 'gateway', '--gateway-secret-file', secretFile, '--config', configFile()],
      isolatedEnv(),
    );
  });
  afterAll(async () => srv?.stop());

  it('acts as the user in the one configured header (kubeflow-userid), groups from kubeflow-groups', async () => {
    expect((await listJobsAs(srv.url, viaGateway({ 'kubeflow-userid': 'bob', 'kubeflow-groups': 'ml, system:masters', 'x-request-id': 'gw-1' }))).ok).toBe(
      true,
    );
    expect(lastUser()).toMatchObject({ user: 'bob', impersonatedBy: SA });
    expect(lastUser()!.groups).toContain('ml');
    expect(lastUser()!.groups).not.toContain('system:masters');
  });

  it('trusts no other header: x-forwarded-user and friends neither name nor add to the caller', async () => {
    const ok = await listJobsAs(
      srv.url,
      viaGateway({
        'kubeflow-userid': 'bob',
        'kubeflow-groups': 'ml',
        'x-forwarded-user': 'admin',
        'x-auth-request-groups': 'admins',
        'x-forwarded-groups': 'admins',
      }),
    );
    expect(ok.ok).toBe(true);
    expect(lastUser()).toMatchObject({ user: 'bob' });
    expect(lastUser()!.groups).not.toContain('admins');
    const res = await post(srv.url, viaGateway({ 'x-forwarded-user': 'admin' }));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toContain('kubeflow-userid');
  });

  it('refuses a request without the gateway secret, or with a wrong one, before reading any identity', async () => {
    for (const headers of [{ 'kubeflow-userid': 'bob' }, { 'kubeflow-userid': 'bob', 'x-kubeflow-mcp-gateway-secret': 'guess' }] as Array<
      Record<string, string>
    >) {
      const before = kube.requests.length;
      const res = await post(srv.url, headers);
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(body).toContain('gateway secret');
      expect(body).not.toContain(SECRET);
      expect(kube.requests.length).toBe(before);
    }
  });

  it('refuses a user header sent twice instead of picking one', async () => {
    const res = await rawPost(srv.url, [
      ['x-kubeflow-mcp-gateway-secret', SECRET],
      ['kubeflow-userid', 'bob'],
      ['kubeflow-userid', 'admin'],
    ]);
    expect(res.status).toBe(401);
    expect(res.body).toContain('more than once');
  });

  it.each([
    ['a system: user', { 'kubeflow-userid': 'system:kube-controller-manager' }, 'system identity'],
    ['a system: user with whitespace the HTTP parser strips', { 'kubeflow-userid': ' system:kube-controller-manager' }, 'system identity'],
    ['a system: user behind a tab', { 'kubeflow-userid': '\tsystem:masters' }, 'system identity'],
  ])('refuses %s with 401 and a reason', async (_what, headers, reason) => {
    const before = kube.requests.length;
    const res = await post(srv.url, viaGateway(headers));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toContain(reason);
    expect(kube.requests.length).toBe(before);
  });

  it('drops system: groups even when padded with whitespace', async () => {
    expect((await listJobsAs(srv.url, viaGateway({ 'kubeflow-userid': 'carol', 'kubeflow-groups': ' system:masters ,ml' }))).ok).toBe(true);
    expect(lastUser()).toMatchObject({ user: 'carol' });
    expect(lastUser()!.groups).toEqual(expect.not.arrayContaining(['system:masters', ' system:masters ']));
  });

  it('refuses a user that cannot travel in a header (non-ASCII) with 401, not an internal error', async () => {
    const res = await rawPost(srv.url, [
      ['x-kubeflow-mcp-gateway-secret', SECRET],
      ['kubeflow-userid', Buffer.from('bøb', 'latin1').toString('latin1')],
    ]);
    expect(res.status).toBe(401);
    expect(res.body).toContain('cannot be sent');
  });

  it('picks up a rotated secret without a restart', async () => {
    writeFileSync(secretFile, 'rotated-secret-9876543210\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(secretFile, later, later);
    expect((await post(srv.url, viaGateway({ 'kubeflow-userid': 'bob' }))).status).toBe(401);
    expect(
      (await listJobsAs(srv.url, { 'x-kubeflow-mcp-gateway-secret': 'rotated-secret-9876543210', 'kubeflow-userid': 'bob', 'kubeflow-groups': 'ml' })).ok,
    ).toBe(true);
  });
});

describe('gateway trusted by proxy address', () => {
  it("accepts the gateway's address and refuses every other one", async () => {
    const srv = await startHttpServer(
      ['--kubeconfig', kubeconfig, '--auth', 'gateway', '--gateway-trusted-proxies', '127.0.0.2/32', '--config', configFile()],
      isolatedEnv(),
    );
    try {
      const from = async (localAddress: string) => (await rawPost(srv.url, [['kubeflow-userid', 'bob']], { localAddress })).status;
      expect(await from('127.0.0.1')).toBe(401);
      // Through the proxy address the caller is accepted (the MCP layer answers the empty body).
      expect(await from('127.0.0.2')).not.toBe(401);
    } finally {
      await srv.stop();
    }
  });

  it('refuses --auth gateway on a non-loopback address with neither a secret nor trusted proxies', async () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'serve', '--transport', 'http', '--host', '0.0.0.0', '--port', '0', '--auth', 'gateway', '--kubeconfig', kubeconfig],
      { env: isolatedEnv(), encoding: 'utf8' },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--gateway-secret-file');
    expect(r.stderr).toContain('--gateway-trusted-proxies');
  });

  it('refuses an unreadable secret file and a malformed proxy address at start-up', () => {
    const missing = spawnSync(
      process.execPath,
      [BIN, 'serve', '--transport', 'http', '--port', '0', '--auth', 'gateway', '--gateway-secret-file', '/nonexistent/secret', '--kubeconfig', kubeconfig],
      { env: isolatedEnv(), encoding: 'utf8' },
    );
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('cannot be read (ENOENT)');
    const bad = spawnSync(
      process.execPath,
      [BIN, 'serve', '--transport', 'http', '--port', '0', '--auth', 'gateway', '--gateway-trusted-proxies', '10.0.0.0/99', '--kubeconfig', kubeconfig],
      { env: isolatedEnv(), encoding: 'utf8' },
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('not an IP address or CIDR range');
  });
});

describe('outside gateway mode', () => {
  it('ignores identity headers: the server acts as itself', async () => {
    const srv = await startHttpServer(['--kubeconfig', kubeconfig, '--config', configFile()], isolatedEnv());
    try {
      expect((await listJobsAs(srv.url, { 'x-forwarded-user': 'alice', 'x-user-groups': 'system:masters', 'impersonate-user': 'alice' })).ok).toBe(true);
      const seen = lastUser()!;
      expect(seen.user).toBe(SA);
      expect(seen.impersonatedBy).toBeUndefined();
    } finally {
      await srv.stop();
    }
  });
});

describe('rate limit', () => {
  const burst = (url: string, n: number, headers: Record<string, string> = {}) => Promise.all(Array.from({ length: n }, () => post(url, headers)));

  it('answers 429 with Retry-After and a JSON-RPC error when one caller exceeds its budget', async () => {
    const srv = await startHttpServer(['--kubeconfig', kubeconfig, '--rate-limit', '1', '--config', configFile()], isolatedEnv());
    try {
      const limited = (await burst(srv.url, 20)).filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await limited[0]!.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringContaining('retry after') } });
    } finally {
      await srv.stop();
    }
  });

  it("counts per verified caller: requests that fail verification spend nobody's budget, others keep theirs", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gw-'));
    writeFileSync(path.join(dir, 's'), 'rl-secret-0123456789');
    const srv = await startHttpServer(
      ['--kubeconfig', kubeconfig, '--auth', 'gateway', '--gateway-secret-file', path.join(dir, 's'), '--rate-limit', '1', '--config', configFile()],
      isolatedEnv(),
    );
    const as = (user: string) => ({ 'x-kubeflow-mcp-gateway-secret': 'rl-secret-0123456789', 'kubeflow-userid': user });
    try {
      // Forged requests naming alice: refused before the limiter, so alice keeps her whole budget.
      expect((await burst(srv.url, 30, { 'kubeflow-userid': 'alice' })).every((r) => r.status === 401)).toBe(true);
      expect((await burst(srv.url, 5, as('alice'))).every((r) => r.status !== 429)).toBe(true);
      expect((await burst(srv.url, 20, as('alice'))).some((r) => r.status === 429)).toBe(true);
      expect((await burst(srv.url, 5, as('bob'))).every((r) => r.status !== 429)).toBe(true);
    } finally {
      await srv.stop();
    }
  });

  it('--rate-limit 0 turns the limit off', async () => {
    const srv = await startHttpServer(['--kubeconfig', kubeconfig, '--rate-limit', '0', '--config', configFile()], isolatedEnv());
    try {
      expect((await burst(srv.url, 300)).filter((r) => r.status === 429)).toHaveLength(0);
    } finally {
      await srv.stop();
    }
  });

  it('by default, 200 clients of one machine starting at once are never limited', async () => {
    const srv = await startHttpServer(['--kubeconfig', kubeconfig, '--config', configFile()], isolatedEnv());
    try {
      const initialize = JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
      const client = async () => {
        const init = await fetch(srv.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: initialize,
        });
        await init.text();
        const list = await post(srv.url, {});
        await list.text();
        return [init.status, list.status];
      };
      const statuses = (await Promise.all(Array.from({ length: 200 }, client))).flat();
      expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    } finally {
      await srv.stop();
    }
  });
});
