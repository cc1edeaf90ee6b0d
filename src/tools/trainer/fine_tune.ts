import { z } from 'zod';
import { matchTorchtuneRuntime, torchtuneRuntimes } from '../../kubeflow/trainer/modelMatch.js';
import type { Runtime } from '../../kubeflow/trainer/types.js';
import type { ToolContext } from '../context.js';
import { ToolError } from '../contract.js';
import { KEYS_ONLY, numNodes, resources } from '../schemas.js';
import { jobArgs, trainingTool } from './submission.js';

const secretName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes Secret name')
  .max(253);

/** "org/name" -> "hf://org/name"; URIs with a scheme are kept. */
function storageUri(value: string, what: 'model' | 'dataset'): string {
  const v = value.trim();
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v)) {
    if (!/^(hf|s3):\/\/.+/.test(v)) {
      throw new ToolError(`invalid_${what}`, `${what} URI '${v}' has an unsupported scheme.`, `Use hf://<org>/<name> (Hugging Face) or s3://<bucket>/<path>.`);
    }
    return v;
  }
  if (/^[\w.-]+\/[\w.-]+$/.test(v)) return `hf://${v}`;
  throw new ToolError(
    `invalid_${what}`,
    `${what} '${v}' is not a Hugging Face id or storage URI.`,
    `Give the full Hugging Face id, e.g. ${what === 'model' ? 'Qwen/Qwen2.5-1.5B-Instruct' : 'tatsu-lab/alpaca'}, or an hf:// / s3:// URI.`,
  );
}

const input = z.object({
  model: z.string().min(1).max(2048),
  dataset: z.string().min(1).max(2048).optional(),
  peft_method: z.enum(['lora', 'qlora', 'dora', 'full']).default('lora'),
  epochs: z.int().min(1).max(1000).optional(),
  batch_size: z.int().min(1).max(4096).optional(),
  num_nodes: numNodes,
  resources,
  runtime: z.string().min(1).max(253).optional(),
  model_secret: secretName.optional().describe('holds ACCESS_TOKEN or S3 keys'),
  dataset_secret: secretName.optional(),
  options: z
    .object({
      lora_rank: z.int().min(1).max(1024).optional(),
      lora_alpha: z.number().positive().optional(),
      lora_dropout: z.number().min(0).max(1).optional(),
      dtype: z.enum(['bf16', 'fp32']).optional(),
      dataset_format: z.enum(['json', 'csv', 'parquet', 'arrow', 'text']).optional(),
    })
    .strict()
    .optional()
    .meta({ description: 'lora_rank, lora_alpha, lora_dropout, dtype, dataset_format', [KEYS_ONLY]: true }),
  ...jobArgs,
});

export const fineTune = trainingTool({
  name: 'fine_tune',
  title: 'Fine-tune an LLM',
  description: 'Fine-tune an LLM without code (TorchTune) on its runtime. model, dataset: HF id, hf:// or s3://; credentials as Secret names.',
  input,
  async toRequest(a, ctx) {
    const modelUri = storageUri(a.model, 'model');
    const datasetUri = a.dataset ? storageUri(a.dataset, 'dataset') : undefined;
    // A backend without built-in trainers refuses fine-tuning itself, with an explanation.
    return {
      runtime: a.runtime ?? (ctx.backend().builtinTrainers ? (await pickRuntime(ctx, a.model)).name : undefined),
      initializer: {
        model: { uri: modelUri, secretName: a.model_secret },
        ...(datasetUri ? { dataset: { uri: datasetUri, secretName: a.dataset_secret } } : {}),
      },
      trainer: {
        kind: 'builtin',
        peftMethod: a.peft_method,
        epochs: a.epochs,
        batchSize: a.batch_size,
        dtype: a.options?.dtype,
        loraRank: a.options?.lora_rank,
        loraAlpha: a.options?.lora_alpha,
        loraDropout: a.options?.lora_dropout,
        datasetFormat: a.options?.dataset_format,
        numNodes: a.num_nodes,
        resourcesPerNode: a.resources,
      },
    };
  },
});

async function pickRuntime(ctx: ToolContext, model: string): Promise<Runtime> {
  const { runtimes } = await ctx.backend().listRuntimes(ctx.namespace, ctx.signal);
  const match = matchTorchtuneRuntime(model, runtimes);
  if (match) return match;
  const tt = torchtuneRuntimes(runtimes);
  throw new ToolError(
    'no_matching_runtime',
    `No torchtune runtime in this cluster is built for model '${model}'.`,
    tt.length
      ? `TorchTune runtimes are model-specific. Available: ${tt.map((r) => `${r.name}${r.defaultModelUri ? ` (${r.defaultModelUri})` : ''}`).join(', ')}. Use one of those models, pass runtime=..., or use run_custom_training with your own code.`
      : 'No torchtune runtimes are installed (Kubeflow Trainer ships torchtune-llama3.2-1b/3b and torchtune-qwen2.5-1.5b). Install them, or use run_custom_training.',
  );
}
