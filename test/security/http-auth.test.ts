/**
 * HTTP identity modes end to end, against the built server: OAuth 2.1 resource server (JWTs
 * verified against a JWKS on loopback, RFC 9728 metadata, 401 challenges), trusted gateway headers,
 * headers ignored outside gateway mode, and the per-identity rate limit.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { configFile } from '../support/inprocess.js';
import { isolatedEnv, startHttpServer, type HttpServerProcess } from '../support/mcp.js';

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
    srv = await startHttpServer(['--port', String(port), '--kubeconfig', kubeconfig, '--auth', 'oauth', '--oauth-issuer', issuerUrl, '--public-url', mcpUrl, '--config', configFile()], isolatedEnv());
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
    const res = await fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${new URL('/.well-known/oauth-protected-resource/mcp', mcpUrl)}"`);
  });

  it('acts as the token\'s user and groups (never system: groups), never forwarding the token', async () => {
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
    const res = await fetch(mcpUrl, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('rejects a token naming a system: user', async () => {
    const jwt = await token({ email: 'system:admin' });
    expect((await listJobsAs(mcpUrl, { authorization: `Bearer ${jwt}` })).ok).toBe(false);
  });
});

describe('trusted gateway headers', () => {
  let srv: HttpServerProcess;
  beforeAll(async () => {
    srv = await startHttpServer(['--kubeconfig', kubeconfig, '--auth', 'gateway', '--config', configFile()], isolatedEnv());
  });
  afterAll(async () => srv?.stop());

  it('acts as the forwarded user', async () => {
    expect((await listJobsAs(srv.url, { 'x-forwarded-user': 'bob', 'x-forwarded-groups': 'ml,system:masters', 'x-request-id': 'gw-1' })).ok).toBe(true);
    expect(lastUser()).toMatchObject({ user: 'bob', impersonatedBy: SA });
    expect(lastUser()!.groups).not.toContain('system:masters');
  });

  it('refuses requests without a forwarded user', async () => {
    const res = await fetch(srv.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
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
  it('answers 429 with Retry-After when one caller exceeds its budget', async () => {
    const srv = await startHttpServer(['--kubeconfig', kubeconfig, '--rate-limit', '1', '--config', configFile()], isolatedEnv());
    try {
      const statuses = await Promise.all(
        Array.from({ length: 8 }, () =>
          fetch(srv.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) }).then((r) => [r.status, r.headers.get('retry-after')] as const),
        ),
      );
      expect(statuses.filter(([s]) => s === 429).length).toBeGreaterThan(0);
      expect(statuses.find(([s]) => s === 429)?.[1]).toMatch(/^\d+$/);
    } finally {
      await srv.stop();
    }
  });
});
