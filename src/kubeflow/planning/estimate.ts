/**
 * GPU memory estimation for fine-tuning (KEP-936 "Resource Estimation Algorithm"):
 *
 *     quant_bytes = {fp32: 4, bf16: 2, fp16: 2, int8: 1, int4: 0.5}
 *     base        = params * quant_bytes[quantization] / 1024^3
 *     activations = batch * seq_len * num_layers * hidden * 2 / 1024^3
 *     full:       optimizer = base * 2,   gradients = base
 *     lora/qlora: optimizer = base * 0.1, gradients = base * 0.05      (DoRA counts as LoRA)
 *     total       = base + activations + optimizer + gradients
 *
 * Sizes are GiB (1024^3 bytes) as in the KEP formula; the API calls them GB and rounds them to one
 * decimal. `batchSize` is the batch per GPU. With several GPUs, a full fine-tune shards weights,
 * gradients and optimizer state over all GPUs (FSDP/ZeRO-3 style) while activations stay per GPU;
 * LoRA/QLoRA/DoRA keep the whole (quantized) base model on every GPU (data parallel).
 *
 * A model outside the catalog can be described by `modelParams`, or by `numLayers` and
 * `hiddenSize` alone (then params ~ 12 * layers * hidden^2). When nothing is known about the model
 * (not in the catalog, no size in its name, neither of those), the estimate has `params: null`, zero sizes, `confidence: 'low'`,
 * `recommended: null`, and `missing` says what to supply.
 */
import { RECOMMENDABLE_GPUS } from './gpus.js';
import { lookupModel, paramsFromName, shapeForParams } from './models.js';
import { CodedError } from '../errors.js';

type PeftMethod = 'lora' | 'qlora' | 'dora' | 'full';
type Quantization = 'fp32' | 'bf16' | 'fp16' | 'int8' | 'int4';

export interface EstimateInput {
  /** model name or HF id (catalog lookup, else a size in the name such as 7B) */
  model?: string;
  /** total parameters, e.g. 1.5e9 (overrides the catalog) */
  modelParams?: number;
  numLayers?: number;
  hiddenSize?: number;
  peftMethod: PeftMethod;
  /** per-GPU batch size (default 4) */
  batchSize?: number;
  /** default 2048 */
  sequenceLength?: number;
  /** default bf16; qlora defaults to int4 */
  quantization?: Quantization;
  /** default 1 */
  numNodes?: number;
  gpusPerNode?: number;
  /** memory of the user's GPU, when known: the recommendation is a count of that GPU */
  gpuMemoryGb?: number;
}

export interface Estimate {
  model: string | null;
  params: number | null;
  source: 'catalog' | 'user' | 'name' | 'unknown';
  confidence: 'high' | 'medium' | 'low';
  breakdownGb: { model: number; activations: number; optimizer: number; gradients: number };
  /** model + activations + optimizer + gradients (one replica; activations of one GPU) */
  totalGb: number;
  /** what one GPU needs with the recommended (or given) GPU count */
  perGpuGb: number;
  recommended: { gpu: string; memoryGb: number; count: number; perNode: number } | null;
  assumptions: string[];
  /** what to supply for a better answer */
  missing: string[];
}

export class EstimateInputError extends CodedError {
  override readonly name = 'EstimateInputError';
}

const QUANT_BYTES: Readonly<Record<Quantization, number>> = { fp32: 4, bf16: 2, fp16: 2, int8: 1, int4: 0.5 };
const PEFT_METHODS: readonly PeftMethod[] = ['lora', 'qlora', 'dora', 'full'];
const GiB = 1024 ** 3;
/** a GPU is considered to fit when the need is at most this share of its memory */
const HEADROOM = 0.9;
/** GPUs per node assumed when splitting a recommendation over several nodes */
const MAX_PER_NODE = 8;
/** the largest common types: used when a single GPU is not enough */
const LARGE_GPU = 'A100-80GB';

const round1 = (x: number): number => Math.round(x * 10) / 10;

function validate(input: EstimateInput): void {
  if (input === null || typeof input !== 'object') {
    throw new EstimateInputError('invalid_input', 'estimate input must be an object', 'Pass at least peft_method and a model or model_params.');
  }
  if (!PEFT_METHODS.includes(input.peftMethod)) {
    throw new EstimateInputError('invalid_peft_method', `unknown peft_method ${JSON.stringify(input.peftMethod)}`, `Use one of: ${PEFT_METHODS.join(', ')}.`);
  }
  if (input.quantization !== undefined && !(input.quantization in QUANT_BYTES)) {
    throw new EstimateInputError(
      'invalid_quantization',
      `unknown quantization ${JSON.stringify(input.quantization)}`,
      `Use one of: ${Object.keys(QUANT_BYTES).join(', ')}.`,
    );
  }
  if (input.model !== undefined && (typeof input.model !== 'string' || input.model.trim() === '' || input.model.length > 300)) {
    throw new EstimateInputError(
      'invalid_model',
      'model must be a non-empty name or HF id (at most 300 characters)',
      'Pass e.g. "Qwen/Qwen2.5-1.5B-Instruct", or omit it and give model_params.',
    );
  }
  const positiveInt = (name: string, v: number | undefined, max: number, hint: string): void => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      throw new EstimateInputError(`invalid_${name}`, `${name} must be an integer between 1 and ${max} (got ${String(v)})`, hint);
    }
  };
  positiveInt('batch_size', input.batchSize, 1_000_000, 'Pass the per-GPU batch size, e.g. 4.');
  positiveInt('sequence_length', input.sequenceLength, 100_000_000, 'Pass the training sequence length in tokens, e.g. 2048.');
  positiveInt('num_layers', input.numLayers, 100_000, 'Pass num_hidden_layers from the model config.');
  positiveInt('hidden_size', input.hiddenSize, 10_000_000, 'Pass hidden_size from the model config.');
  positiveInt('num_nodes', input.numNodes, 100_000, 'Pass the number of training nodes, e.g. 1.');
  positiveInt('gpus_per_node', input.gpusPerNode, 1024, 'Pass the GPUs per node, e.g. 8.');
  const positive = (name: string, v: number | undefined, max: number, hint: string): void => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
      throw new EstimateInputError(`invalid_${name}`, `${name} must be a positive number up to ${max} (got ${String(v)})`, hint);
    }
  };
  positive('model_params', input.modelParams, 1e14, 'Pass the total parameter count, e.g. 7e9 for a 7B model.');
  positive('gpu_memory_gb', input.gpuMemoryGb, 100_000, 'Pass the memory of one GPU in GB, e.g. 80.');
}

interface Sizes {
  model: number;
  activations: number;
  optimizer: number;
  gradients: number;
}

/** Memory one GPU needs when the job uses `gpus` GPUs. */
function perGpu(s: Sizes, full: boolean, gpus: number): number {
  const state = s.model + s.optimizer + s.gradients;
  return full ? state / gpus + s.activations : state + s.activations;
}

/** Estimates GPU memory and recommends GPUs. Throws EstimateInputError on invalid input. */
export function estimateResources(input: EstimateInput): Estimate {
  validate(input);
  const assumptions: string[] = [];
  const missing: string[] = [];
  const peft = input.peftMethod;
  const full = peft === 'full';
  const quant: Quantization = input.quantization ?? (peft === 'qlora' ? 'int4' : 'bf16');
  const batch = input.batchSize ?? 4;
  const seq = input.sequenceLength ?? 2048;
  const numNodes = input.numNodes ?? 1;
  const modelName = input.model?.trim() ?? null;

  // ---- what we know about the model
  const info = modelName ? lookupModel(modelName) : undefined;
  let params: number | null = null;
  let layers = input.numLayers;
  let hidden = input.hiddenSize;
  let source: Estimate['source'] = 'unknown';
  let confidence: Estimate['confidence'] = 'low';
  if (input.modelParams !== undefined) {
    params = input.modelParams;
    source = 'user';
    if (info) {
      layers ??= info.numLayers;
      hidden ??= info.hiddenSize;
      assumptions.push(`model_params ${fmtParams(params)} used instead of the catalog's ${fmtParams(info.params)} for ${info.id}`);
    }
    confidence = layers !== undefined && hidden !== undefined ? 'high' : 'medium';
    if (confidence === 'medium') missing.push('num_layers and hidden_size (from the model config) for exact activation memory');
  } else if (info) {
    params = info.params;
    layers ??= info.numLayers;
    hidden ??= info.hiddenSize;
    source = 'catalog';
    confidence = 'high';
    assumptions.push(`${info.id}: ${fmtParams(info.params)} parameters, ${info.numLayers} layers, hidden size ${info.hiddenSize} (offline catalog)`);
    if (info.moe) assumptions.push('mixture-of-experts: all experts are loaded, so the total parameter count is used');
  } else if (modelName) {
    const parsed = paramsFromName(modelName);
    if (parsed) {
      params = parsed.params;
      source = 'name';
      confidence = 'medium';
      assumptions.push(`parameter count ${fmtParams(parsed.params)} read from the name ("${parsed.text}"); the model is not in the offline catalog`);
      if (parsed.moe) assumptions.push('mixture-of-experts size taken as experts × expert size (an upper bound: experts share attention layers)');
      missing.push('model_params (exact total parameter count)');
    }
  }
  if (params === null && layers !== undefined && hidden !== undefined) {
    // A private or air-gapped model: its config.json gives the shape, and a decoder-only
    // transformer has about 12 * layers * hidden^2 parameters (attention 4h^2 + MLP 8h^2 per layer).
    params = 12 * layers * hidden * hidden;
    source = 'user';
    confidence = 'medium';
    assumptions.push(`parameter count ${fmtParams(params)} estimated from the shape as 12 × layers × hidden² (embeddings not counted)`);
    missing.push('model_params (exact total parameter count)');
  }
  if (params === null) {
    missing.unshift('model_params (total parameter count, e.g. 7e9)');
    assumptions.push(
      modelName
        ? `nothing could be estimated: "${modelName}" is not in the offline catalog and its name has no size such as 7B`
        : 'nothing could be estimated: no model or model_params given',
    );
    return {
      model: modelName,
      params: null,
      source: 'unknown',
      confidence: 'low',
      breakdownGb: { model: 0, activations: 0, optimizer: 0, gradients: 0 },
      totalGb: 0,
      perGpuGb: 0,
      recommended: null,
      assumptions,
      missing,
    };
  }
  if (layers === undefined || hidden === undefined) {
    const shape = shapeForParams(params);
    if (layers === undefined && hidden === undefined) {
      assumptions.push(`activations assume a typical shape for ${fmtParams(params)}: ${shape.numLayers} layers, hidden size ${shape.hiddenSize}`);
    } else {
      assumptions.push(
        `activations assume a typical ${layers === undefined ? `${shape.numLayers} layers` : `hidden size ${shape.hiddenSize}`} for ${fmtParams(params)}`,
      );
    }
    layers ??= shape.numLayers;
    hidden ??= shape.hiddenSize;
  }

  // ---- the KEP formula
  const model = (params * QUANT_BYTES[quant]) / GiB;
  const activations = (batch * seq * layers * hidden * 2) / GiB;
  const optimizer = full ? model * 2 : model * 0.1;
  const gradients = full ? model : model * 0.05;
  const sizes: Sizes = { model, activations, optimizer, gradients };
  const total = model + activations + optimizer + gradients;
  assumptions.push(`${quant} weights (${QUANT_BYTES[quant]} bytes/parameter), batch ${batch} per GPU, sequence length ${seq}`);
  if (peft === 'dora') assumptions.push('DoRA is estimated like LoRA');
  if (full && (quant === 'int4' || quant === 'int8')) assumptions.push(`full fine-tuning of ${quant} weights is unusual; the formula is applied as given`);
  assumptions.push(
    full
      ? 'full fine-tuning: weights, gradients and optimizer state are sharded over all GPUs (FSDP/ZeRO-3); activations are per GPU'
      : `${peft}: every GPU holds the whole base model (data parallel)`,
  );

  // ---- GPUs
  const rec = recommend(sizes, full, numNodes, input.gpusPerNode, input.gpuMemoryGb, assumptions);
  const gpus = rec?.count ?? (input.gpusPerNode !== undefined ? numNodes * input.gpusPerNode : 1);
  return {
    model: modelName,
    params,
    source,
    confidence,
    breakdownGb: { model: round1(model), activations: round1(activations), optimizer: round1(optimizer), gradients: round1(gradients) },
    totalGb: round1(total),
    perGpuGb: round1(perGpu(sizes, full, gpus)),
    recommended: rec,
    assumptions,
    missing,
  };
}

interface GpuChoice {
  gpu: string;
  memoryGb: number;
}

function recommend(
  sizes: Sizes,
  full: boolean,
  numNodes: number,
  gpusPerNode: number | undefined,
  userGpuGb: number | undefined,
  assumptions: string[],
): Estimate['recommended'] {
  const fits = (gpu: GpuChoice, count: number): boolean => perGpu(sizes, full, count) <= HEADROOM * gpu.memoryGb;
  const layout = (gpu: GpuChoice, count: number, perNode: number) => ({ gpu: gpu.gpu, memoryGb: gpu.memoryGb, count, perNode });
  /** fewest GPUs of this type, spread evenly over `numNodes` nodes */
  const fewest = (gpu: GpuChoice): { count: number; perNode: number } | null => {
    if (!full) {
      // data parallel: more GPUs do not reduce what one GPU holds
      return fits(gpu, 1) ? { count: numNodes, perNode: 1 } : null;
    }
    const state = sizes.model + sizes.optimizer + sizes.gradients;
    const room = HEADROOM * gpu.memoryGb - sizes.activations;
    if (room <= 0) return null;
    const need = Math.max(1, Math.ceil(state / room - 1e-9));
    const perNode = Math.ceil(need / numNodes);
    return { count: perNode * numNodes, perNode };
  };

  const candidates: GpuChoice[] =
    userGpuGb !== undefined
      ? [{ gpu: `GPU with ${userGpuGb} GB`, memoryGb: userGpuGb }]
      : RECOMMENDABLE_GPUS.map((g) => ({ gpu: g.name, memoryGb: g.memoryGb }));
  assumptions.push(`a GPU fits when the need is at most ${Math.round(HEADROOM * 100)}% of its memory`);

  /** the fewest GPUs of the large common type (or of the largest type, or of the user's GPU) */
  const fewestBig = (): { gpu: GpuChoice; count: number; perNode: number } | null => {
    const order = userGpuGb !== undefined ? [candidates[0]!] : [candidates.find((c) => c.gpu === LARGE_GPU) ?? largest(candidates), largest(candidates)];
    for (const gpu of order) {
      const f = fewest(gpu);
      if (f) return { gpu, ...f };
    }
    tooBig(full, assumptions, order[order.length - 1]!);
    return null;
  };

  if (gpusPerNode !== undefined) {
    // the layout is given: pick the cheapest type that fits it
    const count = numNodes * gpusPerNode;
    for (const gpu of candidates) if (fits(gpu, count)) return layout(gpu, count, gpusPerNode);
    // does not fit: say how many nodes of that size it would take
    const b = fewestBig();
    if (!b) return null;
    const nodes = Math.ceil(b.count / gpusPerNode);
    assumptions.push(`${count} GPU(s) (${numNodes} node(s) × ${gpusPerNode}) are not enough; ${nodes} node(s) × ${gpusPerNode} ${b.gpu.gpu} would fit`);
    return layout(b.gpu, nodes * gpusPerNode, gpusPerNode);
  }

  // one GPU per node first, cheapest type that fits
  for (const gpu of candidates) if (fits(gpu, numNodes)) return layout(gpu, numNodes, 1);
  // several GPUs per node: the fewest of the large common type
  const b = fewestBig();
  if (!b) return null;
  if (b.perNode > MAX_PER_NODE) {
    // spread evenly over the fewest nodes of at most MAX_PER_NODE GPUs
    const nodes = Math.max(numNodes, Math.ceil(b.count / MAX_PER_NODE));
    const perNode = Math.ceil(b.count / nodes);
    assumptions.push(`${b.count} GPUs exceed one node of ${MAX_PER_NODE}: ${nodes} nodes × ${perNode} GPUs (set num_nodes/gpus_per_node to choose the layout)`);
    return layout(b.gpu, nodes * perNode, perNode);
  }
  if (b.gpu.gpu === LARGE_GPU) assumptions.push('H100-80GB works with the same count as A100-80GB');
  return layout(b.gpu, b.count, b.perNode);
}

function largest(c: GpuChoice[]): GpuChoice {
  return c.reduce((a, b) => (b.memoryGb > a.memoryGb ? b : a));
}

function tooBig(full: boolean, assumptions: string[], gpu: GpuChoice): null {
  assumptions.push(
    full
      ? `activations alone exceed one ${gpu.gpu}: reduce batch_size or sequence_length (or use activation checkpointing)`
      : `the base model and activations do not fit on one ${gpu.gpu}: use qlora (int4), a smaller batch or sequence, or shard the base model`,
  );
  return null;
}

function fmtParams(p: number): string {
  if (p >= 1e9) return `${round1(p / 1e9)}B`;
  return `${Math.round(p / 1e6)}M`;
}
