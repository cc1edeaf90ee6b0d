/**
 * Asking Kubernetes whether someone else may do something: a SubjectAccessReview created with the
 * server's own identity, naming the caller. Kubeflow's own gatekeepers decide this way (the Model
 * Registry's authenticating proxy, the KFP API server's authoriser), so when the server acts for a
 * caller with its own credential it asks the same question first (docs/security.md).
 */
import { KubeApiError, type KubeClient } from './client.js';

export interface AccessSubject {
  user: string;
  /** Omitted from the review when empty (KFP's authoriser names the user only). */
  groups?: string[];
}

export interface ResourceAttributes {
  namespace?: string;
  verb: string;
  group: string;
  version?: string;
  resource: string;
  subresource?: string;
  name?: string;
}

export interface AccessAnswer {
  allowed: boolean;
  reason?: string;
}

const SAR_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

interface SubjectAccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

/** One review. A failure to ask (no right to create reviews, no answer) throws the KubeApiError. */
export async function reviewAccess(kube: KubeClient, subject: AccessSubject, attributes: ResourceAttributes, signal?: AbortSignal): Promise<AccessAnswer> {
  const answer = await kube.json<SubjectAccessReview>('POST', SAR_PATH, {
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: subject.user, ...(subject.groups?.length ? { groups: subject.groups } : {}), resourceAttributes: attributes },
    },
    signal,
  });
  const reason = answer.status?.reason || answer.status?.evaluationError || undefined;
  return { allowed: answer.status?.allowed === true, ...(reason ? { reason } : {}) };
}

/**
 * Reviews per key, each asked once per check (one tool call) and then remembered if granted; a
 * refusal or a failed review is asked again next time. `decide` turns the answer (or the failure to
 * get one) into the caller's error.
 */
export function rememberedAccess<K extends string>(ask: (key: K, signal?: AbortSignal) => Promise<void>): (key: K, signal?: AbortSignal) => Promise<void> {
  const decided = new Map<K, Promise<void>>();
  return (key, signal) => {
    let p = decided.get(key);
    if (!p) {
      p = ask(key, signal);
      p.catch(() => decided.delete(key));
      decided.set(key, p);
    }
    return p;
  };
}

/** Why a review could not be made, for error messages. */
export function reviewFailure(err: unknown): { why: string; status: number } {
  return err instanceof KubeApiError ? { why: err.message, status: err.status } : { why: String(err), status: 0 };
}
