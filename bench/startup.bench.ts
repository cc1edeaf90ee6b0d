/**
 * Start-up: spawn -> initialize -> first tools/list over stdio, for kubeflow-mcp and for a trivial
 * server on the same SDK (bench/trivial-server.mjs), interleaved in one run so both see the same
 * machine load. Prints medians and the ratios the project targets:
 *   - no kubeconfig (auto backend falls back to local):        <= 1.5x the trivial server
 *   - reachable kubeconfig with explicit --clients:             <= 2.5x
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../test/support/fake-kube/index.js';
import { BIN, isolatedEnv } from '../test/support/mcp.js';

const TRIVIAL = path.join(import.meta.dirname, 'trivial-server.mjs');
const ROUNDS = 5;
let kube: FakeKube;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['bench'], controller: false });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-bench-')), { namespace: 'bench' });
});

afterAll(async () => {
  await kube?.close();
});

/** Milliseconds from spawn to the first tools/list answer (legacy era: one process, no probe). */
async function firstList(args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, env, stderr: 'ignore' }));
  const { tools } = await client.listTools();
  const ms = performance.now() - t0;
  await client.close();
  if (tools.length === 0) throw new Error(`no tools from ${args.join(' ')}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it('start -> first tools/list over stdio, against a trivial server', async () => {
  const cases = {
    trivial: () => firstList([TRIVIAL], isolatedEnv()),
    'no kubeconfig': () => firstList([BIN, 'serve'], isolatedEnv()),
    'kubeconfig + --clients': () => firstList([BIN, 'serve', '--kubeconfig', kubeconfig, '--clients', 'trainer,optimizer'], isolatedEnv()),
    'kubeconfig, auto clients': () => firstList([BIN, 'serve', '--kubeconfig', kubeconfig], isolatedEnv()),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  await firstList([TRIVIAL], isolatedEnv()); // warm the file cache once
  for (let i = 0; i < ROUNDS; i++) for (const [name, run] of Object.entries(cases)) times[name]!.push(await run());
  const base = median(times.trivial!);
  const targets: Record<string, number> = { 'no kubeconfig': 1.5, 'kubeconfig + --clients': 2.5 };
  for (const [name, xs] of Object.entries(times)) {
    const m = median(xs);
    const target = targets[name] ? ` (target <= ${targets[name]}x)` : '';
    console.log(
      `start -> tools/list, ${name.padEnd(24)} median ${m.toFixed(0).padStart(5)} ms  ratio ${(m / base).toFixed(2)}x${target}  [${xs.map((x) => x.toFixed(0)).join(', ')}]`,
    );
  }
});
