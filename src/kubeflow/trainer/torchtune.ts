/**
 * TorchTune BuiltinTrainer (docs/wire/trainer.md#torchtune-arguments) and the controller's TorchTune rules
 * (docs/wire/trainer.md#torchtune-controller-rules).
 *
 * `torchTuneArgs` emits the SDK's `key=value` overrides in the SDK's order with Python `str()`
 * values. `validateTorchTune` mirrors the Trainer v2.3 webhook so we can refuse a job with a clear
 * message before the API server does.
 */
import { DATASET_PATH, TORCHTUNE_INSTRUCT_DATASET } from './constants.js';
import { WireValidationError } from './errors.js';
import { pythonFloatStr, pythonRepr, pythonStr } from './pythonLiteral.js';

type PeftMethod = 'lora' | 'qlora' | 'dora' | 'full';
type TorchTuneDataFormat = 'json' | 'csv' | 'parquet' | 'arrow' | 'text' | 'xml';
type LoraAttnModule = 'q_proj' | 'k_proj' | 'v_proj' | 'output_proj';

const DEFAULT_LORA_ATTN_MODULES: readonly LoraAttnModule[] = ['q_proj', 'v_proj', 'output_proj'];
const ATTN_MODULES = new Set<string>(['q_proj', 'k_proj', 'v_proj', 'output_proj']);
const DATA_FORMATS = new Set<string>(['json', 'csv', 'parquet', 'arrow', 'text', 'xml']);
const CE_LOSS = 'torchtune.modules.loss.CEWithChunkedOutputLoss';

interface PeftConfig {
  method: PeftMethod;
  rank?: number;
  alpha?: number;
  dropout?: number;
  applyToMlp?: boolean;
  applyToOutput?: boolean;
  /** Default q_proj, v_proj, output_proj. */
  attnModules?: LoraAttnModule[];
}

interface DatasetPreprocessConfig {
  source?: TorchTuneDataFormat;
  split?: string;
  trainOnInput?: boolean;
  newSystemPrompt?: string;
  /** e.g. { input: "prompt", output: "response" } */
  columnMap?: Record<string, string>;
}

export interface TorchTuneConfig {
  dtype?: 'bf16' | 'fp32';
  batchSize?: number;
  epochs?: number;
  loss?: 'CEWithChunkedOutputLoss' | typeof CE_LOSS;
  peft?: PeftConfig;
  /** The dataset initializer's URI; only HuggingFace URIs yield a dataset path arg (as in the SDK). */
  datasetUri?: string;
  datasetPreprocess?: DatasetPreprocessConfig;
}

function invalid(message: string, hint: string, field: string): WireValidationError {
  return new WireValidationError('invalid_torchtune', message, hint, field);
}

function positiveInt(v: number | undefined, field: string, zeroMeansUnset = false): void {
  if (v === undefined || (zeroMeansUnset && v === 0)) return;
  if (!(Number.isSafeInteger(v) && v > 0))
    throw invalid(`${field} must be a positive integer, got ${v}`, `set ${field} to an integer >= 1 or leave it out`, field);
}

/** The trainer `args` for a TorchTune fine-tune, in SDK order. */
export function torchTuneArgs(config: TorchTuneConfig): string[] {
  const args: string[] = [];

  if (config.dtype !== undefined) {
    if (config.dtype !== 'bf16' && config.dtype !== 'fp32') throw invalid(`dtype '${String(config.dtype)}' is not supported`, 'use "bf16" or "fp32"', 'dtype');
    args.push(`dtype=${config.dtype}`);
  }
  // The SDK drops falsy batch size / epochs, so 0 means "runtime default".
  positiveInt(config.batchSize, 'batchSize', true);
  if (config.batchSize) args.push(`batch_size=${config.batchSize}`);
  positiveInt(config.epochs, 'epochs', true);
  if (config.epochs) args.push(`epochs=${config.epochs}`);
  if (config.loss !== undefined) {
    if (config.loss !== 'CEWithChunkedOutputLoss' && config.loss !== CE_LOSS)
      throw invalid(`loss '${String(config.loss)}' is not supported`, 'use "CEWithChunkedOutputLoss"', 'loss');
    args.push(`loss=${CE_LOSS}`);
  }

  if (config.datasetUri !== undefined) {
    const arg = datasetPathArg(config.datasetUri);
    if (arg) args.push(arg);
  }
  if (config.peft) args.push(...peftArgs(config.peft));
  if (config.datasetPreprocess) args.push(...datasetPreprocessArgs(config.datasetPreprocess));
  return args;
}

/**
 * `dataset.data_dir=` / `dataset.data_files=` from a HuggingFace dataset URI: the path after
 * `hf://<org>/<name>` (files when it contains a "."), else `.`. Non-HF URIs give nothing.
 */
export function datasetPathArg(storageUri: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(storageUri)?.[1];
  if (scheme !== undefined && scheme !== 'hf') return undefined;
  const uri = scheme === undefined ? `hf://${storageUri}` : storageUri;
  // urllib.parse.urlparse: netloc up to the first "/", path up to "?" / "#".
  const afterScheme = uri.slice('hf://'.length);
  const slash = afterScheme.search(/[/?#]/);
  const rest = slash < 0 ? '' : afterScheme.slice(slash);
  const path = rest.startsWith('/') ? rest.split(/[?#]/)[0]! : '';
  const parts = path.replace(/^\/+|\/+$/g, '').split('/');
  const rel = parts.length > 1 ? parts.slice(1).join('/') : '.';
  const full = rel.startsWith('/') ? rel : `${DATASET_PATH}/${rel}`;
  return rel !== '.' && rel.includes('.') ? `dataset.data_files=${full}` : `dataset.data_dir=${full}`;
}

function peftArgs(peft: PeftConfig): string[] {
  if (!['lora', 'qlora', 'dora', 'full'].includes(peft.method)) {
    throw invalid(`PEFT method '${String(peft.method)}' is not supported`, 'use "lora", "qlora", "dora" or "full"', 'peft.method');
  }
  if (peft.method === 'full') return [];
  positiveInt(peft.rank, 'peft.rank');
  positiveInt(peft.alpha, 'peft.alpha');
  if (peft.dropout !== undefined && !(Number.isFinite(peft.dropout) && peft.dropout >= 0 && peft.dropout < 1)) {
    throw invalid(`peft.dropout must be in [0, 1), got ${peft.dropout}`, 'set a dropout probability such as 0.05', 'peft.dropout');
  }
  const modules = peft.attnModules ?? [...DEFAULT_LORA_ATTN_MODULES];
  if (modules.length === 0) {
    // Without lora_attn_modules the controller does not recognise LoRA and runs a full fine-tune.
    throw invalid('peft.attnModules is empty', 'list at least one of q_proj, k_proj, v_proj, output_proj, or leave it out for the default', 'peft.attnModules');
  }
  for (const m of modules) {
    if (!ATTN_MODULES.has(m)) throw invalid(`'${String(m)}' is not a LoRA attention module`, 'use q_proj, k_proj, v_proj or output_proj', 'peft.attnModules');
  }

  // SDK LoraConfig field order; None fields are skipped, False/0 are emitted.
  const fields: Array<[string, string | undefined]> = [
    ['model.apply_lora_to_mlp', peft.applyToMlp === undefined ? undefined : pythonStr(peft.applyToMlp)],
    ['model.apply_lora_to_output', peft.applyToOutput === undefined ? undefined : pythonStr(peft.applyToOutput)],
    ['model.lora_rank', peft.rank === undefined ? undefined : pythonStr(peft.rank)],
    ['model.lora_alpha', peft.alpha === undefined ? undefined : pythonStr(peft.alpha)],
    // A float field in the SDK: 0 → "0.0" like str(0.0).
    ['model.lora_dropout', peft.dropout === undefined ? undefined : pythonFloatStr(peft.dropout)],
    ['model.quantize_base', peft.method === 'qlora' ? 'True' : undefined],
    ['model.use_dora', peft.method === 'dora' ? 'True' : undefined],
  ];
  const args = fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  args.push(`model.lora_attn_modules=[${modules.join(',')}]`);
  return args;
}

function datasetPreprocessArgs(cfg: DatasetPreprocessConfig): string[] {
  const args = [`dataset=${TORCHTUNE_INSTRUCT_DATASET}`];
  if (cfg.source !== undefined) {
    if (!DATA_FORMATS.has(cfg.source))
      throw invalid(`dataset source '${String(cfg.source)}' is not supported`, 'use json, csv, parquet, arrow, text or xml', 'datasetPreprocess.source');
    args.push(`dataset.source=${cfg.source}`);
  }
  if (cfg.split) args.push(`dataset.split=${cfg.split}`);
  if (cfg.trainOnInput !== undefined) args.push(`dataset.train_on_input=${pythonStr(cfg.trainOnInput)}`);
  if (cfg.newSystemPrompt) args.push(`dataset.new_system_prompt=${cfg.newSystemPrompt}`);
  if (cfg.columnMap && Object.keys(cfg.columnMap).length > 0) args.push(`dataset.column_map=${pythonRepr(cfg.columnMap)}`);
  return args;
}

// ---------------------------------------------------------------------------------------------
// Controller rules (Trainer v2.3 torch plugin)

const TORCHTUNE_SUPPORTED_MODELS: readonly string[] = ['llama3_2/1B', 'llama3_2/3B', 'llama3_3/70B', 'qwen2_5/1.5B'];
/** Runtime-owned config keys a TrainJob may not override in args. */
const TORCHTUNE_IMMUTABLE_CONFIGS: readonly string[] = ['output_dir', 'tokenizer.path', 'checkpointer.checkpoint_dir', 'tokenizer.merges_file'];

/** `torchtune-llama3.2-1b` → `llama3_2/1B`; undefined unless the name has exactly 3 dash parts. */
export function modelConfigFromRuntimeName(runtimeName: string): string | undefined {
  const parts = runtimeName.split('-');
  if (parts.length !== 3) return undefined;
  return `${parts[1]!.replace(/\./g, '_')}/${parts[2]!.toUpperCase()}`;
}

export interface TorchTunePlan {
  runtimeName: string;
  /** Trainer numNodes (default 1). */
  numNodes?: number;
  peftMethod?: PeftMethod;
  /** trainer.numProcPerNode; undefined = auto. */
  numProcPerNode?: number;
  /** GPUs per node from the job's resources, else the runtime's (0 when none). */
  gpusPerNode?: number;
  /** Trainer args to check for runtime-owned keys. */
  args?: string[];
}

/** The recipe and config the controller will run (torch plugin's getRecipeAndConfig). */
export function torchTuneRecipe(plan: TorchTunePlan): { recipe: string; config: string } {
  const numNodes = plan.numNodes ?? 1;
  const method = plan.peftMethod ?? 'full';
  const qlora = method === 'qlora';
  const lora = method !== 'full';
  const singleDevice = numNodes === 1 && (plan.numProcPerNode === 1 || plan.gpusPerNode === 1);
  let recipe = 'full_finetune_distributed';
  let suffix = '_full';
  if (singleDevice) {
    if (qlora) [recipe, suffix] = ['lora_finetune_single_device', '_qlora_single_device'];
    else if (lora) [recipe, suffix] = ['lora_finetune_single_device', '_lora_single_device'];
    else [recipe, suffix] = ['full_finetune_single_device', '_full_single_device'];
  } else if (numNodes === 1 && qlora) [recipe, suffix] = ['lora_finetune_distributed', '_qlora'];
  else if (numNodes === 1 && lora) [recipe, suffix] = ['lora_finetune_distributed', '_lora'];
  else if (numNodes > 1) suffix = '_full_multinode';
  return { recipe, config: `${modelConfigFromRuntimeName(plan.runtimeName) ?? ''}${suffix}` };
}

/** Every rule the controller would reject the TrainJob for; empty when it is acceptable. */
export function validateTorchTune(plan: TorchTunePlan): WireValidationError[] {
  const errors: WireValidationError[] = [];
  const model = modelConfigFromRuntimeName(plan.runtimeName);
  const numNodes = plan.numNodes ?? 1;
  const method = plan.peftMethod ?? 'full';

  if (model === undefined || !TORCHTUNE_SUPPORTED_MODELS.includes(model)) {
    errors.push(
      new WireValidationError(
        'unsupported_model',
        `runtime '${plan.runtimeName}' does not name a supported TorchTune model (got '${model ?? ''}')`,
        `use a runtime named torchtune-<family>-<size> for one of ${TORCHTUNE_SUPPORTED_MODELS.join(', ')}, e.g. torchtune-llama3.2-1b`,
        'runtime',
      ),
    );
  }
  if (numNodes > 1 && model !== 'llama3_3/70B') {
    errors.push(
      invalid(
        `numNodes must be 1 for ${model ?? plan.runtimeName}, got ${numNodes}`,
        'set numNodes to 1 (only llama3_3/70B fine-tunes across nodes)',
        'numNodes',
      ),
    );
  }
  const { config } = torchTuneRecipe(plan);
  if (config.includes('_qlora')) {
    if (model === 'qwen2_5/1.5B') {
      errors.push(invalid(`QLoRA is not supported for ${model}`, 'use peft method "lora" or "dora" for Qwen', 'peft.method'));
    }
    if (!config.includes('_qlora_single_device') && (model === 'llama3_2/1B' || model === 'llama3_2/3B')) {
      errors.push(
        invalid(`QLoRA on ${model} needs a single device`, 'request exactly one GPU per node ({"gpu": 1}) or set numProcPerNode to 1', 'resourcesPerNode'),
      );
    }
  }
  if (numNodes > 1 && method !== 'full') {
    errors.push(
      invalid(
        'LoRA fine-tuning is not supported for multi-node training in TorchTune',
        'use numNodes 1 for lora/qlora/dora, or peft method "full" for multi-node',
        'numNodes',
      ),
    );
  }
  for (const arg of plan.args ?? []) {
    const key = arg.split('=', 1)[0]!;
    if (TORCHTUNE_IMMUTABLE_CONFIGS.includes(key)) {
      errors.push(invalid(`'${key}' is managed by the runtime and cannot be set in trainer args`, `remove '${arg}' from the args`, 'args'));
    }
  }
  return errors;
}
