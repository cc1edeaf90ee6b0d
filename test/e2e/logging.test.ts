/**
 * The MCP logging capability on the built server, in both protocol eras and both transports: the
 * server's own warnings raised during a call (here: the API server failing once, so the server
 * retries) reach the client as notifications/message, redacted, at or above the level the client
 * chose: `logging/setLevel` on 2025-11-25, the request's `io.modelcontextprotocol/logLevel` _meta
 * on 2026-07-28.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { connectHttpServer, connectStdio, isolatedEnv, type Connected, type Era } from '../support/mcp.js';
import { startFlakyKube, type FlakyKube } from '../support/telemetry.js';

const NS = 'team-logs';
const LEAKED = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';
const LOG_LEVEL_META = 'io.modelcontextprotocol/logLevel';
let kube: FakeKube;
let flaky: FlakyKube;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', NS], controller: false });
  kube.seedDefaultRuntimes();
  flaky = await startFlakyKube(kube, NS);
});

afterAll(async () => {
  await flaky?.close();
  await kube?.close();
});

interface Message {
  level: string;
  logger?: string;
  data: { message: string };
}

async function connect(transport: 'stdio' | 'http', era: Era): Promise<{ c: Connected; messages: Message[] }> {
  const args = ['--kubeconfig', flaky.kubeconfig, '--clients', 'trainer'];
  const c = transport === 'stdio' ? await connectStdio(args, isolatedEnv(), era) : await connectHttpServer(args, isolatedEnv(), era);
  const messages: Message[] = [];
  c.client.setNotificationHandler('notifications/message', (n) => void messages.push(n.params as Message));
  return { c, messages };
}

/** list_runtimes while the API server fails its first answer (with a credential in its message). */
async function callThroughOneFailure(c: Connected, meta?: Record<string, unknown>): Promise<void> {
  flaky.failNext('/clustertrainingruntimes', 1, `etcdserver: leader changed (debug ${LEAKED})`);
  const res = await c.client.callTool({ name: 'list_runtimes', arguments: {}, ...(meta ? { _meta: meta } : {}) });
  expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
}

function expectRetryWarning(messages: Message[]): void {
  expect(messages).toHaveLength(1);
  const [m] = messages;
  expect(m!.level).toBe('warning');
  expect(m!.logger).toBe('kubeflow-mcp');
  expect(m!.data.message).toMatch(
    /^Kubernetes API GET \/apis\/trainer\.kubeflow\.org\/v1alpha1\/clustertrainingruntimes failed \(HTTP 503: etcdserver: leader changed/,
  );
  expect(m!.data.message).toContain('retrying in 0.0s (attempt 2 of 4)');
  expect(m!.data.message).toContain('[REDACTED:Hugging Face token]');
  expect(JSON.stringify(m)).not.toContain(LEAKED);
}

describe.each(['stdio', 'http'] as const)('2025-11-25 era over %s', (transport) => {
  let conn: { c: Connected; messages: Message[] };
  beforeAll(async () => {
    conn = await connect(transport, 'legacy');
  });
  afterAll(async () => {
    await conn?.c.close();
  });

  it('declares the logging capability and accepts logging/setLevel', async () => {
    expect(conn.c.client.getServerCapabilities()?.logging).toBeDefined();
    await expect(conn.c.client.setLoggingLevel('warning')).resolves.toEqual({});
  });

  it('sends the warnings raised during a call, redacted', async () => {
    conn.messages.length = 0;
    await conn.c.client.setLoggingLevel('warning');
    await callThroughOneFailure(conn.c);
    expectRetryWarning(conn.messages);
    // The stderr log has the same, redacted line.
    await expect.poll(() => conn.c.stderr()).toContain('[REDACTED:Hugging Face token]'); // stderr: a pipe of its own
    expect(conn.c.stderr()).not.toContain(LEAKED);
  });

  // Stateless HTTP has no session for a level to apply to: each POST is its own server.
  it.runIf(transport === 'stdio')('sends nothing below the level set for the session', async () => {
    conn.messages.length = 0;
    await conn.c.client.setLoggingLevel('error');
    await callThroughOneFailure(conn.c);
    expect(conn.messages).toEqual([]);
  });
});

describe.each(['stdio', 'http'] as const)('2026-07-28 era over %s', (transport) => {
  let conn: { c: Connected; messages: Message[] };
  beforeAll(async () => {
    conn = await connect(transport, 'modern');
  });
  afterAll(async () => {
    await conn?.c.close();
  });

  it('declares the logging capability', () => {
    expect(conn.c.client.getServerCapabilities()?.logging).toBeDefined();
  });

  it("sends the warnings of a request that asked for them (its _meta's log level), redacted", async () => {
    conn.messages.length = 0;
    await callThroughOneFailure(conn.c, { [LOG_LEVEL_META]: 'warning' });
    expectRetryWarning(conn.messages);
  });

  it('sends nothing to a request that set no level, or a higher one', async () => {
    conn.messages.length = 0;
    await callThroughOneFailure(conn.c);
    await callThroughOneFailure(conn.c, { [LOG_LEVEL_META]: 'error' });
    expect(conn.messages).toEqual([]);
  });
});
