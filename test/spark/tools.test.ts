/**
 * The spark tools against the test API server and its Spark Operator simulation, in process:
 * previews create nothing, confirmed submissions run through the operator's states, Spark's own
 * states are reported where the SDK folds them, waiting is watch-based with rising progress,
 * ownership and personas hold, and every body sent validates against the v2.4.0 CRDs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, FAIL_LABEL, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, inProcess, type InProcess } from '../support/inprocess.js';
import { sparkPosts } from '../support/spark.js';

const NS = 'team-a';
let kube: FakeKube;
let srv: InProcess;
let client: Client;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS, 'no-spark'], controller: { stepMs: 15, runSteps: 2 } });
  kube.store.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'spark-operator-spark', namespace: NS } });
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-spark-')), { namespace: NS });
  srv = await inProcess({ kubeconfig, clients: ['spark'] });
  client = await srv.connect();
});

afterAll(async () => {
  await srv?.close();
  await kube?.close();
});

const apps = () => kube.store.list('sparkoperator.k8s.io', 'sparkapplications', NS);

describe('submit_spark_job', () => {
  it('previews the SDK body, checked by a server dry-run', async () => {
    const r = await callTool(client, 'submit_spark_job', {
      main_file: 's3a://demo-bucket/jobs/daily_counts.py',
      arguments: ['--date', '2026-08-21'],
      num_executors: 2,
      executor_resources: { cpu: '2', memory: '2Gi' },
      spark_conf: { 'spark.sql.shuffle.partitions': '8' },
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.data.name).toMatch(/^spark-job-[0-9a-f]{8}$/);
    expect(r.data.sparkapplication.spec).toMatchObject({
      type: 'Python',
      executor: { cores: 2, instances: 2, memory: '2g' },
      driver: { serviceAccount: 'spark-operator-spark' },
    });
    expect(r.data.checks.map((c: { check: string; ok: boolean }) => [c.check, c.ok])).toEqual([
      ['service-account', true],
      ['rbac', true],
      ['dry-run', true],
    ]);
  });

  it('runs once confirmed: SUBMITTED -> RUNNING -> COMPLETED with driver, executors, events and logs', async () => {
    const args = { main_file: 'local:///opt/spark/examples/src/main/python/pi.py', num_executors: 2, name: 'pi' };
    const done = await callTool(client, 'submit_spark_job', { ...args, confirmed: true });
    expect(done.data).toMatchObject({ status: 'submitted', name: 'pi' });
    expect(kube.store.get('sparkoperator.k8s.io', 'sparkapplications', NS, 'pi').metadata.annotations['kubeflow-mcp/created-by']).toBe('admin');

    const progress: number[] = [];
    const res = await client.callTool(
      { name: 'get_spark_status', arguments: { name: 'pi', wait_for: 'Completed', timeout_seconds: 30, logs: 20 } },
      { onprogress: (p) => void progress.push(p.progress) },
    );
    const w = res.structuredContent as Record<string, any>;
    expect(w.wait).toMatchObject({ outcome: 'reached' });
    expect(w.job).toMatchObject({
      name: 'pi',
      state: 'COMPLETED',
      status: 'Completed',
      sdk_status: 'Completed',
      executors: '2',
      driver: { pod: 'pi-driver', phase: 'Succeeded' },
    });
    expect(w.job.executor_pods.map((p: { pod: string; state: string }) => [p.pod, p.state])).toEqual([
      ['pi-exec-1', 'COMPLETED'],
      ['pi-exec-2', 'COMPLETED'],
    ]);
    expect(w.job.events.map((e: { reason: string }) => e.reason)).toEqual(
      expect.arrayContaining(['SparkApplicationSubmitted', 'SparkDriverRunning', 'SparkApplicationCompleted']),
    );
    expect(w.log.pod).toBe('pi-driver');
    expect(w.log.lines).toEqual(expect.arrayContaining(['Registered 2 executor(s)']));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((v, i) => i === 0 || v > progress[i - 1]!)).toBe(true);
  });

  it('a failed driver ends the wait as ended, with the operator error and the traceback', async () => {
    await callTool(client, 'submit_spark_job', { main_file: 's3a://b/bad.py', name: 'bad', options: { labels: { [FAIL_LABEL]: 'true' } }, confirmed: true });
    const w = await callTool(client, 'get_spark_status', { name: 'bad', wait_for: 'Completed', timeout_seconds: 30, logs: 5 });
    expect(w.data.wait.outcome).toBe('ended');
    expect(w.data.job).toMatchObject({ state: 'FAILED', status: 'Failed', error: 'driver container failed with ExitCode: 1, Reason: Error' });
    expect(w.data.log.lines).toContain('RuntimeError: job failed');
    expect(w.data.next).toContain('logs=200');
  });

  it('a retry pending is Retrying, not Failed (the SDK says Failed), and waiting goes on through it', async () => {
    kube.spark.pause();
    await callTool(client, 'submit_spark_job', { main_file: 's3a://b/flaky.py', name: 'flaky', confirmed: true });
    kube.spark.setState(NS, 'flaky', 'PENDING_RERUN');
    const g = await callTool(client, 'get_spark_status', { name: 'flaky' });
    expect(g.data.job).toMatchObject({ state: 'PENDING_RERUN', status: 'Retrying', sdk_status: 'Failed' });
    const w = await callTool(client, 'get_spark_status', { name: 'flaky', wait_for: 'Completed', timeout_seconds: 1 });
    expect(w.data.wait.outcome).toBe('timed_out');
    expect(w.data.next).toContain('wait_for="Completed"');
    kube.spark.setState(NS, 'flaky', 'SUSPENDED');
    expect((await callTool(client, 'get_spark_status', { name: 'flaky' })).data.job).toMatchObject({ status: 'Suspended', sdk_status: 'Running' });
    kube.spark.setState(NS, 'flaky', 'UNKNOWN');
    expect((await callTool(client, 'get_spark_status', { name: 'flaky' })).data.job).toMatchObject({ status: 'Unknown', sdk_status: 'Failed' });
    kube.spark.resume();
  });

  it('the operator retries under restartPolicy OnFailure: PENDING_RERUN, then FAILED when retries run out', async () => {
    const name = 'retrying';
    kube.store.create({
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'SparkApplication',
      metadata: { name, namespace: NS, labels: { [FAIL_LABEL]: 'true' } },
      spec: {
        type: 'Python',
        mode: 'cluster',
        sparkVersion: '4.0.4',
        mainApplicationFile: 's3a://b/x.py',
        restartPolicy: { type: 'OnFailure', onFailureRetries: 1 },
        driver: { cores: 1, memory: '512m', serviceAccount: 'spark-operator-spark' },
        executor: { cores: 1, instances: 1, memory: '512m' },
      },
    });
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const state = kube.store.get('sparkoperator.k8s.io', 'sparkapplications', NS, name)?.status?.applicationState?.state;
      if (state) seen.add(state);
      if (state === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect([...seen]).toEqual(expect.arrayContaining(['SUBMITTED', 'RUNNING', 'FAILING', 'PENDING_RERUN', 'FAILED']));
    expect(kube.store.get('sparkoperator.k8s.io', 'sparkapplications', NS, name).status.submissionAttempts).toBe(2);
  });

  it('a missing service account fails the preview check and, if submitted anyway, SUBMISSION_FAILED', async () => {
    const p = await callTool(client, 'submit_spark_job', { main_file: 's3a://b/x.py', namespace: 'no-spark' });
    expect(p.data.ready).toBe(false);
    expect(p.data.checks.find((c: { check: string }) => c.check === 'service-account')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('spark.jobNamespaces'),
    });
    await callTool(client, 'submit_spark_job', { main_file: 's3a://b/x.py', namespace: 'no-spark', name: 'no-sa', confirmed: true });
    const w = await callTool(client, 'get_spark_status', { name: 'no-sa', namespace: 'no-spark', wait_for: 'Running', timeout_seconds: 30 });
    expect(w.data.wait.outcome).toBe('ended');
    expect(w.data.job.state).toMatch(/^(SUBMISSION_FAILED|FAILED)$/);
    expect(w.data.job.error).toContain('serviceaccount "spark-operator-spark" not found');
  });

  it('bad input is a clear error that names the field, and nothing is sent', async () => {
    const before = kube.requests.length;
    const gpu = await callTool(client, 'submit_spark_job', { main_file: 's3a://b/x.py', executor_resources: { cpu: 1, gpu: 1 } });
    expect(gpu.isError).toBe(true);
    expect(gpu.text).toContain('executor_resources');
    const mem = await callTool(client, 'submit_spark_job', { main_file: 's3a://b/x.py', executor_resources: { memory: '1024' } });
    expect(mem.data.error).toMatchObject({ code: 'invalid_memory', details: { field: 'executor_resources.memory' } });
    const jar = await callTool(client, 'submit_spark_job', { main_file: 's3a://b/app.jar' });
    expect(jar.data.error).toMatchObject({ code: 'main_class_required' });
    const name = await callTool(client, 'submit_spark_job', { main_file: 's3a://b/x.py', name: '1-bad.name' });
    expect(name.isError).toBe(true);
    const secret = await callTool(client, 'submit_spark_job', {
      main_file: 's3a://b/x.py',
      env: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    expect(secret.data.error.code).toBe('secret_in_arguments');
    expect(kube.requests.slice(before).filter((r) => r.method === 'POST' && r.path.includes('sparkoperator'))).toEqual([]);
  });

  it('lists jobs newest first with counts by status, filtered and paged', async () => {
    const all = await callTool(client, 'get_spark_status', {});
    expect(all.data.page).toMatchObject({ of: 'Spark jobs', total: apps().length });
    expect(all.data.page.counts.Completed).toBeGreaterThanOrEqual(1);
    expect(all.text).toMatch(/Spark jobs in team-a, newest first/);
    const failed = await callTool(client, 'get_spark_status', { status: 'Failed' });
    expect(failed.data.items.every((j: { status: string }) => j.status === 'Failed')).toBe(true);
    const bad = await callTool(client, 'get_spark_status', { status: 'Ready' });
    expect(bad.data.error).toMatchObject({ code: 'invalid_arguments', hint: expect.stringContaining('Retrying') });
  });

  it('delete_spark deletes the app with its pods', async () => {
    const d = await callTool(client, 'delete_spark', { name: 'pi', confirmed: true });
    expect(d.data.status).toBe('done');
    expect(kube.store.get('sparkoperator.k8s.io', 'sparkapplications', NS, 'pi')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(kube.store.list('', 'pods', NS).filter((p) => p.metadata.name.startsWith('pi-'))).toEqual([]);
  });
});

describe('Spark Connect sessions', () => {
  it('create waits until Ready and returns the sc:// address; get, list and delete', async () => {
    const p = await callTool(client, 'create_spark_session', { num_executors: 2, options: { service_account: 'spark-operator-spark' } });
    const name = p.data.name as string;
    expect(name).toMatch(/^spark-connect-[0-9a-f]{8}$/);

    const c = await callTool(client, 'create_spark_session', { num_executors: 2, options: { service_account: 'spark-operator-spark' }, name, confirmed: true });
    expect(c.data).toMatchObject({
      status: 'created',
      ready: true,
      session: {
        state: 'Ready',
        address: `sc://${name}-server.${NS}.svc.cluster.local:15002`,
        port_forward: `kubectl port-forward -n ${NS} svc/${name}-server 15002:15002`,
        executors: { running: 2 },
      },
    });
    expect(c.text).toContain('sc://');

    const g = await callTool(client, 'get_spark_status', { name, session: true, logs: 10 });
    expect(g.data.session.state).toBe('Ready');
    expect(g.data.log.lines).toContain('Spark Connect server started at: [::]:15002');
    const l = await callTool(client, 'get_spark_status', { session: true });
    expect(l.data.page).toMatchObject({ of: 'Spark sessions', counts: { Ready: 1 } });

    const d = await callTool(client, 'delete_spark', { name, session: true, confirmed: true });
    expect(d.data.status).toBe('done');
    expect(kube.store.list('sparkoperator.k8s.io', 'sparkconnects', NS)).toHaveLength(0);
  });

  it('a server that never gets Ready is reported NotReady (the operator never says Failed), with how to clean up', async () => {
    const c = await callTool(client, 'create_spark_session', {
      name: 'crashy',
      wait_seconds: 1,
      options: { labels: { [FAIL_LABEL]: 'true' } },
      confirmed: true,
    });
    expect(c.data).toMatchObject({ status: 'created', ready: false, session: { state: 'NotReady' } });
    expect(c.data.next).toContain('delete_spark(name="crashy", session=true)');
    await callTool(client, 'delete_spark', { name: 'crashy', session: true, confirmed: true });
  });

  it('wait_for must fit the kind', async () => {
    const r = await callTool(client, 'get_spark_status', { name: 'x', session: true, wait_for: 'Completed' });
    expect(r.data.error).toMatchObject({ code: 'invalid_arguments', hint: 'sessions: wait_for="Ready"' });
  });
});

describe('contract', () => {
  it('the server instructions tell how to use the spark tools, and nothing empty', () => {
    const text = client.getInstructions() ?? '';
    expect(text).toContain(
      'Spark: submit_spark_job = Submit Spark job; create_spark_session = Create Spark Connect session (preview first, like training); follow with get_spark_status (wait_for, logs).',
    );
    expect(text).not.toMatch(/with \./);
  });

  it('every SparkApplication and SparkConnect sent (dry-runs included) validates against the v2.4.0 CRDs', () => {
    const posts = sparkPosts(kube.requests);
    expect(posts.length).toBeGreaterThan(8);
    expect(posts.some((p) => p.dryRun) && posts.some((p) => !p.dryRun)).toBe(true);
    expect(posts.filter((p) => p.problems.length)).toEqual([]);
  });
});

describe('personas and ownership', () => {
  it('readonly sees the read tool only; data-scientist may not delete what others submitted', async () => {
    const ro = await inProcess({ kubeconfig, clients: ['spark'], persona: 'readonly' });
    const ds = await inProcess({ kubeconfig, clients: ['spark'], persona: 'data-scientist' });
    try {
      expect((await (await ro.connect()).listTools()).tools.map((t) => t.name).filter((n) => n.includes('spark'))).toEqual(['get_spark_status']);
      const dsClient = await ds.connect({ user: 'dora', groups: [], source: 'gateway', impersonate: true });
      expect(
        (await dsClient.listTools()).tools
          .map((t) => t.name)
          .filter((n) => n.includes('spark'))
          .sort(),
      ).toEqual(['create_spark_session', 'delete_spark', 'get_spark_status', 'submit_spark_job']);
      const r = await callTool(dsClient, 'delete_spark', { name: 'bad' });
      expect(r.data.error).toMatchObject({ code: 'not_owner' });
    } finally {
      await ro.close();
      await ds.close();
    }
  });
});
