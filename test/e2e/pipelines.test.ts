/**
 * Kubeflow Pipelines end to end through the built server and a real MCP client:
 * upload -> run -> wait -> logs -> retry a failed run -> schedule, plus a bad package, parameters
 * checked before the API sees them, and the API server going down. The test KFP API server
 * validates every request and response against the v2beta1 swagger; task pods and their logs live
 * on the test Kubernetes API server.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKfp, type FakeKfp } from '../support/fake-kfp/index.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, connectStdio, isolatedEnv, ROOT, type Connected } from '../support/mcp.js';

const NS = 'team-a';
const SAMPLES = path.join(ROOT, 'test/fixtures/kubeflow-api/pipelines/samples');
const RETRY = readFileSync(path.join(SAMPLES, 'pipeline_with_retry.yaml'), 'utf8');
const ECHO = readFileSync(path.join(SAMPLES, 'arguments_parameters.yaml'), 'utf8');

let kube: FakeKube;
let kfp: FakeKfp;
let c: Connected;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS, 'kubeflow'], controller: false });
  // A run named "flaky …" fails on its first attempt and succeeds when retried.
  kfp = await startFakeKfp({ kube, multiUser: true, failTask: ({ run, attempt }) => String(run.display_name).startsWith('flaky') && attempt === 0 });
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-kfp-')), { namespace: NS });
  // --clients auto: the pipelines module is detected because the KFP API answers.
  c = await connectStdio(['--kubeconfig', kubeconfig, '--pipelines-endpoint', kfp.url], isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' }));
});

afterAll(async () => {
  await c?.close();
  await kfp?.close();
  await kube?.close();
});

const writes = () => kfp.requests.filter((r) => r.method !== 'GET');

describe('pipelines module', () => {
  it('is detected from the KFP API', async () => {
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['upload_pipeline', 'run_pipeline', 'get_pipeline_run', 'manage_pipeline_run']));
    await expect.poll(() => c.stderr()).toMatch(/modules [a-z,]*pipelines/); // the banner can trail the first answer
  });

  it('upload -> run -> wait -> logs', async () => {
    const preview = await call<{ status: string }>(c, 'upload_pipeline', { package: RETRY, version: 'v1' });
    expect(preview.data.status).toBe('preview');
    expect(preview.text).toMatch(/a +NUMBER_DOUBLE +1/);
    expect(writes()).toHaveLength(0);
    const up = await call<{ status: string; pipeline: { id: string; name: string }; version: { name: string } }>(c, 'upload_pipeline', {
      package: RETRY,
      version: 'v1',
      confirmed: true,
    });
    expect(up.data).toMatchObject({ status: 'uploaded', pipeline: { name: 'test-pipeline' }, version: { name: 'v1' } });
    const upload = kfp.requests.find((r) => r.operationId === 'UploadPipeline')!;
    expect(upload.query).toMatchObject({ name: 'test-pipeline', namespace: NS });
    expect(JSON.parse(upload.query.tags!)).toEqual({ 'kubeflow-mcp/created-by': 'admin' });

    const got = await call<{ parameters: Array<{ name: string; type: string; default: unknown }>; version: { name: string } }>(c, 'get_pipeline', {
      pipeline: 'test-pipeline',
    });
    expect(got.data.version.name).toBe('v1');
    expect(got.data.parameters).toEqual([
      { name: 'a', type: 'NUMBER_DOUBLE', default: 1, optional: true },
      { name: 'b', type: 'NUMBER_DOUBLE', default: 7, optional: true },
    ]);

    // Parameters are checked before the API server sees them.
    const before = writes().length;
    const bad = await call(c, 'run_pipeline', { pipeline: 'test-pipeline', params: { a: '3.5', c: 1 } }, { allowError: true });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain('not inputs of this pipeline: c');
    expect(bad.text).toContain('pass 3.5 without quotes');
    expect(writes()).toHaveLength(before);

    const args = { pipeline: 'test-pipeline', version: 'v1', params: { a: 3.5, b: 4 }, experiment: 'nightly' };
    const p = await call<{ status: string }>(c, 'run_pipeline', args);
    expect(p.data.status).toBe('preview');
    expect(p.text).toMatch(/Nothing changed[\s\S]*name=/);
    expect(writes()).toHaveLength(before);
    const name = /name="([^"]+)"/.exec(p.text)![1]!;
    expect(name).toMatch(/^test-pipeline \d{4}-\d\d-\d\d \d\d-\d\d-\d\d$/);
    const started = await call<{ status: string; run: { id: string; state: string } }>(c, 'run_pipeline', { ...args, name, confirmed: true });
    expect(started.data.status).toBe('started');
    const created = kfp.requests.find((r) => r.operationId === 'RunService_CreateRun')!;
    const experimentId = kfp.requests.find((r) => r.operationId === 'ExperimentService_CreateExperiment')!;
    expect(experimentId.body).toEqual({ display_name: 'nightly', namespace: NS });
    expect(Object.keys(created.body as object)).toEqual(['experiment_id', 'display_name', 'description', 'pipeline_version_reference', 'runtime_config']);
    expect(created.body).toMatchObject({ display_name: name, runtime_config: { parameters: { a: 3.5, b: 4 } }, description: 'kubeflow-mcp/created-by: admin' });

    const progress: string[] = [];
    const waited = (await c.client.callTool(
      { name: 'get_pipeline_run', arguments: { run_id: started.data.run.id, wait_for: 'SUCCEEDED', timeout_seconds: 30 } },
      { onprogress: (x) => progress.push(x.message ?? '') },
    )) as { structuredContent: { outcome: string; run: { state: string }; tasks: Array<{ name: string; state: string }> } };
    expect(waited.structuredContent.outcome).toBe('reached');
    expect(waited.structuredContent.run.state).toBe('SUCCEEDED');
    expect(waited.structuredContent.tasks).toEqual([expect.objectContaining({ name: 'add', state: 'SUCCEEDED' })]);
    expect(progress.length).toBeGreaterThan(0);

    const logs = await call<{ logs: { task: string; lines: string[] } }>(c, 'get_pipeline_run', { run_id: started.data.run.id, logs: 100 });
    expect(logs.data.logs.task).toBe('add');
    expect(logs.data.logs.lines.join('\n')).toContain('task add attempt 0: starting');
    const listed = await call<{ items: Array<{ id: string; experiment: string }>; total: number }>(c, 'list_pipeline_runs', { experiment: 'nightly' });
    expect(listed.data.items.map((r) => r.id)).toEqual([started.data.run.id]);
  });

  it('retries a failed run', async () => {
    const run = await call<{ run: { id: string } }>(c, 'run_pipeline', {
      pipeline: 'test-pipeline',
      name: 'flaky run',
      experiment: 'nightly',
      confirmed: true,
    });
    const id = run.data.run.id;
    const ended = await call<{ outcome: string; run: { state: string }; next: string }>(c, 'get_pipeline_run', {
      run_id: id,
      wait_for: 'SUCCEEDED',
      timeout_seconds: 30,
    });
    expect(ended.data).toMatchObject({ outcome: 'ended', run: { state: 'FAILED' } });
    expect(ended.data.next).toContain('retry');
    const failedLog = await call<{ logs: { lines: string[] } }>(c, 'get_pipeline_run', { run_id: id, logs: 100 });
    expect(failedLog.data.logs.lines.join('\n')).toContain('ValueError: simulated failure');
    expect((await call<{ items: unknown[] }>(c, 'list_pipeline_runs', { state: 'FAILED' })).data.items).toHaveLength(1);

    const preview = await call<{ status: string; ready: boolean }>(c, 'manage_pipeline_run', { run_id: id, action: 'retry' });
    expect(preview.data).toMatchObject({ status: 'preview', ready: true });
    expect(kfp.requests.some((r) => r.operationId === 'RunService_RetryRun')).toBe(false);
    await call(c, 'manage_pipeline_run', { run_id: id, action: 'retry', confirmed: true });
    const again = await call<{ outcome: string; run: { state: string } }>(c, 'get_pipeline_run', { run_id: id, wait_for: 'SUCCEEDED', timeout_seconds: 30 });
    expect(again.data).toMatchObject({ outcome: 'reached', run: { state: 'SUCCEEDED' } });
    const retried = await call<{ logs: { lines: string[] } }>(c, 'get_pipeline_run', { run_id: id, logs: 100, task: 'add' });
    expect(retried.data.logs.lines.join('\n')).toContain('attempt 1');

    // A succeeded run cannot be retried: said before KFP is asked.
    const no = await call(c, 'manage_pipeline_run', { run_id: id, action: 'retry' }, { allowError: true });
    expect(no.isError).toBe(true);
    expect(no.text).toContain('only a FAILED or CANCELED run can be retried');
  });

  it('a run deleted while waited for ends the wait as deleted; terminate cancels', async () => {
    const run = await call<{ run: { id: string } }>(c, 'run_pipeline', { pipeline: 'test-pipeline', name: 'doomed', experiment: 'nightly', confirmed: true });
    const id = run.data.run.id;
    await call(c, 'manage_pipeline_run', { run_id: id, action: 'terminate', confirmed: true });
    const canceled = await call<{ outcome: string; run: { state: string } }>(c, 'get_pipeline_run', { run_id: id, wait_for: 'SUCCEEDED', timeout_seconds: 20 });
    expect(canceled.data).toMatchObject({ outcome: 'ended', run: { state: 'CANCELED' } });
    const other = await call<{ run: { id: string } }>(c, 'run_pipeline', {
      pipeline: 'test-pipeline',
      name: 'doomed-2',
      experiment: 'nightly',
      confirmed: true,
    });
    const waiting = call<{ outcome: string }>(c, 'get_pipeline_run', { run_id: other.data.run.id, wait_for: 'RUNNING', timeout_seconds: 20 });
    expect((await waiting).data.outcome).toBe('reached');
    // Deleted behind the server's back once the wait has read it (the fake finishes runs in 3 steps of 40 ms, so slow it down).
    const reads = () => kfp.requests.filter((r) => r.operationId === 'RunService_GetRun' && r.path.endsWith(other.data.run.id)).length;
    kfp.runs.get(other.data.run.id)!.state = 'PAUSED';
    const before = reads();
    const slow = call<{ outcome: string; next: string }>(c, 'get_pipeline_run', { run_id: other.data.run.id, wait_for: 'SUCCEEDED', timeout_seconds: 20 });
    while (reads() === before) await new Promise((r) => setTimeout(r, 20));
    kfp.runs.delete(other.data.run.id);
    const gone = await slow;
    expect(gone.data.outcome).toBe('deleted');
    expect(gone.data.next).toContain('deleted while waiting (last seen PAUSED)');
  });

  it('schedules a recurring run, disables and deletes it', async () => {
    const five = await call(c, 'run_pipeline', { pipeline: 'test-pipeline', schedule: { cron: '0 9 * * 1-5' } }, { allowError: true });
    expect(five.isError).toBe(true);
    expect(five.text).toContain('"0 0 9 * * 1-5"');
    const s = await call<{ status: string; recurring_run: { id: string; schedule: string } }>(c, 'run_pipeline', {
      pipeline: 'test-pipeline',
      name: 'nightly-add',
      schedule: { cron: '0 0 9 * * 1-5', max_concurrency: 2 },
      confirmed: true,
    });
    expect(s.data.status).toBe('scheduled');
    expect(s.data.recurring_run.schedule).toBe('cron "0 0 9 * * 1-5", at most 2 at once');
    const body = kfp.requests.find((r) => r.operationId === 'RecurringRunService_CreateRecurringRun')!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      display_name: 'nightly-add',
      mode: 'ENABLE',
      max_concurrency: 2,
      no_catchup: false,
      trigger: { cron_schedule: { cron: '0 0 9 * * 1-5' } },
    });
    const id = s.data.recurring_run.id;
    await call(c, 'manage_pipeline_run', { recurring_run_id: id, action: 'disable', confirmed: true });
    const listed = await call<{ items: Array<{ id: string; state: string }> }>(c, 'list_pipeline_runs', { of: 'recurring' });
    expect(listed.data.items).toEqual([expect.objectContaining({ id, state: 'DISABLED' })]);
    const wrong = await call(c, 'manage_pipeline_run', { recurring_run_id: id, action: 'retry' }, { allowError: true });
    expect(wrong.text).toContain('that is for runs');
    await call(c, 'manage_pipeline_run', { recurring_run_id: id, action: 'delete', confirmed: true });
    expect((await call<{ total: number }>(c, 'list_pipeline_runs', { of: 'recurring' })).data.total).toBe(0);
    // The schedule went to kfp.Client's default experiment, created on the way.
    const experiments = await call<{ items: Array<{ name: string }> }>(c, 'list_pipeline_runs', { of: 'experiments' });
    expect(experiments.data.items.map((e) => e.name)).toEqual(['Default', 'nightly']);
  });

  it('uploads a new version under an existing name', async () => {
    const v = await call<{ version: { name: string } }>(c, 'upload_pipeline', { package: RETRY, version: 'v2', confirmed: true });
    expect(v.data.version.name).toBe('v2');
    const versions = await call<{ of: string; items: Array<{ name: string }> }>(c, 'list_pipelines', { pipeline: 'test-pipeline' });
    expect(versions.data).toMatchObject({ of: 'versions', items: [{ name: 'v2' }, { name: 'v1' }] });
    const echo = await call<{ pipeline: { name: string } }>(c, 'upload_pipeline', { package: ECHO, confirmed: true });
    expect(echo.data.pipeline.name).toBe('echo');
    const required = await call(c, 'run_pipeline', { pipeline: 'echo' }, { allowError: true });
    expect(required.text).toContain('param2 is required');
  });

  it('refuses a bad package, naming what is wrong in the YAML', async () => {
    const before = writes().length;
    const v20 = await call(c, 'upload_pipeline', { package: RETRY.replace('schemaVersion: 2.1.0', 'schemaVersion: 2.0.0'), name: 'bad' }, { allowError: true });
    expect(v20.isError).toBe(true);
    expect(v20.data).toMatchObject({ error: { code: 'invalid_package' } });
    expect(v20.text).toMatch(/line \d+: schemaVersion: must be 2\.1\.0/);
    const ref = await call(c, 'upload_pipeline', { package: RETRY.replace('name: comp-add\n', 'name: comp-sub\n'), name: 'bad' }, { allowError: true });
    expect(ref.text).toMatch(/line \d+: root\.dag\.tasks\.add\.componentRef\.name: names component 'comp-sub'/);
    const py = await call(c, 'upload_pipeline', { package: 'from kfp import dsl\n\n@dsl.pipeline\ndef p():\n    pass\n' }, { allowError: true });
    expect(py.text).toContain('looks like Python source');
    const yaml = await call(c, 'upload_pipeline', { package: 'pipelineInfo: [oops' }, { allowError: true });
    expect(yaml.text).toContain('not valid YAML');
    expect(writes()).toHaveLength(before);
  });

  it('reports the API server down as an error, and recovers', async () => {
    await kfp.stop();
    try {
      const r = await call(c, 'list_pipelines', {}, { allowError: true });
      expect(r.isError).toBe(true);
      expect(r.data).toMatchObject({ error: { code: 'pipelines_unreachable' } });
    } finally {
      await kfp.start();
    }
    expect((await call<{ total: number }>(c, 'list_pipelines')).data.total).toBe(2);
  });

  it('finds the API server from KF_PIPELINES_ENDPOINT, and says why the module is skipped without one', async () => {
    const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-kfp-env-')), { namespace: NS });
    const viaEnv = await connectStdio(['--kubeconfig', kubeconfig], isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info', KF_PIPELINES_ENDPOINT: kfp.url }));
    try {
      expect((await viaEnv.client.listTools()).tools.map((t) => t.name)).toContain('run_pipeline');
    } finally {
      await viaEnv.close();
    }
    const none = await connectStdio(['--kubeconfig', kubeconfig], isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' }));
    try {
      expect((await none.client.listTools()).tools.map((t) => t.name)).not.toContain('run_pipeline');
      await expect.poll(() => none.stderr()).toContain('module skipped — pipelines: no KFP endpoint'); // the banner can trail the first answer
    } finally {
      await none.close();
    }
  });

  it('sent only requests the swagger allows', () => {
    expect(kfp.invalidRequests()).toEqual([]);
    expect(kfp.responseBugs).toEqual([]);
  });
});
