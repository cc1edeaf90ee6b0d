/**
 * Kubernetes `system:` users and groups (system:masters, system:serviceaccount:..., ...) are never
 * impersonated on a caller's say-so: a misconfigured gateway or identity provider must not be able
 * to hand out cluster-admin.
 */
export function isReservedName(name: string): boolean {
  return name.startsWith('system:');
}
