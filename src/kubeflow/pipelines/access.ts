/**
 * Acting for the caller at the KFP API server (docs/security.md, "Kubeflow Pipelines"). The API
 * server sees the server's token, so when the server serves other users (gateway, OAuth) it first
 * asks Kubernetes the question KFP's own authoriser asks about a token's user: a SubjectAccessReview
 * for the user (KFP passes no groups) on `pipelines.kubeflow.org/v1beta1` resources in the
 * namespace the call is about. A refusal, or no answer, stops the call before KFP sees it.
 */
import type { KubeClient } from '../../kube/client.js';
import { rememberedAccess, reviewAccess, reviewFailure } from '../../kube/subjectAccess.js';
import { PipelinesError } from './errors.js';

const KFP_RBAC_GROUP = 'pipelines.kubeflow.org';
const KFP_RBAC_VERSION = 'v1beta1';

/** KFP's RBAC resources: recurring runs are `jobs`. */
export type KfpResource = 'pipelines' | 'experiments' | 'runs' | 'jobs';
export type KfpVerb = 'get' | 'list' | 'create' | 'update' | 'delete' | 'archive' | 'unarchive' | 'terminate' | 'retry' | 'enable' | 'disable';

/** Runs before each KFP request made for a caller; throws a PipelinesError when they may not. */
export type KfpAccessCheck = (namespace: string, resource: KfpResource, verb: KfpVerb, signal?: AbortSignal) => Promise<void>;

/** `kube` is the server's own client: reviews are asked by the server about the caller. */
export function kfpAccessCheck(kube: KubeClient, caller: { user: string }): KfpAccessCheck {
  const check = rememberedAccess<string>(async (key, signal) => {
    const [namespace, resource, verb] = key.split('\0') as [string, KfpResource, KfpVerb];
    const where = `${resource}.${KFP_RBAC_GROUP} in namespace ${namespace}`;
    let answer;
    try {
      answer = await reviewAccess(kube, { user: caller.user }, { namespace, verb, group: KFP_RBAC_GROUP, version: KFP_RBAC_VERSION, resource }, signal);
    } catch (err) {
      const { why, status } = reviewFailure(err);
      throw new PipelinesError(
        'access_check_failed',
        `cannot check whether ${caller.user} may ${verb} ${where}: ${why}`,
        "the server's Kubernetes identity needs `create` on subjectaccessreviews.authorization.k8s.io (ClusterRole system:auth-delegator); ask an admin, then call again",
        status,
      );
    }
    if (!answer.allowed) {
      throw new PipelinesError(
        'forbidden',
        `${caller.user} may not ${verb} ${resource} in namespace ${namespace}: Kubernetes RBAC does not allow '${verb}' on ${where}${answer.reason ? ` (${answer.reason})` : ''}`,
        `ask an admin for a RoleBinding in ${namespace} to a role granting '${verb}' on ${resource}.${KFP_RBAC_GROUP} (Kubeflow's kubeflow-pipelines-edit, or -view for reads), bound to the user itself (KFP ignores groups), then call again`,
        403,
      );
    }
  });
  return (namespace, resource, verb, signal) => check(`${namespace}\0${resource}\0${verb}`, signal);
}
