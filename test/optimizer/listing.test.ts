/**
 * OptimizerClient.list over a whole namespace (more Experiments than one API page): newest first,
 * the status filter and counts over every experiment, and a cursor that continues only itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeConnection } from '../../src/kube/connection.js';
import { OptimizerClient } from '../../src/kubeflow/optimizer/client.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { seedName } from '../support/listing-seed.js';

const NS = 'hpo-list';
const COUNT = 620;
const STATES = ['Complete', 'Failed', 'Running', 'Created'] as const;

let kube: FakeKube;
let client: OptimizerClient;
const seeded: Array<{ name: string; created: string; status: (typeof STATES)[number] }> = [];

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: false });
  const start = Date.now() - COUNT * 1000 - 60_000;
  for (let i = 0; i < COUNT; i++) {
    const status = STATES[i % 4]!;
    const name = seedName(i);
    const created = new Date(start + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const conditions =
      status === 'Complete'
        ? [{ type: 'Succeeded', status: 'True', reason: 'ExperimentMaxTrialsReached' }]
        : status === 'Failed'
          ? [{ type: 'Failed', status: 'True', reason: 'ExperimentFailed' }]
          : [];
    kube.store.create({
      apiVersion: 'kubeflow.org/v1beta1',
      kind: 'Experiment',
      metadata: { name, namespace: NS, creationTimestamp: created },
      spec: { algorithm: { algorithmName: 'random' }, objective: { type: 'minimize', objectiveMetricName: 'loss' }, maxTrialCount: 4 },
      status: { conditions, ...(status === 'Running' ? { trialsRunning: 1 } : {}) },
    });
    seeded.push({ name, created, status });
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-hpo-list-'));
  client = new OptimizerClient(new KubeClient(await loadKubeConnection({ kubeconfig: kube.writeKubeconfig(dir, { namespace: NS }) })));
});

afterAll(async () => {
  await kube?.close();
});

const newest = (xs: typeof seeded) =>
  [...xs].sort((a, b) => (a.created === b.created ? a.name.localeCompare(b.name) : a.created < b.created ? 1 : -1)).map((x) => x.name);

describe('OptimizerClient.list', () => {
  it('is newest first over every experiment, with counts', async () => {
    const page = await client.list(NS, { limit: 20 });
    expect(page.experiments.map((e) => e.name)).toEqual(newest(seeded).slice(0, 20));
    expect(page).toMatchObject({ total: COUNT, matched: COUNT, offset: 0, counts: { Complete: 155, Failed: 155, Running: 155, Created: 155 } });
  });

  it('filters by status over every experiment and pages to the end', async () => {
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const page = await client.list(NS, { status: 'Running', limit: 60, continue: cont });
      expect(page.matched).toBe(155);
      names.push(...page.experiments.map((e) => e.name));
      cont = page.continue;
    } while (cont);
    expect(names).toEqual(newest(seeded.filter((s) => s.status === 'Running')));
    const first = await client.list(NS, { status: 'Running', limit: 5 });
    await expect(client.list(NS, { status: 'Failed', continue: first.continue })).rejects.toMatchObject({ code: 'invalid_continue' });
  });
});
