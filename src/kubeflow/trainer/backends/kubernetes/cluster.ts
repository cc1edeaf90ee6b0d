/**
 * Cluster capacity for planning: per node, allocatable vs requested CPU, memory and accelerators
 * (by resource name and GPU product). Requested = sum of requests of non-terminated pods, which is
 * what the scheduler counts. RBAC often hides nodes or cluster-wide pods from ordinary users; then
 * the answer is partial and says so.
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../../../kube/client.js';
import { GiB, parseQuantity } from '../../../../kube/quantity.js';
import type { Node, Pod } from '../../../../kube/types.js';
import { gpuMemoryGb } from '../../../planning/gpus.js';
import type { NodeSummary } from '../../backend.js';

/** Resource names that denote accelerators. */
export function isAcceleratorResource(name: string): boolean {
  return /^(nvidia\.com\/(gpu|mig-.+)|amd\.com\/gpu|google\.com\/tpu|habana\.ai\/gaudi|intel\.com\/gpu.*|huawei\.com\/ascend.*|aws\.amazon\.com\/neuron.*)$/i.test(
    name,
  );
}

const PRODUCT_LABELS = [
  'nvidia.com/gpu.product',
  'amd.com/gpu.product-name',
  'cloud.google.com/gke-accelerator',
  'cloud.google.com/gke-tpu-accelerator',
  'node.kubernetes.io/instance-type',
];

export async function clusterNodes(kube: KubeClient, signal?: AbortSignal): Promise<{ nodes: NodeSummary[]; notes: string[] }> {
  const notes: string[] = [];
  let nodes: Node[];
  try {
    nodes = (await kube.list<Node>(RESOURCES.nodes, undefined, undefined, signal)).items;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 403) {
      return {
        nodes: [],
        notes: [`nodes are hidden from you by RBAC (${err.message}); GPU availability is unknown — ask an admin, or rely on check_prerequisites' dry-run`],
      };
    }
    throw err;
  }
  const requested = new Map<string, Map<string, number>>();
  try {
    let cont: string | undefined;
    do {
      const page = await kube.list<Pod>(
        RESOURCES.pods,
        undefined,
        { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', limit: 500, continue: cont },
        signal,
      );
      for (const pod of page.items) addRequests(requested, pod);
      cont = page.metadata.continue || undefined;
    } while (cont);
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 403)) throw err;
    notes.push(`cannot list pods in all namespaces (${err.message}); "requested" counts are unknown (shown as 0)`);
  }
  return { nodes: nodes.map((n) => summarize(n, requested.get(n.metadata.name ?? '') ?? new Map<string, number>())), notes };
}

function addRequests(acc: Map<string, Map<string, number>>, pod: Pod): void {
  const node = pod.spec?.nodeName;
  if (!node) return;
  const m = acc.get(node) ?? new Map<string, number>();
  acc.set(node, m);
  for (const c of pod.spec?.containers ?? []) {
    // Extended resources (GPUs) are requested via limits when requests are absent.
    const res = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
    for (const [k, v] of Object.entries(res)) m.set(k, (m.get(k) ?? 0) + (parseQuantity(v) || 0));
  }
}

function summarize(node: Node, req: Map<string, number>): NodeSummary {
  const alloc = node.status?.allocatable ?? {};
  const labels = node.metadata.labels ?? {};
  const product = PRODUCT_LABELS.map((l) => labels[l]).find(Boolean);
  const gpus = Object.keys(alloc)
    .filter(isAcceleratorResource)
    .map((resource) => ({
      resource,
      product,
      memoryGb: product ? gpuMemoryGb(product, labels) : undefined,
      allocatable: parseQuantity(alloc[resource]) || 0,
      requested: req.get(resource) ?? 0,
    }))
    .filter((g) => g.allocatable > 0);
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return {
    name: node.metadata.name ?? '',
    ready,
    schedulable: !node.spec?.unschedulable,
    cpu: { allocatable: round(parseQuantity(alloc.cpu) || 0), requested: round(req.get('cpu') ?? 0) },
    memoryGiB: { allocatable: round((parseQuantity(alloc.memory) || 0) / GiB), requested: round((req.get('memory') ?? 0) / GiB) },
    gpus,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
