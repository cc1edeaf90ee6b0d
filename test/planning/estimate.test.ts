import { describe, expect, it } from 'vitest';
import { EstimateInputError, estimateResources, type EstimateInput } from '../../src/kubeflow/planning/estimate.js';

/**
 * Expected values computed by hand from the KEP-936 formula (GiB = 1024^3 bytes):
 *   base = params * bytes / GiB; act = batch * seq * layers * hidden * 2 / GiB
 *   full: opt = 2 * base, grad = base;  lora/qlora/dora: opt = 0.1 * base, grad = 0.05 * base
 */
const TABLE: Array<{
  name: string;
  input: EstimateInput;
  breakdown: [number, number, number, number];
  total: number;
  perGpu: number;
  gpu: string | null;
  count?: number;
  perNode?: number;
}> = [
  {
    // 1.54e9*2/GiB = 2.8685; 4*2048*28*1536*2/GiB = 0.65625; opt 0.2868; grad 0.1434; total 3.955
    name: 'Qwen2.5-1.5B-Instruct, lora, bf16, batch 4, seq 2048',
    input: { model: 'Qwen/Qwen2.5-1.5B-Instruct', peftMethod: 'lora', batchSize: 4, sequenceLength: 2048 },
    breakdown: [2.9, 0.7, 0.3, 0.1],
    total: 4.0,
    perGpu: 4.0,
    gpu: 'T4-16GB',
    count: 1,
    perNode: 1,
  },
  {
    // 1.24e9*2/GiB = 2.3097; 4*2048*16*2048*2/GiB = 0.5; opt 4.6194; grad 2.3097; total 9.7387
    name: 'Llama-3.2-1B, full, defaults',
    input: { model: 'meta-llama/Llama-3.2-1B', peftMethod: 'full' },
    breakdown: [2.3, 0.5, 4.6, 2.3],
    total: 9.7,
    perGpu: 9.7,
    gpu: 'T4-16GB',
    count: 1,
    perNode: 1,
  },
  {
    // qlora defaults to int4: 8.03e9*0.5/GiB = 3.7393; act 4*2048*32*4096*2/GiB = 2; opt 0.3739; grad 0.1870; total 6.3002
    name: 'Llama-3.1-8B, qlora (int4 default)',
    input: { model: 'meta-llama/Llama-3.1-8B-Instruct', peftMethod: 'qlora' },
    breakdown: [3.7, 2.0, 0.4, 0.2],
    total: 6.3,
    perGpu: 6.3,
    gpu: 'T4-16GB',
  },
  {
    // 8.03e9*2/GiB = 14.9571; act 2; opt 29.9142; grad 14.9571; total 61.828 -> fits 0.9*80 = 72
    name: 'Llama-3.1-8B, full, bf16',
    input: { model: 'meta-llama/Llama-3.1-8B', peftMethod: 'full' },
    breakdown: [15.0, 2.0, 29.9, 15.0],
    total: 61.8,
    perGpu: 61.8,
    gpu: 'A100-80GB',
    count: 1,
  },
  {
    // 7.24e9*4/GiB = 26.9700; act 1*512*32*4096*2/GiB = 0.125; opt 2.6970; grad 1.3485; total 31.1405 -> 0.9*40 = 36
    name: 'Mistral-7B-Instruct-v0.3, lora, fp32, batch 1, seq 512',
    input: { model: 'mistralai/Mistral-7B-Instruct-v0.3', peftMethod: 'lora', quantization: 'fp32', batchSize: 1, sequenceLength: 512 },
    breakdown: [27.0, 0.1, 2.7, 1.3],
    total: 31.1,
    perGpu: 31.1,
    gpu: 'A100-40GB',
  },
  {
    // 70.6e9*2/GiB = 131.5042; act 4*2048*80*8192*2/GiB = 10; state 526.0168; 0.9*80 - 10 = 62 per GPU
    // -> ceil(526.0168/62) = 9 GPUs > 8 per node -> 2 nodes x 5; per GPU 526.0168/10 + 10 = 62.6
    name: 'Llama-3.1-70B, full: sharded over A100-80GB nodes',
    input: { model: 'meta-llama/Llama-3.1-70B', peftMethod: 'full' },
    breakdown: [131.5, 10.0, 263.0, 131.5],
    total: 536.0,
    perGpu: 62.6,
    gpu: 'A100-80GB',
    count: 10,
    perNode: 5,
  },
  {
    // 7e9*2/GiB = 13.0385; act 2 (32 x 4096 given); state 52.154; 8 GPUs -> 52.154/8 + 2 = 8.519
    name: 'user params, full, 2 nodes x 4 GPUs: shards state, not activations',
    input: { modelParams: 7e9, numLayers: 32, hiddenSize: 4096, peftMethod: 'full', numNodes: 2, gpusPerNode: 4 },
    breakdown: [13.0, 2.0, 26.1, 13.0],
    total: 54.2,
    perGpu: 8.5,
    gpu: 'T4-16GB',
    count: 8,
    perNode: 4,
  },
  {
    // same model with lora: every GPU holds everything: 13.0385 + 2 + 1.3039 + 0.6519 = 16.994 -> L4 (21.6)
    name: 'user params, lora, 2 nodes x 4 GPUs: nothing is sharded',
    input: { modelParams: 7e9, numLayers: 32, hiddenSize: 4096, peftMethod: 'lora', numNodes: 2, gpusPerNode: 4 },
    breakdown: [13.0, 2.0, 1.3, 0.7],
    total: 17.0,
    perGpu: 17.0,
    gpu: 'L4-24GB',
    count: 8,
    perNode: 4,
  },
  {
    // 7.62e9*2/GiB = 14.1934; act 4*2048*28*3584*2/GiB = 1.5313; state 56.7736; room 21.6 - 1.5313
    // -> ceil(2.829) = 3 GPUs; per GPU 18.9245 + 1.5313 = 20.456
    name: 'Qwen2.5-7B, full, on the user GPU of 24 GB',
    input: { model: 'Qwen2.5-7B', peftMethod: 'full', gpuMemoryGb: 24 },
    breakdown: [14.2, 1.5, 28.4, 14.2],
    total: 58.3,
    perGpu: 20.5,
    gpu: 'GPU with 24 GB',
    count: 3,
    perNode: 3,
  },
];

describe('estimateResources: KEP-936 formula', () => {
  for (const c of TABLE) {
    it(c.name, () => {
      const e = estimateResources(c.input);
      expect([e.breakdownGb.model, e.breakdownGb.activations, e.breakdownGb.optimizer, e.breakdownGb.gradients]).toEqual(c.breakdown);
      expect(e.totalGb).toBe(c.total);
      expect(e.perGpuGb).toBe(c.perGpu);
      if (c.gpu === null) expect(e.recommended).toBeNull();
      else {
        expect(e.recommended?.gpu).toBe(c.gpu);
        if (c.count !== undefined) expect(e.recommended?.count).toBe(c.count);
        if (c.perNode !== undefined) expect(e.recommended?.perNode).toBe(c.perNode);
      }
    });
  }

  it('reports catalog facts with high confidence', () => {
    const e = estimateResources({ model: 'hf://qwen/qwen2.5-1.5b-instruct', peftMethod: 'lora' });
    expect(e).toMatchObject({ model: 'hf://qwen/qwen2.5-1.5b-instruct', params: 1.54e9, source: 'catalog', confidence: 'high', missing: [] });
    expect(e.assumptions.join('\n')).toContain('Qwen/Qwen2.5-1.5B');
  });

  it('counts DoRA like LoRA and says so', () => {
    const lora = estimateResources({ model: 'Qwen/Qwen2.5-1.5B', peftMethod: 'lora' });
    const dora = estimateResources({ model: 'Qwen/Qwen2.5-1.5B', peftMethod: 'dora' });
    expect(dora.breakdownGb).toEqual(lora.breakdownGb);
    expect(dora.assumptions.join(' ')).toContain('DoRA');
  });

  it('defaults qlora to int4 and respects an explicit quantization', () => {
    const q = estimateResources({ model: 'meta-llama/Llama-3.1-8B', peftMethod: 'qlora' });
    expect(q.assumptions.join(' ')).toContain('int4');
    const q8 = estimateResources({ model: 'meta-llama/Llama-3.1-8B', peftMethod: 'qlora', quantization: 'int8' });
    expect(q8.breakdownGb.model).toBe(7.5); // 8.03e9 * 1 / GiB = 7.4786
    const lora = estimateResources({ model: 'meta-llama/Llama-3.1-8B', peftMethod: 'lora' });
    expect(lora.breakdownGb.model).toBe(15.0);
  });

  it('prefers one large GPU over several for LoRA, and gives up when one GPU cannot hold it', () => {
    const e = estimateResources({ model: 'meta-llama/Llama-3.1-70B', peftMethod: 'lora', batchSize: 1, sequenceLength: 1024 });
    // 131.5 + 1.25 + 13.15 + 6.58 = 152.5 > 0.9 * 141: no single GPU, and LoRA replicas do not shard
    expect(e.recommended).toBeNull();
    expect(e.assumptions.join(' ')).toMatch(/qlora/);
    const q = estimateResources({ model: 'meta-llama/Llama-3.1-70B', peftMethod: 'qlora' });
    expect(q.recommended).toMatchObject({ gpu: 'A100-80GB', count: 1 });
  });

  it('places one GPU per node when only num_nodes is given', () => {
    const e = estimateResources({ model: 'Qwen/Qwen2.5-0.5B', peftMethod: 'lora', numNodes: 3 });
    expect(e.recommended).toMatchObject({ gpu: 'T4-16GB', count: 3, perNode: 1 });
  });

  it('says how many nodes are needed when the given layout is too small', () => {
    const e = estimateResources({ model: 'meta-llama/Llama-3.1-70B', peftMethod: 'full', numNodes: 1, gpusPerNode: 2 });
    expect(e.recommended).toMatchObject({ gpu: 'A100-80GB', perNode: 2, count: 10 });
    expect(e.assumptions.join(' ')).toContain('not enough');
  });
});

describe('estimateResources: unknown models', () => {
  it('reads the size from the name', () => {
    const e = estimateResources({ model: 'my-org/awesome-coder-13B-v2', peftMethod: 'lora' });
    expect(e).toMatchObject({ params: 13e9, source: 'name', confidence: 'medium' });
    expect(e.assumptions.join(' ')).toContain('typical shape');
    expect(e.missing[0]).toMatch(/model_params/);
    expect(e.totalGb).toBeGreaterThan(0);
  });

  it('handles 1.5b, 350M and 8x7B sizes', () => {
    expect(estimateResources({ model: 'foo/bar-1.5b-chat', peftMethod: 'lora' }).params).toBe(1.5e9);
    expect(estimateResources({ model: 'facebook/opt-350m', peftMethod: 'full' }).params).toBe(350e6);
    const moe = estimateResources({ model: 'someone/cool-8x7B', peftMethod: 'qlora' });
    expect(moe.params).toBe(56e9);
    expect(moe.assumptions.join(' ')).toContain('mixture-of-experts');
  });

  it('uses model_params (medium confidence without the shape, high with it)', () => {
    const m = estimateResources({ model: 'private/model', modelParams: 3e9, peftMethod: 'lora' });
    expect(m).toMatchObject({ source: 'user', confidence: 'medium', params: 3e9 });
    expect(m.missing.join(' ')).toContain('num_layers');
    const h = estimateResources({ modelParams: 3e9, numLayers: 28, hiddenSize: 3072, peftMethod: 'lora' });
    expect(h).toMatchObject({ source: 'user', confidence: 'high', model: null, missing: [] });
  });

  it('returns an honest empty estimate when nothing is known', () => {
    const e = estimateResources({ model: 'acme/secret-sauce', peftMethod: 'lora' });
    expect(e).toMatchObject({
      model: 'acme/secret-sauce',
      params: null,
      source: 'unknown',
      confidence: 'low',
      breakdownGb: { model: 0, activations: 0, optimizer: 0, gradients: 0 },
      totalGb: 0,
      perGpuGb: 0,
      recommended: null,
    });
    expect(e.missing).toEqual(['model_params (total parameter count, e.g. 7e9)']);
    expect(e.assumptions[0]).toContain('nothing could be estimated');
    expect(estimateResources({ peftMethod: 'full' }).missing[0]).toContain('model_params');
  });
});

describe('estimateResources: input validation', () => {
  const bad: Array<[string, Partial<EstimateInput>, string]> = [
    ['negative batch', { batchSize: -1 }, 'invalid_batch_size'],
    ['fractional batch', { batchSize: 1.5 }, 'invalid_batch_size'],
    ['zero sequence length', { sequenceLength: 0 }, 'invalid_sequence_length'],
    ['unknown quantization', { quantization: 'int3' as never }, 'invalid_quantization'],
    ['unknown peft method', { peftMethod: 'prefix' as never }, 'invalid_peft_method'],
    ['NaN params', { modelParams: Number.NaN }, 'invalid_model_params'],
    ['negative params', { modelParams: -7e9 }, 'invalid_model_params'],
    ['empty model', { model: '  ' }, 'invalid_model'],
    ['zero GPUs per node', { gpusPerNode: 0 }, 'invalid_gpus_per_node'],
    ['infinite GPU memory', { gpuMemoryGb: Infinity }, 'invalid_gpu_memory_gb'],
  ];
  for (const [name, patch, code] of bad) {
    it(name, () => {
      const input = { model: 'Qwen/Qwen2.5-1.5B', peftMethod: 'lora', ...patch } as EstimateInput;
      let err: unknown;
      try {
        estimateResources(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EstimateInputError);
      expect((err as EstimateInputError).code).toBe(code);
      expect((err as EstimateInputError).hint.length).toBeGreaterThan(5);
    });
  }
});
