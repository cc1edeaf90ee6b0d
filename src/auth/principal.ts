/**
 * The one gate every caller-supplied identity passes before the server impersonates it, in every
 * auth mode (gateway headers, OAuth claims). The API server trims impersonation header values, so
 * " system:masters" would act as system:masters: padded values are refused, so every check runs on
 * what Kubernetes will see. Values that cannot travel in an HTTP header (control characters,
 * CR/LF, non-ASCII) are refused with a reason instead of failing later inside the client.
 *
 * Kubernetes `system:` users and groups (system:masters, system:serviceaccount:..., ...) are never
 * impersonated on a caller's say-so: a misconfigured gateway or identity provider must not be able
 * to hand out cluster-admin. A reserved user refuses the request; reserved groups are dropped (an
 * identity provider listing them must not lock its users out).
 */
import { CodedError } from '../kubeflow/errors.js';

export interface Principal {
  user: string;
  groups: string[];
}

/** Why a caller's identity was refused; the HTTP layer answers 401 with the message. */
export class PrincipalError extends CodedError<'unusable_identity'> {
  constructor(message: string, hint: string) {
    super('unusable_identity', message, hint);
  }
}

const MAX_NAME_LENGTH = 1024;
const MAX_GROUPS = 1000;
// Printable ASCII and inner spaces: what an HTTP header value carries unchanged.
const HEADER_SAFE = /^[\x20-\x7e]*$/;

function isReservedName(name: string): boolean {
  return name.trim().startsWith('system:');
}

/** The caller's user and groups as Kubernetes will see them, or a PrincipalError. */
export function checkPrincipal(user: unknown, groups: readonly unknown[], source: string): Principal {
  const name = normalise(user, `the user from ${source}`);
  if (!name) throw new PrincipalError(`No user name from ${source}.`, `Check that ${source} names the caller.`);
  if (isReservedName(name)) {
    throw new PrincipalError(
      `The user from ${source} is a Kubernetes system identity (system:...), which is never impersonated.`,
      'Sign in as a person or a non-system account.',
    );
  }
  if (groups.length > MAX_GROUPS)
    throw new PrincipalError(`${groups.length} groups from ${source}; at most ${MAX_GROUPS} are accepted.`, 'Reduce the groups the identity provider sends.');
  const kept = new Set<string>();
  for (const g of groups) {
    const group = normalise(g, `a group from ${source}`);
    if (group && !isReservedName(group)) kept.add(group);
  }
  return { user: name, groups: [...kept] };
}

function normalise(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new PrincipalError(`${capitalise(what)} is not a string.`, 'Send user and group names as strings.');
  if (value.length > MAX_NAME_LENGTH)
    throw new PrincipalError(`${capitalise(what)} is ${value.length} characters long; at most ${MAX_NAME_LENGTH} are accepted.`, 'Use a shorter name.');
  if (!HEADER_SAFE.test(value)) {
    const at = [...value].findIndex((c) => !HEADER_SAFE.test(c));
    throw new PrincipalError(
      `${capitalise(what)} contains a character that cannot be sent to Kubernetes (a control character, line break or non-ASCII character at position ${at + 1}).`,
      'Use names of printable ASCII characters; map other names in the identity provider.',
    );
  }
  // Padding is refused, not trimmed: " admin" is another account at the identity provider, but
  // the API server would trim it into "admin".
  if (value !== value.trim()) throw new PrincipalError(`${capitalise(what)} starts or ends with whitespace.`, 'Send names without surrounding spaces.');
  return value;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
