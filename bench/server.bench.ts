/**
 * Numbers for the Trainer toolset against the test API server (loopback):
 * - wait_for_training: delay from the Complete condition appearing to the tool result;
 * - list_training_jobs over many jobs: wall time and API requests per call;
 * - server start to first tools/list, over stdio.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../test/support/fake-kube/index.js';
import { call, connectStdio, isolatedEnv, type Connected } from '../test/support/mcp.js';

const NS = 'bench';
let kube: FakeKube;
let kubeconfig: string;
let c: Connected;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  return `median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${s.at(-1)!.toFixed(1)} ms (n=${s.length})`;
};

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 20, runSteps: 1 } });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-bench-')), { namespace: NS });
  c = await connectStdio(['--kubeconfig', kubeconfig], isolatedEnv());
});

afterAll(async () => {
  await c?.close();
  await kube?.close();
});

it('wait_for_training: Complete condition -> tool result', async () => {
  const delays: number[] = [];
  for (let i = 0; i < 15; i++) {
    kube.controller.pause();
    const { data } = await call<{ job: { name: string } }>(c, 'run_container_training', { image: 'busybox', confirmed: true });
    const waiting = call(c, 'wait_for_training', { name: data.job.name, timeout_seconds: 30 });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    kube.controller.completeNow(NS, data.job.name);
    await waiting;
    delays.push(performance.now() - t0);
    kube.controller.resume();
  }
  console.log(`wait_for_training latency after Complete: ${stats(delays)}`);
});

it('list_training_jobs over 300 jobs', async () => {
  kube.controller.pause();
  for (let i = 0; i < 300; i++) {
    kube.store.create({
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: `job-${i}`, namespace: NS },
      spec: { runtimeRef: { name: i % 2 ? 'torch-distributed' : 'deepspeed-distributed' } },
    });
  }
  const times: number[] = [];
  let requests = 0;
  for (let i = 0; i < 10; i++) {
    const before = kube.requests.length;
    const t0 = performance.now();
    await call(c, 'list_training_jobs', { limit: 200 });
    times.push(performance.now() - t0);
    requests = kube.requests.length - before;
  }
  console.log(`list_training_jobs (200 of 300 jobs): ${stats(times)}; ${requests} API requests per call (the SDK makes 1 + 200 x (runtime GET + pod list))`);
});

it.each(['legacy', 'modern'] as const)('server start to first tools/list (stdio, %s era)', async (era) => {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const s = await connectStdio(['--kubeconfig', kubeconfig], isolatedEnv(), era);
    await s.client.listTools();
    times.push(performance.now() - t0);
    await s.close();
  }
  // In the modern era the SDK client probes with a short-lived sibling process first, so two
  // server starts are inside this number.
  console.log(`start + connect + tools/list (${era}): ${stats(times)}`);
});
