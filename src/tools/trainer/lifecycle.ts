/**
 * delete / suspend / resume share one shape: preview (read the job, dry-run the change on the
 * API server) unless confirmed, then act.
 */
import { z } from 'zod';
import type { TrainJobView } from '../../kubeflow/trainer/types.js';
import type { ToolContext } from '../context.js';
import { ToolError } from '../contract.js';
import { toToolError } from '../errors.js';
import { check, type Check } from '../schemas.js';
import { checkOwner } from '../../policy/ownership.js';
import { jobStatus } from './views.js';

export const lifecycleOutput = z.object({
  status: z.enum(['preview', 'done']),
  job: z.object({ name: z.string(), namespace: z.string(), status: jobStatus }),
  checks: z.array(check),
  ready: z.boolean(),
  next: z.string(),
});
export type LifecycleOutput = z.infer<typeof lifecycleOutput>;

export interface LifecycleAction {
  tool: string;
  verb: string;
  /** Refuses actions that make no sense for the job's current state. */
  guard(job: TrainJobView): ToolError | undefined;
  act(ctx: ToolContext, job: TrainJobView, dryRun: boolean): Promise<TrainJobView | undefined>;
  after(job: TrainJobView): string;
}

export async function runLifecycle(ctx: ToolContext, action: LifecycleAction, name: string, confirmed: boolean): Promise<LifecycleOutput> {
  const backend = ctx.backend();
  const job = await backend.getJob(ctx.namespace, name, ctx.signal);
  checkOwner(job, ctx.caller, ctx.ownJobsOnly, action.verb);
  const refused = action.guard(job);
  if (refused) throw refused;
  const ref = { name: job.name, namespace: job.namespace };
  if (confirmed) {
    const updated = await action.act(ctx, job, false);
    const status = updated?.status ?? job.status;
    return { status: 'done', job: { ...ref, status }, checks: [], ready: true, next: action.after(updated ?? job) };
  }
  const checks: Check[] = [{ check: 'job', ok: true, detail: `${job.name} is ${job.status} (${job.numNodes} node(s), runtime ${job.runtime.name})` }];
  let ready = true;
  try {
    await action.act(ctx, job, true);
    checks.push({ check: 'dry-run', ok: true, detail: `${backend.kind === 'kubernetes' ? 'the API server' : 'the local backend'} would accept the ${action.verb} (nothing changed)` });
  } catch (err) {
    const te = toToolError(err);
    if (['cluster_unreachable', 'timeout', 'cancelled'].includes(te.code)) throw te;
    checks.push({ check: 'dry-run', ok: false, detail: `${te.message} — ${te.hint}` });
    ready = false;
  }
  return {
    status: 'preview',
    job: { ...ref, status: job.status },
    checks,
    ready,
    next: ready
      ? `Nothing changed. After the user agrees, call ${action.tool}(name="${job.name}", confirmed=true).`
      : 'Nothing changed. The dry-run failed: see the checks.',
  };
}

export function renderLifecycle(verb: string) {
  return (o: LifecycleOutput): string =>
    [
      o.status === 'preview' ? `PREVIEW (nothing changed) — ${verb} ${o.job.name} (${o.job.namespace}), now ${o.job.status}` : `${verb.toUpperCase()} done — ${o.job.name} (${o.job.namespace}): ${o.job.status}`,
      ...o.checks.map((c) => `  ${c.ok === true ? 'ok  ' : c.ok === false ? 'FAIL' : '?   '} ${c.check}: ${c.detail}`),
      o.next,
    ].join('\n');
}
