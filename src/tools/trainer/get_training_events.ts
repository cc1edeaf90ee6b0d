import { z } from 'zod';
import { eventTime } from '../../kube/events.js';
import { defineTool } from '../contract.js';
import { age, table } from '../render.js';
import { jobName, namespace } from '../schemas.js';

const trainingEvents = z.object({
  name: z.string(),
  events: z.array(z.object({ time: z.string(), type: z.string(), reason: z.string(), object: z.string(), message: z.string(), count: z.number() })),
  omitted: z.number(),
});
export type TrainingEvents = z.infer<typeof trainingEvents>;

export const getTrainingEvents = defineTool({
  name: 'get_training_events',
  module: 'trainer',
  category: 'monitoring',
  risk: 'read',
  title: 'Training events',
  description: 'Events of a TrainJob and its pods (scheduling, image pulls, failures).',
  input: z.object({ name: jobName, limit: z.int().min(1).max(500).default(50), namespace }),
  output: trainingEvents,
  async run(a, ctx) {
    const all = await ctx.backend().events(ctx.namespace, a.name, ctx.signal);
    const shown = all.slice(-a.limit);
    return {
      name: a.name,
      events: shown.map((e) => ({
        time: eventTime(e),
        type: e.type ?? 'Normal',
        reason: e.reason ?? '',
        object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
        message: e.message ?? '',
        count: e.count ?? 1,
      })),
      omitted: all.length - shown.length,
    };
  },
  render: (o) =>
    [
      table(
        ['AGE', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
        o.events.map((e) => [age(e.time), e.type, e.reason, e.object, e.count > 1 ? `${e.message} (x${e.count})` : e.message]),
        `No events for ${o.name}.`,
      ),
      o.omitted ? `(${o.omitted} older events omitted; raise limit to see them)` : '',
    ]
      .filter(Boolean)
      .join('\n'),
});
