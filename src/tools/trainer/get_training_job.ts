import { z } from 'zod';
import { defineTool } from '../contract.js';
import { jobName, namespace } from '../schemas.js';
import { detail, jobDetail, renderDetail } from './views.js';

export const getTrainingJob = defineTool({
  name: 'get_training_job',
  module: 'trainer',
  category: 'discovery',
  risk: 'read',
  title: 'Get training job',
  description: 'A TrainJob\'s status, steps (pod phase, devices), conditions and progress.',
  input: z.object({ name: jobName, namespace }),
  output: jobDetail,
  run: async (a, ctx) => detail(await ctx.backend().getJob(ctx.namespace, a.name, ctx.signal)),
  render: renderDetail,
});
