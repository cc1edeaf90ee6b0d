/**
 * Acting for the caller at the Model Registry (docs/security.md, "Model Registry"). The registry
 * trusts whoever holds the server's token, so when the server serves other users (gateway, OAuth)
 * it first asks Kubernetes, as the registry's own authenticating proxy does, whether the caller may
 * use the registry Service: a SubjectAccessReview created with the server's identity naming the
 * caller's user and groups, verb `get` for reads and `create` / `update` for writes, on
 * `services/<name>` in the registry's namespace. A refusal, or no answer, stops the call before
 * anything reaches the registry.
 */
import type { KubeClient } from '../../kube/client.js';
import { rememberedAccess, reviewAccess, reviewFailure } from '../../kube/subjectAccess.js';
import { HubError } from './errors.js';

export interface RegistryService {
  namespace: string;
  name: string;
}

export type RegistryVerb = 'get' | 'create' | 'update';

/** Runs before each registry request; throws a HubError when the caller may not make it. */
export type RegistryAccessCheck = (verb: RegistryVerb, signal?: AbortSignal) => Promise<void>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `<namespace>/<name>` (the hub.service setting); undefined when it is not that shape. */
export function parseRegistryService(text: string): RegistryService | undefined {
  const [namespace, name, ...rest] = text.trim().split('/');
  return !rest.length && namespace && name && DNS_LABEL.test(namespace) && DNS_LABEL.test(name) ? { namespace, name } : undefined;
}

/**
 * The Service behind an in-cluster registry URL: `<name>.<namespace>[.svc[.<cluster domain>]]`,
 * e.g. http://model-registry-service.kubeflow:8080. Undefined for any other host.
 */
export function registryServiceFromUrl(url: string): RegistryService | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const [name, namespace, ...rest] = host.split('.');
  if (!name || !namespace || !DNS_LABEL.test(name) || !DNS_LABEL.test(namespace)) return undefined;
  if (rest.length && rest[0] !== 'svc') return undefined;
  return { name, namespace };
}

/**
 * An access check for one caller (one tool call): each verb is reviewed once, then remembered.
 * `kube` is the server's own client (not impersonating): reviews are asked by the server about the caller.
 */
export function subjectAccessCheck(kube: KubeClient, service: RegistryService, caller: { user: string; groups: string[] }): RegistryAccessCheck {
  const where = `services/${service.name} in namespace ${service.namespace}`;
  return rememberedAccess<RegistryVerb>(async (verb, signal) => {
    let answer;
    try {
      answer = await reviewAccess(kube, caller, { namespace: service.namespace, verb, group: '', resource: 'services', name: service.name }, signal);
    } catch (err) {
      const { why, status } = reviewFailure(err);
      throw new HubError(
        'access_check_failed',
        `cannot check whether ${caller.user} may use the Model Registry (${where}): ${why}`,
        "the server's Kubernetes identity needs `create` on subjectaccessreviews.authorization.k8s.io (ClusterRole system:auth-delegator); ask an admin, then call again",
        status,
      );
    }
    if (!answer.allowed) {
      throw new HubError(
        'forbidden',
        `${caller.user} may not ${verb} the Model Registry: Kubernetes RBAC does not allow '${verb}' on ${where}${answer.reason ? ` (${answer.reason})` : ''}`,
        `ask an admin for a Role in ${service.namespace} granting ${verb === 'get' ? "'get'" : "'create' and 'update'"} on services/${service.name} (${verb === 'get' ? 'reading' : 'registering'} models), then call again`,
        403,
      );
    }
  });
}
