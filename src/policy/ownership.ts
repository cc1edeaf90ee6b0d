/**
 * Job ownership (KEP-936 policy table): jobs submitted through kubeflow-mcp record who submitted
 * them, and personas marked own_jobs_only (data-scientist) may delete/suspend/resume only those.
 * Kubernetes RBAC still decides everything else.
 */
import type { Identity } from '../auth/identity.js';
import type { TrainJobView } from '../kubeflow/trainer/types.js';
import { ToolError } from '../tools/contract.js';

/** Annotation on the TrainJob (an SDK-style metadata annotation; the controller ignores it). */
export const CREATED_BY = 'kubeflow-mcp/created-by';

export function creatorAnnotations(caller: Identity): Record<string, string> {
  return { [CREATED_BY]: caller.user };
}

export function checkOwner(job: Pick<TrainJobView, 'name' | 'annotations'>, caller: Identity, ownJobsOnly: boolean, verb: string): void {
  if (!ownJobsOnly) return;
  const creator = job.annotations?.[CREATED_BY];
  if (creator === caller.user) return;
  throw new ToolError(
    'not_owner',
    `You may ${verb} only jobs you submitted; ${job.name} was ${creator ? `submitted by ${creator}` : 'not submitted through kubeflow-mcp'}.`,
    'Ask its owner or an ml-engineer / platform-admin to do it.',
  );
}
