/**
 * Failures a user meets, end to end through the built server: each must come back as an
 * actionable tool error (code + hint) and change nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, connectStdio, isolatedEnv, type Connected } from '../support/mcp.js';

const NS = 'team-a';
let kube: FakeKube;
let dir: string;

beforeAll(async () => {
  kube = await startFakeKube({
    namespaces: ['default', NS, 'secret-team'],
    tokens: {
      'admin-token': { name: 'admin', groups: ['system:masters'] },
      'bob-token': { name: 'bob', groups: ['ml'] },
    },
    rbac: [
      // bob may read and create in team-a only.
      {
        users: ['bob'],
        verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'],
        apiGroups: ['trainer.kubeflow.org', ''],
        resources: ['*'],
        namespaces: [NS],
      },
      { users: ['bob'], verbs: ['get', 'list'], apiGroups: ['trainer.kubeflow.org'], resources: ['clustertrainingruntimes'] },
    ],
    controller: { stepMs: 20, runSteps: 2 },
  });
  kube.seedDefaultRuntimes();
  dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-fail-'));
});

afterAll(async () => {
  await kube?.close();
});

function kubeconfigFor(token: string, namespace = NS): string {
  return kube.writeKubeconfig(mkdtempSync(path.join(dir, 'kc-')), { token, namespace });
}

describe('as bob (RBAC limited to team-a)', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connectStdio(['--kubeconfig', kubeconfigFor('bob-token')], isolatedEnv());
  });
  afterAll(async () => c?.close());

  it('an unknown runtime names the ones that exist', async () => {
    const r = await call(c, 'run_container_training', { image: 'busybox', runtime: 'torchtune-llama' }, { allowError: true });
    expect(r.isError).toBe(true);
    expect(r.data).toMatchObject({ error: { code: 'runtime_not_found' } });
    expect(r.text).toContain('torch-distributed');
    expect(r.text).toContain('torchtune-llama3.2-1b');
  });

  it('a namespace bob may not use is a clear denial in the preview, and nothing is created', async () => {
    const before = kube.requests.length;
    const r = await call<{ ready: boolean; checks: Array<{ check: string; ok: boolean; detail: string }> }>(
      c,
      'run_container_training',
      { image: 'busybox', namespace: 'secret-team' },
      { allowError: true },
    );
    // Reading the runtime is allowed (cluster-scoped); the access review says creating is not.
    expect(r.isError).toBe(false);
    expect(r.data.ready).toBe(false);
    const rbac = r.data.checks.find((x) => x.check === 'rbac')!;
    expect(rbac.ok).toBe(false);
    expect(rbac.detail).toContain('you may not create trainjobs in namespace secret-team');
    expect(kube.store.list('trainer.kubeflow.org', 'trainjobs', 'secret-team')).toHaveLength(0);
    // Reads, access reviews and dry-runs only: nothing was written.
    expect(kube.requests.slice(before).every((q) => q.method === 'GET' || q.query.dryRun === 'All' || q.path.endsWith('/selfsubjectaccessreviews'))).toBe(true);
  });

  it('a confirmed submission into a forbidden namespace is refused with code forbidden', async () => {
    const r = await call(c, 'run_container_training', { image: 'busybox', namespace: 'secret-team', confirmed: true }, { allowError: true });
    expect(r.isError).toBe(true);
    expect(r.data).toMatchObject({ error: { code: 'forbidden' } });
    expect(r.text).toMatch(/RBAC/);
  });

  it('reading jobs in a forbidden namespace is refused, with a hint', async () => {
    const r = await call(c, 'list_training_jobs', { namespace: 'secret-team' }, { allowError: true });
    expect(r.data).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('cluster resources are a partial answer with a note when nodes are hidden', async () => {
    const r = await call<{ nodes: unknown[]; notes: string[] }>(c, 'get_cluster_resources');
    expect(r.isError).toBe(false);
    expect(r.data.nodes).toHaveLength(0);
    expect(r.data.notes.join(' ')).toMatch(/nodes are hidden from you by RBAC/);
  });

  it('a missing job is not_found', async () => {
    const r = await call(c, 'get_training_job', { name: 'nope' }, { allowError: true });
    expect(r.data).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('bad input', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connectStdio(['--kubeconfig', kubeconfigFor('admin-token')], isolatedEnv());
    // Let start-up requests (who am I) finish before counting requests.
    await call(c, 'list_runtimes');
  });
  afterAll(async () => c?.close());

  it('Python syntax errors come back with line and column, nothing is sent', async () => {
    const before = kube.requests.length;
    const r = await call(c, 'run_custom_training', { code: 'def train(lr):\n    print(lr\n' }, { allowError: true });
    expect(r.isError).toBe(true);
    // The first problem with where it is, then the others.
    expect(r.data).toMatchObject({
      error: {
        code: 'python_syntax_error',
        message: expect.stringMatching(/\(line 2, column \d+\) \(\+1 more problem\(s\): train\(lr\) is missing required argument 'lr'/),
      },
    });
    // only the runtime is read (it says which Python runs the code); no job is sent, not even as a dry run
    expect(new Set(kube.requests.slice(before).map((q) => q.method))).toEqual(new Set(['GET']));
  });

  it('arguments that do not match the entry function are refused', async () => {
    const r = await call(c, 'run_custom_training', { code: 'def train(lr):\n    pass\n', func_args: { learning_rate: 1 } }, { allowError: true });
    expect(r.isError).toBe(true);
    expect(r.text).toContain('learning_rate');
  });

  it('unknown parameters and wrong types are invalid_arguments naming the parameters', async () => {
    const r = await call(c, 'get_training_logs', { name: 'x', tail: 5000, colour: 'red' }, { allowError: true });
    expect(r.data).toMatchObject({ error: { code: 'invalid_arguments' } });
    expect(r.text).toContain("'colour'");
    expect(r.text).toContain('tail');
  });

  it('a bad job name is refused before any API call', async () => {
    const r = await call(c, 'delete_training_job', { name: 'Bad_Name' }, { allowError: true });
    expect(r.data).toMatchObject({ error: { code: 'invalid_arguments' } });
  });
});

describe('personas', () => {
  it('readonly hides write tools and refuses them when called by name', async () => {
    const c = await connectStdio(['--kubeconfig', kubeconfigFor('admin-token'), '--persona', 'readonly', '--clients', 'trainer'], isolatedEnv());
    try {
      const { tools } = await c.client.listTools();
      expect(tools.map((t) => t.name)).not.toContain('run_custom_training');
      expect(tools).toHaveLength(8);
      const r = await call(c, 'run_custom_training', { code: 'def train():\n    pass\n', confirmed: true }, { allowError: true });
      expect(r.data).toMatchObject({ error: { code: 'tool_not_allowed' } });
      expect(kube.store.list('trainer.kubeflow.org', 'trainjobs', NS)).toHaveLength(0);
    } finally {
      await c.close();
    }
  });
});

describe('API server down', () => {
  it('answers cluster_unreachable and recovers when it is back', async () => {
    const c = await connectStdio(['--kubeconfig', kubeconfigFor('admin-token')], isolatedEnv());
    try {
      // Start-up (backend choice, who am I) is done once a first call answered.
      await call(c, 'list_runtimes');
      await kube.stop();
      const r = await call(c, 'list_training_jobs', {}, { allowError: true });
      expect(r.data).toMatchObject({ error: { code: 'cluster_unreachable' } });
      expect(r.text).toContain('kubectl cluster-info');
      await kube.start();
      const ok = await call(c, 'list_runtimes');
      expect(ok.isError).toBe(false);
    } finally {
      await kube.start().catch(() => undefined);
      await c.close();
    }
  });
});

describe('no cluster configured', () => {
  it('--backend kubernetes without a kubeconfig explains what to configure', async () => {
    const c = await connectStdio(['--backend', 'kubernetes'], isolatedEnv());
    try {
      const r = await call(c, 'list_training_jobs', {}, { allowError: true });
      expect(r.data).toMatchObject({ error: { code: 'no_cluster' } });
      expect(r.text).toMatch(/kubeconfig/);
      const est = await call(c, 'estimate_resources', { model: 'Qwen/Qwen2.5-1.5B-Instruct' });
      expect(est.isError).toBe(false);
    } finally {
      await c.close();
    }
  });

  it('auto falls back to the local backend and says so', async () => {
    const c = await connectStdio([], isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' }));
    try {
      const r = await call<{ backend: string }>(c, 'get_cluster_resources');
      expect(r.data.backend).toMatch(/^local/);
      expect((await call<{ jobs: unknown[] }>(c, 'list_training_jobs')).data.jobs).toEqual([]);
      await expect.poll(() => c.stderr()).toMatch(/backend: local.*no kubeconfig or service account found/); // the banner can trail the first answer
    } finally {
      await c.close();
    }
  });
});
