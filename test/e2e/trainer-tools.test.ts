/**
 * The rest of the Trainer toolset end to end (stdio, 2026-07-28 era): fine-tuning, lifecycle,
 * runtime packages, waiting (watch, progress, timeout, cancellation), planning tools, paging, logs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateAgainstCrd } from '../support/crd.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, connectStdio, isolatedEnv, type Connected } from '../support/mcp.js';

const NS = 'team-a';
const TRAINJOB_CRD = path.resolve(import.meta.dirname, '../fixtures/kubeflow-api/trainer/v2.3.0/crds/trainer.kubeflow.org_trainjobs.yaml');

let kube: FakeKube;
let c: Connected;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', NS], controller: { stepMs: 25, runSteps: 2 } });
  kube.seedDefaultRuntimes();
  kube.addNode({
    name: 'gpu-a100',
    allocatable: { cpu: '64', memory: '512Gi', 'nvidia.com/gpu': '8' },
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
  });
  kube.addNode({ name: 'cpu-1', allocatable: { cpu: '16', memory: '64Gi' } });
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-tt-')), { namespace: NS });
  c = await connectStdio(['--kubeconfig', kubeconfig, '--persona', 'platform-admin'], isolatedEnv());
});

afterAll(async () => {
  await c?.close();
  await kube?.close();
});

beforeEach(() => kube.controller.resume());

const trainjob = (name: string) => kube.store.get('trainer.kubeflow.org', 'trainjobs', NS, name);

describe('fine_tune', () => {
  it('picks the torchtune runtime built for the model and submits a valid TrainJob', async () => {
    const args = { model: 'Qwen/Qwen2.5-1.5B-Instruct', dataset: 'tatsu-lab/alpaca', peft_method: 'lora', epochs: 2, resources: { gpu: 2 } };
    const preview = await call<{ ready: boolean; job: { name: string; runtime: string } }>(c, 'fine_tune', args);
    expect(preview.data).toMatchObject({ ready: true, job: { runtime: 'torchtune-qwen2.5-1.5b' } });
    const name = preview.data.job.name;

    await call(c, 'fine_tune', { ...args, name, confirmed: true });
    const tj = trainjob(name);
    expect(validateAgainstCrd(TRAINJOB_CRD, tj)).toEqual([]);
    expect(tj.spec.runtimeRef).toEqual({ name: 'torchtune-qwen2.5-1.5b', kind: 'ClusterTrainingRuntime', apiGroup: 'trainer.kubeflow.org' });
    expect(tj.spec.trainer.command).toEqual(['tune', 'run']);
    expect(tj.spec.trainer.args).toEqual(
      expect.arrayContaining(['epochs=2', 'dataset.data_dir=/workspace/dataset/.', 'model.lora_attn_modules=[q_proj,v_proj,output_proj]']),
    );
    expect(tj.spec.initializer.model.storageUri).toBe('hf://Qwen/Qwen2.5-1.5B-Instruct');
    expect(tj.spec.initializer.dataset.storageUri).toBe('hf://tatsu-lab/alpaca');

    const done = await call<{ outcome: string; steps: Array<{ name: string }> }>(c, 'wait_for_training', { name, timeout_seconds: 20 });
    expect(done.data.outcome).toBe('reached');
    expect(done.data.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['dataset-initializer', 'model-initializer', 'node-0']));
    const initLogs = await call<{ lines: string[] }>(c, 'get_training_logs', { name, step: 'model-initializer' });
    expect(initLogs.data.lines.join('\n')).toContain('hf://Qwen/Qwen2.5-1.5B-Instruct');
  });

  it("without a dataset, keeps the runtime's own dataset arguments", async () => {
    const p = await call<{ trainjob: { spec: { trainer: { args: string[] }; initializer?: { dataset?: unknown } } } }>(c, 'fine_tune', {
      model: 'meta-llama/Llama-3.2-1B-Instruct',
    });
    expect(p.data.trainjob.spec.trainer.args).toEqual(expect.arrayContaining(['dataset=torchtune.datasets.instruct_dataset', 'dataset.source=parquet']));
    expect(p.data.trainjob.spec.initializer?.dataset).toBeUndefined();
  });

  it('says which torchtune runtimes exist when none fits the model', async () => {
    const r = await call(c, 'fine_tune', { model: 'mistralai/Mistral-7B-v0.1' }, { allowError: true });
    expect(r.data).toMatchObject({ error: { code: 'no_matching_runtime' } });
    expect(r.text).toContain('torchtune-llama3.2-1b');
    expect(r.text).toContain('run_custom_training');
  });

  it('refuses credentials passed as values and unknown URI schemes', async () => {
    const bad = await call(c, 'fine_tune', { model: 'gs://bucket/model' }, { allowError: true });
    expect(bad.data).toMatchObject({ error: { code: 'invalid_model' } });
    const opt = await call(c, 'fine_tune', { model: 'Qwen/Qwen2.5-1.5B-Instruct', options: { hf_token: 'hf_abc' } }, { allowError: true });
    expect(opt.data).toMatchObject({ error: { code: 'invalid_arguments' } });
  });
});

describe('lifecycle', () => {
  it('suspends and resumes a running job', async () => {
    kube.controller.pause();
    const sub = await call<{ job: { name: string } }>(c, 'run_container_training', {
      image: 'busybox:1.36',
      command: ['sh', '-c', 'sleep 1'],
      confirmed: true,
    });
    const name = sub.data.job.name;

    const suspended = await call<{ job: { status: string } }>(c, 'suspend_training_job', { name, confirmed: true });
    expect(suspended.data.job.status).toBe('Suspended');
    expect(trainjob(name).spec.suspend).toBe(true);
    const again = await call(c, 'suspend_training_job', { name, confirmed: true }, { allowError: true });
    expect(again.data).toMatchObject({ error: { code: 'already_suspended' } });

    kube.controller.resume();
    const resumed = await call<{ job: { status: string } }>(c, 'resume_training_job', { name, confirmed: true });
    expect(['Created', 'Running']).toContain(resumed.data.job.status);
    // A resumed job must not stay "Created" (the SDK quirk): it runs and completes.
    const done = await call<{ outcome: string; job: { status: string } }>(c, 'wait_for_training', { name, timeout_seconds: 20 });
    expect(done.data.job.status).toBe('Complete');
    const finished = await call(c, 'resume_training_job', { name }, { allowError: true });
    expect(finished.data).toMatchObject({ error: { code: 'job_finished' } });
  });
});

describe('get_runtime_packages', () => {
  it('runs a temporary job, returns its output and deletes it', async () => {
    const before = kube.store.list('trainer.kubeflow.org', 'trainjobs', NS).length;
    const r = await call<{ status: string; job: string; output: string[] }>(c, 'get_runtime_packages', { runtime: 'torch-distributed', confirmed: true });
    expect(r.data.status).toBe('done');
    expect(r.data.output.join('\n')).toMatch(/torch\s+2\.7\.1/);
    expect(trainjob(r.data.job)).toBeUndefined();
    expect(kube.store.list('trainer.kubeflow.org', 'trainjobs', NS)).toHaveLength(before);
  });

  it('refuses torchtune runtimes', async () => {
    const r = await call(c, 'get_runtime_packages', { runtime: 'torchtune-llama3.2-1b', confirmed: true }, { allowError: true });
    expect(r.data).toMatchObject({ error: { code: 'unsupported_runtime' } });
  });
});

describe('wait_for_training', () => {
  it('uses watches (no polling), reports progress and returns as soon as the job completes', async () => {
    kube.controller.pause();
    const sub = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', confirmed: true });
    const name = sub.data.job.name;
    const from = kube.requests.length;
    const progress: string[] = [];
    const waiting = c.client.callTool(
      { name: 'wait_for_training', arguments: { name, timeout_seconds: 30 } },
      { onprogress: (p) => progress.push(p.message ?? '') },
    );
    await new Promise((r) => setTimeout(r, 700));
    kube.controller.completeNow(NS, name);
    const res = (await waiting) as { structuredContent: { outcome: string; waited_seconds: number } };
    expect(res.structuredContent.outcome).toBe('reached');
    expect(res.structuredContent.waited_seconds).toBeLessThan(5);
    const during = kube.requests.slice(from);
    const jobGets = during.filter((q) => q.method === 'GET' && q.path === `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${NS}/trainjobs/${name}`);
    const watches = during.filter((q) => q.query.watch === 'true');
    expect(jobGets.length).toBeLessThanOrEqual(2);
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('returns the current status with a hint when its time is up', async () => {
    kube.controller.pause();
    const sub = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', confirmed: true });
    const r = await call<{ outcome: string; next: string; job: { status: string } }>(c, 'wait_for_training', { name: sub.data.job.name, timeout_seconds: 1 });
    expect(r.data).toMatchObject({ outcome: 'timed_out' });
    // Headed as every wait tool's timeout is.
    expect(r.text).toMatch(/^NOT YET after \d/);
    expect(r.data.next).toContain('Call wait_for_training again');
  });

  it('reports a failed job instead of waiting out the timeout', async () => {
    const sub = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', confirmed: true });
    kube.controller.failNow(NS, sub.data.job.name);
    const r = await call<{ outcome: string; job: { status: string }; next: string }>(c, 'wait_for_training', { name: sub.data.job.name, timeout_seconds: 20 });
    expect(r.data.outcome).toBe('ended');
    expect(r.data.job.status).toBe('Failed');
    expect(r.data.next).toContain('get_training_logs');
  });

  it('honours cancellation', async () => {
    kube.controller.pause();
    const sub = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', confirmed: true });
    const abort = new AbortController();
    const started = Date.now();
    const waiting = c.client.callTool({ name: 'wait_for_training', arguments: { name: sub.data.job.name, timeout_seconds: 60 } }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 300);
    await expect(waiting).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    // The server is still answering.
    expect((await call(c, 'list_runtimes')).isError).toBe(false);
  });
});

describe('planning', () => {
  it('get_cluster_resources counts allocatable and requested GPUs by product', async () => {
    const r = await call<{ gpus: Array<{ resource: string; product: string; allocatable: number; free: number; memory_gb: number }>; nodes: unknown[] }>(
      c,
      'get_cluster_resources',
    );
    const a100 = r.data.gpus.find((g) => g.product === 'NVIDIA-A100-SXM4-80GB')!;
    expect(a100).toMatchObject({ resource: 'nvidia.com/gpu', allocatable: 8, memory_gb: 80 });
    expect(a100.free).toBeLessThanOrEqual(8);
    expect(r.data.nodes).toHaveLength(2);
  });

  it('check_prerequisites runs the whole pre-flight chain', async () => {
    const r = await call<{ ready: boolean; checks: Array<{ check: string; ok: boolean | null }> }>(c, 'check_prerequisites', {
      model: 'Qwen/Qwen2.5-1.5B-Instruct',
    });
    expect(r.data.checks.map((x) => x.check)).toEqual(['cluster', 'namespace', 'runtime', 'gpus', 'memory']);
    expect(r.data.ready).toBe(true);
    const huge = await call<{ ready: boolean; checks: Array<{ check: string; ok: boolean | null }> }>(c, 'check_prerequisites', {
      model: 'meta-llama/Llama-3.1-405B',
      peft_method: 'full',
      gpus_per_node: 8,
      num_nodes: 4,
    });
    expect(huge.data.ready).toBe(false);
    expect(huge.data.checks.find((x) => x.check === 'gpus')?.ok).toBe(false);
  });

  it('estimate_resources answers offline and flags unknown models', async () => {
    const known = await call<{ confidence: string; memory_gb: { total: number }; recommended: { gpu: string } | null }>(c, 'estimate_resources', {
      model: 'Qwen/Qwen2.5-1.5B-Instruct',
    });
    expect(known.data.confidence).toBe('high');
    expect(known.data.memory_gb.total).toBeGreaterThan(0);
    expect(known.data.recommended).not.toBeNull();
    // Nothing known is an error with a hint, not a 0 GB estimate.
    const unknown = await call(c, 'estimate_resources', { model: 'acme/secret-model' }, { allowError: true });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/unknown_model[\s\S]*model_params/);
  });
});

describe('discovery and logs', () => {
  it('pages through training jobs', async () => {
    const all = new Set<string>();
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await call<{ jobs: Array<{ name: string }>; continue?: string }>(c, 'list_training_jobs', { limit: 2, ...(cont ? { continue: cont } : {}) });
      page.data.jobs.forEach((j) => all.add(j.name));
      cont = page.data.continue;
      pages++;
    } while (cont && pages < 50);
    expect(pages).toBeGreaterThan(1);
    expect(all.size).toBe(kube.store.list('trainer.kubeflow.org', 'trainjobs', NS).length);
  });

  it('lists runtimes with their frameworks and gets one in detail', async () => {
    const l = await call<{ runtimes: Array<{ name: string; framework: string; model?: string }> }>(c, 'list_runtimes');
    expect(l.data.runtimes.find((r) => r.name === 'torchtune-qwen2.5-1.5b')).toMatchObject({
      framework: 'torchtune',
      model: 'hf://Qwen/Qwen2.5-1.5B-Instruct',
    });
    const g = await call<{ runtime: { name: string }; steps: Array<{ name: string }> }>(c, 'get_runtime', { name: 'torchtune-llama3.2-1b' });
    expect(g.data.steps.map((s) => s.name)).toEqual(['dataset-initializer', 'model-initializer', 'node']);
  });

  it('follows logs for a bounded time', async () => {
    kube.controller.pause();
    const sub = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', confirmed: true });
    const name = sub.data.job.name;
    // Pending pods have no logs yet: a clear, retryable error.
    const pending = await call(c, 'get_training_logs', { name }, { allowError: true });
    expect(pending.data).toMatchObject({ error: { code: 'step_pending' } });
    kube.controller.resume();
    await call(c, 'wait_for_training', { name, status: 'Running', timeout_seconds: 20 });
    const t0 = Date.now();
    const followed = await call<{ lines: string[] }>(c, 'get_training_logs', { name, follow_seconds: 2 });
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(followed.data.lines.length).toBeGreaterThan(0);
  });

  it('tails logs and names the steps when one does not exist', async () => {
    const sub = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', num_nodes: 2, confirmed: true });
    const name = sub.data.job.name;
    await call(c, 'wait_for_training', { name, timeout_seconds: 20 });
    const tail = await call<{ lines: string[]; truncated: boolean }>(c, 'get_training_logs', { name, step: 'node-1', tail: 2 });
    expect(tail.data.lines).toHaveLength(2);
    expect(tail.data.truncated).toBe(true);
    const missing = await call(c, 'get_training_logs', { name, step: 'node-7' }, { allowError: true });
    expect(missing.data).toMatchObject({ error: { code: 'step_not_found' } });
    expect(missing.text).toContain('node-1');
  });
});
