/** How TrainJob views appear in tool outputs (shared by discovery, monitoring and lifecycle tools). */
import { z } from 'zod';
import type { TrainJobView } from '../../kubeflow/trainer/types.js';
import { age, fields, table } from '../render.js';

export const jobStatus = z.enum(['Created', 'Running', 'Suspended', 'Complete', 'Failed', 'Unknown']);

export const jobSummary = z.object({
  name: z.string(),
  status: jobStatus,
  runtime: z.string(),
  num_nodes: z.number(),
  created: z.string(),
});

export const jobDetail = z.object({
  job: jobSummary.extend({ namespace: z.string(), runtime_kind: z.string() }),
  steps: z.array(z.object({ name: z.string(), status: z.string().nullable(), pod: z.string(), device: z.string(), device_count: z.string() })),
  conditions: z.array(z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional(), time: z.string().optional() })),
  progress: z
    .object({ percent: z.number().optional(), eta_seconds: z.number().optional(), metrics: z.record(z.string(), z.string()).optional(), updated: z.string().optional() })
    .optional(),
});
export type JobDetail = z.infer<typeof jobDetail>;

export function summarize(v: TrainJobView): z.infer<typeof jobSummary> {
  return { name: v.name, status: v.status, runtime: v.runtime.name, num_nodes: v.numNodes, created: v.creationTimestamp };
}

export function detail(v: TrainJobView): JobDetail {
  const ts = v.trainerStatus;
  return {
    job: { ...summarize(v), namespace: v.namespace, runtime_kind: v.runtime.kind },
    steps: v.steps.map((s) => ({ name: s.name, status: s.status, pod: s.podName, device: s.device, device_count: s.deviceCount })),
    conditions: v.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, time: c.lastTransitionTime })),
    ...(ts
      ? {
          progress: {
            percent: ts.progressPercentage,
            eta_seconds: ts.estimatedRemainingSeconds,
            metrics: ts.metrics ? Object.fromEntries(ts.metrics.map((m) => [m.name, m.value])) : undefined,
            updated: ts.lastUpdatedTime,
          },
        }
      : {}),
  };
}

export function renderDetail(d: JobDetail): string {
  const { job: j, progress: p } = d;
  return [
    fields([
      ['job', `${j.name} (${j.namespace})`],
      ['status', j.status],
      ['runtime', `${j.runtime} (${j.runtime_kind})`],
      ['nodes', j.num_nodes],
      ['age', age(j.created)],
      ['progress', p ? `${p.percent ?? '?'}%${p.eta_seconds !== undefined ? `, ~${p.eta_seconds}s left` : ''}${p.metrics ? ` ${Object.entries(p.metrics).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}` : undefined],
    ]),
    'steps:',
    table(['STEP', 'STATUS', 'DEVICE', 'POD'], d.steps.map((s) => [s.name, s.status, `${s.device}x${s.device_count}`, s.pod]), '  (no pods yet)'),
    'conditions:',
    table(['TYPE', 'STATUS', 'REASON', 'MESSAGE'], d.conditions.map((c) => [c.type, c.status, c.reason, c.message]), '  (none)'),
  ].join('\n');
}
