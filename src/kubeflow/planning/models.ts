/**
 * Offline catalog of common open models: total parameters, transformer layers and hidden size,
 * from the published model cards / `config.json` files (no network access at run time).
 * Parameter counts are the published totals rounded to three significant digits; embeddings are
 * counted once when tied. Multimodal entries (Gemma 3 4B+) include the vision encoder.
 */

export interface ModelInfo {
  /** canonical Hugging Face id (base model) */
  id: string;
  /** other HF ids and common names that mean the same weights/shape (instruct/chat variants...) */
  aliases: string[];
  /** total parameter count */
  params: number;
  numLayers: number;
  hiddenSize: number;
  /** mixture-of-experts: `params` is the total over all experts */
  moe?: boolean;
}

export const MODEL_CATALOG: ReadonlyArray<ModelInfo> = [
  // Meta Llama 3.x / 2
  { id: 'meta-llama/Llama-3.2-1B', aliases: ['meta-llama/Llama-3.2-1B-Instruct'], params: 1.24e9, numLayers: 16, hiddenSize: 2048 },
  { id: 'meta-llama/Llama-3.2-3B', aliases: ['meta-llama/Llama-3.2-3B-Instruct'], params: 3.21e9, numLayers: 28, hiddenSize: 3072 },
  {
    id: 'meta-llama/Llama-3.1-8B',
    aliases: ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3.1-8B', 'meta-llama/Meta-Llama-3-8B', 'meta-llama/Meta-Llama-3-8B-Instruct'],
    params: 8.03e9,
    numLayers: 32,
    hiddenSize: 4096,
  },
  {
    id: 'meta-llama/Llama-3.1-70B',
    aliases: ['meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Meta-Llama-3.1-70B', 'meta-llama/Meta-Llama-3-70B', 'meta-llama/Meta-Llama-3-70B-Instruct'],
    params: 70.6e9,
    numLayers: 80,
    hiddenSize: 8192,
  },
  {
    id: 'meta-llama/Llama-3.1-405B',
    aliases: ['meta-llama/Llama-3.1-405B-Instruct', 'meta-llama/Meta-Llama-3.1-405B'],
    params: 406e9,
    numLayers: 126,
    hiddenSize: 16384,
  },
  { id: 'meta-llama/Llama-3.3-70B-Instruct', aliases: [], params: 70.6e9, numLayers: 80, hiddenSize: 8192 },
  { id: 'meta-llama/Llama-2-7b-hf', aliases: ['meta-llama/Llama-2-7b-chat-hf'], params: 6.74e9, numLayers: 32, hiddenSize: 4096 },
  { id: 'meta-llama/Llama-2-13b-hf', aliases: ['meta-llama/Llama-2-13b-chat-hf'], params: 13.0e9, numLayers: 40, hiddenSize: 5120 },
  { id: 'meta-llama/Llama-2-70b-hf', aliases: ['meta-llama/Llama-2-70b-chat-hf'], params: 69.0e9, numLayers: 80, hiddenSize: 8192 },
  // Qwen 2.5
  { id: 'Qwen/Qwen2.5-0.5B', aliases: ['Qwen/Qwen2.5-0.5B-Instruct'], params: 0.494e9, numLayers: 24, hiddenSize: 896 },
  { id: 'Qwen/Qwen2.5-1.5B', aliases: ['Qwen/Qwen2.5-1.5B-Instruct'], params: 1.54e9, numLayers: 28, hiddenSize: 1536 },
  { id: 'Qwen/Qwen2.5-3B', aliases: ['Qwen/Qwen2.5-3B-Instruct'], params: 3.09e9, numLayers: 36, hiddenSize: 2048 },
  { id: 'Qwen/Qwen2.5-7B', aliases: ['Qwen/Qwen2.5-7B-Instruct'], params: 7.62e9, numLayers: 28, hiddenSize: 3584 },
  { id: 'Qwen/Qwen2.5-14B', aliases: ['Qwen/Qwen2.5-14B-Instruct'], params: 14.8e9, numLayers: 48, hiddenSize: 5120 },
  { id: 'Qwen/Qwen2.5-32B', aliases: ['Qwen/Qwen2.5-32B-Instruct'], params: 32.8e9, numLayers: 64, hiddenSize: 5120 },
  { id: 'Qwen/Qwen2.5-72B', aliases: ['Qwen/Qwen2.5-72B-Instruct'], params: 72.7e9, numLayers: 80, hiddenSize: 8192 },
  // Qwen 3 (dense)
  { id: 'Qwen/Qwen3-0.6B', aliases: ['Qwen/Qwen3-0.6B-Base'], params: 0.6e9, numLayers: 28, hiddenSize: 1024 },
  { id: 'Qwen/Qwen3-1.7B', aliases: ['Qwen/Qwen3-1.7B-Base'], params: 1.7e9, numLayers: 28, hiddenSize: 2048 },
  { id: 'Qwen/Qwen3-4B', aliases: ['Qwen/Qwen3-4B-Base'], params: 4.0e9, numLayers: 36, hiddenSize: 2560 },
  { id: 'Qwen/Qwen3-8B', aliases: ['Qwen/Qwen3-8B-Base'], params: 8.2e9, numLayers: 36, hiddenSize: 4096 },
  { id: 'Qwen/Qwen3-14B', aliases: ['Qwen/Qwen3-14B-Base'], params: 14.8e9, numLayers: 40, hiddenSize: 5120 },
  { id: 'Qwen/Qwen3-32B', aliases: [], params: 32.8e9, numLayers: 64, hiddenSize: 5120 },
  // Mistral
  {
    id: 'mistralai/Mistral-7B-v0.1',
    aliases: ['mistralai/Mistral-7B-Instruct-v0.1', 'mistralai/Mistral-7B-Instruct-v0.2', 'mistralai/Mistral-7B-v0.3', 'mistralai/Mistral-7B-Instruct-v0.3'],
    params: 7.24e9,
    numLayers: 32,
    hiddenSize: 4096,
  },
  { id: 'mistralai/Mixtral-8x7B-v0.1', aliases: ['mistralai/Mixtral-8x7B-Instruct-v0.1'], params: 46.7e9, numLayers: 32, hiddenSize: 4096, moe: true },
  // Google Gemma 2 / 3
  { id: 'google/gemma-2-2b', aliases: ['google/gemma-2-2b-it'], params: 2.61e9, numLayers: 26, hiddenSize: 2304 },
  { id: 'google/gemma-2-9b', aliases: ['google/gemma-2-9b-it'], params: 9.24e9, numLayers: 42, hiddenSize: 3584 },
  { id: 'google/gemma-2-27b', aliases: ['google/gemma-2-27b-it'], params: 27.2e9, numLayers: 46, hiddenSize: 4608 },
  { id: 'google/gemma-3-1b-pt', aliases: ['google/gemma-3-1b-it'], params: 1.0e9, numLayers: 26, hiddenSize: 1152 },
  { id: 'google/gemma-3-4b-pt', aliases: ['google/gemma-3-4b-it'], params: 4.3e9, numLayers: 34, hiddenSize: 2560 },
  { id: 'google/gemma-3-12b-pt', aliases: ['google/gemma-3-12b-it'], params: 12.2e9, numLayers: 48, hiddenSize: 3840 },
  { id: 'google/gemma-3-27b-pt', aliases: ['google/gemma-3-27b-it'], params: 27.4e9, numLayers: 62, hiddenSize: 5376 },
  // Microsoft Phi
  { id: 'microsoft/Phi-3-mini-4k-instruct', aliases: ['microsoft/Phi-3-mini-128k-instruct'], params: 3.82e9, numLayers: 32, hiddenSize: 3072 },
  { id: 'microsoft/Phi-3-medium-4k-instruct', aliases: ['microsoft/Phi-3-medium-128k-instruct'], params: 14.0e9, numLayers: 40, hiddenSize: 5120 },
  { id: 'microsoft/phi-4', aliases: [], params: 14.7e9, numLayers: 40, hiddenSize: 5120 },
  // Small models
  { id: 'HuggingFaceTB/SmolLM2-135M', aliases: ['HuggingFaceTB/SmolLM2-135M-Instruct'], params: 0.135e9, numLayers: 30, hiddenSize: 576 },
  { id: 'HuggingFaceTB/SmolLM2-360M', aliases: ['HuggingFaceTB/SmolLM2-360M-Instruct'], params: 0.362e9, numLayers: 32, hiddenSize: 960 },
  { id: 'HuggingFaceTB/SmolLM2-1.7B', aliases: ['HuggingFaceTB/SmolLM2-1.7B-Instruct'], params: 1.71e9, numLayers: 24, hiddenSize: 2048 },
  {
    id: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
    aliases: ['TinyLlama/TinyLlama_v1.1', 'TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T'],
    params: 1.1e9,
    numLayers: 22,
    hiddenSize: 2048,
  },
  { id: 'openai-community/gpt2', aliases: ['gpt2'], params: 0.124e9, numLayers: 12, hiddenSize: 768 },
  { id: 'openai-community/gpt2-medium', aliases: ['gpt2-medium'], params: 0.355e9, numLayers: 24, hiddenSize: 1024 },
  { id: 'openai-community/gpt2-large', aliases: ['gpt2-large'], params: 0.774e9, numLayers: 36, hiddenSize: 1280 },
  { id: 'openai-community/gpt2-xl', aliases: ['gpt2-xl'], params: 1.56e9, numLayers: 48, hiddenSize: 1600 },
  // DeepSeek R1 distills, Falcon
  { id: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B', aliases: [], params: 1.78e9, numLayers: 28, hiddenSize: 1536 },
  { id: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', aliases: [], params: 7.62e9, numLayers: 28, hiddenSize: 3584 },
  { id: 'tiiuae/falcon-7b', aliases: ['tiiuae/falcon-7b-instruct'], params: 7.22e9, numLayers: 32, hiddenSize: 4544 },
];

/** Trailing name parts that do not change the weights' shape. */
const NOISE = /^(instruct|chat|it|hf|base|pt|bnb|4bit|8bit|awq|gptq|gguf|fp8|fp16|bf16|unsloth|v\d+(\.\d+)*|\d+k)$/;

/**
 * Lookup key for a model name: lowercase, no `hf://` prefix / organization / revision, no
 * trailing instruct/chat/quantization/version/context-length parts, no separators.
 */
export function modelKey(name: string): string {
  let s = name.trim().toLowerCase();
  s = s.replace(/^hf:\/\//, '').replace(/^https?:\/\/(www\.)?huggingface\.co\//, '');
  s = s.replace(/[@:].*$/, '').replace(/\/+$/, '');
  const slash = s.lastIndexOf('/');
  if (slash >= 0) s = s.slice(slash + 1);
  s = s.replace(/^meta-(?=llama)/, '');
  const parts = s.split(/[-_\s]+/).filter(Boolean);
  while (parts.length > 1 && NOISE.test(parts[parts.length - 1]!)) parts.pop();
  return parts.join('');
}

let index: Map<string, ModelInfo> | undefined;

function catalogIndex(): Map<string, ModelInfo> {
  if (!index) {
    index = new Map();
    for (const m of MODEL_CATALOG) {
      for (const n of [m.id, ...m.aliases]) {
        const k = modelKey(n);
        if (!index.has(k)) index.set(k, m);
      }
    }
  }
  return index;
}

/**
 * Finds a model in the offline catalog, tolerantly: case-insensitive, with or without the
 * organization, an `hf://` prefix or a revision, and ignoring -Instruct/-Chat/-it/-hf and
 * similar suffixes (`Qwen/Qwen2.5-1.5B-Instruct`, `hf://qwen/qwen2.5-1.5b`, `Qwen2.5-1.5B`).
 */
export function lookupModel(name: string): ModelInfo | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > 300) return undefined;
  return catalogIndex().get(modelKey(name));
}

/**
 * A parameter count read from a model name: `7B`, `1.5b`, `350M`, `8x7B` (experts × size).
 * Returns undefined when the name carries no size.
 */
export function paramsFromName(name: string): { params: number; text: string; moe: boolean } | undefined {
  if (typeof name !== 'string' || name.length > 300) return undefined;
  const base =
    name
      .replace(/^hf:\/\//i, '')
      .split('/')
      .pop() ?? '';
  const moe = /(?:^|[^a-z0-9.])(\d{1,3})x(\d+(?:\.\d+)?)([bm])(?![a-z0-9])/i.exec(base);
  if (moe) {
    const unit = moe[3]!.toLowerCase() === 'b' ? 1e9 : 1e6;
    const params = Number(moe[1]) * Number(moe[2]) * unit;
    if (params > 0 && Number.isFinite(params)) return { params, text: `${moe[1]}x${moe[2]}${moe[3]}`, moe: true };
  }
  const re = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)([bm])(?![a-z0-9])/gi;
  for (let m = re.exec(base); m; m = re.exec(base)) {
    const unit = m[2]!.toLowerCase() === 'b' ? 1e9 : 1e6;
    const params = Number(m[1]) * unit;
    if (params >= 1e6 && params <= 1e13) return { params, text: `${m[1]}${m[2]}`, moe: false };
  }
  return undefined;
}

/** Typical decoder shapes by size, to estimate activations when only the size is known. */
const SHAPES: ReadonlyArray<[maxParams: number, numLayers: number, hiddenSize: number]> = [
  [0.2e9, 12, 768],
  [0.6e9, 24, 1024],
  [1.5e9, 24, 2048],
  [3.5e9, 28, 3072],
  [9e9, 32, 4096],
  [16e9, 40, 5120],
  [40e9, 64, 5120],
  [80e9, 80, 8192],
  [200e9, 96, 12288],
  [Infinity, 126, 16384],
];

/** Layers and hidden size typical of a dense decoder with this many parameters. */
export function shapeForParams(params: number): { numLayers: number; hiddenSize: number } {
  const row = SHAPES.find(([max]) => params <= max)!;
  return { numLayers: row[1], hiddenSize: row[2] };
}
