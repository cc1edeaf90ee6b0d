/**
 * The TrainJob body `train()` sends (docs/wire/trainer.md#trainjob-body) and the three trainer kinds that fill
 * `spec.trainer` (docs/wire/trainer.md#trainer-block).
 *
 * Serialisation follows the SDK: null/undefined fields are dropped, empty lists are kept,
 * `runtimeRef` is `{name, kind}` (no apiGroup), and `trainer` is sent only when non-empty.
 */
import { envVar } from '../../kube/secretRef.js';
import type { EnvVar } from '../../kube/types.js';
import {
  LABEL_QUEUE_NAME,
  DATASET_INITIALIZER,
  DEFAULT_RUNTIME,
  MODEL_INITIALIZER,
  MPI_RESERVED_ENV,
  NODE,
  RUNTIME_PATCH_MANAGER,
  TORCHTUNE_COMMAND,
  TORCH_RESERVED_ENV,
  XGBOOST_RESERVED_ENV,
} from './constants.js';
import { WireValidationError } from './errors.js';
import { validateJobName } from './names.js';
import { normaliseResourceKey, resourcesPerNode } from './resources.js';
import { buildCustomTrainerCommand, type CustomTrainerCommandInput } from './script.js';
import { torchTuneArgs, validateTorchTune, type TorchTuneConfig } from './torchtune.js';
import { TRAINER_API_VERSION, type InitializerSpec, type Runtime, type TrainerSpec, type TrainJob, type TrainJobSpec } from './types.js';

// ---------------------------------------------------------------------------------------------
// Trainers

interface NodeOptions {
  /** Omitted or 0 → the runtime's numNodes. */
  numNodes?: number;
  /** e.g. { gpu: 1, cpu: 4, memory: "16Gi" }; see resources.ts. */
  resourcesPerNode?: Record<string, string | number>;
}

interface EnvOption {
  /** Env of the trainer container, in insertion order; values are stringified. */
  env?: Record<string, string | number | boolean>;
}

export interface CustomTrainerInput extends NodeOptions, EnvOption, Omit<CustomTrainerCommandInput, 'entry'> {
  /** Replaces the runtime's trainer image. */
  image?: string;
}

export interface ContainerTrainerInput extends NodeOptions, EnvOption {
  image: string;
  /** Replace the image's entry point / arguments (the SDK's TrainerCommand / TrainerArgs options). */
  command?: string[];
  args?: string[];
}

export interface BuiltinTrainerInput extends NodeOptions {
  config: TorchTuneConfig;
  /** trainer.numProcPerNode (only used for the TorchTune checks; not sent, as in the SDK). */
  numProcPerNode?: number;
  /**
   * More `key=value` overrides, appended after the SDK-ordered ones (e.g. the runtime's own
   * `dataset=...` items, which the controller drops when it rewrites the command).
   */
  extraArgs?: string[];
}

/** CustomTrainer: runs a Python function via the runtime's entry point (torchrun / python / mpirun). */
export function customTrainer(runtime: Runtime, input: CustomTrainerInput): TrainerSpec {
  requireTrainerType(runtime, 'CustomTrainer');
  const entry = runtime.entry === 'torchtune' ? 'torch' : runtime.entry;
  return compactTrainer({
    ...nodeFields(input),
    command: buildCustomTrainerCommand({ ...input, entry }),
    image: input.image === undefined ? undefined : checkImage(input.image),
    env: envList(runtime, input.env),
  });
}

/** CustomTrainerContainer: runs an image as the trainer, optionally with its own command/args. */
export function containerTrainer(runtime: Runtime, input: ContainerTrainerInput): TrainerSpec {
  requireTrainerType(runtime, 'CustomTrainer', 'container');
  return compactTrainer({
    ...nodeFields(input),
    image: checkImage(input.image),
    command: input.command === undefined ? undefined : argv(input.command, 'command'),
    args: input.args === undefined ? undefined : argv(input.args, 'args'),
    env: envList(runtime, input.env),
  });
}

/** BuiltinTrainer (TorchTune): `tune run` + override args; the controller picks recipe and config. */
export function builtinTrainer(runtime: Runtime, input: BuiltinTrainerInput): TrainerSpec {
  requireTrainerType(runtime, 'BuiltinTrainer');
  const fields = nodeFields(input);
  const extra = input.extraArgs ?? [];
  const badExtra = extra.find((a) => typeof a !== 'string' || !/^[^=\s]+=/.test(a));
  if (badExtra !== undefined) {
    throw new WireValidationError(
      'invalid_torchtune',
      `extra TorchTune arg '${String(badExtra)}' is not a key=value override`,
      'pass overrides like "optimizer.lr=2e-5"',
      'extraArgs',
    );
  }
  const args = [...torchTuneArgs(input.config), ...extra];
  const problems = validateTorchTune({
    runtimeName: runtime.name,
    numNodes: fields.numNodes ?? runtime.trainer.numNodes,
    peftMethod: input.config.peft?.method,
    numProcPerNode: input.numProcPerNode,
    gpusPerNode: gpusPerNode(runtime, input.resourcesPerNode),
    args,
  });
  if (problems.length > 0) {
    const [first] = problems as [WireValidationError];
    throw new WireValidationError(first.code, problems.map((p) => p.message).join('; '), problems.map((p) => p.hint).join('; '), first.field);
  }
  return compactTrainer({ ...fields, command: [...TORCHTUNE_COMMAND], args });
}

function requireTrainerType(runtime: Runtime, want: 'CustomTrainer' | 'BuiltinTrainer', flavour?: 'container'): void {
  if (runtime.trainer.trainerType === want) return;
  const what =
    want === 'BuiltinTrainer' ? 'a TorchTune fine-tune (BuiltinTrainer)' : flavour === 'container' ? 'a container trainer' : 'a custom training function';
  const instead =
    want === 'BuiltinTrainer'
      ? 'use a torchtune runtime (framework label torchtune, e.g. torchtune-llama3.2-1b) for fine-tuning, or run custom/container training on this runtime'
      : `use a non-torchtune runtime such as ${DEFAULT_RUNTIME} for custom or container training, or use the fine-tune (BuiltinTrainer) path on '${runtime.name}'`;
  throw new WireValidationError(
    'runtime_mismatch',
    `runtime '${runtime.name}' (framework ${runtime.trainer.framework}, ${runtime.trainer.trainerType}) cannot run ${what}`,
    instead,
    'runtime',
  );
}

function nodeFields(input: NodeOptions): Pick<TrainerSpec, 'numNodes' | 'resourcesPerNode'> {
  const out: Pick<TrainerSpec, 'numNodes' | 'resourcesPerNode'> = {};
  const n = input.numNodes;
  if (n !== undefined && n !== 0) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 31 - 1) {
      throw new WireValidationError(
        'invalid_argument',
        `numNodes must be a positive integer, got ${n}`,
        'set numNodes to 1 or more, or leave it out to use the runtime default',
        'numNodes',
      );
    }
    out.numNodes = n;
  }
  if (input.resourcesPerNode && Object.keys(input.resourcesPerNode).length > 0) out.resourcesPerNode = resourcesPerNode(input.resourcesPerNode);
  return out;
}

/** GPUs per node as the controller counts them (requests, then limits; any key containing "gpu"). */
function gpusPerNode(runtime: Runtime, resources: Record<string, string | number> | undefined): number {
  if (resources && Object.keys(resources).length > 0) {
    for (const [k, v] of Object.entries(resources)) {
      if (normaliseResourceKey(k).toLowerCase().includes('gpu')) return Math.trunc(Number(v)) || 0;
    }
    return 0;
  }
  if (runtime.trainer.device !== 'gpu') return 0;
  return Math.trunc(Number(runtime.trainer.deviceCount) / (runtime.trainer.numNodes || 1)) || 0;
}

function checkImage(image: string): string {
  const img = image.trim();
  if (img === '' || img.length > 500 || /\s/.test(img)) {
    throw new WireValidationError(
      'invalid_argument',
      `image '${image}' is empty, too long or contains whitespace`,
      'pass an image reference such as "ghcr.io/org/trainer:1.0"',
      'image',
    );
  }
  // No image reference starts with '-'; a container CLI would read it as one of its options.
  if (img.startsWith('-')) {
    throw new WireValidationError(
      'invalid_argument',
      `image '${img}' starts with '-', so a container CLI would read it as an option`,
      'pass an image reference such as "ghcr.io/org/trainer:1.0"',
      'image',
    );
  }
  return img;
}

function argv(items: string[], field: string): string[] {
  if (items.length > 128 || items.some((x) => typeof x !== 'string')) {
    throw new WireValidationError(
      'invalid_argument',
      `${field} must be a list of at most 128 strings`,
      `pass ${field} as a list of strings, one argv item each`,
      field,
    );
  }
  return [...items];
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Record → EnvVar list in insertion order, the one conversion for every trainer (TrainJobs and
 * Katib trial templates alike): "secret:<name>/<key>" values become secretKeyRef; names the
 * runtime's controller reserves are refused.
 */
function envList(runtime: Runtime, env: Record<string, string | number | boolean> | undefined): EnvVar[] | undefined {
  if (!env || Object.keys(env).length === 0) return undefined;
  const reserved =
    runtime.entry === 'mpi' || runtime.mlPolicy === 'mpi'
      ? MPI_RESERVED_ENV
      : runtime.mlPolicy === 'xgboost'
        ? XGBOOST_RESERVED_ENV
        : runtime.entry === 'torch' || runtime.entry === 'torchtune'
          ? TORCH_RESERVED_ENV
          : [];
  const list: EnvVar[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) {
      throw new WireValidationError(
        'invalid_env',
        `'${name}' is not a valid environment variable name`,
        'use letters, digits, "_", "-" and "."',
        `env.${name}`,
      );
    }
    if (reserved.includes(name)) {
      throw new WireValidationError(
        'invalid_env',
        `'${name}' is set by the Trainer controller on runtime '${runtime.name}'`,
        `remove ${name} from env; reserved here: ${reserved.join(', ')}`,
        `env.${name}`,
      );
    }
    list.push(envVar(name, String(value)));
  }
  return list;
}

function compactTrainer(t: TrainerSpec): TrainerSpec {
  return compact<TrainerSpec>(t);
}

// ---------------------------------------------------------------------------------------------
// TrainJob

interface RuntimePatchInput {
  /** Default: the SDK's manager, trainer.kubeflow.org/kubeflow-sdk. */
  manager?: string;
  /** TrainingRuntimeSpecPatch (camelCase wire form), e.g. { template: { spec: { replicatedJobs: [...] } } }. */
  trainingRuntimeSpec: Record<string, unknown>;
}

export interface BuildTrainJobInput {
  name: string;
  namespace?: string;
  runtime: Pick<Runtime, 'name' | 'kind'>;
  trainer?: TrainerSpec;
  initializer?: { dataset?: InitializerSpec; model?: InitializerSpec };
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  activeDeadlineSeconds?: number;
  /** Kueue LocalQueue: sets the kueue.x-k8s.io/queue-name label. */
  queue?: string;
  runtimePatches?: RuntimePatchInput[];
}

export function buildTrainJob(input: BuildTrainJobInput): TrainJob {
  const nameProblem = validateJobName(input.name);
  if (nameProblem) {
    throw new WireValidationError('invalid_name', nameProblem, 'choose another name, or leave it out to get a generated one', 'name');
  }
  const ads = input.activeDeadlineSeconds;
  if (ads !== undefined && !(Number.isSafeInteger(ads) && ads >= 1)) {
    throw new WireValidationError(
      'invalid_argument',
      `activeDeadlineSeconds must be an integer >= 1, got ${ads}`,
      'set a positive number of seconds, or leave it out',
      'activeDeadlineSeconds',
    );
  }

  const trainer = input.trainer ? compactTrainer(input.trainer) : undefined;
  const initializer = input.initializer && (input.initializer.dataset || input.initializer.model) ? input.initializer : undefined;
  const spec: TrainJobSpec = {
    runtimeRef: { name: input.runtime.name, kind: input.runtime.kind },
    trainer: trainer && Object.keys(trainer).length > 0 ? trainer : undefined,
    initializer,
    runtimePatches: input.runtimePatches ? runtimePatches(input.runtimePatches) : undefined,
    activeDeadlineSeconds: ads,
  };
  return compact({
    apiVersion: TRAINER_API_VERSION,
    kind: 'TrainJob',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: input.queue ? { ...input.labels, [LABEL_QUEUE_NAME]: input.queue } : input.labels,
      annotations: input.annotations,
    },
    spec,
  });
}

const PATCH_ENV_FORBIDDEN = new Set([NODE, DATASET_INITIALIZER, MODEL_INITIALIZER]);

function runtimePatches(patches: RuntimePatchInput[]): NonNullable<TrainJobSpec['runtimePatches']> {
  if (patches.length > 16) {
    throw new WireValidationError(
      'invalid_runtime_patch',
      `at most 16 runtime patches are allowed, got ${patches.length}`,
      'merge the patches into fewer entries',
      'runtimePatches',
    );
  }
  const seen = new Set<string>();
  return patches.map((p, i) => {
    const manager = p.manager ?? RUNTIME_PATCH_MANAGER;
    if (seen.has(manager)) {
      throw new WireValidationError(
        'invalid_runtime_patch',
        `two runtime patches use manager '${manager}' (it is the list key)`,
        'combine them into one patch, or give each a distinct manager',
        `runtimePatches[${i}].manager`,
      );
    }
    seen.add(manager);
    checkPatchEnv(p.trainingRuntimeSpec, i);
    return { manager, trainingRuntimeSpec: p.trainingRuntimeSpec };
  });
}

/** The API rejects env patches on the trainer and initializer containers (docs/wire/trainer.md#runtime-patches). */
function checkPatchEnv(spec: Record<string, unknown>, index: number): void {
  const rjobs = (spec as { template?: { spec?: { replicatedJobs?: unknown } } }).template?.spec?.replicatedJobs;
  if (!Array.isArray(rjobs)) return;
  for (const rjob of rjobs as Array<{ template?: { spec?: { template?: { spec?: Record<string, unknown> } } } }>) {
    const pod = rjob?.template?.spec?.template?.spec;
    for (const list of [pod?.containers, pod?.initContainers]) {
      if (!Array.isArray(list)) continue;
      for (const c of list as Array<{ name?: string; env?: unknown[] }>) {
        if (c?.name && PATCH_ENV_FORBIDDEN.has(c.name) && Array.isArray(c.env) && c.env.length > 0) {
          throw new WireValidationError(
            'invalid_runtime_patch',
            `runtime patches may not set env on container '${c.name}'`,
            c.name === NODE ? 'pass trainer env instead' : 'pass the initializer env instead',
            `runtimePatches[${index}]`,
          );
        }
      }
    }
  }
}

/** Deep copy without null/undefined object fields; arrays (also empty ones) are kept. */
function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => compact(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = compact(v);
    return out as T;
  }
  return value;
}
