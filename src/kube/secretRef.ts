import type { EnvVar } from './types.js';

/**
 * How tool arguments refer to a key of a Kubernetes Secret instead of carrying a credential:
 * "secret:<secret-name>/<key>". Such a value is a reference, not a secret.
 */
export const SECRET_REF = /^secret:([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([-._a-zA-Z0-9]+)$/;

export function parseSecretRef(value: string): { name: string; key: string } | undefined {
  const m = SECRET_REF.exec(value);
  return m ? { name: m[1]!, key: m[3]! } : undefined;
}

/**
 * One env entry as Kubernetes takes it: a Secret reference reads that key of the Secret
 * (`valueFrom.secretKeyRef`), so the credential never sits in the object; anything else is a value.
 */
export function envVar(name: string, value: string): EnvVar {
  const ref = parseSecretRef(value);
  return ref ? { name, valueFrom: { secretKeyRef: ref } } : { name, value };
}
