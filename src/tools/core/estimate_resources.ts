import { z } from 'zod';
import { estimateResources, type Estimate } from '../../kubeflow/planning/estimate.js';
import { defineTool } from '../contract.js';
import { fields } from '../render.js';
import { namespace } from '../schemas.js';

export const estimateInput = {
  model: z.string().min(1).max(300).optional().describe('HF id, e.g. Qwen/Qwen2.5-1.5B-Instruct'),
  model_params: z.number().positive().max(1e13).optional().describe('total parameters, e.g. 7e9 (unknown models)'),
  peft_method: z.enum(['lora', 'qlora', 'dora', 'full']).default('lora'),
  batch_size: z.int().min(1).max(4096).default(4),
  sequence_length: z.int().min(1).max(1_048_576).default(2048),
  quantization: z.enum(['fp32', 'bf16', 'fp16', 'int8', 'int4']).optional().describe('default bf16; int4 for qlora'),
  num_nodes: z.int().min(1).max(1024).default(1),
};

export const estimateOutput = z.object({
  model: z.string().nullable(),
  params: z.number().nullable(),
  confidence: z.enum(['high', 'medium', 'low']),
  breakdown_gb: z.object({ model: z.number(), activations: z.number(), optimizer: z.number(), gradients: z.number() }),
  total_gb: z.number(),
  per_gpu_gb: z.number(),
  recommended: z.object({ gpu: z.string(), memory_gb: z.number(), count: z.number(), per_node: z.number() }).nullable(),
  assumptions: z.array(z.string()),
  missing: z.array(z.string()),
});

export function estimateOut(e: Estimate): z.infer<typeof estimateOutput> {
  return {
    model: e.model,
    params: e.params,
    confidence: e.confidence,
    breakdown_gb: e.breakdownGb,
    total_gb: e.totalGb,
    per_gpu_gb: e.perGpuGb,
    recommended: e.recommended ? { gpu: e.recommended.gpu, memory_gb: e.recommended.memoryGb, count: e.recommended.count, per_node: e.recommended.perNode } : null,
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
  description:
    'GPU memory for fine-tuning (KEP-936 formula: weights, activations, optimizer, gradients) and a recommended GPU type and count. Offline catalog of common open models; pass model_params for others.',
  input: z.object({ ...estimateInput, namespace }),
  output: estimateOutput,
  run: async (a) =>
    estimateOut(
      estimateResources({
        model: a.model,
        modelParams: a.model_params,
        peftMethod: a.peft_method,
        batchSize: a.batch_size,
        sequenceLength: a.sequence_length,
        quantization: a.quantization,
        numNodes: a.num_nodes,
      }),
    ),
  render: (o) =>
    [
      fields([
        ['model', o.model ?? '(unknown)'],
        ['params', o.params ? `${(o.params / 1e9).toFixed(2)}B` : 'unknown'],
        ['confidence', o.confidence],
        ['total', `${o.total_gb} GB (weights ${o.breakdown_gb.model}, activations ${o.breakdown_gb.activations}, optimizer ${o.breakdown_gb.optimizer}, gradients ${o.breakdown_gb.gradients})`],
        ['per GPU', `${o.per_gpu_gb} GB`],
        ['recommended', o.recommended ? `${o.recommended.count} x ${o.recommended.gpu} (${o.recommended.memory_gb} GB)${o.recommended.count > o.recommended.per_node ? `, ${o.recommended.per_node}/node` : ''}` : 'none (see missing)'],
      ]),
      ...o.assumptions.map((x) => `assumes: ${x}`),
      ...o.missing.map((x) => `to improve: supply ${x}`),
    ].join('\n'),
});
