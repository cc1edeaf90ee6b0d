import { z } from 'zod';
import { defineTool } from '../contract.js';
import { renderLog } from '../render.js';
import { jobName, namespace, stepName } from '../schemas.js';

const trainingLogs = z.object({ name: z.string(), step: z.string(), pod: z.string(), lines: z.array(z.string()), truncated: z.boolean() });
export type TrainingLogs = z.infer<typeof trainingLogs>;

export const getTrainingLogs = defineTool({
  name: 'get_training_logs',
  module: 'trainer',
  category: 'monitoring',
  risk: 'read',
  title: 'Training logs',
  description: 'Log tail of a step (node-N, dataset-/model-initializer); follow_seconds streams.',
  input: z.object({
    name: jobName,
    step: stepName,
    tail: z.int().min(1).max(1000).default(100),
    since_seconds: z.int().min(1).optional(),
    follow_seconds: z.int().min(1).max(60).optional(),
    namespace,
  }),
  output: trainingLogs,
  async run(a, ctx) {
    const res = await ctx
      .backend()
      .logs(ctx.namespace, a.name, { step: a.step, tail: a.tail, sinceSeconds: a.since_seconds, followSeconds: a.follow_seconds, signal: ctx.signal });
    return { name: a.name, step: res.step, pod: res.pod, lines: res.lines, truncated: res.truncated };
  },
  render: (o) =>
    renderLog(
      `${o.name} ${o.step} (pod ${o.pod})${o.truncated ? ` — last ${o.lines.length} lines; raise tail (max 1000) or use since_seconds for more` : ''}`,
      o.lines,
    ),
});
