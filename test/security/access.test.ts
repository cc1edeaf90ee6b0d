/**
 * Who may do what: the persona x tool matrix (hidden AND refused), namespace-escape attempts,
 * job ownership, quota and RBAC pre-checks, concurrent impersonated callers, and the audit log.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/auth/identity.js';
import { BUILTIN_PERSONAS, Personas } from '../../src/policy/personas.js';
import { ALL_TOOLS, CLIENT_MODULES } from '../../src/tools/registry.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, configFile, inProcess, type InProcess } from '../support/inprocess.js';

const NS = 'team-a';
let kube: FakeKube;
let kubeconfig: string;

const user = (name: string, groups: string[] = ['ml']): Identity => ({ user: name, groups, source: 'gateway', impersonate: true });
const writes = (from: number) => kube.requests.slice(from).filter((r) => r.method !== 'GET' && r.query.dryRun !== 'All' && !r.path.includes('selfsubject'));

beforeAll(async () => {
  kube = await startFakeKube({
    namespaces: ['default', NS, 'team-b', 'kube-system'],
    tokens: { 'sa-token': { name: 'system:serviceaccount:kubeflow:kubeflow-mcp', groups: ['system:serviceaccounts'] } },
    rbac: [
      // The server's service account may read and impersonate; it acts for users, never for itself.
      { users: ['system:serviceaccount:kubeflow:kubeflow-mcp'], verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'] },
      { users: ['system:serviceaccount:kubeflow:kubeflow-mcp'], verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'] },
      // Every ml user may work in team-a and read cluster runtimes.
      { groups: ['ml'], verbs: ['*'], apiGroups: ['trainer.kubeflow.org', ''], resources: ['*'], namespaces: [NS] },
      { groups: ['ml'], verbs: ['get', 'list'], apiGroups: ['trainer.kubeflow.org'], resources: ['clustertrainingruntimes'] },
      // Outsiders may look at runtimes but create nothing.
      { groups: ['outsiders'], verbs: ['get', 'list'], apiGroups: ['trainer.kubeflow.org'], resources: ['*'] },
    ],
    controller: { stepMs: 20, runSteps: 1 },
  });
  kube.seedDefaultRuntimes();
  kube.store.create({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'gpus', namespace: NS },
    spec: { hard: { 'requests.nvidia.com/gpu': '4' } },
    status: { hard: { 'requests.nvidia.com/gpu': '4' }, used: { 'requests.nvidia.com/gpu': '3' } },
  });
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-sec-')), { token: 'sa-token', namespace: NS });
});

afterAll(async () => {
  await kube?.close();
});

describe('persona x tool matrix', () => {
  const personas = new Personas();
  it.each(BUILTIN_PERSONAS.map((p) => [p]))('%s: hidden tools are refused when called by name, and nothing is written', async (persona) => {
    const srv = await inProcess({ kubeconfig, persona, clients: CLIENT_MODULES.map((m) => m.name) });
    try {
      const client = await srv.connect(user('alice'));
      const listed = (await client.listTools()).tools.map((t) => t.name).sort();
      const expected = ALL_TOOLS.filter((t) => personas.resolve(persona).allows(t.name))
        .map((t) => t.name)
        .sort();
      expect(listed).toEqual(expected);
      const before = kube.requests.length;
      for (const tool of ALL_TOOLS.filter((t) => !expected.includes(t.name))) {
        const r = await callTool(client, tool.name, {
          name: 'x',
          image: 'busybox',
          code: 'def train():\n  pass\n',
          runtime: 'torch-distributed',
          model: 'Qwen/Qwen2.5-1.5B-Instruct',
          confirmed: true,
        });
        expect(r.isError).toBe(true);
        expect(r.data.error.code).toBe('tool_not_allowed');
        expect(r.text).toContain(`not available to the '${persona}' persona`);
      }
      expect(writes(before)).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});

describe('custom personas from the policy file', () => {
  it('inherit, add tools, and are hidden and refused like built-in ones', async () => {
    const cfg = configFile(`
server:
  persona: lab-member
personas:
  lab-member:
    inherit: readonly
    tools: [run_custom_training, wait_for_*]
    own_jobs_only: true
policy:
  deny: [risk:destructive]
`);
    const srv = await inProcess({ kubeconfig, config: cfg, clients: ['trainer'] });
    try {
      const client = await srv.connect(user('alice'));
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['run_custom_training', 'wait_for_training', 'list_training_jobs']));
      expect(names).not.toContain('fine_tune');
      expect(names).not.toContain('delete_training_job');
      const r = await callTool(client, 'fine_tune', { model: 'Qwen/Qwen2.5-1.5B-Instruct', confirmed: true });
      expect(r.data.error.code).toBe('tool_not_allowed');
      expect(r.text).toContain("not available to the 'lab-member' persona");
    } finally {
      await srv.close();
    }
  });
});

describe('namespaces', () => {
  let srv: InProcess;
  beforeAll(async () => {
    srv = await inProcess({ kubeconfig, config: configFile(`policy:\n  namespaces: [${NS}, team-b]\n`) });
  });
  afterAll(async () => srv?.close());

  it.each([
    ['kube-system', 'namespace_not_allowed'],
    ['default', 'namespace_not_allowed'],
    ['../kube-system', 'invalid_arguments'],
    ['team-a/../kube-system', 'invalid_arguments'],
    ['TEAM-A', 'invalid_arguments'],
    ['team-a%2Fkube-system', 'invalid_arguments'],
    ['', 'invalid_arguments'],
  ])('namespace %j is refused (%s) before any API call', async (namespace, code) => {
    const client = await srv.connect(user('alice'));
    const before = kube.requests.length;
    for (const [tool, args] of [
      ['list_training_jobs', {}],
      ['run_container_training', { image: 'busybox', confirmed: true }],
      ['delete_training_job', { name: 'x', confirmed: true }],
    ] as const) {
      const r = await callTool(client, tool, { ...args, namespace });
      expect(r.data.error.code).toBe(code);
    }
    expect(kube.requests.length).toBe(before);
  });

  it('the default namespace is checked too, and pure tools are not refused for it', async () => {
    const other = await inProcess({ kubeconfig, namespace: 'kube-system', config: configFile(`policy:\n  namespaces: [${NS}]\n`) });
    try {
      const client = await other.connect(user('alice'));
      expect((await callTool(client, 'list_training_jobs')).data.error.code).toBe('namespace_not_allowed');
      expect((await callTool(client, 'estimate_resources', { model: 'Qwen/Qwen2.5-1.5B-Instruct' })).isError).toBe(false);
      const pre = await callTool(client, 'check_prerequisites');
      expect(pre.data.ready).toBe(false);
      expect(pre.data.checks[0]).toMatchObject({ check: 'namespace', ok: false });
    } finally {
      await other.close();
    }
  });

  it('label selectors cannot smuggle other query parameters', async () => {
    const client = await srv.connect(user('alice'));
    const before = kube.requests.length;
    await callTool(client, 'list_training_jobs', { labels: 'a=b&namespace=kube-system&fieldSelector=x' });
    const sent = kube.requests.slice(before).find((r) => r.path.endsWith('/trainjobs'));
    expect(sent?.path).toBe(`/apis/trainer.kubeflow.org/v1alpha1/namespaces/${NS}/trainjobs`);
    expect(sent?.query.labelSelector).toBe('a=b&namespace=kube-system&fieldSelector=x');
    expect(sent?.query.fieldSelector).toBeUndefined();
  });
});

describe('ownership', () => {
  it('a data scientist deletes their own jobs only; an ml-engineer any job RBAC allows', async () => {
    const ds = await inProcess({ kubeconfig, persona: 'data-scientist' });
    const mle = await inProcess({ kubeconfig, persona: 'ml-engineer' });
    try {
      const alice = await ds.connect(user('alice'));
      const bob = await ds.connect(user('bob'));
      const sub = await callTool(alice, 'run_custom_training', { code: 'def train():\n    print("loss=1")\n', confirmed: true });
      const name = sub.data.job.name as string;
      expect(kube.store.get('trainer.kubeflow.org', 'trainjobs', NS, name).metadata.annotations['kubeflow-mcp/created-by']).toBe('alice');

      const denied = await callTool(bob, 'delete_training_job', { name, confirmed: true });
      expect(denied.data.error.code).toBe('not_owner');
      expect(denied.text).toContain('submitted by alice');
      expect(kube.store.get('trainer.kubeflow.org', 'trainjobs', NS, name)).toBeDefined();

      const carol = await mle.connect(user('carol'));
      expect((await callTool(carol, 'delete_training_job', { name })).data.status).toBe('preview');
      expect((await callTool(alice, 'delete_training_job', { name, confirmed: true })).data.status).toBe('done');
      expect(kube.store.get('trainer.kubeflow.org', 'trainjobs', NS, name)).toBeUndefined();
    } finally {
      await ds.close();
      await mle.close();
    }
  });
});

describe('preview pre-checks', () => {
  let srv: InProcess;
  beforeAll(async () => {
    srv = await inProcess({ kubeconfig });
  });
  afterAll(async () => srv?.close());

  it('says "you may not create trainjobs in ns X" before submitting', async () => {
    const r = await callTool(await srv.connect(user('mallory', ['outsiders'])), 'run_container_training', { image: 'busybox' });
    expect(r.data.ready).toBe(false);
    expect(r.data.checks.find((c: { check: string }) => c.check === 'rbac')).toMatchObject({ ok: false });
    expect(r.text).toContain(`you may not create trainjobs in namespace ${NS}`);
  });

  it('checks ResourceQuota headroom against what the job requests', async () => {
    const client = await srv.connect(user('alice'));
    const over = await callTool(client, 'run_container_training', { image: 'busybox', num_nodes: 2, resources: { gpu: 1 } });
    expect(over.data.checks.find((c: { check: string }) => c.check === 'quota')).toMatchObject({ ok: false });
    expect(over.text).toContain('requests.nvidia.com/gpu: needs 2, 1 left of 4');
    const fits = await callTool(client, 'run_container_training', { image: 'busybox', resources: { gpu: 1 } });
    expect(fits.data.checks.find((c: { check: string }) => c.check === 'quota')).toMatchObject({ ok: true });
    // Nodes are hidden from alice: the GPU check says it cannot tell, and why.
    expect(fits.data.checks.find((c: { check: string }) => c.check === 'gpus')).toMatchObject({
      ok: null,
      detail: expect.stringMatching(/cannot be seen here \(.+\)$/),
    });
  });
});

describe('identity', () => {
  it('50 concurrent impersonated callers are each seen by the API server as themselves', async () => {
    const srv = await inProcess({ kubeconfig });
    try {
      const names = Array.from({ length: 50 }, (_, i) => `user-${i}`);
      const clients = await Promise.all(names.map((n) => srv.connect(user(n, ['ml', `team-${n}`]))));
      const before = kube.requests.length;
      await Promise.all(clients.map((c) => callTool(c, 'list_training_jobs')));
      const seen = kube.requests.slice(before).filter((r) => r.path.endsWith('/trainjobs'));
      expect(seen).toHaveLength(50);
      expect(new Set(seen.map((r) => r.user))).toEqual(new Set(names));
      for (const r of seen) {
        expect(r.impersonatedBy).toBe('system:serviceaccount:kubeflow:kubeflow-mcp');
        expect(r.groups).toContain(`team-${r.user}`);
      }
    } finally {
      await srv.close();
    }
  });
});

describe('audit log', () => {
  it('writes one redacted JSON line per call, denied ones included', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-audit-')), 'audit.log');
    const srv = await inProcess({ kubeconfig, persona: 'data-scientist', auditLog: file });
    try {
      const client = await srv.connect({ ...user('alice'), requestId: 'req-42' });
      await callTool(client, 'list_training_jobs');
      await callTool(client, 'run_container_training', { image: 'busybox' });
      await callTool(client, 'run_custom_training', { code: 'def train():\n    pass\n', env: { HF_TOKEN: 'hf_abcdefghijklmnopqrstuvwxyz0123456789' } });
    } finally {
      await srv.close();
    }
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      audit: true,
      request_id: 'req-42',
      user: 'alice',
      groups: ['ml'],
      auth: 'gateway',
      tool: 'list_training_jobs',
      namespace: NS,
      decision: 'allowed',
      result: 'ok',
    });
    expect(lines[1]).toMatchObject({ tool: 'run_container_training', decision: 'denied', result: 'refused', code: 'tool_not_allowed' });
    expect(lines[2]).toMatchObject({ tool: 'run_custom_training', decision: 'denied', code: 'secret_in_arguments' });
    expect(JSON.stringify(lines)).not.toContain('hf_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(typeof lines[0].duration_ms).toBe('number');
  });
});
