/**
 * Property-based fuzz of every tool's input: whatever arrives, the server answers (no crash, no
 * protocol error), failures are clear ({code, message, hint}), and a failed call writes nothing to
 * the cluster.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, inProcess, type InProcess } from '../support/inprocess.js';

const NS = 'fuzz';
let kube: FakeKube;
let srv: InProcess;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 5, runSteps: 1 } });
  kube.seedDefaultRuntimes();
  srv = await inProcess({ kubeconfig: kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')), { namespace: NS }), persona: 'platform-admin' });
});

afterAll(async () => {
  await srv?.close();
  await kube?.close();
});

const writes = (from: number) => kube.requests.slice(from).filter((r) => r.method !== 'GET' && r.query.dryRun !== 'All' && !r.path.includes('selfsubject'));

/** Values near what tools expect, plus junk: the interesting cases are the almost-valid ones. */
const value = fc.oneof(
  fc.constantFrom(
    '',
    'busybox',
    'torch-distributed',
    'Qwen/Qwen2.5-1.5B-Instruct',
    'node-0',
    'x',
    'a'.repeat(300),
    '../etc',
    'def train():\n    pass\n',
    'def train(:\n',
    'secret:s/k',
  ),
  fc.constantFrom(0, -1, 1, 2, 1e9, Number.MAX_SAFE_INTEGER, 0.5, true, false, null),
  fc.string({ maxLength: 40 }),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()), { maxKeys: 3 }),
);

describe.each(ALL_TOOLS.map((t) => [t.name, t] as const))('fuzzing %s', (name, tool) => {
  it('never crashes, errors clearly, writes nothing when it fails', async () => {
    const client = await srv.connect();
    const keys = [...Object.keys(tool.input.shape), 'bogus', 'Namespace'];
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 6 }), async (args) => {
        // Keep fuzzing inside the test namespace; namespace policy has its own tests.
        if (typeof args.namespace === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.namespace)) args.namespace = NS;
        const before = kube.requests.length;
        const r = await callTool(client, name, args);
        if (r.isError) {
          expect(typeof r.data.error.code).toBe('string');
          expect(r.data.error.message.length).toBeGreaterThan(0);
          expect(r.data.error.hint.length).toBeGreaterThan(0);
          expect(r.data.error.code).not.toBe('internal_error');
          expect(writes(before)).toEqual([]);
        }
      }),
      { numRuns: 100, seed: 936 },
    );
  });
});

it('the server still answers normally after the fuzzing', async () => {
  const r = await callTool(await srv.connect(), 'list_runtimes');
  expect(r.isError).toBe(false);
});
