/**
 * Waiting through the built server and a real MCP client: a job or experiment deleted mid-wait
 * ends the wait at once as `deleted`, and every progress notification of a wait carries a larger
 * value than the one before (the MCP spec requires it), heartbeats included.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, connectStdio, isolatedEnv, type Connected } from '../support/mcp.js';

const NS = 'team-w';
const CODE = `
def train(lr):
    print(f"loss={float(lr)}")
`;

let kube: FakeKube;
let c: Connected;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 20, runSteps: 2 } });
  kube.seedDefaultRuntimes();
  kube.labelNamespace(NS, { 'katib.kubeflow.org/metrics-collector-injection': 'enabled' });
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-wait-')), { namespace: NS });
  c = await connectStdio(['--kubeconfig', kubeconfig, '--persona', 'platform-admin', '--clients', 'trainer,optimizer'], isolatedEnv());
});

afterAll(async () => {
  await c?.close();
  await kube?.close();
});

type Progress = { progress: number; total?: number; message?: string };
type Structured = { structuredContent: Record<string, any>; content: Array<{ text?: string }> };

async function submitPaused(): Promise<string> {
  kube.controller.pause();
  const sub = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', confirmed: true });
  return sub.data.job.name;
}

describe('wait_for_training', () => {
  it('returns promptly as deleted when the job is deleted mid-wait', async () => {
    const name = await submitPaused();
    try {
      const waiting = c.client.callTool({ name: 'wait_for_training', arguments: { name, timeout_seconds: 30 } }) as Promise<Structured>;
      await new Promise((r) => setTimeout(r, 400));
      const deletedAt = Date.now();
      kube.store.remove('trainer.kubeflow.org', 'trainjobs', NS, name);
      const res = await waiting;
      expect(Date.now() - deletedAt).toBeLessThan(1000);
      expect(res.structuredContent).toMatchObject({ outcome: 'deleted' });
      expect(res.content[0]?.text).toMatch(/^DELETED after /);
      expect(res.structuredContent.next).toContain('deleted');
      expect(res.structuredContent.next).not.toContain('again');
    } finally {
      kube.controller.resume();
    }
  });

  it('sends strictly increasing progress, heartbeats included', { timeout: 20_000 }, async () => {
    const name = await submitPaused();
    const seen: Progress[] = [];
    try {
      // Nothing changes for 6 s: the only notifications after the first are heartbeats.
      const res = (await c.client.callTool(
        { name: 'wait_for_training', arguments: { name, timeout_seconds: 6 } },
        { onprogress: (p) => seen.push(p) },
      )) as Structured;
      expect(res.structuredContent.outcome).toBe('timed_out');
    } finally {
      kube.controller.resume();
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);
  });
});

describe('wait_for_optimization', () => {
  const args = {
    code: CODE,
    search_space: { lr: { uniform: [0.01, 0.1] } },
    metric: 'loss',
    direction: 'minimize',
    algorithm: 'random',
    max_trials: 3,
    parallel_trials: 1,
  };

  it('returns promptly as deleted when the experiment is deleted mid-wait', async () => {
    kube.katib.pause();
    try {
      const preview = await call<{ experiment: { name: string } }>(c, 'optimize', args);
      const name = preview.data.experiment.name;
      await call(c, 'optimize', { ...args, name, confirmed: true });
      const waiting = c.client.callTool({ name: 'wait_for_optimization', arguments: { name, timeout_seconds: 30 } }) as Promise<Structured>;
      await new Promise((r) => setTimeout(r, 400));
      const deletedAt = Date.now();
      kube.store.remove('kubeflow.org', 'experiments', NS, name);
      const res = await waiting;
      expect(Date.now() - deletedAt).toBeLessThan(1000);
      expect(res.structuredContent).toMatchObject({ outcome: 'deleted' });
      expect(res.structuredContent.experiment.status).not.toBe('Failed');
      expect(res.content[0]?.text).toMatch(/^DELETED after /);
    } finally {
      kube.katib.resume();
    }
  });

  it('reports trials completed of max trials, strictly increasing', { timeout: 60_000 }, async () => {
    const preview = await call<{ experiment: { name: string } }>(c, 'optimize', args);
    const name = preview.data.experiment.name;
    await call(c, 'optimize', { ...args, name, confirmed: true });
    const seen: Progress[] = [];
    const res = (await c.client.callTool(
      { name: 'wait_for_optimization', arguments: { name, timeout_seconds: 50 } },
      { onprogress: (p) => seen.push(p) },
    )) as Structured;
    expect(res.structuredContent.outcome).toBe('reached');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);
    // The total is the trial budget and progress counts finished trials: never past the total.
    expect(seen.every((p) => p.total === 3 && p.progress <= 3)).toBe(true);
  });
});
