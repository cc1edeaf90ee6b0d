import { z } from 'zod';
import { defineTool } from '../contract.js';
import { jobName, namespace, waitOutcome, type WaitOutcome } from '../schemas.js';
import { detail, jobDetail, renderDetail } from './views.js';

const HEARTBEAT_MS = 5000;

export const waitForTraining = defineTool({
  name: 'wait_for_training',
  module: 'trainer',
  category: 'monitoring',
  risk: 'read',
  title: 'Wait for training',
  description: 'Wait until a TrainJob reaches status (default Complete) or fails; bounded, sends progress. Call again after a timeout.',
  input: z.object({
    name: jobName,
    status: z.enum(['Running', 'Suspended', 'Complete', 'Failed']).default('Complete'),
    timeout_seconds: z.int().min(1).max(600).default(50),
    namespace,
  }),
  output: jobDetail.extend({
    outcome: waitOutcome,
    waited_seconds: z.number(),
    deleted_by: z.string().optional(),
    next: z.string().optional(),
  }),
  async run(a, ctx) {
    const started = Date.now();
    // Keep the client's request alive and the user informed while we wait.
    const heartbeat = setInterval(() => void ctx.progress(undefined, undefined, `waiting for ${a.name}: ${Math.round((Date.now() - started) / 1000)}s`), HEARTBEAT_MS);
    try {
      const res = await ctx.backend().waitFor(ctx.namespace, a.name, {
        // Complete also satisfies a wait for Running: the job ran.
        statuses: a.status === 'Running' ? ['Running', 'Complete'] : [a.status],
        timeoutSeconds: a.timeout_seconds,
        signal: ctx.signal,
        onChange: (job) => {
          // The trainer's own progress when it reports one; otherwise "something changed".
          const percent = job.trainerStatus?.progressPercentage;
          void ctx.progress(percent, percent === undefined ? undefined : 100, `${job.name}: ${job.status} (${job.steps.map((s) => `${s.name}=${s.status}`).join(', ') || 'no pods yet'})`);
        },
      });
      const outcome: WaitOutcome = res.deleted ? 'deleted' : res.reached ? 'reached' : res.job.status === 'Failed' || res.job.status === 'Complete' ? 'ended' : 'timed_out';
      return {
        outcome,
        waited_seconds: res.waitedSeconds,
        ...detail(res.job),
        ...(res.deleted?.by ? { deleted_by: res.deleted.by } : {}),
        next: nextStep(outcome, a.name, res.job.status, res.waitedSeconds),
      };
    } finally {
      clearInterval(heartbeat);
    }
  },
  render: (o) =>
    [
      `${{ reached: 'REACHED', ended: 'ENDED', timed_out: 'TIMED OUT', deleted: 'DELETED' }[o.outcome]} after ${o.waited_seconds}s${o.deleted_by ? ` (${o.deleted_by})` : ''}`,
      renderDetail(o),
      o.next ?? '',
    ]
      .filter(Boolean)
      .join('\n'),
});

function nextStep(outcome: WaitOutcome, name: string, status: string, waited: number): string | undefined {
  switch (outcome) {
    case 'reached':
      return undefined;
    case 'deleted':
      return `The job was deleted while waiting (last seen ${status}); it no longer exists. list_training_jobs shows what is left.`;
    case 'timed_out':
      return `Still ${status} after ${waited}s. Call wait_for_training again to keep waiting.`;
    case 'ended':
      return status === 'Failed' ? `The job failed. See get_training_logs(name="${name}") and get_training_events(name="${name}").` : `The job ended as ${status}.`;
  }
}
