import { z } from 'zod';
import { defineTool } from '../contract.js';
import { confirmed, jobName, namespace } from '../schemas.js';
import { lifecycleOutput, renderLifecycle, runLifecycle } from './lifecycle.js';

export const deleteTrainingJob = defineTool({
  name: 'delete_training_job',
  module: 'trainer',
  category: 'lifecycle',
  risk: 'destructive',
  title: 'Delete training job',
  description: 'Delete a TrainJob with its pods and logs.',
  input: z.object({ name: jobName, namespace, confirmed }),
  output: lifecycleOutput,
  run: (a, ctx) =>
    runLifecycle(
      ctx,
      {
        tool: 'delete_training_job',
        verb: 'delete',
        guard: () => undefined,
        act: async (c, job, dryRun) => {
          await c.backend().deleteJob(c.namespace, job.name, { dryRun, signal: c.signal });
          return undefined;
        },
        after: (job) => `Deleted ${job.name}; its workers and logs are being removed.`,
      },
      a.name,
      a.confirmed,
    ),
  render: renderLifecycle('delete'),
});
