/** How Katib experiments appear in tool outputs. */
import { z } from 'zod';
import type { ExperimentSummary, ExperimentView, TrialView } from '../../kubeflow/optimizer/types.js';
import { age, fields, kv, table } from '../render.js';

export const experimentStatus = z.enum(['Created', 'Running', 'Complete', 'Failed']);

const metric = z.object({ name: z.string(), min: z.string(), max: z.string(), latest: z.string() });
export const best = z.object({ trial: z.string(), parameters: z.record(z.string(), z.string()), metrics: z.array(metric) });

export const experimentSummary = z.object({
  name: z.string(),
  status: experimentStatus,
  reason: z.string().optional(),
  algorithm: z.string(),
  objective: z.string(),
  trials: z.object({ total: z.number(), succeeded: z.number(), failed: z.number(), running: z.number(), max: z.number().optional() }),
  best: best.optional(),
  created: z.string(),
});

const trialRow = z.object({
  name: z.string(),
  status: z.string(),
  parameters: z.record(z.string(), z.string()),
  metrics: z.record(z.string(), z.string()),
});

export function summaryOut(s: ExperimentSummary): z.infer<typeof experimentSummary> {
  return {
    name: s.name,
    status: s.status,
    reason: s.reason,
    algorithm: s.algorithm.name,
    objective: `${s.objective.direction} ${s.objective.metric}${s.objective.goal !== undefined ? ` (goal ${s.objective.goal})` : ''}`,
    trials: { total: s.trialCounts.total, succeeded: s.trialCounts.succeeded, failed: s.trialCounts.failed, running: s.trialCounts.running, max: s.maxTrials },
    best: s.best,
    created: s.creationTimestamp,
  };
}

function trialOut(t: TrialView): z.infer<typeof trialRow> {
  return { name: t.name, status: t.status, parameters: t.parameters, metrics: Object.fromEntries(t.metrics.map((m) => [m.name, m.latest])) };
}

export function detailOut(v: ExperimentView) {
  return { experiment: summaryOut(v), trials: v.trials.map(trialOut), trials_truncated: v.trialsTruncated };
}

export const experimentDetail = z.object({ experiment: experimentSummary, trials: z.array(trialRow), trials_truncated: z.boolean() });
export type ExperimentDetail = z.infer<typeof experimentDetail>;

export function renderBest(b: z.infer<typeof best> | undefined): string {
  return b
    ? `best: ${b.trial} ${kv(b.parameters, ' ')} -> ${b.metrics.map((m) => `${m.name}=${m.latest}`).join(' ')}`
    : 'best: (no trial has reported the objective yet)';
}

export function renderDetail(d: z.infer<typeof experimentDetail>): string {
  const e = d.experiment;
  return [
    fields([
      ['experiment', e.name],
      ['status', `${e.status}${e.reason ? ` (${e.reason})` : ''}`],
      ['algorithm', e.algorithm],
      ['objective', e.objective],
      ['trials', `${e.trials.succeeded} succeeded, ${e.trials.failed} failed, ${e.trials.running} running of ${e.trials.max ?? '?'}`],
      ['age', age(e.created)],
    ]),
    renderBest(e.best),
    table(
      ['TRIAL', 'STATUS', 'PARAMETERS', 'METRICS'],
      d.trials.map((t) => [t.name, t.status, kv(t.parameters, ' '), kv(t.metrics, ' ')]),
      '(no trials yet)',
    ),
    d.trials_truncated ? '(more trials exist than shown)' : '',
  ]
    .filter(Boolean)
    .join('\n');
}
