import { z } from 'zod';
import { withHeartbeat } from '../context.js';
import { defineTool } from '../contract.js';
import { jobName, namespace, waitHead, waitOutcome, waitOutcomeOf, type WaitOutcome } from '../schemas.js';
import { detail, jobDetail, renderDetail, withInsight } from './views.js';

export const waitForTraining = defineTool({
  name: 'wait_for_training',
  module: 'trainer',
  category: 'monitoring',
  risk: 'read',
  title: 'Wait for training',
  dashboard: true,
  description: 'Wait (bounded, with progress) until a TrainJob reaches status or fails; call again on timeout.',
  input: z.object({
    name: jobName,
    status: z.enum(['Running', 'Suspended', 'Complete', 'Failed']).default('Complete'),
    timeout_seconds: z.int().min(1).max(600).default(50),
    namespace,
  }),
  output: jobDetail.extend({
    outcome: waitOutcome,
    waited_seconds: z.number(),
    next: z.string().optional(),
  }),
  async run(a, ctx) {
    const res = await withHeartbeat(ctx, a.name, () =>
      ctx.backend().waitFor(ctx.namespace, a.name, {
        // Complete also satisfies a wait for Running: the job ran.
        statuses: a.status === 'Running' ? ['Running', 'Complete'] : [a.status],
        timeoutSeconds: a.timeout_seconds,
        signal: ctx.signal,
        onChange: (job) => {
          // The trainer's own progress when it reports one; otherwise "something changed".
          const percent = job.trainerStatus?.progressPercentage;
          void ctx.progress(
            percent,
            percent === undefined ? undefined : 100,
            `${job.name}: ${job.status} (${job.steps.map((s) => `${s.name}=${s.status}`).join(', ') || 'no pods yet'})`,
          );
        },
      }),
    );
    const outcome = waitOutcomeOf(res, res.job.status === 'Failed' || res.job.status === 'Complete');
    // Not there yet (or failed): say what holds it, from a fresh read.
    const diagnosed =
      outcome === 'timed_out' || res.job.status === 'Failed'
        ? await ctx
            .backend()
            .diagnose(ctx.namespace, a.name, ctx.signal)
            .catch(() => undefined)
        : undefined;
    return {
      outcome,
      waited_seconds: res.waitedSeconds,
      ...(outcome === 'deleted' ? detail(res.job) : await withInsight(ctx, res.job, diagnosed?.blockers ?? [])),
      next: nextStep(outcome, a.name, res.job.status, res.waitedSeconds, diagnosed?.blockers.map((b) => b.reason) ?? [], res.deleted?.by),
    };
  },
  render: (o) => [waitHead(o.outcome, o.waited_seconds), renderDetail(o), o.next ?? ''].filter(Boolean).join('\n'),
});

function nextStep(outcome: WaitOutcome, name: string, status: string, waited: number, blockers: string[], deletedBy?: string): string | undefined {
  switch (outcome) {
    case 'reached':
      return undefined;
    case 'deleted':
      return `The job was deleted while waiting (last seen ${status}${deletedBy ? `; ${deletedBy}` : ''}); it no longer exists. list_training_jobs shows what is left.`;
    case 'timed_out':
      return blockers.length
        ? `Still ${status} after ${waited}s, blocked (${[...new Set(blockers)].join(', ')}): act on the hints; waiting longer may not help.`
        : `Still ${status} after ${waited}s. Call wait_for_training again to keep waiting.`;
    case 'ended':
      return status === 'Failed'
        ? `The job failed. See get_training_logs(name="${name}") and get_training_events(name="${name}").`
        : `The job ended as ${status}.`;
  }
}
