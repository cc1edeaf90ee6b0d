/** Waiting for and deleting experiments. */
import { z } from 'zod';
import type { ExperimentSummary } from '../../kubeflow/optimizer/types.js';
import { defineTool } from '../contract.js';
import { deletionTool } from '../deletion.js';
import { confirmed, jobName, namespace, waitHead, waitOutcome, waitOutcomeOf } from '../schemas.js';
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
    const outcome = waitOutcomeOf(res, status === 'Failed' || status === 'Complete');
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
  render: (o) => [waitHead(o.outcome, o.waited_seconds), renderDetail(o), o.next ?? ''].filter(Boolean).join('\n'),
});

/** Trials that will not run again: the progress of an experiment toward its trial budget. */
function finishedTrials(s: ExperimentSummary): number {
  const t = s.trialCounts;
  return t.succeeded + t.failed + t.killed + t.earlyStopped + t.metricsUnavailable;
}

export const deleteOptimizationJob = deletionTool({
  name: 'delete_optimization_job',
  module: 'optimizer',
  title: 'Delete optimization job',
  description: 'Delete a Katib experiment with its trials and their TrainJobs.',
  input: z.object({ name: jobName, namespace, confirmed }),
  async find(a, ctx) {
    const client = ctx.optimizer();
    const exp = await client.get(ctx.namespace, a.name, { signal: ctx.signal });
    const trials = exp.trialCounts.total;
    return {
      kind: 'Experiment',
      what: 'experiment',
      created: exp.creationTimestamp,
      annotations: exp.annotations,
      state: `${exp.status} with ${trials} trial(s)`,
      deletes: 'the Experiment, all its trials and their TrainJobs',
      remove: (dryRun) => client.delete(ctx.namespace, a.name, { dryRun, signal: ctx.signal }),
      after: `Deleted ${a.name} and its ${trials} trial(s).`,
    };
  },
});
