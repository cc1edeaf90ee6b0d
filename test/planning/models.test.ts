import { describe, expect, it } from 'vitest';
import { MODEL_CATALOG, lookupModel, modelKey, paramsFromName, shapeForParams } from '../../src/kubeflow/planning/models.js';

describe('lookupModel', () => {
  const found: Array<[string, string]> = [
    ['Qwen/Qwen2.5-1.5B-Instruct', 'Qwen/Qwen2.5-1.5B'],
    ['Qwen/Qwen2.5-1.5B', 'Qwen/Qwen2.5-1.5B'],
    ['hf://Qwen/Qwen2.5-1.5B-Instruct', 'Qwen/Qwen2.5-1.5B'],
    ['qwen2.5-1.5b', 'Qwen/Qwen2.5-1.5B'],
    ['QWEN2.5-1.5B-INSTRUCT', 'Qwen/Qwen2.5-1.5B'],
    ['https://huggingface.co/Qwen/Qwen3-8B', 'Qwen/Qwen3-8B'],
    ['meta-llama/Meta-Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B'],
    ['Llama-3.2-1B-Instruct', 'meta-llama/Llama-3.2-1B'],
    ['llama_3.2_3b', 'meta-llama/Llama-3.2-3B'],
    ['unsloth/Llama-3.2-1B-Instruct-bnb-4bit', 'meta-llama/Llama-3.2-1B'],
    ['meta-llama/Llama-2-7b-chat-hf', 'meta-llama/Llama-2-7b-hf'],
    ['mistralai/Mistral-7B-Instruct-v0.3', 'mistralai/Mistral-7B-v0.1'],
    ['mistralai/Mixtral-8x7B-Instruct-v0.1', 'mistralai/Mixtral-8x7B-v0.1'],
    ['google/gemma-2-9b-it', 'google/gemma-2-9b'],
    ['google/gemma-3-4b-it', 'google/gemma-3-4b-pt'],
    ['microsoft/Phi-3-mini-128k-instruct', 'microsoft/Phi-3-mini-4k-instruct'],
    ['microsoft/phi-4', 'microsoft/phi-4'],
    ['HuggingFaceTB/SmolLM2-135M-Instruct', 'HuggingFaceTB/SmolLM2-135M'],
    ['TinyLlama/TinyLlama-1.1B-Chat-v1.0', 'TinyLlama/TinyLlama-1.1B-Chat-v1.0'],
    ['gpt2', 'openai-community/gpt2'],
    ['openai-community/gpt2-xl', 'openai-community/gpt2-xl'],
    ['deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B'],
    ['tiiuae/falcon-7b-instruct', 'tiiuae/falcon-7b'],
  ];
  for (const [name, id] of found) {
    it(`${name} -> ${id}`, () => {
      expect(lookupModel(name)?.id).toBe(id);
    });
  }

  it('does not guess unknown models', () => {
    for (const name of ['Qwen/Qwen2.5-2B', 'llama', 'gpt3', '', 'x'.repeat(1000)]) expect(lookupModel(name)).toBeUndefined();
  });

  it('has a consistent catalog of about 40 models', () => {
    expect(MODEL_CATALOG.length).toBeGreaterThanOrEqual(40);
    const owner = new Map<string, string>();
    for (const m of MODEL_CATALOG) {
      expect(m.params).toBeGreaterThan(1e8);
      expect(m.params).toBeLessThan(1e12);
      expect(m.numLayers).toBeGreaterThan(0);
      expect(m.hiddenSize % 64).toBe(0);
      for (const n of [m.id, ...m.aliases]) {
        const k = modelKey(n);
        expect(owner.get(k) ?? m.id, `key ${k} is ambiguous`).toBe(m.id);
        owner.set(k, m.id);
      }
    }
  });
});

describe('paramsFromName', () => {
  it('reads sizes', () => {
    expect(paramsFromName('my-org/model-7B')?.params).toBe(7e9);
    expect(paramsFromName('x/thing-1.5b-chat')?.params).toBe(1.5e9);
    expect(paramsFromName('facebook/opt-350m')?.params).toBe(350e6);
    expect(paramsFromName('mixtral-8x22B')).toMatchObject({ params: 176e9, moe: true });
  });
  it('ignores versions, context lengths and quantization tags', () => {
    for (const n of ['model-v0.1', 'phi-3-mini-4k', 'thing-bnb-4bit', 'Qwen1.5-MoE-A2.7B', 'no-size-here']) expect(paramsFromName(n)).toBeUndefined();
  });
  it('maps sizes to typical shapes', () => {
    expect(shapeForParams(7e9)).toEqual({ numLayers: 32, hiddenSize: 4096 });
    expect(shapeForParams(70e9)).toEqual({ numLayers: 80, hiddenSize: 8192 });
    expect(shapeForParams(1e15).numLayers).toBe(126);
  });
});
