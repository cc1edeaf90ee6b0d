import { z } from 'zod';
import { MAX_POINTS, MetricsReader, type MetricSummary } from '../../kubeflow/trainer/metrics.js';
import { defineTool } from '../contract.js';
import { jobName, namespace } from '../schemas.js';
import { fromTrainerStatus, progressLine, trainerProgress } from './views.js';

/** value null: not a finite number (a diverged nan / inf). */
/** Rank 0 logs the metrics (torchrun, MPI launchers, the HF Trainer and TorchTune all do). */
const METRICS_STEP = 'node-0';
/** The trend is over this many last values. */
const TREND_WINDOW = 20;

const point = z.object({ x: z.number(), value: z.number().nullable() });

const trainingMetrics = z.object({
  step: z.string(),
  /** Lines read, and those with metrics. */
  lines: z.object({ read: z.number(), with_metrics: z.number() }),
  metrics: z.array(
    z.object({
      name: z.string(),
      points: z.number(),
      x: z.enum(['step', 'point']),
      first: point,
      last: point,
      min: point,
      max: point,
      trend: z.object({ window: z.number(), change: z.number(), relative: z.number(), direction: z.enum(['down', 'up', 'flat']) }),
      series: z.array(z.tuple([z.number(), z.number()])),
    }),
  ),
  progress: trainerProgress.optional(),
});
export type TrainingMetrics = z.infer<typeof trainingMetrics>;

export const getTrainingMetrics = defineTool({
  name: 'get_training_metrics',
  module: 'trainer',
  category: 'monitoring',
  risk: 'read',
  title: 'Training metrics',
  dashboard: true,
  description: "Loss etc. from node-0's whole log: first, last, min/max, trend, short series; trainer progress.",
  input: z.object({
    name: jobName,
    points: z.int().min(2).max(MAX_POINTS).default(12),
    namespace,
  }),
  output: trainingMetrics,
  async run(a, ctx) {
    const backend = ctx.backend();
    const reader = new MetricsReader();
    const [read, job] = await Promise.all([
      backend.readMetrics(ctx.namespace, a.name, { step: METRICS_STEP, reader, signal: ctx.signal }),
      backend.getJob(ctx.namespace, a.name, ctx.signal),
    ]);
    const report = reader.report({ window: TREND_WINDOW, points: a.points });
    const ts = job.trainerStatus;
    return {
      step: read.step,
      lines: { read: report.lines, with_metrics: report.metricLines },
      metrics: report.metrics.map(jsonSafe),
      ...(ts ? { progress: fromTrainerStatus(ts) } : {}),
    };
  },
  render: (o) => {
    const head = `${o.step}: ${o.lines.read.toLocaleString('en-US')} lines, ${o.lines.with_metrics.toLocaleString('en-US')} with metrics`;
    const out = [head];
    if (o.progress) out.push(`trainer: ${progressLine(o.progress)}`);
    if (o.metrics.length === 0) out.push('(no metric lines: print e.g. `loss=0.41 step=120`, or report trainerStatus)');
    for (const m of o.metrics) {
      const at = (p: { x: number; value: number | null }) => `${p.value ?? 'nan'}@${p.x}`;
      const pct = Math.round(m.trend.relative * 1000) / 10;
      if (m.min.value === m.max.value && m.points > 1) {
        out.push(`${m.name} (${m.points} pts): constant ${m.last.value ?? 'nan'}`);
        continue;
      }
      out.push(
        `${m.name} (${m.points} pts, x=${m.x}): first ${at(m.first)} last ${at(m.last)} min ${at(m.min)} max ${at(m.max)}; last ${m.trend.window}: ${m.trend.direction}${m.trend.direction === 'flat' ? '' : ` ${pct > 0 ? '+' : ''}${pct}%`}`,
      );
      if (m.series.length > 1) out.push(`  ${m.x} ${m.series[0]![0]}..${m.series[m.series.length - 1]![0]}: ${m.series.map(([, v]) => v).join(' ')}`);
    }
    return out.join('\n');
  },
});

/** JSON has no NaN or Infinity: such a value is null. */
function jsonSafe(m: MetricSummary) {
  const fix = (p: { x: number; value: number }) => ({ x: p.x, value: Number.isFinite(p.value) ? p.value : null });
  return { ...m, first: fix(m.first), last: fix(m.last), min: fix(m.min), max: fix(m.max) };
}
