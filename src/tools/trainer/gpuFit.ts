/**
 * The GPUs a job would take against what is free now, for the preview and check_prerequisites:
 * per node, the GPU request, and the nodes that could hold one training node each. Not enough
 * free now is a warning (the pods wait, or Kueue queues them); not enough on any node even when
 * idle is a failure (they would never be scheduled).
 */
import { parseQuantity } from '../../kube/quantity.js';
import { isAcceleratorResource } from '../../kubeflow/trainer/backends/kubernetes/cluster.js';
import type { ClusterResources, TrainerBackend } from '../../kubeflow/trainer/backend.js';
import { freePerNode } from '../../kubeflow/trainer/blockers.js';
import { GPU_RESOURCE } from '../../kubeflow/trainer/constants.js';
import type { Runtime, TrainJob } from '../../kubeflow/trainer/types.js';
import type { Check } from '../schemas.js';

/** The GPUs per node a runtime requests: its device count is per job (per node x nodes), as the SDK reports it. */
export const runtimeGpusPerNode = (r: Runtime): number =>
  r.trainer.device === 'gpu' ? Number(r.trainer.deviceCount) / Math.max(1, r.trainer.numNodes) || 1 : 0;

/** `perNode` GPUs of `resource` (any GPU resource when not given) on each of `nodes` nodes; undefined when no GPU is asked for. */
export function gpuFit(cluster: ClusterResources | undefined, nodes: number, perNode: number, resource?: string): Check | undefined {
  if (perNode === 0) return undefined;
  const takes = `takes ${nodes} node(s) x ${perNode} ${resource ?? 'GPU(s)'} = ${nodes * perNode}`;
  if (!cluster || cluster.nodes.length === 0)
    return { check: 'gpus', ok: null, detail: `${takes}; free GPUs cannot be seen here${cluster?.notes.length ? ` (${cluster.notes.join('; ')})` : ''}` };
  const usable = cluster.nodes.filter((n) => n.ready && n.schedulable);
  const offers = (n: (typeof usable)[number]) => n.gpus.filter((g) => !resource || g.resource === resource);
  const fitNow = usable.filter((n) => offers(n).some((g) => g.allocatable - g.requested >= perNode)).length;
  const fitIdle = usable.filter((n) => offers(n).some((g) => g.allocatable >= perNode)).length;
  const kinds = resource ? [resource] : [...new Set(cluster.nodes.flatMap((n) => n.gpus.map((g) => g.resource)))];
  const free = kinds.map((r) => freePerNode(cluster.nodes, r)).join('; ') || 'no node offers GPUs';
  if (fitNow >= nodes) return { check: 'gpus', ok: true, detail: `${takes}; free per node: ${free}` };
  if (fitIdle >= nodes) return { check: 'gpus', ok: null, detail: `${takes}; only ${fitNow} node(s) have ${perNode} free now (${free}): it waits for GPUs` };
  return {
    check: 'gpus',
    ok: false,
    detail: `${takes}; only ${fitIdle} node(s) have ${perNode} at all (${free}): it can never be scheduled — ask for fewer per node`,
  };
}

/** The preview's check: the job's own GPU request, else its runtime's. */
export async function gpuFitCheck(
  backend: TrainerBackend,
  namespace: string,
  job: TrainJob,
  runtime: Runtime,
  signal?: AbortSignal,
): Promise<Check | undefined> {
  const own = Object.entries(job.spec.trainer?.resourcesPerNode?.limits ?? {}).find(([k]) => isAcceleratorResource(k));
  const [resource, perNode] = own ? [own[0], parseQuantity(own[1]) || 0] : [GPU_RESOURCE, runtimeGpusPerNode(runtime)];
  if (perNode === 0) return undefined;
  const cluster = await backend.clusterResources(namespace, signal).catch(() => undefined);
  return gpuFit(cluster, job.spec.trainer?.numNodes || runtime.trainer.numNodes || 1, perNode, resource);
}
