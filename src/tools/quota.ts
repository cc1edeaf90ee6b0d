/**
 * ResourceQuota headroom for a job about to be submitted: what it requests (per node x nodes)
 * against hard - used of each matching quota line. Resources left to the runtime's defaults are
 * not known before the controller applies them, so they are not counted.
 */
import { parseQuantity } from '../kube/quantity.js';
import type { QuotaLine } from '../kubeflow/trainer/backend.js';
import type { TrainJob } from '../kubeflow/trainer/types.js';
import type { Check } from './schemas.js';

/** Total requests of the job by resource name, plus the object count. */
export function jobDemand(job: TrainJob, runtimeNodes: number): Map<string, number> {
  const nodes = job.spec.trainer?.numNodes || runtimeNodes || 1;
  const demand = new Map<string, number>([['count/trainjobs.trainer.kubeflow.org', 1]]);
  const res = job.spec.trainer?.resourcesPerNode;
  for (const [k, v] of Object.entries(res?.requests ?? {})) demand.set(`requests.${k}`, parseQuantity(v) * nodes);
  for (const [k, v] of Object.entries(res?.limits ?? {})) demand.set(`limits.${k}`, parseQuantity(v) * nodes);
  return demand;
}

/** Quota keys name requests either bare (cpu, memory) or prefixed (requests.cpu, requests.nvidia.com/gpu). */
function demandFor(resource: string, demand: Map<string, number>): number | undefined {
  return demand.get(resource) ?? (resource.includes('.') && !resource.startsWith('count/') ? undefined : demand.get(`requests.${resource}`));
}

export function quotaCheck(lines: QuotaLine[], demand: Map<string, number>, namespace: string): Check | undefined {
  if (lines.length === 0) return undefined;
  const short: string[] = [];
  for (const q of lines) {
    const need = demandFor(q.resource, demand);
    if (need === undefined) continue;
    const left = parseQuantity(q.hard) - parseQuantity(q.used);
    if (need > left + 1e-9) short.push(`${q.resource}: needs ${round(need)}, ${round(Math.max(0, left))} left of ${q.hard} (quota ${q.quota})`);
  }
  return short.length
    ? { check: 'quota', ok: false, detail: `exceeds the ResourceQuota in ${namespace}: ${short.join('; ')}` }
    : { check: 'quota', ok: true, detail: `fits the ResourceQuota in ${namespace}` };
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}
