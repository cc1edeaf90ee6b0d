import { z } from 'zod';
import { defineTool } from '../contract.js';
import { eventList, latestEvents, renderEvents } from '../events.js';
import { jobName, namespace } from '../schemas.js';

const trainingEvents = z.object({ name: z.string(), ...eventList });
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
  run: async (a, ctx) => ({ name: a.name, ...latestEvents(await ctx.backend().events(ctx.namespace, a.name, ctx.signal), a.limit) }),
  render: (o) => renderEvents(o, `No events for ${o.name}.`),
});
