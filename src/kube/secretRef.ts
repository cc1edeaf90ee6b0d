/**
 * How tool arguments refer to a key of a Kubernetes Secret instead of carrying a credential:
 * "secret:<secret-name>/<key>". Such a value is a reference, not a secret.
 */
export const SECRET_REF = /^secret:([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([-._a-zA-Z0-9]+)$/;

export function parseSecretRef(value: string): { name: string; key: string } | undefined {
  const m = SECRET_REF.exec(value);
  return m ? { name: m[1]!, key: m[3]! } : undefined;
}
