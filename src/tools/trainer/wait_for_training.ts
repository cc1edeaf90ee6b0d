import { z } from 'zod';
import { defineTool } from '../contract.js';
import { jobName, namespace } from '../schemas.js';
import { detail, jobDetail, renderDetail } from './views.js';

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
  output: jobDetail.extend({ reached: z.boolean(), timed_out: z.boolean(), waited_seconds: z.number(), next: z.string().optional() }),
  async run(a, ctx) {
    const started = Date.now();
    let changes = 0;
    // Keep the client's request alive and the user informed while we wait.
    const heartbeat = setInterval(() => void ctx.progress(changes, undefined, `waiting for ${a.name}: ${Math.round((Date.now() - started) / 1000)}s`), 5000);
    try {
      const res = await ctx.backend().waitFor(ctx.namespace, a.name, {
        // Complete also satisfies a wait for Running: the job ran.
        statuses: a.status === 'Running' ? ['Running', 'Complete'] : [a.status],
        timeoutSeconds: a.timeout_seconds,
        signal: ctx.signal,
        onChange: (job) => {
          changes++;
          void ctx.progress(changes, undefined, `${job.name}: ${job.status} (${job.steps.map((s) => `${s.name}=${s.status}`).join(', ') || 'no pods yet'})`);
        },
      });
      const finishedOther = !res.reached && (res.job.status === 'Failed' || res.job.status === 'Complete');
      const timedOut = !res.reached && !finishedOther;
      return {
        reached: res.reached,
        timed_out: timedOut,
        waited_seconds: res.waitedSeconds,
        ...detail(res.job),
        next: res.reached
          ? undefined
          : res.job.status === 'Failed'
            ? `The job failed. See get_training_logs(name="${a.name}") and get_training_events(name="${a.name}").`
            : timedOut
              ? `Still ${res.job.status} after ${res.waitedSeconds}s. Call wait_for_training again to keep waiting.`
              : `The job ended as ${res.job.status}.`,
      };
    } finally {
      clearInterval(heartbeat);
    }
  },
  render: (o) => [`${o.reached ? 'REACHED' : o.timed_out ? 'TIMED OUT' : 'ENDED'} after ${o.waited_seconds}s`, renderDetail(o), o.next ?? ''].filter(Boolean).join('\n'),
});
