/**
 * The local backend lists like the Kubernetes one (newest first, filters and counts over the whole
 * namespace, the same cursor) and ends a wait as deleted when the job is deleted meanwhile.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, custom, launch, newBackend } from './helpers.js';

afterAll(cleanupAll);

const QUICK = `
def train(fail=False):
    if fail:
        raise SystemExit(3)
    print("done")
`;
const SLOW = `
def train():
    import time
    time.sleep(30)
`;

describe('local listing', () => {
  it('is newest first with counts over every job, and pages with filters', async () => {
    const backend = newBackend();
    const names: string[] = [];
    for (let i = 0; i < 5; i++) names.push(await launch(backend, custom(QUICK, { funcArgs: { fail: i === 2 } }, { labels: { idx: String(i) } })));
    for (const name of names) await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 30 });

    const all = await backend.listJobs('default', {});
    expect(all.jobs.map((j) => j.name)).toEqual([...names].reverse());
    expect(all).toMatchObject({ offset: 0, matched: 5, total: 5, counts: { Complete: 4, Failed: 1 } });

    const first = await backend.listJobs('default', { status: 'Complete', limit: 3 });
    expect(first.jobs.map((j) => j.name)).toEqual([names[4], names[3], names[1]]);
    expect(first.matched).toBe(4);
    const second = await backend.listJobs('default', { status: 'Complete', limit: 3, continue: first.continue });
    expect(second).toMatchObject({ jobs: [{ name: names[0] }], offset: 3, matched: 4 });
    expect(second.continue).toBeUndefined();
    await expect(backend.listJobs('default', { status: 'Failed', continue: first.continue })).rejects.toMatchObject({ code: 'invalid_continue' });

    const failed = await backend.listJobs('default', { status: 'Failed', labelSelector: 'idx in (1, 2)' });
    expect(failed).toMatchObject({ jobs: [{ name: names[2], status: 'Failed' }], total: 2, counts: { Complete: 1, Failed: 1 } });
    expect((await backend.listJobs('default', { runtime: 'no-such-runtime' })).matched).toBe(0);
  });
});

describe('local wait', () => {
  it('returns promptly as deleted when the job is deleted mid-wait', async () => {
    const backend = newBackend();
    const name = await launch(backend, custom(SLOW));
    const waiting = backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 60 });
    await new Promise((r) => setTimeout(r, 300));
    await backend.deleteJob('default', name, { dryRun: false });
    const deletedAt = Date.now();
    const res = await waiting;
    // Promptly: not at the wait's timeout (the bound leaves room for a loaded machine).
    expect(Date.now() - deletedAt).toBeLessThan(5000);
    expect(res).toMatchObject({ reached: false, deleted: {} });
  });
});
