/** A tiny RBAC authorizer over cumulative allow rules, with kube-apiserver's forbidden messages. */
import type { RbacRule } from './types.js';

export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const matchesAny = (list: string[], v: string): boolean => list.includes('*') || list.includes(v);

function resourceMatches(rules: string[], resource: string, subresource: string | undefined): boolean {
  const full = subresource ? `${resource}/${subresource}` : resource;
  return rules.some((r) => r === '*' || r === full || (subresource !== undefined && (r === `${resource}/*` || r === `*/${subresource}`)));
}

export class Authorizer {
  constructor(private readonly rules: RbacRule[] | undefined) {}

  authorize(user: UserInfo, a: ResourceAttributes): Decision {
    if (user.groups.includes('system:masters'))
      return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"' };
    if (this.rules === undefined) {
      const ok = user.groups.includes('system:authenticated');
      return { allowed: ok, reason: ok ? 'RBAC: allowed by fake-kube default allow-all policy' : '' };
    }
    for (const [i, r] of this.rules.entries()) {
      const hasSubjects = (r.users?.length ?? 0) + (r.groups?.length ?? 0) > 0;
      const subject = !hasSubjects || (r.users ?? []).includes(user.name) || (r.groups ?? []).some((g) => user.groups.includes(g));
      if (!subject) continue;
      if (!matchesAny(r.verbs, a.verb) || !matchesAny(r.apiGroups, a.group)) continue;
      if (!resourceMatches(r.resources, a.resource, a.subresource)) continue;
      if (r.namespaces && (!a.namespace || !r.namespaces.includes(a.namespace))) continue;
      if (r.resourceNames && r.resourceNames.length > 0 && (!a.name || !r.resourceNames.includes(a.name))) continue;
      return { allowed: true, reason: `RBAC: allowed by fake-kube rule #${i}` };
    }
    return { allowed: false, reason: '' };
  }
}

/** The text after "is forbidden: " in a 403 (k8s.io/apiserver forbiddenMessage). */
export function forbiddenMessage(user: UserInfo, a: ResourceAttributes): string {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${where}`;
}
