import { z } from 'zod';
import { defineTool } from '../contract.js';
import { listingFields, listingHeader, moreLine, position } from '../listing.js';
import { age, table } from '../render.js';
import { namespace } from '../schemas.js';
import { jobStatus, jobSummary } from './views.js';

export const listTrainingJobs = defineTool({
  name: 'list_training_jobs',
  module: 'trainer',
  category: 'discovery',
  risk: 'read',
  title: 'List training jobs',
  description: 'TrainJobs, newest first, with counts by status; filter by status, runtime, label selector.',
  input: z.object({
    status: jobStatus.exclude(['Unknown']).optional(),
    runtime: z.string().min(1).optional(),
    labels: z.string().min(1).max(1000).optional(),
    limit: z.int().min(1).max(200).default(50),
    continue: z.string().max(400).optional(),
    namespace,
  }),
  output: z.object({ namespace: z.string(), jobs: z.array(jobSummary), ...listingFields }),
  async run(a, ctx) {
    const page = await ctx
      .backend()
      .listJobs(ctx.namespace, { labelSelector: a.labels, status: a.status, runtime: a.runtime, limit: a.limit, continue: a.continue, signal: ctx.signal });
    return {
      namespace: ctx.namespace,
      jobs: page.jobs.map((j) => ({ name: j.name, status: j.status, runtime: j.runtime, num_nodes: j.numNodes, created: j.created })),
      ...position(page, { status: a.status, runtime: a.runtime, labels: a.labels }),
    };
  },
  render: (o) => {
    // A column every row shares is said once in the header instead (the listing's token budget).
    const runtimes = new Set(o.jobs.map((j) => j.runtime));
    const nodes = new Set(o.jobs.map((j) => j.num_nodes));
    const shared = [runtimes.size === 1 ? `runtime ${[...runtimes][0]}` : '', nodes.size === 1 ? `${[...nodes][0]} node(s)` : ''].filter(Boolean);
    const headers = ['NAME', 'STATUS', ...(runtimes.size > 1 ? ['RUNTIME'] : []), ...(nodes.size > 1 ? ['NODES'] : []), 'AGE'];
    const rows = o.jobs.map((j) => [j.name, j.status, ...(runtimes.size > 1 ? [j.runtime] : []), ...(nodes.size > 1 ? [j.num_nodes] : []), age(j.created)]);
    return [
      listingHeader(o, o.jobs.length, 'TrainJobs', `in ${o.namespace}`),
      shared.length ? `All shown: ${shared.join(', ')}.` : '',
      o.jobs.length ? table(headers, rows) : '',
      moreLine(o),
    ]
      .filter(Boolean)
      .join('\n');
  },
});
