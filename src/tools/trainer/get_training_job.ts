import { z } from 'zod';
import { defineTool } from '../contract.js';
import { jobName, namespace } from '../schemas.js';
import { inspect, jobDetail, renderDetail } from './views.js';

export const getTrainingJob = defineTool({
  name: 'get_training_job',
  module: 'trainer',
  category: 'discovery',
  risk: 'read',
  title: 'Get training job',
  dashboard: true,
  description: "A TrainJob's status, steps, conditions, progress, latest metrics; blockers with hints.",
  input: z.object({ name: jobName, namespace }),
  output: jobDetail,
  run: (a, ctx) => inspect(ctx, a.name),
  render: renderDetail,
});
