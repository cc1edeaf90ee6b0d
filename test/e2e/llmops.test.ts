/**
 * KEP-936's end-to-end LLMOps workflow through the built server and a real MCP client:
 * optimize -> wait -> best results -> train with the best parameters -> register the model.
 * The test API server runs Katib and Trainer simulations; a test Model Registry validates every
 * request and response against the v1alpha3 OpenAPI document.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry/index.js';
import { validateExperiment } from '../support/katib.js';
import { call, connectStdio, isolatedEnv, type Connected } from '../support/mcp.js';

const NS = 'ml-team';
const CODE = `
def train(lr, epochs=1):
    loss = (float(lr) - 0.05) ** 2 + 0.1
    for e in range(int(epochs)):
        print(f"epoch={e} loss={loss}")
`;

let kube: FakeKube;
let registry: FakeRegistry;
let c: Connected;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 15, runSteps: 1 } });
  kube.seedDefaultRuntimes();
  kube.labelNamespace(NS, { 'katib.kubeflow.org/metrics-collector-injection': 'enabled' });
  registry = await startFakeRegistry();
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-llmops-')), { namespace: NS });
  // --clients auto (the default): every module is detected from the cluster and the registry.
  c = await connectStdio(['--kubeconfig', kubeconfig, '--registry-url', registry.url], isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' }));
});

afterAll(async () => {
  await c?.close();
  await registry?.close();
  await kube?.close();
});

describe('optimize -> best -> train -> register', () => {
  it('auto-detects all three modules', async () => {
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['fine_tune', 'optimize', 'register_model']));
    await expect.poll(() => c.stderr()).toContain('modules trainer,optimizer,hub'); // the banner can trail the first answer
  });

  it('runs the whole workflow', async () => {
    const args = {
      code: CODE,
      search_space: { lr: { log_uniform: [0.001, 0.5] }, epochs: { int: [1, 3] } },
      metric: 'loss',
      direction: 'minimize',
      algorithm: 'random',
      max_trials: 4,
      parallel_trials: 2,
      options: { algorithm_settings: { random_state: 7 } },
    };
    // A code trial template passes the checks, Katib's dry-run included.
    const preview = await call<{ ready: boolean; experiment: { name: string } }>(c, 'optimize', args);
    expect(preview.data.ready).toBe(true);
    const name = preview.data.experiment.name;

    await call(c, 'optimize', { ...args, name, confirmed: true });
    const experiment = kube.store.get('kubeflow.org', 'experiments', NS, name);
    expect(validateExperiment(experiment)).toEqual([]);
    expect(experiment.spec.trialTemplate.trialSpec.spec.trainer.command[2]).toContain(
      "train(**{'lr': '${trialParameters.lr}', 'epochs': '${trialParameters.epochs}'})",
    );

    const waited = await call<{
      outcome: string;
      experiment: { status: string; trials: { succeeded: number } };
      trials: Array<{ metrics: Record<string, string> }>;
    }>(c, 'wait_for_optimization', { name, timeout_seconds: 60 });
    expect(waited.data.outcome).toBe('reached');
    expect(waited.data.experiment.status).toBe('Complete');
    expect(waited.data.experiment.trials.succeeded).toBe(4);
    expect(waited.data.trials.every((t) => Number(t.metrics.loss) > 0)).toBe(true);

    const best = await call<{ best: { trial: string; parameters: Record<string, string>; metrics: Array<{ name: string; latest: string }> } }>(
      c,
      'get_best_results',
      { name },
    );
    const losses = waited.data.trials.map((t) => Number(t.metrics.loss));
    expect(Number(best.data.best.metrics.find((m) => m.name === 'loss')!.latest)).toBe(Math.min(...losses));

    const logs = await call<{ trial: string; lines: string[] }>(c, 'get_optimization_logs', { name });
    expect(logs.data.trial).toBe(best.data.best.trial);
    expect(logs.data.lines.join('\n')).toContain('loss=');
    // Events as the training tools show them: the latest `limit`, each with its count.
    const events = await call<{ events: Array<{ count: number }>; omitted: number }>(c, 'get_optimization_events', { name, limit: 1 });
    expect(events.data.events).toEqual([expect.objectContaining({ count: expect.any(Number) })]);
    expect(events.data.omitted).toBeGreaterThan(0);
    expect(events.text).toContain(`(${events.data.omitted} older events omitted; raise limit to see them)`);
    const listed = await call<{ experiments: Array<{ name: string }> }>(c, 'list_optimization_jobs');
    expect(listed.data.experiments.map((e) => e.name)).toContain(name);

    // Train with the best parameters.
    const train = await call<{ job: { name: string } }>(c, 'run_custom_training', { code: CODE, func_args: best.data.best.parameters, confirmed: true });
    const job = train.data.job.name;
    expect((await call<{ outcome: string }>(c, 'wait_for_training', { name: job, timeout_seconds: 30 })).data.outcome).toBe('reached');

    // Register the model, with the TrainJob as lineage.
    const reg = {
      name: 'lr-demo',
      version: 'v1',
      uri: `s3://models/lr-demo/${job}`,
      train_job: job,
      options: { format: 'pytorch', metadata: { best_lr: best.data.best.parameters.lr!, trials: 4 } },
    };
    const done = await call<{ status: string; version: { properties: Record<string, unknown> }; artifact: { uri: string } }>(c, 'register_model', {
      ...reg,
      confirmed: true,
    });
    expect(done.data.status).toBe('registered');
    expect(done.data.artifact.uri).toBe(reg.uri);
    expect(done.data.version.properties).toMatchObject({ trainjob: `${NS}/${job}`, trials: 4, best_lr: best.data.best.parameters.lr });
    // Idempotent: the same registration again changes nothing.
    expect((await call<{ status: string }>(c, 'register_model', { ...reg, confirmed: true })).data.status).toBe('already_registered');

    const version = await call<{ name: string; author: string }>(c, 'get_model_version', { name: 'lr-demo', version: 'v1' });
    expect(version.data.name).toBe('v1');
    const art = await call<{ uri: string; format: string }>(c, 'get_model_artifact', { name: 'lr-demo', version: 'v1' });
    expect(art.data).toMatchObject({ uri: reg.uri, format: 'pytorch' });
    expect((await call<{ models: Array<{ name: string }> }>(c, 'list_models')).data.models.map((m) => m.name)).toContain('lr-demo');
    expect((await call<{ versions: unknown[] }>(c, 'list_model_versions', { name: 'lr-demo' })).data.versions).toHaveLength(1);
    expect((await call(c, 'get_model', { name: 'lr-demo' })).isError).toBe(false);
    expect(registry.invalidRequests()).toEqual([]);

    await call(c, 'delete_optimization_job', { name, confirmed: true });
    expect(kube.store.get('kubeflow.org', 'experiments', NS, name)).toBeUndefined();
  });

  it('explains grid search needing steps, and Katib-incompatible settings, before submitting', async () => {
    const grid = await call(c, 'optimize', { code: CODE, search_space: { lr: { uniform: [0.01, 0.1] } }, algorithm: 'grid' }, { allowError: true });
    expect(grid.isError).toBe(true);
    expect(grid.text).toMatch(/step/);
    const ok = await call<{ notes: string[]; ready: boolean }>(c, 'optimize', {
      code: CODE,
      search_space: { lr: { uniform: [0.01, 0.1], step: 0.03 } },
      algorithm: 'grid',
      max_trials: 50,
    });
    expect(ok.data.ready).toBe(true);
    expect(ok.data.notes.join(' ')).toMatch(/4/);
    const cma = await call(c, 'optimize', { code: CODE, search_space: { lr: { uniform: [0.01, 0.1] } }, algorithm: 'cmaes' }, { allowError: true });
    expect(cma.isError).toBe(true);
  });

  it('refuses code whose function cannot take the sampled parameters', async () => {
    const r = await call(c, 'optimize', { code: 'def train(x):\n    print("loss=1")\n', search_space: { lr: { uniform: [0, 1] } } }, { allowError: true });
    expect(r.isError).toBe(true);
    // The first problem with where it is, then the others (as run_custom_training reports them).
    expect(r.data.error).toMatchObject({
      code: 'python_bad_arguments',
      message: "train(x) got unexpected keyword argument 'lr' (line 1, column 1) (+1 more problem(s): train(x) is missing required argument 'x' in func_args)",
    });
  });

  it('without a registry, hub tools explain what to configure', async () => {
    const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')), { namespace: NS });
    const other = await connectStdio(['--kubeconfig', kubeconfig, '--clients', 'trainer,hub'], isolatedEnv());
    try {
      const r = await call(other, 'list_models', {}, { allowError: true });
      expect(r.data).toMatchObject({ error: { code: 'no_registry' } });
      expect(r.text).toContain('--registry-url');
    } finally {
      await other.close();
    }
  });
});
