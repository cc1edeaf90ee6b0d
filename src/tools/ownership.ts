/**
 * Job ownership (KEP-936 policy table): objects created through kubeflow-mcp record who created
 * them, and personas marked own_jobs_only (data-scientist) may change only those. The mutation flow
 * checks it for every plan that acts on an existing object. Kubernetes RBAC still decides the rest.
 */
import type { Identity } from '../auth/identity.js';
import { ToolError } from './contract.js';

/** Annotation on created objects (an SDK-style metadata annotation; controllers ignore it). */
export const CREATED_BY = 'kubeflow-mcp/created-by';

/** An existing object as far as ownership is concerned. */
export interface Owned {
  name: string;
  annotations?: Record<string, string>;
}

export function creatorAnnotations(caller: Identity): Record<string, string> {
  return { [CREATED_BY]: caller.user };
}

export function checkOwner(target: Owned, caller: Identity, ownJobsOnly: boolean, verb: string): void {
  if (!ownJobsOnly) return;
  const creator = target.annotations?.[CREATED_BY];
  if (creator === caller.user) return;
  throw new ToolError(
    'not_owner',
    `You may ${verb} only jobs you submitted; ${target.name} was ${creator ? `submitted by ${creator}` : 'not submitted through kubeflow-mcp'}.`,
    'Ask its owner or an ml-engineer / platform-admin to do it.',
  );
}
