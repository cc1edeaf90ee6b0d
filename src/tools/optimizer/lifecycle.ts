/** Waiting for and deleting experiments. */
import { z } from 'zod';
import type { ExperimentSummary } from '../../kubeflow/optimizer/types.js';
import { defineMutation, defineTool } from '../contract.js';
import { renderChecks } from '../render.js';
import { check, confirmed, jobName, namespace, waitOutcome, type WaitOutcome } from '../schemas.js';
import { detailOut, experimentDetail, experimentStatus, renderDetail, summaryOut } from './views.js';

export const waitForOptimization = defineTool({
  name: 'wait_for_optimization',
  module: 'optimizer',
  category: 'monitoring',
  risk: 'read',
  title: 'Wait for optimization',
  dashboard: true,
  description: 'Wait until an experiment reaches status (default Complete) or fails; bounded, sends progress. Call again after a timeout.',
  input: z.object({
    name: jobName,
    status: experimentStatus.exclude(['Created']).default('Complete'),
    timeout_seconds: z.int().min(1).max(600).default(50),
    namespace,
  }),
  output: experimentDetail.extend({ outcome: waitOutcome, waited_seconds: z.number(), next: z.string().optional() }),
  async run(a, ctx) {
    let lastSeen: ExperimentSummary | undefined;
    const res = await ctx.optimizer().waitFor(ctx.namespace, a.name, {
      statuses: a.status === 'Running' ? ['Running', 'Complete'] : [a.status],
      timeoutSeconds: a.timeout_seconds,
      signal: ctx.signal,
      onChange: (s) => {
        lastSeen = s;
        void ctx.progress(finishedTrials(s), s.maxTrials, `${s.name}: ${s.status}, ${s.trialCounts.succeeded}/${s.maxTrials ?? '?'} trials succeeded`);
      },
    });
    if (res.deleted || !res.experiment) {
      const last = lastSeen ? summaryOut(lastSeen) : undefined;
      return {
        experiment: last ?? {
          name: a.name,
          status: 'Created' as const,
          algorithm: '',
          objective: '',
          trials: { total: 0, succeeded: 0, failed: 0, running: 0 },
          created: '',
        },
        trials: [],
        trials_truncated: false,
        outcome: 'deleted' as const,
        waited_seconds: res.waitedSeconds,
        next: `The experiment was deleted while waiting${last ? ` (last seen ${last.status})` : ''}; it no longer exists, nor do its trials. list_optimization_jobs shows what is left.`,
      };
    }
    const d = detailOut(res.experiment);
    const status = d.experiment.status;
    const outcome: WaitOutcome = res.reached ? 'reached' : status === 'Failed' || status === 'Complete' ? 'ended' : 'timed_out';
    return {
      ...d,
      outcome,
      waited_seconds: res.waitedSeconds,
      next: res.reached
        ? status === 'Complete'
          ? `Done. get_best_results(name="${a.name}") has the best parameters.`
          : undefined
        : status === 'Failed'
          ? `The experiment failed${d.experiment.reason ? ` (${d.experiment.reason})` : ''}: see get_optimization_events and get_optimization_logs.`
          : `Still ${status} after ${res.waitedSeconds}s. Call wait_for_optimization again to keep waiting.`,
    };
  },
  render: (o) =>
    [`${{ reached: 'REACHED', ended: 'ENDED', timed_out: 'NOT YET', deleted: 'DELETED' }[o.outcome]} after ${o.waited_seconds}s`, renderDetail(o), o.next ?? '']
      .filter(Boolean)
      .join('\n'),
});

/** Trials that will not run again: the progress of an experiment toward its trial budget. */
function finishedTrials(s: ExperimentSummary): number {
  const t = s.trialCounts;
  return t.succeeded + t.failed + t.killed + t.earlyStopped + t.metricsUnavailable;
}

export const deleteOptimizationJob = defineMutation({
  name: 'delete_optimization_job',
  module: 'optimizer',
  category: 'lifecycle',
  risk: 'destructive',
  title: 'Delete optimization job',
  description: 'Delete a Katib experiment with its trials and their TrainJobs.',
  input: z.object({ name: jobName, namespace, confirmed }),
  output: z.object({ status: z.enum(['preview', 'done']), name: z.string(), checks: z.array(check), ready: z.boolean(), next: z.string() }),
  mutation: {
    verb: 'delete',
    async plan(a, ctx) {
      const client = ctx.optimizer();
      const namespace = ctx.namespace;
      const exp = await client.get(namespace, a.name, { signal: ctx.signal });
      const trials = exp.trialCounts.total;
      return {
        summary: `Delete Experiment ${a.name} in ${namespace} with its trials`,
        // Bound to this experiment (name, namespace, creation); the trial count moves meanwhile.
        facts: [
          ['experiment', a.name],
          ['namespace', namespace],
          ['created', exp.creationTimestamp],
          ['deletes', 'the Experiment, all its trials and their TrainJobs'],
        ],
        checks: [{ check: 'experiment', ok: true, detail: `${a.name} is ${exp.status} with ${trials} trial(s)` }],
        existing: { name: a.name, annotations: exp.annotations },
        validate: { dryRun: () => client.delete(namespace, a.name, { dryRun: true, signal: ctx.signal }), by: 'the API server' },
        state: { name: a.name, namespace, trials },
      };
    },
    async apply(plan, ctx) {
      const { name, namespace, trials } = plan.state;
      await ctx.optimizer().delete(namespace, name, { signal: ctx.signal });
      return { status: 'done' as const, name, checks: [], ready: true, next: `Deleted ${name} and its ${trials} trial(s).` };
    },
    preview: (plan) => ({ name: plan.state.name }),
  },
  render: (o) =>
    [o.status === 'preview' ? `PREVIEW (nothing changed) — delete ${o.name}` : `DELETED ${o.name}`, renderChecks(o.checks), o.next].filter(Boolean).join('\n'),
});
