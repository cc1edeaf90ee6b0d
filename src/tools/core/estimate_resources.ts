import { z } from 'zod';
import { estimateResources, type Estimate } from '../../kubeflow/planning/estimate.js';
import { defineTool, ToolError } from '../contract.js';
import { fields } from '../render.js';
import { namespace } from '../schemas.js';

export const estimateInput = {
  model: z.string().min(1).max(300).optional().describe('HF id'),
  model_params: z.number().positive().max(1e13).optional().describe('e.g. 7e9'),
  num_layers: z.int().min(1).max(100_000).optional(),
  hidden_size: z.int().min(1).max(1_000_000).optional(),
  peft_method: z.enum(['lora', 'qlora', 'dora', 'full']).default('lora'),
  batch_size: z.int().min(1).max(4096).default(4),
  sequence_length: z.int().min(1).max(1_048_576).default(2048),
  quantization: z.enum(['fp32', 'bf16', 'fp16', 'int8', 'int4']).optional(),
  num_nodes: z.int().min(1).max(1024).default(1),
};

export const estimateOutput = z.object({
  model: z.string().nullable(),
  params: z.number().nullable(),
  confidence: z.enum(['high', 'medium', 'low']),
  /** GB: weights (model), activations, optimizer, gradients, total, and what one GPU must hold. */
  memory_gb: z.object({ model: z.number(), activations: z.number(), optimizer: z.number(), gradients: z.number(), total: z.number(), per_gpu: z.number() }),
  recommended: z.object({ gpu: z.string(), memory_gb: z.number(), count: z.number(), per_node: z.number() }).nullable(),
  assumptions: z.array(z.string()),
  missing: z.array(z.string()),
});

function estimateOut(e: Estimate): z.infer<typeof estimateOutput> {
  return {
    model: e.model,
    params: e.params,
    confidence: e.confidence,
    memory_gb: { ...e.breakdownGb, total: e.totalGb, per_gpu: e.perGpuGb },
    recommended: e.recommended
      ? { gpu: e.recommended.gpu, memory_gb: e.recommended.memoryGb, count: e.recommended.count, per_node: e.recommended.perNode }
      : null,
    assumptions: e.assumptions,
    missing: e.missing,
  };
}

export const estimateResourcesTool = defineTool({
  name: 'estimate_resources',
  module: 'core',
  category: 'planning',
  risk: 'read',
  title: 'Estimate GPU memory',
  description: 'GPU memory to fine-tune a model, and GPUs that fit. Unlisted model: give model_params, or num_layers + hidden_size.',
  input: z.object({ ...estimateInput, namespace }),
  output: estimateOutput,
  run: async (a) => {
    const e = estimateResources({
      model: a.model,
      modelParams: a.model_params,
      numLayers: a.num_layers,
      hiddenSize: a.hidden_size,
      peftMethod: a.peft_method,
      batchSize: a.batch_size,
      sequenceLength: a.sequence_length,
      quantization: a.quantization,
      numNodes: a.num_nodes,
    });
    if (e.params === null) {
      // A 0 GB "estimate" would read as an answer: nothing known is an error the caller can fix.
      throw new ToolError(
        'unknown_model',
        a.model
          ? `Cannot estimate "${a.model}": it is not in the offline catalog and its name has no size such as 7B.`
          : 'Cannot estimate without a model: give model, model_params, or num_layers and hidden_size.',
        "Pass model_params (total parameters, e.g. 7e9), or num_layers and hidden_size from the model's config.json (private and air-gapped models).",
      );
    }
    return estimateOut(e);
  },
  render: (o) =>
    [
      fields([
        ['model', o.model ?? '(unknown)'],
        ['params', o.params ? `${(o.params / 1e9).toFixed(2)}B` : 'unknown'],
        ['confidence', o.confidence],
        [
          'total',
          `${o.memory_gb.total} GB (weights ${o.memory_gb.model}, activations ${o.memory_gb.activations}, optimizer ${o.memory_gb.optimizer}, gradients ${o.memory_gb.gradients})`,
        ],
        ['per GPU', `${o.memory_gb.per_gpu} GB`],
        [
          'recommended',
          o.recommended
            ? `${o.recommended.count} x ${o.recommended.gpu} (${o.recommended.memory_gb} GB)${o.recommended.count > o.recommended.per_node ? `, ${o.recommended.per_node}/node` : ''}`
            : 'none (see missing)',
        ],
      ]),
      ...o.assumptions.map((x) => `assumes: ${x}`),
      ...o.missing.map((x) => `to improve: supply ${x}`),
    ].join('\n'),
});
