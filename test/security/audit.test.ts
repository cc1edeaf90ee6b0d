/**
 * The audit log stays small, one line per call, and never takes the server down: large values are
 * summarised by size and hash, request ids are cleaned, an unwritable target is a start-up error
 * naming it, and a write that fails later refuses further calls instead of crashing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditParameters, openAuditLog } from '../../src/audit/audit.js';
import type { Identity } from '../../src/auth/identity.js';
import { resolveSettings } from '../../src/config/settings.js';
import { createApp } from '../../src/server/app.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, configFile, inProcess, type InProcess } from '../support/inprocess.js';

const NS = 'team-a';
let kube: FakeKube;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 5, runSteps: 1 } });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')), { namespace: NS });
});

afterAll(async () => {
  await kube?.close();
});

const alice: Identity = { user: 'alice', groups: [], source: 'gateway', impersonate: false };

function auditFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-audit-')), 'audit.log');
}

function lines(file: string): Array<Record<string, any>> {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('audit lines', () => {
  let srv: InProcess;
  const file = auditFile();
  beforeAll(async () => {
    srv = await inProcess({ kubeconfig, persona: 'platform-admin', auditLog: file });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('summarise a 1 MB argument by size and hash', async () => {
    const client = await srv.connect(alice);
    const r = await callTool(client, 'get_runtime', { name: 'a'.repeat(1_000_000) });
    expect(r.data.error.code).toBe('invalid_arguments');
    // The error does not echo the value either.
    expect(r.text.length).toBeLessThan(2000);
    await callTool(client, 'list_training_jobs', { labels: 'x'.repeat(5000) });
    await srv.app.audit.close();
    const raw = readFileSync(file, 'utf8');
    expect(raw.length).toBeLessThan(4000);
    const [big, second] = lines(file);
    expect(big!.parameters.name).toMatch(/^<1000000 chars, sha256:[0-9a-f]{12}>$/);
    expect(second!.parameters.labels).toMatch(/^<5000 chars, sha256:[0-9a-f]{12}>$/);
  });
});

describe('audit parameters', () => {
  it('stay one line and small whatever the value', () => {
    const params = auditParameters({
      func_args: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])),
      list: Array.from({ length: 10_000 }, () => 'item'),
      [`k${'e'.repeat(5000)}`]: 1,
    });
    const line = JSON.stringify(params);
    expect(line.length).toBeLessThan(4000);
    expect(params.func_args).toMatch(/^<object of 2000 keys, sha256:[0-9a-f]{12}>$/);
    expect(params.list).toMatch(/^<array of 10000 items, sha256:[0-9a-f]{12}>$/);
  });

  it('keep a value a declared parameter names (a Secret name), redact credential-named ones elsewhere', () => {
    const p = auditParameters({ model_secret: 'hf-creds', bogus_secret: 'hunter2', env: { HF_TOKEN: 'secret:hf/token', PASSWORD: 'x' } }, [
      'model_secret',
      'env',
    ]);
    expect(p).toEqual({
      model_secret: 'hf-creds',
      bogus_secret: '[REDACTED:credential-named value]',
      env: { HF_TOKEN: 'secret:hf/token', PASSWORD: '[REDACTED:credential-named value]' },
    });
  });

  it('redact keys that are credentials', () => {
    const hf = 'hf_kQ3vZ8pLmN2xR7tY1uW4sE6aD9fG0hJ5kL';
    const gitlab = 'glpat-Xy7pQ2vR9sT4uW6zA1bC';
    const p = auditParameters({ env: { [hf]: 'x' }, func_args: { [gitlab]: 1, lr: 0.1 } });
    expect(JSON.stringify(p)).not.toMatch(/hf_kQ3|glpat-Xy7/);
    expect(p).toEqual({ env: { '[REDACTED:Hugging Face token]': 'x' }, func_args: { '[REDACTED:GitLab token]': 1, lr: 0.1 } });
  });

  it('do not walk a deeply nested value', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const p = auditParameters({ func_args: deep as Record<string, unknown> });
    expect(JSON.stringify(p).length).toBeLessThan(1000);
    expect(JSON.stringify(p)).toContain('nested deeper than');
  });
});

describe('the audit sink', () => {
  it('writes exactly one line per record, whatever the strings hold', async () => {
    const file = auditFile();
    const sink = openAuditLog(file);
    const odd = 'a\nb\rc\u2028d\u2029e\u0085f\u001bg';
    sink.write({
      time: 't',
      user: odd,
      groups: [odd],
      auth: 'gateway',
      tool: 'x',
      parameters: { [odd]: odd },
      decision: 'denied',
      reason: odd,
      result: 'refused',
      duration_ms: 1,
    });
    await sink.close();
    const raw = readFileSync(file, 'utf8');
    expect(raw.split('\n')).toEqual([expect.any(String), '']);
    expect(raw).not.toMatch(/[\r\u2028\u2029\u0085\u001b]/);
    expect(JSON.parse(raw).user).toBe(odd);
  });
});

describe('request ids', () => {
  it('are cleaned: no newline, no credential, bounded length', async () => {
    const file = auditFile();
    const srv = await inProcess({ kubeconfig, persona: 'platform-admin', auditLog: file });
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6OTk5OTk5OTk5OX0.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu';
    const client = await srv.connect({ ...alice, requestId: `${jwt}\n{"audit":true,"user":"root"}${'z'.repeat(10_000)}` });
    await callTool(client, 'list_runtimes');
    await srv.close();
    const raw = readFileSync(file, 'utf8');
    expect(raw.trimEnd().split('\n')).toHaveLength(1);
    expect(raw).not.toContain(jwt);
    const [line] = lines(file);
    expect(line!.request_id.length).toBeLessThanOrEqual(200);
    expect(line!.request_id).not.toMatch(/[\n\r]/);
  });
});

describe('an unwritable audit log', () => {
  it('is a start-up error naming the path', async () => {
    const target = path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-audit-')), 'missing-dir', 'audit.log');
    const settings = resolveSettings({ config: configFile(), auditLog: target, kubeconfig, backend: 'kubernetes' }, ALL_TOOLS);
    await expect(createApp(settings)).rejects.toThrow(new RegExp(`audit log ${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*(ENOENT|no such file)`));
  });

  it('that fails later (disk full) refuses further calls and keeps serving', async () => {
    const srv = await inProcess({ kubeconfig, persona: 'platform-admin', auditLog: '/dev/full' });
    try {
      const client = await srv.connect(alice);
      const first = await callTool(client, 'list_runtimes');
      expect(first.isError).toBe(false);
      const before = kube.requests.length;
      for (const name of ['list_runtimes', 'delete_training_job']) {
        const r = await callTool(client, name, name === 'delete_training_job' ? { name: 'x', confirmed: true } : {});
        expect(r.data.error.code).toBe('audit_unavailable');
        expect(r.data.error.message).toContain('/dev/full');
        expect(r.data.error.hint.length).toBeGreaterThan(0);
      }
      expect(kube.requests.slice(before).filter((q) => q.method !== 'GET')).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});
