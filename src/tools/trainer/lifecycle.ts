/**
 * delete / suspend / resume: one mutation, and one spec shape for the three tools. The plan reads
 * the job (its owner is checked by the flow) and refuses actions that make no sense for its state;
 * the checks dry-run the change.
 */
import { z } from 'zod';
import type { TrainJobView } from '../../kubeflow/trainer/types.js';
import type { ToolContext } from '../context.js';
import { defineMutation, type AnyToolSpec, type Risk } from '../contract.js';
import { capital, renderChecks } from '../render.js';
import { confirmed, jobName, namespace, verdict } from '../schemas.js';
import { jobStatus } from './views.js';

const lifecycleOutput = z.object({
  status: z.enum(['preview', 'done']),
  /** status: the job's state; after a delete, Deleted (gone) or Terminating (still being removed). */
  job: z.object({ name: z.string(), namespace: z.string(), status: z.union([jobStatus, z.enum(['Deleted', 'Terminating'])]) }),
  ...verdict,
});
type LifecycleOutput = z.infer<typeof lifecycleOutput>;

export interface LifecycleTool {
  name: string;
  risk: Exclude<Risk, 'read'>;
  title: string;
  description: string;
  verb: 'delete' | 'suspend' | 'resume';
  /** Throws a ToolError for an action that makes no sense in the job's current state. */
  guard?: (job: TrainJobView) => void;
  /** Does it (or dry-runs it); resolves with the job's status afterwards. */
  act: (ctx: ToolContext, job: TrainJobView, dryRun: boolean) => Promise<LifecycleOutput['job']['status']>;
  after: (job: TrainJobView) => string;
}

export function lifecycleTool({ verb, guard, act, after, ...spec }: LifecycleTool): AnyToolSpec {
  return defineMutation({
    ...spec,
    module: 'trainer',
    category: 'lifecycle',
    input: z.object({ name: jobName, namespace, confirmed }),
    output: lifecycleOutput,
    mutation: {
      verb,
      async plan(args, ctx) {
        const backend = ctx.backend();
        const job = await backend.getJob(ctx.namespace, args.name, ctx.signal);
        guard?.(job);
        // The user's accept binds to this job (name, namespace, creation), not to its changing status.
        return {
          summary: `${capital(verb)} TrainJob ${job.name} in ${job.namespace}`,
          facts: [
            ['job', job.name],
            ['namespace', job.namespace],
            ['created', job.creationTimestamp],
            ['nodes', job.numNodes],
            ...(verb === 'delete' ? [['deletes', 'the TrainJob, its pods and their logs'] as [string, string]] : []),
          ],
          checks: [{ check: 'job', ok: true, detail: `${job.name} is ${job.status}, ${job.numNodes} node(s), runtime ${job.runtime.name}` }],
          existing: job,
          validate: { dryRun: () => act(ctx, job, true), by: backend.validatedBy },
          state: job,
        };
      },
      async apply({ state: job }, ctx) {
        const status = await act(ctx, job, false);
        return { status: 'done' as const, job: { name: job.name, namespace: job.namespace, status }, checks: [], ready: true, next: after(job) };
      },
      preview: ({ state: job }) => ({ job: { name: job.name, namespace: job.namespace, status: job.status } }),
    },
    render: (o) =>
      [
        o.status === 'preview'
          ? `PREVIEW (nothing changed) — ${verb} ${o.job.name} (${o.job.namespace}), now ${o.job.status}`
          : `${verb.toUpperCase()} done — ${o.job.name} (${o.job.namespace}): ${o.job.status}`,
        renderChecks(o.checks),
        o.next,
      ]
        .filter(Boolean)
        .join('\n'),
  });
}
