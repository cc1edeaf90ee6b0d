/** Reading experiments: list, get, best results, logs, events. */
import { z } from 'zod';
import { defineTool } from '../contract.js';
import { eventList, latestEvents, renderEvents } from '../events.js';
import { age, renderLog, table } from '../render.js';
import { listingFields, listingHeader, moreLine, position } from '../listing.js';
import { jobName, namespace } from '../schemas.js';
import { best, detailOut, experimentDetail, experimentStatus, experimentSummary, renderBest, renderDetail, summaryOut } from './views.js';

export const listOptimizationJobs = defineTool({
  name: 'list_optimization_jobs',
  module: 'optimizer',
  category: 'discovery',
  risk: 'read',
  title: 'List optimization jobs',
  description: 'Katib experiments in a namespace, newest first, with counts by status: algorithm, trial counts, best result so far; paged.',
  input: z.object({ status: experimentStatus.optional(), limit: z.int().min(1).max(200).default(50), continue: z.string().max(400).optional(), namespace }),
  output: z.object({ namespace: z.string(), experiments: z.array(experimentSummary), ...listingFields }),
  async run(a, ctx) {
    const page = await ctx.optimizer().list(ctx.namespace, { limit: a.limit, continue: a.continue, status: a.status, signal: ctx.signal });
    return {
      namespace: ctx.namespace,
      experiments: page.experiments.map(summaryOut),
      ...position(page, { status: a.status }),
    };
  },
  render: (o) =>
    [
      listingHeader(o, o.experiments.length, 'experiments', `in ${o.namespace}`),
      o.experiments.length
        ? table(
            ['NAME', 'STATUS', 'ALGORITHM', 'TRIALS', 'BEST', 'AGE'],
            o.experiments.map((e) => [
              e.name,
              e.status,
              e.algorithm,
              `${e.trials.succeeded}/${e.trials.max ?? e.trials.total}`,
              e.best?.metrics.map((m) => `${m.name}=${m.latest}`).join(' '),
              age(e.created),
            ]),
          )
        : '',
      moreLine(o),
    ]
      .filter(Boolean)
      .join('\n'),
});

export const getOptimizationJob = defineTool({
  name: 'get_optimization_job',
  module: 'optimizer',
  category: 'discovery',
  risk: 'read',
  title: 'Get optimization job',
  dashboard: true,
  description: 'One Katib experiment with its trials: parameters, status and metrics of each.',
  input: z.object({ name: jobName, namespace }),
  output: experimentDetail,
  run: async (a, ctx) => detailOut(await ctx.optimizer().get(ctx.namespace, a.name, { signal: ctx.signal })),
  render: renderDetail,
});

export const getBestResults = defineTool({
  name: 'get_best_results',
  module: 'optimizer',
  category: 'discovery',
  risk: 'read',
  title: 'Best hyperparameters',
  description: "The best trial's parameters and metrics so far (Katib's currentOptimalTrial).",
  input: z.object({ name: jobName, namespace }),
  output: z.object({ name: z.string(), best: best.optional(), next: z.string() }),
  async run(a, ctx) {
    const b = await ctx.optimizer().bestResult(ctx.namespace, a.name, { signal: ctx.signal });
    return {
      name: a.name,
      best: b,
      next: b
        ? 'Train with them: pass best.parameters as func_args to run_custom_training (values are strings; convert in your code if needed).'
        : 'No trial has reported the objective yet; wait_for_optimization, then ask again.',
    };
  },
  render: (o) => [renderBest(o.best), o.next].join('\n'),
});

export const getOptimizationLogs = defineTool({
  name: 'get_optimization_logs',
  module: 'optimizer',
  category: 'monitoring',
  risk: 'read',
  title: 'Optimization logs',
  description: 'Log tail of a trial (default: the best, else the first) of an experiment.',
  input: z.object({
    name: jobName,
    trial: z.string().min(1).optional(),
    tail: z.int().min(1).max(1000).default(100),
    follow_seconds: z.int().min(1).max(60).optional(),
    namespace,
  }),
  output: z.object({ trial: z.string(), container: z.string(), lines: z.array(z.string()), truncated: z.boolean(), note: z.string() }),
  async run(a, ctx) {
    const r = await ctx.optimizer().logs(ctx.namespace, a.name, { trial: a.trial, tail: a.tail, followSeconds: a.follow_seconds, signal: ctx.signal });
    return { trial: r.trial, container: r.container, lines: r.lines, truncated: r.truncated, note: r.note };
  },
  render: (o) => renderLog(`${o.trial} (${o.container}; ${o.note})${o.truncated ? ' — older lines omitted; raise tail' : ''}`, o.lines),
});

export const getOptimizationEvents = defineTool({
  name: 'get_optimization_events',
  module: 'optimizer',
  category: 'monitoring',
  risk: 'read',
  title: 'Optimization events',
  description: 'Kubernetes events of an experiment, its trials and their jobs, the latest limit.',
  input: z.object({ name: jobName, limit: z.int().min(1).max(500).default(50), namespace }),
  output: z.object(eventList),
  run: async (a, ctx) => latestEvents((await ctx.optimizer().events(ctx.namespace, a.name, { signal: ctx.signal })).events, a.limit),
  render: (o) => renderEvents(o, 'No events.'),
});
