/**
 * The mutation contract, over the whole registry: every write tool previews without writing,
 * applies on confirmation, and where the client can elicit asks the user and applies only on
 * accept (decline and cancel write nothing). Writes are read off the test API server's and the
 * test Model Registry's request logs. Runs on the 2025-11-25 era (the SDK's shim sends
 * elicitation/create); test/e2e/elicitation.test.ts covers both eras over stdio and HTTP.
 * Per-tool tests do not repeat these properties: they keep only what is specific to the tool.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { startFakeKfp, type FakeKfp } from '../support/fake-kfp/index.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry/index.js';
import { callTool, configFile, inProcess, type InProcess } from '../support/inprocess.js';
import { ROOT } from '../support/mcp.js';

const NS = 'team-a';
let kube: FakeKube;
let registry: FakeRegistry;
let kfp: FakeKfp;
const PACKAGE = readFileSync(path.join(ROOT, 'test/fixtures/kubeflow-api/pipelines/samples/pipeline_with_retry.yaml'), 'utf8');
let srv: InProcess;
let plain: Client;
let seq = 0;

const writes = () => [
  ...kube.requests.filter((r) => r.method !== 'GET' && r.query.dryRun !== 'All' && !r.path.includes('selfsubject')).map((r) => `${r.method} ${r.path}`),
  ...registry.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
  ...kfp.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
];
const fresh = (prefix: string) => `${prefix}-${++seq}`;

/** Arguments per write tool, creating what it acts on. A new write tool must add its entry. */
const ARGS: Record<string, () => Promise<Record<string, unknown>>> = {
  fine_tune: async () => ({ model: 'Qwen/Qwen2.5-1.5B-Instruct', dataset: 'tatsu-lab/alpaca', name: fresh('ft') }),
  run_custom_training: async () => ({ code: 'def train():\n    print("loss=1")\n', name: fresh('custom') }),
  run_container_training: async () => ({ image: 'busybox', name: fresh('container') }),
  get_runtime_packages: async () => ({ runtime: 'torch-distributed', timeout_seconds: 60 }),
  delete_training_job: async () => ({ name: await submitted() }),
  suspend_training_job: async () => ({ name: await submitted() }),
  resume_training_job: async () => {
    const name = await submitted();
    expect((await callTool(plain, 'suspend_training_job', { name, confirmed: true })).isError).toBe(false);
    return { name };
  },
  optimize: async () => ({ image: 'busybox', search_space: { lr: { uniform: [0.01, 0.1] } }, name: fresh('opt') }),
  delete_optimization_job: async () => {
    const name = fresh('exp');
    expect((await callTool(plain, 'optimize', { image: 'busybox', search_space: { lr: { uniform: [0.01, 0.1] } }, name, confirmed: true })).isError).toBe(
      false,
    );
    return { name };
  },
  register_model: async () => ({ name: fresh('model'), version: 'v1', uri: 's3://bucket/models/run-1' }),
  submit_spark_job: async () => ({ main_file: 's3a://bucket/jobs/count.py', name: fresh('spark') }),
  create_spark_session: async () => ({ name: fresh('session'), wait_seconds: 5 }),
  delete_spark: async () => {
    const name = fresh('sparkjob');
    expect((await callTool(plain, 'submit_spark_job', { main_file: 's3a://bucket/jobs/count.py', name, confirmed: true })).isError).toBe(false);
    return { name };
  },
  upload_pipeline: async () => ({ package: PACKAGE, name: fresh('pipeline') }),
  run_pipeline: async () => ({ pipeline: await uploaded(), name: fresh('run') }),
  manage_pipeline_run: async () => {
    const r = await callTool(plain, 'run_pipeline', { pipeline: await uploaded(), name: fresh('run'), confirmed: true });
    expect(r.isError, r.text).toBe(false);
    return { run_id: r.data.run.id, action: 'archive' };
  },
};

let pipeline: Promise<string> | undefined;
/** One pipeline for the run tools, uploaded on first use. */
function uploaded(): Promise<string> {
  pipeline ??= callTool(plain, 'upload_pipeline', { package: PACKAGE, name: 'mutations', confirmed: true }).then((r) => {
    expect(r.isError, r.text).toBe(false);
    return 'mutations';
  });
  return pipeline;
}

async function submitted(): Promise<string> {
  const name = fresh('job');
  const r = await callTool(plain, 'run_container_training', { image: 'busybox', name, confirmed: true });
  expect(r.isError).toBe(false);
  return name;
}

type Action = 'accept' | 'decline' | 'cancel';

/** A client that declares form elicitation and answers every request with `action`. */
async function eliciting(action: Action, asked: string[]): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await (await srv.app.factory()).connect(serverSide);
  const client = new Client({ name: 'eliciting-test', version: '1' }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler('elicitation/create', async (req) => {
    asked.push(String((req.params as { message?: string }).message));
    return action === 'accept' ? { action, content: {} } : { action };
  });
  await client.connect(clientSide);
  return client;
}

beforeAll(async () => {
  // Jobs run for a few seconds: long enough to suspend, short enough for the packages probe.
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 15, runSteps: 150 } });
  kube.seedDefaultRuntimes();
  kube.labelNamespace(NS, { 'katib.kubeflow.org/metrics-collector-injection': 'enabled' });
  kube.store.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'spark-operator-spark', namespace: NS } });
  registry = await startFakeRegistry();
  kfp = await startFakeKfp({ kube, multiUser: true });
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-mut-')), { namespace: NS });
  srv = await inProcess({
    kubeconfig,
    registryUrl: registry.url,
    persona: 'platform-admin',
    clients: ['trainer', 'optimizer', 'hub', 'spark', 'pipelines'],
    pipelinesEndpoint: kfp.url,
  });
  plain = await srv.connect();
});

afterAll(async () => {
  await srv?.close();
  await kube?.close();
  await registry?.close();
  await kfp?.close();
});

const mutations = ALL_TOOLS.filter((t) => t.mutation);

describe('the mutation contract', () => {
  it('covers every tool that changes something, and only those', () => {
    expect(ALL_TOOLS.filter((t) => t.risk !== 'read').map((t) => t.name)).toEqual(mutations.map((t) => t.name));
    expect(Object.keys(ARGS).sort()).toEqual(mutations.map((t) => t.name).sort());
  });

  it.each(mutations.map((t) => [t.name]))('%s: previews, ready, writing nothing; applies on confirmed=true (no elicitation)', async (tool) => {
    const args = await ARGS[tool]!();
    const before = writes().length;
    const preview = await callTool(plain, tool, args);
    expect(preview.isError, preview.text).toBe(false);
    expect(preview.data.status).toBe('preview');
    expect(preview.text).toMatch(/^PREVIEW \(nothing \w+\)/);
    // Valid arguments pass every check, the preview shows them, and says how to apply it.
    if ('ready' in preview.data) expect(preview.data.ready, preview.text).toBe(true);
    for (const c of preview.data.checks ?? []) expect(preview.text).toContain(`${c.check}: ${c.detail}`);
    expect(preview.data.next).toContain('confirmed=true');
    expect(writes().slice(before)).toEqual([]);
    const applied = await callTool(plain, tool, { ...args, confirmed: true });
    expect(applied.isError, applied.text).toBe(false);
    expect(applied.data.status).not.toBe('preview');
    expect(writes().length).toBeGreaterThan(before);
  });

  it.each(mutations.map((t) => [t.name]))('%s: asks the user where the client can; decline and cancel write nothing, accept applies', async (tool) => {
    for (const action of ['decline', 'cancel'] as const) {
      const args = await ARGS[tool]!();
      const asked: string[] = [];
      const client = await eliciting(action, asked);
      const before = writes().length;
      // confirmed=true from the model does not skip the user.
      const r = await callTool(client, tool, { ...args, confirmed: true });
      expect(asked).toHaveLength(1);
      expect(r.isError).toBe(true);
      expect(r.data.error.code).toBe(action === 'decline' ? 'user_declined' : 'user_cancelled');
      expect(r.text).toContain('nothing was changed');
      expect(writes().slice(before)).toEqual([]);
      await client.close();
    }
    const args = await ARGS[tool]!();
    const asked: string[] = [];
    const client = await eliciting('accept', asked);
    const before = writes().length;
    const r = await callTool(client, tool, args);
    expect(r.isError, r.text).toBe(false);
    expect(r.data.status).not.toBe('preview');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('checks:');
    expect(writes().length).toBeGreaterThan(before);
    await client.close();
  });

  it('asks about the facts that matter: what, where, how many nodes, what is deleted', async () => {
    const asked: string[] = [];
    const client = await eliciting('decline', asked);
    await callTool(client, 'run_container_training', { image: 'busybox', num_nodes: 2, resources: { gpu: 1 }, name: fresh('facts') });
    expect(asked[0]).toMatch(/Create TrainJob facts-\d+ in team-a/);
    expect(asked[0]).toContain('nodes: 2');
    expect(asked[0]).toContain('nvidia.com/gpu=1');
    const name = await submitted();
    await callTool(client, 'delete_training_job', { name });
    expect(asked[1]).toContain('deletes: the TrainJob, its pods and their logs');
    await client.close();
  });

  it('never asks for reads, and never asks when a check fails', async () => {
    const asked: string[] = [];
    const client = await eliciting('accept', asked);
    expect((await callTool(client, 'list_training_jobs', {})).isError).toBe(false);
    const before = writes().length;
    const r = await callTool(client, 'run_container_training', { image: 'busybox', runtime: 'no-such-runtime' });
    expect(r.isError).toBe(true);
    const over = await callTool(client, 'run_container_training', { image: 'busybox', num_nodes: 1, env: { A: 'b' }, name: 'Bad_Name' });
    expect(over.isError).toBe(true);
    expect(asked).toEqual([]);
    expect(writes().slice(before)).toEqual([]);
    await client.close();
  });

  it('delete says what the job is after the delete, not before', async () => {
    const name = await submitted();
    const r = await callTool(plain, 'delete_training_job', { name, confirmed: true });
    expect(['Deleted', 'Terminating']).toContain(r.data.job.status);
    expect(r.text).toMatch(/DELETE done — .*: (Deleted|Terminating)/);
  });
});

describe('confirmation policy', () => {
  it('require-user refuses confirmed=true from a client that cannot ask, and previews still work', async () => {
    const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-mut-')), { namespace: NS });
    const strict = await inProcess({ kubeconfig, clients: ['trainer'], config: configFile('policy:\n  confirmation: require-user\n') });
    try {
      const client = await strict.connect();
      const before = writes().length;
      const preview = await callTool(client, 'run_container_training', { image: 'busybox' });
      expect(preview.data.status).toBe('preview');
      expect(preview.data.next).toContain('cannot ask');
      const refused = await callTool(client, 'run_container_training', { image: 'busybox', confirmed: true });
      expect(refused.data.error.code).toBe('user_confirmation_required');
      expect(writes().slice(before)).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('argument never elicits, even from a client that can', async () => {
    const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-mut-')), { namespace: NS });
    const byArg = await inProcess({ kubeconfig, clients: ['trainer'], config: configFile('policy:\n  confirmation: argument\n') });
    try {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await (await byArg.app.factory()).connect(serverSide);
      const asked: string[] = [];
      const client = new Client({ name: 'eliciting-test', version: '1' }, { capabilities: { elicitation: { form: {} } } });
      client.setRequestHandler('elicitation/create', async () => (asked.push('x'), { action: 'accept' as const, content: {} }));
      await client.connect(clientSide);
      expect((await callTool(client, 'run_container_training', { image: 'busybox' })).data.status).toBe('preview');
      expect(asked).toEqual([]);
      await client.close();
    } finally {
      await byArg.close();
    }
  });
});
