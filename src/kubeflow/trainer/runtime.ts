/**
 * (Cluster)TrainingRuntime object → `Runtime` view (docs/wire/trainer.md#runtime-view), and the SDK's merge of the
 * cluster and namespaced runtime lists (list_runtimes, docs/wire/trainer.md#runtime-lookup).
 */
import type { Container } from '../../kube/types.js';
import {
  LABEL_ANCESTOR,
  DATASET_INITIALIZER,
  LABEL_FRAMEWORK,
  MODEL_INITIALIZER,
  NODE,
  SUPPORT_DEPRECATED,
  LABEL_SUPPORT,
  TORCHTUNE_FRAMEWORK,
} from './constants.js';
import { PYTHON_VERSION_ANNOTATION } from '../python/target.js';
import { containerDevice, isDigits } from './devices.js';
import { WireValidationError } from './errors.js';
import { entryCommandTemplate } from './script.js';
import type { EntryTemplate, MLPolicyKind, ReplicatedJob, Runtime, RuntimeKind, TrainingRuntimeObject } from './types.js';

const ML_POLICIES: readonly MLPolicyKind[] = ['torch', 'mpi', 'jax', 'xgboost', 'flux'];

/**
 * Converts a runtime object. `kind` defaults to the object's own `kind` (list items from the API
 * server carry it). Throws WireValidationError for objects the SDK rejects: missing name,
 * mlPolicy, replicated jobs, framework label, or trainer container.
 */
export function runtimeFromObject(obj: TrainingRuntimeObject, kind?: RuntimeKind): Runtime {
  const name = obj.metadata?.name;
  const k = kind ?? obj.kind;
  const mlPolicy = obj.spec?.mlPolicy;
  const rjobs = obj.spec?.template?.spec?.replicatedJobs;
  if (!name || !mlPolicy || !Array.isArray(rjobs) || rjobs.length === 0) {
    throw new WireValidationError(
      'invalid_runtime',
      `runtime '${name ?? '<unnamed>'}' is missing metadata.name, spec.mlPolicy or spec.template.spec.replicatedJobs`,
      'fix the runtime manifest, or choose another runtime',
      'runtime',
    );
  }
  if (k !== 'ClusterTrainingRuntime' && k !== 'TrainingRuntime') {
    throw new WireValidationError(
      'invalid_runtime',
      `runtime '${name}' has unknown kind '${String(k)}'`,
      'pass kind ClusterTrainingRuntime or TrainingRuntime',
      'runtime',
    );
  }
  const framework = obj.metadata.labels?.[LABEL_FRAMEWORK];
  if (framework === undefined) {
    throw new WireValidationError(
      'missing_framework_label',
      `runtime '${name}' has no '${LABEL_FRAMEWORK}' label`,
      `ask the cluster admin to label it (e.g. ${LABEL_FRAMEWORK}=torch), or choose a labelled runtime`,
      'runtime',
    );
  }

  const trainer = trainerContainer(rjobs);
  if (!trainer?.image) {
    throw new WireValidationError(
      'invalid_runtime',
      `runtime '${name}' has no trainer container: no replicated job labelled '${LABEL_ANCESTOR}' has a container named '${NODE}' with an image`,
      'fix the runtime manifest, or choose another runtime',
      'runtime',
    );
  }

  const isTorchTune = framework === TORCHTUNE_FRAMEWORK;
  const accelerator = containerDevice(trainer.resources);
  const device = accelerator.device;
  let deviceCount = accelerator.deviceCount;
  // The MPI plugin's slots per node override the accelerator count.
  const mpiProcs = mlPolicy.mpi?.numProcPerNode;
  if (mpiProcs) deviceCount = String(mpiProcs);
  const policyNodes = mlPolicy.numNodes;
  if (isDigits(deviceCount) && policyNodes) deviceCount = String(Number(deviceCount) * policyNodes);

  const entry: EntryTemplate = isTorchTune
    ? 'torchtune'
    : mlPolicy.torch !== undefined && mlPolicy.torch !== null
      ? 'torch'
      : mlPolicy.mpi !== undefined && mlPolicy.mpi !== null
        ? 'mpi'
        : 'python';

  const dataset = initializerJob(rjobs, DATASET_INITIALIZER);
  const model = initializerJob(rjobs, MODEL_INITIALIZER);
  const defaultDatasetUri = dataset && storageUri(dataset, DATASET_INITIALIZER);
  const defaultModelUri = model && storageUri(model, MODEL_INITIALIZER);
  const policy = ML_POLICIES.find((p) => mlPolicy[p] !== undefined && mlPolicy[p] !== null);
  const pythonVersion = obj.metadata.annotations?.[PYTHON_VERSION_ANNOTATION];

  return {
    name,
    kind: k,
    trainer: {
      trainerType: isTorchTune ? 'BuiltinTrainer' : 'CustomTrainer',
      framework,
      image: trainer.image,
      numNodes: policyNodes || 1,
      device,
      deviceCount,
      command: entryCommandTemplate(entry),
    },
    entry,
    initializers: { dataset: dataset !== undefined, model: model !== undefined },
    ...(defaultDatasetUri ? { defaultDatasetUri } : {}),
    ...(defaultModelUri ? { defaultModelUri } : {}),
    deprecated: obj.metadata.labels?.[LABEL_SUPPORT] === SUPPORT_DEPRECATED,
    ...(policy ? { mlPolicy: policy } : {}),
    ...(pythonVersion ? { pythonVersion } : {}),
  };
}

/** First container named `node` in the replicated jobs carrying the ancestor label (any value). */
function trainerContainer(rjobs: ReplicatedJob[]): Container | undefined {
  for (const rjob of rjobs) {
    const labels = rjob.template?.metadata?.labels;
    if (!labels || !(LABEL_ANCESTOR in labels)) continue;
    const c = rjob.template.spec?.template?.spec?.containers?.find((x) => x.name === NODE);
    if (c) return c;
  }
  return undefined;
}

function initializerJob(rjobs: ReplicatedJob[], step: string): ReplicatedJob | undefined {
  return rjobs.find((r) => r.template?.metadata?.labels?.[LABEL_ANCESTOR] === step || r.name === step);
}

/** STORAGE_URI baked into the initializer container (what runs when the TrainJob sets none). */
function storageUri(rjob: ReplicatedJob, containerName: string): string | undefined {
  const containers = rjob.template.spec?.template?.spec?.containers ?? [];
  const c = containers.find((x) => x.name === containerName) ?? containers[0];
  return c?.env?.find((e) => e.name === 'STORAGE_URI')?.value || undefined;
}

// ---------------------------------------------------------------------------------------------

export interface SkippedRuntime {
  name: string;
  kind: RuntimeKind;
  reason: string;
}

/**
 * SDK list_runtimes merge: namespaced TrainingRuntimes first, then ClusterTrainingRuntimes whose
 * name no namespaced runtime takes (the namespaced one wins even when it is then skipped, exactly
 * as the SDK resolves names). Unlabelled or unreadable runtimes are returned in `skipped` with the
 * reason instead of failing the whole listing.
 */
export function pickRuntimes(
  cluster: readonly TrainingRuntimeObject[],
  namespaced: readonly TrainingRuntimeObject[],
): { runtimes: Runtime[]; skipped: SkippedRuntime[] } {
  const runtimes: Runtime[] = [];
  const skipped: SkippedRuntime[] = [];
  const taken = new Set<string>();
  const candidates: Array<[TrainingRuntimeObject, RuntimeKind]> = [];
  for (const obj of namespaced) {
    const name = obj.metadata?.name;
    if (!name || taken.has(name)) continue;
    taken.add(name);
    candidates.push([obj, 'TrainingRuntime']);
  }
  for (const obj of cluster) {
    const name = obj.metadata?.name;
    if (!name) continue;
    if (taken.has(name)) {
      skipped.push({ name, kind: 'ClusterTrainingRuntime', reason: `shadowed by the TrainingRuntime '${name}' in the namespace` });
      continue;
    }
    taken.add(name);
    candidates.push([obj, 'ClusterTrainingRuntime']);
  }
  for (const [obj, kind] of candidates) {
    try {
      runtimes.push(runtimeFromObject(obj, kind));
    } catch (e) {
      if (!(e instanceof WireValidationError)) throw e;
      skipped.push({ name: obj.metadata.name!, kind, reason: e.message });
    }
  }
  return { runtimes, skipped };
}
