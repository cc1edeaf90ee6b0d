/** The FIFO queue: 20 jobs with maxConcurrent 4 all complete, never more than 4 at once, in order. */
import { afterAll, expect, it } from 'vitest';
import { cleanupAll, custom, launch, newBackend, jobSpans, peakConcurrency } from './helpers.js';

afterAll(cleanupAll);

const TIMED = `
def train(index):
    import time
    print(f"start {time.time():.6f}", flush=True)
    time.sleep(0.3)
    print(f"end {time.time():.6f}", flush=True)
`;

it('runs 20 jobs at most 4 at a time, first come first served', async () => {
  const backend = newBackend({ maxConcurrent: 4 });
  const names: string[] = [];
  for (let i = 0; i < 20; i++) names.push(await launch(backend, custom(TIMED, { funcArgs: { index: i } }, { name: `job-${String(i).padStart(2, '0')}` })));
  const early = await backend.listJobs('default', {});
  expect(early.jobs.filter((j) => j.status === 'Created').length).toBeGreaterThanOrEqual(16 - 4);

  const results = await Promise.all(names.map((n) => backend.waitFor('default', n, { statuses: ['Complete'], timeoutSeconds: 60 })));
  expect(results.every((r) => r.reached)).toBe(true);

  const spans = await jobSpans(backend, names);
  const peak = peakConcurrency(spans);
  expect(peak).toBeLessThanOrEqual(4);
  expect(peak).toBeGreaterThan(1);
  // FIFO: job i+4 starts only after some earlier job ended; starts follow submission order.
  const starts = spans.map(([s]) => s);
  expect(starts.slice(4).every((s, i) => s >= Math.min(...spans.slice(0, i + 4).map(([, e]) => e)))).toBe(true);
  for (let i = 4; i < 20; i++) expect(starts[i]).toBeGreaterThanOrEqual(Math.min(...starts.slice(0, 4)));
});
