/**
 * Whole workflows through the built server and the real MCP client, over stdio and HTTP, in both
 * protocol eras, against the in-process test API server with its Trainer controller simulation.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, connectHttpServer, connectStdio, isolatedEnv, type Connected, type Era } from '../support/mcp.js';

const NS = 'team-a';
const TRAIN_CODE = `
def train(lr, epochs=2):
    for e in range(epochs):
        print(f"epoch={e} loss={1.0 / (e + 1) * lr}")
`;

let kube: FakeKube;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', NS], controller: { stepMs: 30, runSteps: 2 } });
  kube.seedDefaultRuntimes();
  kube.addNode({
    name: 'gpu-1',
    allocatable: { cpu: '32', memory: '256Gi', 'nvidia.com/gpu': '8' },
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
  });
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-kc-')), { namespace: NS });
});

afterAll(async () => {
  await kube?.close();
});

const transports: Array<{ name: string; era: Era; connect: () => Promise<Connected> }> = [
  { name: 'stdio 2026-07-28', era: 'modern', connect: () => connectStdio(['--kubeconfig', kubeconfig], isolatedEnv(), 'modern') },
  { name: 'stdio 2025-11-25', era: 'legacy', connect: () => connectStdio(['--kubeconfig', kubeconfig], isolatedEnv(), 'legacy') },
  { name: 'http 2026-07-28', era: 'modern', connect: () => connectHttpServer(['--kubeconfig', kubeconfig], isolatedEnv(), 'modern') },
  { name: 'http 2025-11-25', era: 'legacy', connect: () => connectHttpServer(['--kubeconfig', kubeconfig], isolatedEnv(), 'legacy') },
];

describe.each(transports)('custom training workflow over $name', ({ connect }) => {
  let c: Connected;
  beforeAll(async () => {
    c = await connect();
  });
  afterAll(async () => {
    await c?.close();
  });

  it('previews with a server dry-run, submits on confirm, follows to completion and cleans up', async () => {
    const args = { code: TRAIN_CODE, func_args: { lr: 0.1 }, num_nodes: 2, resources: { cpu: 2 } };

    const preview = await call<{ job: { name: string }; checks: Array<{ check: string; ok: boolean }> }>(c, 'run_custom_training', args);
    expect(preview.data.checks.find((x) => x.check === 'dry-run')?.ok).toBe(true);
    expect(kube.requests.some((r) => r.method === 'POST' && r.path.endsWith('/trainjobs') && r.query.dryRun === 'All')).toBe(true);

    const name = preview.data.job.name;
    const submitted = await call<{ status: string }>(c, 'run_custom_training', { ...args, name, confirmed: true });
    expect(submitted.data.status).toBe('submitted');
    const created = kube.store.get('trainer.kubeflow.org', 'trainjobs', NS, name);
    expect(created.spec.trainer.numNodes).toBe(2);
    expect(created.spec.trainer.command[2]).toContain("train(**{'lr': 0.1})");

    const waited = await call<{ outcome: string; job: { status: string }; steps: Array<{ name: string }> }>(c, 'wait_for_training', {
      name,
      timeout_seconds: 20,
    });
    expect(waited.data.outcome).toBe('reached');
    expect(waited.data.job.status).toBe('Complete');
    expect(waited.data.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['node-0', 'node-1']));

    const logs = await call<{ lines: string[] }>(c, 'get_training_logs', { name });
    expect(logs.data.lines.length).toBeGreaterThan(0);

    const listed = await call<{ jobs: Array<{ name: string; status: string }> }>(c, 'list_training_jobs', { status: 'Complete' });
    expect(listed.data.jobs.map((j) => j.name)).toContain(name);

    const events = await call<{ events: unknown[] }>(c, 'get_training_events', { name });
    expect(events.data.events.length).toBeGreaterThan(0);

    await call(c, 'delete_training_job', { name, confirmed: true });
    expect(kube.store.get('trainer.kubeflow.org', 'trainjobs', NS, name)).toBeUndefined();
  });
});
