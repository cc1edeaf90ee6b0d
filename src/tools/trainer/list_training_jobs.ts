import { z } from 'zod';
import { defineTool } from '../contract.js';
import { age, table } from '../render.js';
import { namespace } from '../schemas.js';
import { jobStatus, jobSummary, summarize } from './views.js';

export const listTrainingJobs = defineTool({
  name: 'list_training_jobs',
  module: 'trainer',
  category: 'discovery',
  risk: 'read',
  title: 'List training jobs',
  description: 'TrainJobs in a namespace, newest first; filter by status, runtime, labels; paged.',
  input: z.object({
    status: jobStatus.exclude(['Unknown']).optional(),
    runtime: z.string().min(1).optional(),
    labels: z.string().min(1).max(1000).optional().describe('selector, e.g. team=nlp'),
    limit: z.int().min(1).max(200).default(50),
    continue: z.string().optional(),
    namespace,
  }),
  output: z.object({ namespace: z.string(), jobs: z.array(jobSummary), continue: z.string().optional(), filtered_out: z.number() }),
  async run(a, ctx) {
    const page = await ctx.backend().listJobs(ctx.namespace, { labelSelector: a.labels, limit: a.limit, continue: a.continue, signal: ctx.signal });
    const matching = page.jobs.filter((j) => (!a.status || j.status === a.status) && (!a.runtime || j.runtime.name === a.runtime));
    const jobs = matching.map(summarize).sort((x, y) => y.created.localeCompare(x.created));
    return { namespace: ctx.namespace, jobs, continue: page.continue, filtered_out: page.jobs.length - matching.length };
  },
  render: (o) =>
    [
      table(['NAME', 'STATUS', 'RUNTIME', 'NODES', 'AGE'], o.jobs.map((j) => [j.name, j.status, j.runtime, j.num_nodes, age(j.created)]), `No TrainJobs in ${o.namespace}${o.filtered_out ? ' match the filters' : ''}.`),
      o.continue ? `More jobs: call again with continue="${o.continue}".` : '',
    ]
      .filter(Boolean)
      .join('\n'),
});
