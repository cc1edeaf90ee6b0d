/**
 * delete / suspend / resume as one mutation: the plan reads the job (its owner is checked by the
 * flow) and refuses actions that make no sense for its state; the checks dry-run the change.
 */
import { z } from 'zod';
import type { TrainJobView } from '../../kubeflow/trainer/types.js';
import type { ToolContext } from '../context.js';
import type { ToolError } from '../contract.js';
import type { Mutation } from '../mutation.js';
import { renderChecks } from '../render.js';
import { check } from '../schemas.js';
import { jobStatus } from './views.js';

export const lifecycleOutput = z.object({
  status: z.enum(['preview', 'done']),
  /** status: the job's state; after a delete, Deleted (gone) or Terminating (still being removed). */
  job: z.object({ name: z.string(), namespace: z.string(), status: z.union([jobStatus, z.enum(['Deleted', 'Terminating'])]) }),
  checks: z.array(check),
  ready: z.boolean(),
  next: z.string(),
});
export type LifecycleOutput = z.infer<typeof lifecycleOutput>;

export interface LifecycleAction {
  verb: 'delete' | 'suspend' | 'resume';
  /** Refuses actions that make no sense for the job's current state. */
  guard(job: TrainJobView): ToolError | undefined;
  /** Does it (or dry-runs it); resolves with the job's status afterwards. */
  act(ctx: ToolContext, job: TrainJobView, dryRun: boolean): Promise<LifecycleOutput['job']['status']>;
  after(job: TrainJobView): string;
}

export function lifecycle(action: LifecycleAction): Mutation<{ name: string }, TrainJobView, LifecycleOutput> {
  return {
    verb: action.verb,
    async plan(args, ctx) {
      const backend = ctx.backend();
      const job = await backend.getJob(ctx.namespace, args.name, ctx.signal);
      const refused = action.guard(job);
      if (refused) throw refused;
      const state = `${job.status}, ${job.numNodes} node(s), runtime ${job.runtime.name}`;
      // The user's accept binds to this job (name, namespace, creation), not to its changing status.
      return {
        summary: `${action.verb[0]!.toUpperCase()}${action.verb.slice(1)} TrainJob ${job.name} in ${job.namespace}`,
        facts: [
          ['job', job.name],
          ['namespace', job.namespace],
          ['created', job.creationTimestamp],
          ['nodes', job.numNodes],
          ...(action.verb === 'delete' ? [['deletes', 'the TrainJob, its pods and their logs'] as [string, string]] : []),
        ],
        checks: [{ check: 'job', ok: true, detail: `${job.name} is ${state}` }],
        existing: job,
        validate: { dryRun: () => action.act(ctx, job, true), by: backend.validatedBy },
        state: job,
      };
    },
    async apply(plan, ctx) {
      const job = plan.state;
      const status = await action.act(ctx, job, false);
      return { status: 'done', job: { name: job.name, namespace: job.namespace, status }, checks: [], ready: true, next: action.after(job) };
    },
    preview: (plan) => ({ job: { name: plan.state.name, namespace: plan.state.namespace, status: plan.state.status } }),
  };
}

export function renderLifecycle(verb: string) {
  return (o: LifecycleOutput): string =>
    [
      o.status === 'preview'
        ? `PREVIEW (nothing changed) — ${verb} ${o.job.name} (${o.job.namespace}), now ${o.job.status}`
        : `${verb.toUpperCase()} done — ${o.job.name} (${o.job.namespace}): ${o.job.status}`,
      renderChecks(o.checks),
      o.next,
    ]
      .filter(Boolean)
      .join('\n');
}
