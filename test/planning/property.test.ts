import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateResources, type EstimateInput } from '../../src/kubeflow/planning/estimate.js';
import { MODEL_CATALOG } from '../../src/kubeflow/planning/models.js';

const input = fc.record({
  model: fc.option(fc.oneof(fc.constantFrom(...MODEL_CATALOG.map((m) => m.id)), fc.constantFrom('acme/x-13b', 'who/knows', 'foo-8x7B')), { nil: undefined }),
  modelParams: fc.option(fc.double({ min: 1e6, max: 1e12, noNaN: true }), { nil: undefined }),
  peftMethod: fc.constantFrom('lora', 'qlora', 'dora', 'full') as fc.Arbitrary<EstimateInput['peftMethod']>,
  sequenceLength: fc.option(fc.integer({ min: 1, max: 131072 }), { nil: undefined }),
  quantization: fc.option(fc.constantFrom('fp32', 'bf16', 'fp16', 'int8', 'int4') as fc.Arbitrary<NonNullable<EstimateInput['quantization']>>, {
    nil: undefined,
  }),
  numNodes: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
  gpusPerNode: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  gpuMemoryGb: fc.option(fc.constantFrom(16, 24, 40, 80, 141), { nil: undefined }),
});

describe('estimateResources properties', () => {
  it('totals are finite, non-negative and consistent', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 512 }), (i, batchSize) => {
        const e = estimateResources({ ...i, batchSize });
        for (const v of [e.totalGb, e.perGpuGb, ...Object.values(e.breakdownGb)]) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
        expect(e.perGpuGb).toBeLessThanOrEqual(e.totalGb + 0.1);
        if (e.recommended) {
          expect(e.recommended.count).toBeGreaterThanOrEqual(1);
          expect(e.recommended.count % e.recommended.perNode).toBe(0);
          expect(e.perGpuGb).toBeLessThanOrEqual(0.9 * e.recommended.memoryGb + 0.05);
        }
        if (e.params === null) expect(e.confidence).toBe('low');
      }),
      { numRuns: 500 },
    );
  });

  it('is monotonic in batch size', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 256 }), (i, b, extra) => {
        const small = estimateResources({ ...i, batchSize: b });
        const large = estimateResources({ ...i, batchSize: b + extra });
        expect(large.totalGb).toBeGreaterThanOrEqual(small.totalGb);
        expect(large.breakdownGb.activations).toBeGreaterThanOrEqual(small.breakdownGb.activations);
        // with a fixed layout, what one GPU needs grows too
        if (i.gpusPerNode !== undefined && small.recommended?.count === large.recommended?.count) {
          expect(large.perGpuGb).toBeGreaterThanOrEqual(small.perGpuGb);
        }
      }),
      { numRuns: 300 },
    );
  });
});
