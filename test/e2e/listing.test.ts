/**
 * list_training_jobs over a whole namespace (1,001 jobs) through the built server: newest first
 * across API pages, status and runtime filters over every job, counts, and a cursor that stays
 * consistent while the namespace changes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { newestFirst, seedJobs, type SeededJob } from '../support/listing-seed.js';
import { call, connectStdio, isolatedEnv, type Connected } from '../support/mcp.js';

const NS = 'team-l';
const COUNT = 1001;

type Page = {
  jobs: Array<{ name: string; status: string; runtime: string }>;
  offset: number;
  matched: number;
  total: number;
  counts: Record<string, number>;
  continue?: string;
};

let kube: FakeKube;
let c: Connected;
let seeded: SeededJob[];

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS], controller: false });
  kube.seedDefaultRuntimes();
  seeded = seedJobs(kube, NS, COUNT, { runtimeOf: (i) => (i % 10 === 3 ? 'deepspeed-distributed' : 'torch-distributed') });
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-list-')), { namespace: NS });
  c = await connectStdio(['--kubeconfig', kubeconfig, '--clients', 'trainer'], isolatedEnv());
}, 60_000);

afterAll(async () => {
  await c?.close();
  await kube?.close();
});

const countBy = (jobs: SeededJob[]) => jobs.reduce<Record<string, number>>((m, j) => ((m[j.status] = (m[j.status] ?? 0) + 1), m), {});

async function all(args: Record<string, unknown>): Promise<string[]> {
  const names: string[] = [];
  let cont: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const p = await call<Page>(c, 'list_training_jobs', { ...args, ...(cont ? { continue: cont } : {}) });
    names.push(...p.data.jobs.map((j) => j.name));
    cont = p.data.continue;
    if (!cont) break;
  }
  return names;
}

describe('list_training_jobs over a whole namespace', () => {
  it('puts the newest job first and counts every status', async () => {
    const r = await call<Page>(c, 'list_training_jobs', {});
    expect(r.data.jobs.map((j) => j.name)).toEqual(
      newestFirst(seeded)
        .slice(0, 50)
        .map((j) => j.name),
    );
    expect(r.data).toMatchObject({ offset: 0, matched: COUNT, total: COUNT, counts: countBy(seeded) });
    const counts = countBy(seeded);
    expect(r.text.split('\n')[0]).toBe(
      `1–50 of 1,001 TrainJobs in ${NS}, newest first: ${counts.Created} Created, ${counts.Complete} Complete, ${counts.Failed} Failed, ${counts.Running} Running, ${counts.Suspended} Suspended.`,
    );
    expect(r.data.continue).toBeTruthy();
  });

  it('filters by status over every job, in order, with the total', async () => {
    for (const status of ['Complete', 'Running', 'Suspended'] as const) {
      const expected = newestFirst(seeded.filter((j) => j.status === status)).map((j) => j.name);
      const first = await call<Page>(c, 'list_training_jobs', { status });
      expect(first.data.matched).toBe(expected.length);
      expect(first.data.jobs.every((j) => j.status === status)).toBe(true);
      expect(await all({ status })).toEqual(expected);
    }
    const r = await call<Page>(c, 'list_training_jobs', { status: 'Complete', limit: 10 });
    expect(r.text.split('\n')[0]).toMatch(/^1–10 of 101 TrainJobs matching status=Complete, newest first \(1,001 in team-l: /);
  });

  it('filters by runtime and labels over every job', async () => {
    const deepspeed = newestFirst(seeded.filter((_, i) => i % 10 === 3)).map((j) => j.name);
    expect(await all({ runtime: 'deepspeed-distributed', limit: 200 })).toEqual(deepspeed);
    const odd = newestFirst(seeded.filter((_, i) => i % 2 === 1));
    const r = await call<Page>(c, 'list_training_jobs', { labels: 'team=nlp', status: 'Failed', limit: 5 });
    expect(r.data.total).toBe(odd.length);
    expect(r.data.jobs.map((j) => j.name)).toEqual(
      odd
        .filter((j) => j.status === 'Failed')
        .slice(0, 5)
        .map((j) => j.name),
    );
  });

  it('pages through every job once, in order, while the namespace changes', async () => {
    const p1 = await call<Page>(c, 'list_training_jobs', { limit: 200 });
    // A new job (newest of all) and a deleted one between pages: no job twice, none skipped.
    const order = newestFirst(seeded).map((j) => j.name);
    const gone = order[500]!;
    kube.store.remove('trainer.kubeflow.org', 'trainjobs', NS, gone);
    kube.store.create({
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 'zz-newcomer', namespace: NS },
      spec: { runtimeRef: { name: 'torch-distributed' }, trainer: { numNodes: 1 } },
    });
    try {
      const rest: string[] = [];
      let cont = p1.data.continue;
      let offset = p1.data.jobs.length;
      while (cont) {
        const p = await call<Page>(c, 'list_training_jobs', { limit: 200, continue: cont });
        // The newcomer sorts before this page, so it counts in the offset.
        expect(p.data.offset).toBe(offset + 1);
        offset += p.data.jobs.length;
        rest.push(...p.data.jobs.map((j) => j.name));
        cont = p.data.continue;
      }
      expect([...p1.data.jobs.map((j) => j.name), ...rest]).toEqual(order.filter((n) => n !== gone));
    } finally {
      kube.store.remove('trainer.kubeflow.org', 'trainjobs', NS, 'zz-newcomer');
      const back = seeded.find((j) => j.name === gone)!;
      kube.store.create({
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        metadata: { name: gone, namespace: NS, creationTimestamp: back.created, labels: { team: 'x' } },
        spec: { runtimeRef: { name: back.runtime }, trainer: { numNodes: 1 } },
      });
    }
  });

  it('refuses a cursor used with other filters, or one it did not give out', async () => {
    const p = await call<Page>(c, 'list_training_jobs', { status: 'Complete', limit: 5 });
    const other = await call(c, 'list_training_jobs', { status: 'Failed', limit: 5, continue: p.data.continue }, { allowError: true });
    expect(other.data).toMatchObject({ error: { code: 'invalid_continue' } });
    expect(other.text).toContain('other filters');
    const forged = await call(c, 'list_training_jobs', { continue: 'eyJydiI6IjEifQ' }, { allowError: true });
    expect(forged.data).toMatchObject({ error: { code: 'invalid_continue' } });
  });
});
