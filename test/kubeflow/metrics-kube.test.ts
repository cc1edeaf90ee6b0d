/**
 * get_training_metrics on the Kubernetes backend: the whole pod log streamed from the test API
 * server (TorchTune's metric lines here), the trainer's own status.trainerStatus (TrainJobStatus
 * feature) alongside, and get_training_job's one progress line from it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, inProcess, type InProcess } from '../support/inprocess.js';

const STEPS = 5000;
let kube: FakeKube;
let srv: InProcess;
let client: Client;

beforeAll(async () => {
  kube = await startFakeKube({
    namespaces: ['default'],
    controller: {
      stepMs: 20,
      runSteps: 2,
      // TorchTune's DiskLogger format, loss = 3 - step / 2500 (1.0 at the last step).
      logs: () => [
        'INFO:torchtune.utils._logging:Running FullFinetuneRecipeDistributed',
        ...Array.from({ length: STEPS }, (_, i) => `Step ${i + 1} | loss:${(3 - (i + 1) / 2500).toFixed(4)} lr:2e-05 tokens_per_second_per_gpu:1523.2 `),
      ],
    },
  });
  kube.seedDefaultRuntimes();
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-metrics-')), { namespace: 'default' });
  srv = await inProcess({ kubeconfig, clients: ['trainer'], persona: 'platform-admin' });
  client = await srv.connect();
});

afterAll(async () => {
  await srv?.close();
  await kube?.close();
});

it('reads the whole log and the trainer status', async () => {
  const submitted = await callTool(client, 'run_container_training', { image: 'ghcr.io/acme/tune:1', name: 'tt-job', confirmed: true });
  expect(submitted.isError, submitted.text).toBe(false);
  expect((await callTool(client, 'wait_for_training', { name: 'tt-job', timeout_seconds: 30 })).data).toMatchObject({ outcome: 'reached' });
  kube.controller.setProgress('default', 'tt-job', { progressPercentage: 100, estimatedRemainingSeconds: 0, metrics: [{ name: 'loss', value: '1.0' }] });

  const res = await callTool(client, 'get_training_metrics', { name: 'tt-job' });
  expect(res.isError, res.text).toBe(false);
  expect(res.data.lines).toEqual({ read: STEPS + 1, with_metrics: STEPS });
  const loss = res.data.metrics.find((m: { name: string }) => m.name === 'loss');
  expect(loss).toMatchObject({
    points: STEPS,
    x: 'step',
    first: { x: 1, value: 2.9996 },
    last: { x: STEPS, value: 1 },
    min: { x: STEPS, value: 1 },
    max: { x: 1, value: 2.9996 },
  });
  expect(loss.series.length).toBeLessThanOrEqual(20);
  expect(res.data.progress).toMatchObject({ percent: 100, eta_seconds: 0, metrics: { loss: '1.0' } });
  expect(res.text).toContain('trainer: 100%, ~0s left, loss=1.0');

  const job = await callTool(client, 'get_training_job', { name: 'tt-job' });
  expect(job.text).toMatch(/^progress: 100%, ~0s left, loss=1\.0$/m);
});

it('a job with no pods yet is an actionable error, not a crash', async () => {
  kube.controller.pause();
  try {
    await callTool(client, 'run_container_training', { image: 'ghcr.io/acme/tune:1', name: 'pending-job', confirmed: true });
    const res = await callTool(client, 'get_training_metrics', { name: 'pending-job' });
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/pending|not started|no pod|step/i);
  } finally {
    kube.controller.resume();
  }
});
