/** The one progress helper: whatever a tool passes, the values sent strictly increase. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monotonicProgress, type ProgressValue } from '../../src/tools/context.js';

describe('monotonicProgress', () => {
  it('sends strictly increasing values for any sequence of reports and heartbeats', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.option(fc.oneof(fc.integer({ min: -5, max: 20 }), fc.double({ min: -1e12, max: 1e12 }), fc.constantFrom(NaN, Infinity, -Infinity)), {
            nil: undefined,
          }),
          { maxLength: 200 },
        ),
        async (reports) => {
          const sent: ProgressValue[] = [];
          const progress = monotonicProgress(async (v) => void sent.push(v));
          for (const r of reports) await progress(r, 10);
          for (let i = 1; i < sent.length; i++) expect(sent[i]!.progress).toBeGreaterThan(sent[i - 1]!.progress);
          expect(sent.every((v) => Number.isFinite(v.progress) && (v.total === undefined || v.progress <= v.total))).toBe(true);
        },
      ),
    );
  });

  it('keeps real values and totals, nudges repeats and heartbeats past the last value', async () => {
    const sent: ProgressValue[] = [];
    const progress = monotonicProgress(async (v) => void sent.push(v));
    await progress(1, 4, 'one trial done');
    await progress(undefined, undefined, 'heartbeat');
    await progress(1, 4, 'same count again');
    await progress(3, 4);
    expect(sent.map((v) => v.progress)).toEqual([1, 1.001, 1.002, 3]);
    expect(sent.map((v) => v.total)).toEqual([4, 4, 4, 4]);
    expect(sent[1]!.message).toBe('heartbeat');
  });
});
