/**
 * From a TrainRequest to what the local backend stores: what only a cluster can do is refused up
 * front, the TrainJob is built with the shared builders (so previews look as on Kubernetes and the
 * same input validation applies), and the initial status record is derived from it.
 */
import type { TrainRequest } from '../../backend.js';
import { containerDevice } from '../../devices.js';
import { codeOrContainerTrainer } from '../../requestTrainer.js';
import type { Runtime, TrainerSpec, TrainJob } from '../../types.js';
import { parseSecretRef } from '../../../../kube/secretRef.js';
import { LocalBackendError } from './errors.js';
import { numNodesOf } from './launch.js';
import type { JobRecord, StoredJob } from './records.js';

/** Annotation on the dry-run answer: the command the job runs on this machine. */
export const LOCAL_COMMAND_ANNOTATION = 'kubeflow-mcp/local-command';

export function refuseUnsupported(request: TrainRequest): void {
  const t = request.trainer;
  if (t.kind === 'builtin') {
    throw new LocalBackendError(
      'not_supported_locally',
      "built-in TorchTune fine-tuning (fine_tune) needs a Kubeflow cluster: it runs the Trainer's torchtune runtimes with model and dataset initializers, which this machine does not have (kubeflow-mcp is using the local backend because no kubeconfig was found)",
      'start kubeflow-mcp with --backend kubernetes and a kubeconfig for a cluster with Kubeflow Trainer, or write the fine-tuning loop yourself (e.g. transformers + peft) and run it here with run_custom_training',
      'trainer',
    );
  }
  if (request.initializer?.model || request.initializer?.dataset) {
    throw new LocalBackendError(
      'not_supported_locally',
      "model and dataset initializers need a Kubeflow cluster (they download into the TrainJob's shared volume)",
      'download inside your training function instead (e.g. huggingface_hub.snapshot_download), or use --backend kubernetes',
      'initializer',
    );
  }
  const secretRef = Object.entries(t.env ?? {}).find(([, v]) => parseSecretRef(v));
  if (secretRef) {
    throw new LocalBackendError(
      'not_supported_locally',
      `env ${secretRef[0]} refers to a Kubernetes Secret (${secretRef[1]}), which this machine cannot read`,
      'set the variable in the environment the job reads from (e.g. a file your code loads), or use --backend kubernetes',
      `env.${secretRef[0]}`,
    );
  }
  if (t.kind === 'custom' && t.image) {
    throw new LocalBackendError(
      'not_supported_locally',
      `the local backend runs training functions with this machine's Python, not in the image '${t.image}'`,
      'leave image out, or run the image itself with run_container_training, or use --backend kubernetes',
      'image',
    );
  }
  if (t.kind === 'container' && (t.numNodes ?? 1) > 1) {
    throw new LocalBackendError(
      'not_supported_locally',
      `the local backend runs one container per job; num_nodes=${t.numNodes} is not supported`,
      'use num_nodes=1, or run a Python function with run_custom_training (torchrun for several processes), or use --backend kubernetes',
      'numNodes',
    );
  }
}

export function trainerSpec(request: TrainRequest, runtime: Runtime): TrainerSpec {
  const t = request.trainer;
  if (t.kind === 'builtin') throw new Error('builtin trainers are refused before building');
  return codeOrContainerTrainer(runtime, t);
}

export function withLocalCommand(object: TrainJob, commandLine: string): TrainJob {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [LOCAL_COMMAND_ANNOTATION]: commandLine } } };
}

export function initialRecord(job: StoredJob): JobRecord {
  const resources = job.object.spec.trainer?.resourcesPerNode;
  // One process per node: a CPU each unless the job says otherwise.
  const device = resources ? containerDevice(resources) : { device: 'cpu', deviceCount: '1' };
  return {
    version: 1,
    uid: job.uid,
    name: job.name,
    namespace: job.namespace,
    runtime: { name: job.runtime.name, kind: job.runtime.kind },
    trainerKind: job.request.trainer.kind === 'container' ? 'container' : 'custom',
    numNodes: numNodesOf(job),
    device: device.device,
    deviceCount: device.deviceCount,
    labels: job.object.metadata.labels ?? {},
    ...(job.object.metadata.annotations ? { annotations: job.object.metadata.annotations } : {}),
    ...(resources?.limits ? { resources: resources.limits } : {}),
    createdAt: job.createdAt,
    seq: job.seq,
    phase: 'Queued',
    suspended: false,
    ...(job.request.activeDeadlineSeconds ? { activeDeadlineSeconds: job.request.activeDeadlineSeconds } : {}),
    conditions: [],
    history: [{ time: job.createdAt, status: 'Created', detail: 'Queued' }],
  };
}
