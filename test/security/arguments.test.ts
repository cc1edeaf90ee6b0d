/**
 * Hostile argument shapes (deep nesting, lone surrogates, oversized values) are refused as
 * invalid_arguments with a hint before anything walks them; the refusal is audited and nothing is
 * written to the cluster.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/auth/identity.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, inProcess, type InProcess } from '../support/inprocess.js';

const NS = 'team-a';
let kube: FakeKube;
let srv: InProcess;
const audit = path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-audit-')), 'audit.log');
const alice: Identity = { user: 'alice', groups: [], source: 'gateway', impersonate: false };

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 5, runSteps: 1 } });
  kube.seedDefaultRuntimes();
  srv = await inProcess({
    kubeconfig: kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')), { namespace: NS }),
    persona: 'platform-admin',
    auditLog: audit,
  });
});

afterAll(async () => {
  await srv?.close();
  await kube?.close();
});

const writes = (from: number) => kube.requests.slice(from).filter((r) => r.method !== 'GET' && !r.path.includes('selfsubject'));
const CODE = 'def train(**kw):\n    pass\n';

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

function auditLines(): Array<Record<string, any>> {
  return readFileSync(audit, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('refused before any walk', () => {
  const cases: Array<[string, string, Record<string, unknown>, RegExp]> = [
    ['func_args nested 2,000 deep', 'run_custom_training', { code: CODE, func_args: { x: nested(2000) } }, /func_args\.x.*nested more than 32 levels/],
    ['an unknown parameter nested 100,000 deep', 'get_runtime', { name: 'torch-distributed', junk: nested(100_000) }, /junk.*nested more than 32 levels/],
    ['a lone surrogate in a name', 'get_training_job', { name: 'ab\uD800c' }, /name.*lone UTF-16 surrogate/],
    [
      'a lone surrogate deep in func_args',
      'run_custom_training',
      { code: CODE, func_args: { lr: ['ok', '\uDC00'] } },
      /func_args\.lr\[1\].*lone UTF-16 surrogate/,
    ],
    ['a lone surrogate in a map key', 'run_container_training', { image: 'busybox', env: { ['K\uD801']: 'v' } }, /a key in env.*lone UTF-16 surrogate/],
    ['func_args over 64 KiB', 'run_custom_training', { code: CODE, func_args: { data: 'x'.repeat(70_000) } }, /func_args.*65536/],
    ['arguments over 1 MiB', 'run_custom_training', { code: CODE, packages: Array.from({ length: 50 }, () => 'p'.repeat(30_000)) }, /1048576/],
  ];

  it.each(cases)('%s', async (_what, tool, args, message) => {
    const client = await srv.connect(alice);
    const before = kube.requests.length;
    const r = await callTool(client, tool, args);
    expect(r.isError).toBe(true);
    expect(r.data.error.code).toBe('invalid_arguments');
    expect(r.data.error.message).toMatch(message);
    expect(r.data.error.hint.length).toBeGreaterThan(10);
    expect(r.text.length).toBeLessThan(2000);
    expect(writes(before)).toEqual([]);
    const last = auditLines().at(-1)!;
    expect(last).toMatchObject({ tool, decision: 'denied', result: 'refused', code: 'invalid_arguments', user: 'alice' });
  });

  it('a well-formed surrogate pair and moderate nesting are fine', async () => {
    const client = await srv.connect(alice);
    const r = await callTool(client, 'run_custom_training', { code: CODE, func_args: { emoji: '\uD83D\uDE00', cfg: nested(20) } });
    expect(r.isError).toBe(false);
  });
});
