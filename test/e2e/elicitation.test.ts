/**
 * Confirmation by the user, end to end through @modelcontextprotocol/client with an elicitation
 * handler: both protocol eras (2026-07-28 input-required results, 2025-11-25 elicitation/create),
 * over stdio and Streamable HTTP. Accept creates the TrainJob; decline and cancel create nothing;
 * a client without elicitation gets the preview as before. 2025-era HTTP is served statelessly (a
 * fresh server per request never sees the initialize capabilities), so there the server cannot ask
 * and falls back to the preview, like a client without elicitation.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { BIN, isolatedEnv, startHttpServer, type Era, type HttpServerProcess } from '../support/mcp.js';

const NS = 'default';
let kube: FakeKube;
let kubeconfig: string;
let http: HttpServerProcess;
let seq = 0;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 15, runSteps: 1 } });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-elicit-')));
  http = await startHttpServer(['--kubeconfig', kubeconfig, '--clients', 'trainer'], isolatedEnv());
});

afterAll(async () => {
  await http?.stop();
  await kube?.close();
});

type Answer = 'accept' | 'decline' | 'cancel' | 'none';

async function connect(transport: 'stdio' | 'http', era: Era, answer: Answer, asked: string[]): Promise<Client> {
  const client = new Client(
    { name: 'elicitation-e2e', version: '1.0.0' },
    {
      ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
      capabilities: answer === 'none' ? {} : { elicitation: { form: {} } },
    },
  );
  if (answer !== 'none') {
    client.setRequestHandler('elicitation/create', async (req) => {
      asked.push(String((req.params as { message?: string }).message));
      return answer === 'accept' ? { action: answer, content: {} } : { action: answer };
    });
  }
  await client.connect(
    transport === 'http'
      ? new StreamableHTTPClientTransport(new URL(http.url))
      : new StdioClientTransport({
          command: process.execPath,
          args: [BIN, 'serve', '--transport', 'stdio', '--kubeconfig', kubeconfig, '--clients', 'trainer'],
          env: isolatedEnv(),
          stderr: 'pipe',
        }),
  );
  return client;
}

const exists = (name: string) => Boolean(kube.store.get('trainer.kubeflow.org', 'trainjobs', NS, name));

describe.each([
  ['stdio', 'modern'],
  ['stdio', 'legacy'],
  ['http', 'modern'],
  ['http', 'legacy'],
] as const)('over %s, %s era', (transport, era) => {
  it.each(['accept', 'decline', 'cancel', 'none'] as const)('answer %s', async (answer) => {
    const asked: string[] = [];
    const client = await connect(transport, era, answer, asked);
    try {
      const name = `elicit-${transport}-${era}-${answer}-${++seq}`;
      const res = await client.callTool({ name: 'run_container_training', arguments: { image: 'busybox', num_nodes: 2, name } });
      const data = res.structuredContent as Record<string, any>;
      if (answer === 'none' || (transport === 'http' && era === 'legacy')) {
        expect(asked).toEqual([]);
        expect(data.status).toBe('preview');
        expect(exists(name)).toBe(false);
        return;
      }
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain(`Create TrainJob ${name} in ${NS}`);
      expect(asked[0]).toContain('nodes: 2');
      if (answer === 'accept') {
        expect(res.isError).toBeFalsy();
        expect(data.status).toBe('submitted');
        expect(exists(name)).toBe(true);
      } else {
        expect(res.isError).toBe(true);
        expect(data.error.code).toBe(answer === 'decline' ? 'user_declined' : 'user_cancelled');
        expect(exists(name)).toBe(false);
      }
    } finally {
      await client.close();
    }
  });
});
