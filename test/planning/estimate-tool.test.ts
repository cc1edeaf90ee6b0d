/**
 * estimate_resources as a tool: architecture parameters for private models, an error (not a 0 GB
 * "estimate") when nothing is known; and the `resources` schema refusing unknown keys.
 */
import { describe, expect, it } from 'vitest';
import { estimateOutput, estimateResourcesTool } from '../../src/tools/core/estimate_resources.js';
import { ToolError } from '../../src/tools/contract.js';
import { resources } from '../../src/tools/schemas.js';

const run = async (args: Record<string, unknown>) =>
  estimateOutput.parse(await estimateResourcesTool.run!(estimateResourcesTool.input.parse(args), {} as never));

describe('estimate_resources', () => {
  it('accepts num_layers and hidden_size, as its hint asks', async () => {
    const withShape = await run({ model: 'private/model', model_params: 3e9, num_layers: 28, hidden_size: 3072 });
    expect(withShape.confidence).toBe('high');
    expect(withShape.missing).toEqual([]);
  });

  it('estimates a private model from its shape alone', async () => {
    const o = await run({ model: 'acme/secret-model', num_layers: 32, hidden_size: 4096 });
    expect(o.params).toBeCloseTo(12 * 32 * 4096 ** 2, -3);
    expect(o.memory_gb.total).toBeGreaterThan(0);
    expect(o.assumptions.join(' ')).toContain('12 × layers × hidden²');
  });

  it.each([[{ model: 'acme/secret-model' }], [{}]])('is an error with a hint when nothing is known: %j', async (args) => {
    const err = await run(args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ code: 'unknown_model' });
    expect((err as ToolError).hint).toMatch(/model_params.*num_layers and hidden_size/);
  });
});

describe('resources keys', () => {
  it.each([
    [{ cpu: 4, memory: '32Gi', gpu: 1 }],
    [{ 'nvidia.com/gpu': 2, 'ephemeral-storage': '50Gi' }],
    [{ CPU: 1, 'mig-1g.5gb': 1 }],
    [{ 'google.com/tpu': 4, storage: '1Gi' }],
  ])('accepts %j', (r) => {
    expect(resources.safeParse(r).success).toBe(true);
  });

  it.each([[{ cores: 4 }], [{ gpus: 1 }], [{ '../x': 1 }], [{ 'nvidia.com/': 1 }]])('refuses %j and lists what is accepted', (r) => {
    const res = resources.safeParse(r);
    expect(res.success).toBe(false);
    const msg = res.error!.issues[0]!.message;
    expect(msg).toMatch(/unknown resource/);
    expect(msg).toContain('cpu, memory, gpu, storage, ephemeral-storage');
    expect(msg).toContain('nvidia.com/gpu');
    expect(res.error!.issues[0]!.path).toEqual([Object.keys(r)[0]]);
  });
});
