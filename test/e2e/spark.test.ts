/**
 * The spark module end to end: the built server, a real MCP client over stdio, the test API
 * server with the Spark Operator simulation. Submit -> wait -> logs -> delete; a Connect session
 * -> its address -> delete; detection from the sparkoperator.k8s.io CRDs; RBAC denial; API down.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, connectStdio, isolatedEnv, type Connected } from '../support/mcp.js';
import { sparkPosts } from '../support/spark.js';

const NS = 'team-a';
let kube: FakeKube;
let dir: string;

beforeAll(async () => {
  kube = await startFakeKube({
    namespaces: [NS, 'secret-team'],
    tokens: { 'admin-token': { name: 'admin', groups: ['system:masters'] }, 'bob-token': { name: 'bob', groups: ['analysts'] } },
    rbac: [
      { users: ['bob'], verbs: ['get', 'list', 'watch', 'create', 'delete'], apiGroups: ['sparkoperator.k8s.io', ''], resources: ['*'], namespaces: [NS] },
    ],
    controller: { stepMs: 20, runSteps: 2 },
  });
  for (const ns of [NS, 'secret-team'])
    kube.store.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'spark-operator-spark', namespace: ns } });
  dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-spark-e2e-'));
});

afterAll(async () => {
  await kube?.close();
});

const kubeconfigFor = (token: string) => kube.writeKubeconfig(mkdtempSync(path.join(dir, 'kc-')), { token, namespace: NS });

describe('as admin, modules auto-detected', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connectStdio(['--kubeconfig', kubeconfigFor('admin-token')], isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' }));
  });
  afterAll(async () => c?.close());

  it('detects the spark module from the sparkoperator.k8s.io CRDs', async () => {
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['submit_spark_job', 'get_spark_status', 'create_spark_session', 'delete_spark']));
    await expect.poll(() => c.stderr()).toMatch(/modules [a-z,]*spark/); // the banner can trail the first answer
  });

  it('submit -> wait -> logs -> delete', async () => {
    const args = {
      main_file: 'local:///opt/spark/examples/src/main/python/pi.py',
      arguments: ['100'],
      num_executors: 2,
      executor_resources: { cpu: 1, memory: '1Gi' },
    };
    const preview = await call<{ status: string; ready: boolean; name: string }>(c, 'submit_spark_job', args);
    expect(preview.data).toMatchObject({ status: 'preview', ready: true });
    const name = preview.data.name;
    expect(kube.store.list('sparkoperator.k8s.io', 'sparkapplications', NS)).toHaveLength(0);

    const sub = await call<{ status: string }>(c, 'submit_spark_job', { ...args, name, confirmed: true });
    expect(sub.data.status).toBe('submitted');

    const progress: number[] = [];
    const res = await c.client.callTool(
      { name: 'get_spark_status', arguments: { name, wait_for: 'Completed', timeout_seconds: 60 } },
      { onprogress: (p) => void progress.push(p.progress) },
    );
    const w = res.structuredContent as { wait: { outcome: string }; job: { state: string; executor_pods: unknown[] } };
    expect(w.wait.outcome).toBe('reached');
    expect(w.job.state).toBe('COMPLETED');
    expect(w.job.executor_pods).toHaveLength(2);
    expect(progress.every((v, i) => i === 0 || v > progress[i - 1]!)).toBe(true);

    const logs = await call<{ log: { pod: string; lines: string[] } }>(c, 'get_spark_status', { name, logs: 50 });
    expect(logs.data.log.pod).toBe(`${name}-driver`);
    expect(logs.data.log.lines[0]).toBe('Running Spark version 4.0.4');
    expect(logs.text).toContain('Stage 2 finished');

    await call(c, 'delete_spark', { name });
    expect(kube.store.get('sparkoperator.k8s.io', 'sparkapplications', NS, name)).toBeDefined();
    const del = await call<{ status: string }>(c, 'delete_spark', { name, confirmed: true });
    expect(del.data.status).toBe('done');
    expect(kube.store.get('sparkoperator.k8s.io', 'sparkapplications', NS, name)).toBeUndefined();
    const gone = await call(c, 'get_spark_status', { name }, { allowError: true });
    expect(gone.data).toMatchObject({ error: { code: 'not_found' } });
  });

  it('a Connect session -> its address -> delete', async () => {
    const created = await call<{ name: string; ready: boolean; session: { address: string; port_forward: string } }>(c, 'create_spark_session', {
      name: 'notebook',
      options: { service_account: 'spark-operator-spark' },
      confirmed: true,
    });
    expect(created.data.ready).toBe(true);
    expect(created.data.session.address).toBe(`sc://notebook-server.${NS}.svc.cluster.local:15002`);
    expect(created.text).toContain(`kubectl port-forward -n ${NS} svc/notebook-server 15002:15002`);
    const del = await call<{ status: string }>(c, 'delete_spark', { name: 'notebook', session: true, confirmed: true });
    expect(del.data.status).toBe('done');
    expect(kube.store.get('', 'services', NS, 'notebook-server')).toBeUndefined();
  });

  it('sent only bodies that the v2.4.0 CRDs accept', () => {
    const posts = sparkPosts(kube.requests);
    expect(posts.length).toBeGreaterThanOrEqual(3);
    expect(posts.filter((p) => p.problems.length)).toEqual([]);
  });
});

describe('as bob (Spark rights in team-a only)', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connectStdio(['--kubeconfig', kubeconfigFor('bob-token'), '--clients', 'spark'], isolatedEnv());
    // Start-up (who am I) is done once a first call answered.
    await call(c, 'get_spark_status');
  });
  afterAll(async () => c?.close());

  it('a namespace bob may not write to fails the preview rbac check, and nothing is created', async () => {
    const before = kube.requests.length;
    const r = await call<{ ready: boolean; checks: Array<{ check: string; ok: boolean | null; detail: string }> }>(c, 'submit_spark_job', {
      main_file: 's3a://b/x.py',
      namespace: 'secret-team',
    });
    expect(r.data.ready).toBe(false);
    expect(r.data.checks.find((x) => x.check === 'rbac')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('you may not create sparkapplications in namespace secret-team'),
    });
    expect(
      kube.requests.slice(before).filter((q) => !(q.method === 'GET' || q.query.dryRun === 'All' || q.path.endsWith('/selfsubjectaccessreviews'))),
    ).toEqual([]);
    expect(kube.store.list('sparkoperator.k8s.io', 'sparkapplications', 'secret-team')).toHaveLength(0);
    const confirmed = await call(c, 'submit_spark_job', { main_file: 's3a://b/x.py', namespace: 'secret-team', confirmed: true }, { allowError: true });
    expect(confirmed.data).toMatchObject({ error: { code: 'forbidden' } });
    const list = await call(c, 'get_spark_status', { namespace: 'secret-team' }, { allowError: true });
    expect(list.data).toMatchObject({ error: { code: 'forbidden' } });
  });
});

describe('API server down', () => {
  it('answers cluster_unreachable and recovers when it is back', async () => {
    const c = await connectStdio(['--kubeconfig', kubeconfigFor('admin-token'), '--clients', 'spark'], isolatedEnv());
    try {
      await call(c, 'get_spark_status');
      await kube.stop();
      const r = await call(c, 'get_spark_status', {}, { allowError: true });
      expect(r.data).toMatchObject({ error: { code: 'cluster_unreachable' } });
      const s = await call(c, 'submit_spark_job', { main_file: 's3a://b/x.py' }, { allowError: true });
      expect(s.data).toMatchObject({ error: { code: 'cluster_unreachable' } });
      await kube.start();
      expect((await call(c, 'get_spark_status')).isError).toBe(false);
    } finally {
      await kube.start().catch(() => undefined);
      await c.close();
    }
  });
});

describe('without the Spark Operator', () => {
  it('auto mode skips the module and says why', async () => {
    const bare = await startFakeKube({ namespaces: [NS], uninstalled: ['sparkoperator.k8s.io'], controller: false, spark: false });
    const c = await connectStdio(
      ['--kubeconfig', bare.writeKubeconfig(mkdtempSync(path.join(dir, 'bare-')), { namespace: NS })],
      isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' }),
    );
    try {
      const names = (await c.client.listTools()).tools.map((t) => t.name);
      expect(names.filter((n) => n.includes('spark'))).toEqual([]);
      // the banner can trail the first answer
      await expect
        .poll(() => c.stderr())
        .toContain('module skipped — spark: the Spark Operator (sparkoperator.k8s.io/v1beta2 sparkapplications) is not installed');
    } finally {
      await c.close();
      await bare.close();
    }
  });
});
