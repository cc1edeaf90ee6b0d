import { describe, expect, it } from 'vitest';
import { datasetPathArg, modelConfigFromRuntimeName, torchTuneArgs, torchTuneRecipe, validateTorchTune } from '../../src/kubeflow/trainer/torchtune.js';
import { SDK_GOLDEN } from './sdkGoldens.js';

describe('TorchTune args (SDK 0.5.0 order and formatting)', () => {
  it('full config', () => {
    expect(
      torchTuneArgs({
        dtype: 'bf16',
        batchSize: 8,
        epochs: 2,
        loss: 'CEWithChunkedOutputLoss',
        peft: { method: 'lora', applyToMlp: true, rank: 8, alpha: 16, dropout: 0.1 },
        datasetUri: 'hf://tatsu-lab/alpaca',
        datasetPreprocess: {
          source: 'json',
          split: 'train[:10%]',
          trainOnInput: false,
          newSystemPrompt: 'You are helpful.',
          columnMap: { input: 'prompt', output: 'response' },
        },
      }),
    ).toEqual(SDK_GOLDEN.ttFull);
  });

  it('qwen 1.5b LoRA on hf://tatsu-lab/alpaca', () => {
    const args = torchTuneArgs({ peft: { method: 'lora' }, datasetUri: 'hf://tatsu-lab/alpaca' });
    expect(args).toEqual(['dataset.data_dir=/workspace/dataset/.', 'model.lora_attn_modules=[q_proj,v_proj,output_proj]']);
    expect(args).toEqual(SDK_GOLDEN.ttQwenLora);
  });

  it('QLoRA, float dropout 0 → 0.0, data file path from a bare HF id', () => {
    expect(torchTuneArgs({ epochs: 1, peft: { method: 'qlora', dropout: 0 }, datasetUri: 'tatsu-lab/alpaca/data/train.parquet' })).toEqual(
      SDK_GOLDEN.ttQloraFiles,
    );
  });

  it('DoRA with explicit modules and False values', () => {
    expect(torchTuneArgs({ peft: { method: 'dora', applyToOutput: false, attnModules: ['q_proj', 'k_proj'] }, datasetUri: 'hf://org/ds/sub/dir' })).toEqual(
      SDK_GOLDEN.ttDoraDir,
    );
  });

  it('full fine-tune sends no PEFT args; falsy batch size/epochs are dropped like the SDK', () => {
    expect(torchTuneArgs({ peft: { method: 'full', rank: 8 }, epochs: 0 as number })).toEqual([]);
    expect(torchTuneArgs({ dtype: 'fp32' })).toEqual(['dtype=fp32']);
  });

  it('dataset path arg', () => {
    expect(datasetPathArg('hf://tatsu-lab/alpaca')).toBe('dataset.data_dir=/workspace/dataset/.');
    expect(datasetPathArg('hf://tatsu-lab')).toBe('dataset.data_dir=/workspace/dataset/.');
    expect(datasetPathArg('hf://org/ds/data')).toBe('dataset.data_dir=/workspace/dataset/data');
    expect(datasetPathArg('hf://org/ds/train.jsonl?rev=main')).toBe('dataset.data_files=/workspace/dataset/train.jsonl');
    expect(datasetPathArg('s3://bucket/ds')).toBeUndefined();
  });

  it('rejects bad values with hints', () => {
    expect(() => torchTuneArgs({ dtype: 'fp16' as 'bf16' })).toThrow(
      expect.objectContaining({ code: 'invalid_torchtune', hint: expect.stringContaining('bf16') }),
    );
    expect(() => torchTuneArgs({ batchSize: 1.5 })).toThrow(/positive integer/);
    expect(() => torchTuneArgs({ peft: { method: 'lora', rank: 0 } })).toThrow(/peft.rank/);
    expect(() => torchTuneArgs({ peft: { method: 'lora', attnModules: [] } })).toThrow(/attnModules is empty/);
    expect(() => torchTuneArgs({ peft: { method: 'lora', attnModules: ['mlp' as 'q_proj'] } })).toThrow(/not a LoRA attention module/);
    expect(() => torchTuneArgs({ peft: { method: 'lora', dropout: 1.5 } })).toThrow(/dropout/);
    expect(() => torchTuneArgs({ datasetPreprocess: { source: 'yaml' as 'json' } })).toThrow(/source/);
  });
});

describe('TorchTune controller rules', () => {
  it('model config from the runtime name', () => {
    expect(modelConfigFromRuntimeName('torchtune-llama3.2-1b')).toBe('llama3_2/1B');
    expect(modelConfigFromRuntimeName('torchtune-qwen2.5-1.5b')).toBe('qwen2_5/1.5B');
    expect(modelConfigFromRuntimeName('torchtune-llama3.3-70b')).toBe('llama3_3/70B');
    expect(modelConfigFromRuntimeName('torchtune-llama3.2-1b-custom')).toBeUndefined();
    expect(modelConfigFromRuntimeName('torchtune')).toBeUndefined();
  });

  it('recipe and config selection', () => {
    expect(torchTuneRecipe({ runtimeName: 'torchtune-llama3.2-1b', gpusPerNode: 2 })).toEqual({
      recipe: 'full_finetune_distributed',
      config: 'llama3_2/1B_full',
    });
    expect(torchTuneRecipe({ runtimeName: 'torchtune-llama3.2-1b', gpusPerNode: 1 })).toEqual({
      recipe: 'full_finetune_single_device',
      config: 'llama3_2/1B_full_single_device',
    });
    expect(torchTuneRecipe({ runtimeName: 'torchtune-llama3.2-1b', gpusPerNode: 1, peftMethod: 'qlora' })).toEqual({
      recipe: 'lora_finetune_single_device',
      config: 'llama3_2/1B_qlora_single_device',
    });
    expect(torchTuneRecipe({ runtimeName: 'torchtune-qwen2.5-1.5b', gpusPerNode: 2, peftMethod: 'dora' })).toEqual({
      recipe: 'lora_finetune_distributed',
      config: 'qwen2_5/1.5B_lora',
    });
    expect(torchTuneRecipe({ runtimeName: 'torchtune-llama3.3-70b', numNodes: 2 })).toEqual({
      recipe: 'full_finetune_distributed',
      config: 'llama3_3/70B_full_multinode',
    });
  });

  const codes = (plan: Parameters<typeof validateTorchTune>[0]): string[] => validateTorchTune(plan).map((e) => `${e.code}:${e.message}`);

  it('accepts the shipped combinations', () => {
    expect(codes({ runtimeName: 'torchtune-qwen2.5-1.5b', peftMethod: 'lora', gpusPerNode: 2 })).toEqual([]);
    expect(codes({ runtimeName: 'torchtune-llama3.2-1b', peftMethod: 'qlora', gpusPerNode: 1 })).toEqual([]);
    expect(codes({ runtimeName: 'torchtune-llama3.3-70b', numNodes: 4, peftMethod: 'full' })).toEqual([]);
  });

  it('refuses what the controller refuses', () => {
    expect(codes({ runtimeName: 'torchtune-mistral-7b' })).toEqual([expect.stringMatching(/^unsupported_model:.*mistral\/7B/)]);
    expect(codes({ runtimeName: 'torchtune-llama3.2-3b', numNodes: 2 })).toEqual([expect.stringMatching(/numNodes must be 1 for llama3_2\/3B/)]);
    expect(codes({ runtimeName: 'torchtune-llama3.3-70b', numNodes: 2, peftMethod: 'lora' })).toEqual([expect.stringMatching(/not supported for multi-node/)]);
    expect(codes({ runtimeName: 'torchtune-qwen2.5-1.5b', peftMethod: 'qlora', gpusPerNode: 1 })).toEqual([
      expect.stringMatching(/QLoRA is not supported for qwen2_5\/1.5B/),
    ]);
    expect(codes({ runtimeName: 'torchtune-llama3.2-1b', peftMethod: 'qlora', gpusPerNode: 2 })).toEqual([expect.stringMatching(/needs a single device/)]);
    expect(codes({ runtimeName: 'torchtune-llama3.2-1b', args: ['output_dir=/tmp/x', 'epochs=1'] })).toEqual([
      expect.stringMatching(/'output_dir' is managed by the runtime/),
    ]);
  });
});
