/**
 * The server's own Kubernetes identity (kubeconfig user or service account), as the API server
 * sees it: SelfSubjectReview (authentication.k8s.io/v1, GA since Kubernetes 1.28). Older clusters,
 * or a denial, fall back to the kubeconfig user entry's name.
 */
import { RESOURCES, type KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/types.js';
import type { Identity } from './identity.js';

export async function whoami(kube: KubeClient): Promise<Identity> {
  const source = kube.connection.source === 'in-cluster' ? 'service-account' : 'kubeconfig';
  try {
    const review = await kube.create<KubeObject & { status?: { userInfo?: { username?: string; groups?: string[] } } }>(
      RESOURCES.selfsubjectreviews,
      undefined,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    );
    const info = review.status?.userInfo;
    if (info?.username) return { user: info.username, groups: info.groups ?? [], source, impersonate: false };
  } catch {
    // fall through to the kubeconfig's own name
  }
  return { user: kube.connection.userName ?? source, groups: [], source, impersonate: false };
}
