/** How TrainJob views appear in tool outputs (shared by discovery, monitoring and lifecycle tools). */
import { z } from 'zod';
import type { Blocker } from '../../kubeflow/trainer/blockers.js';
import { MetricsReader } from '../../kubeflow/trainer/metrics.js';
import type { TrainJobView } from '../../kubeflow/trainer/types.js';
import type { ToolContext } from '../context.js';
import { age, fields, table } from '../render.js';

export const jobStatus = z.enum(['Created', 'Running', 'Suspended', 'Complete', 'Failed', 'Unknown']);

export const jobSummary = z.object({
  name: z.string(),
  status: jobStatus,
  runtime: z.string(),
  num_nodes: z.number(),
  created: z.string(),
});

/**
 * Progress as the trainer reports it (status.trainerStatus, the TrainJobStatus feature), or, where
 * it reports no metrics, the latest ones its log printed (`step` then says where).
 */
export const trainerProgress = z.object({
  percent: z.number().optional(),
  eta_seconds: z.number().optional(),
  metrics: z.record(z.string(), z.string()).optional(),
  step: z.number().optional(),
  updated: z.string().optional(),
});
export type TrainerProgress = z.infer<typeof trainerProgress>;

export function fromTrainerStatus(ts: NonNullable<TrainJobView['trainerStatus']>): TrainerProgress {
  return {
    percent: ts.progressPercentage,
    eta_seconds: ts.estimatedRemainingSeconds,
    metrics: ts.metrics ? Object.fromEntries(ts.metrics.map((m) => [m.name, m.value])) : undefined,
    updated: ts.lastUpdatedTime,
  };
}

/** One line: "40%, ~2m left, loss=0.41 lr=2e-05 (step 120)". */
export function progressLine(p: TrainerProgress): string {
  const parts = [
    p.percent !== undefined ? `${p.percent}%` : undefined,
    p.eta_seconds !== undefined ? `~${duration(p.eta_seconds)} left` : undefined,
    p.metrics && Object.keys(p.metrics).length
      ? Object.entries(p.metrics)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') + (p.step !== undefined ? ` (step ${p.step})` : '')
      : undefined,
  ].filter(Boolean);
  return parts.join(', ') || '-';
}

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 360) / 10}h`;
}

export const jobDetail = z.object({
  job: jobSummary.extend({ namespace: z.string(), runtime_kind: z.string() }),
  steps: z.array(z.object({ name: z.string(), status: z.string().nullable(), pod: z.string(), device: z.string(), device_count: z.string() })),
  conditions: z.array(
    z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional(), time: z.string().optional() }),
  ),
  progress: trainerProgress.optional(),
  blockers: z
    .array(z.object({ reason: z.string(), step: z.string().optional(), message: z.string(), hint: z.string(), logs: z.array(z.string()).optional() }))
    .optional(),
});
export type JobDetail = z.infer<typeof jobDetail>;

function summarize(v: TrainJobView): z.infer<typeof jobSummary> {
  return { name: v.name, status: v.status, runtime: v.runtime.name, num_nodes: v.numNodes, created: v.creationTimestamp };
}

/** Lines of node-0's log tail read for the latest metrics. */
const LATEST_TAIL = 200;

/**
 * The view with what the tools add to it: blockers (why it is not running or failed) and, where
 * the trainer reports no metrics, the latest ones of node-0's log tail. Neither extra read can
 * fail the call: what cannot be read is left out.
 */
export async function inspect(ctx: ToolContext, name: string): Promise<JobDetail> {
  const { job, blockers } = await ctx.backend().diagnose(ctx.namespace, name, ctx.signal);
  return withInsight(ctx, job, blockers);
}

export async function withInsight(ctx: ToolContext, job: TrainJobView, blockers: Blocker[]): Promise<JobDetail> {
  const d = detail(job);
  if (blockers.length) d.blockers = blockers;
  const node0 = job.steps.find((s) => s.name === 'node-0');
  if (!d.progress?.metrics && node0 && node0.status !== 'Pending') {
    const latest = await latestLogMetrics(ctx, job.name);
    if (latest) d.progress = { ...d.progress, ...latest };
  }
  return d;
}

async function latestLogMetrics(ctx: ToolContext, job: string): Promise<Pick<TrainerProgress, 'metrics' | 'step'> | undefined> {
  try {
    const res = await ctx.backend().logs(ctx.namespace, job, { step: 'node-0', tail: LATEST_TAIL, signal: ctx.signal });
    const reader = new MetricsReader();
    for (const line of res.lines) reader.push(line);
    const { step, values } = reader.latest();
    const entries = Object.entries(values).slice(0, 6);
    if (!entries.length) return undefined;
    return { metrics: Object.fromEntries(entries.map(([k, v]) => [k, String(v)])), ...(step !== undefined ? { step } : {}) };
  } catch (err) {
    if (ctx.signal?.aborted) throw err;
    return undefined;
  }
}

export function detail(v: TrainJobView): JobDetail {
  const ts = v.trainerStatus;
  return {
    job: { ...summarize(v), namespace: v.namespace, runtime_kind: v.runtime.kind },
    steps: v.steps.map((s) => ({ name: s.name, status: s.status, pod: s.podName, device: s.device, device_count: s.deviceCount })),
    conditions: v.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, time: c.lastTransitionTime })),
    ...(ts ? { progress: fromTrainerStatus(ts) } : {}),
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
      ['progress', p ? progressLine(p) : undefined],
    ]),
    'steps:',
    table(
      ['STEP', 'STATUS', 'DEVICE', 'POD'],
      d.steps.map((s) => [s.name, s.status, `${s.device}x${s.device_count}`, s.pod]),
      '  (no pods yet)',
    ),
    'conditions:',
    table(
      ['TYPE', 'STATUS', 'REASON', 'MESSAGE'],
      d.conditions.map((c) => [c.type, c.status, c.reason, c.message]),
      '  (none)',
    ),
    ...(d.blockers?.length ? ['blockers:', ...d.blockers.flatMap(renderBlocker)] : []),
  ].join('\n');
}

function renderBlocker(b: NonNullable<JobDetail['blockers']>[number]): string[] {
  return [`  ${b.reason}${b.step ? ` (${b.step})` : ''}: ${b.message}`, `    hint: ${b.hint}`, ...(b.logs ?? []).map((l) => `    | ${l}`)];
}
