/**
 * Identity from a trusted gateway (Istio + oauth2-proxy, an MCP gateway, ...) that authenticates
 * the user and forwards who they are in headers. Only used when the server runs in gateway mode:
 * anywhere else these headers are ignored, since any client could set them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from './identity.js';
import { isReservedName } from './reserved.js';

export interface GatewayOptions {
  /** Tried in order; the first present one names the user. */
  userHeaders: string[];
  /** Comma-separated group lists; all present ones are merged. */
  groupHeaders: string[];
  requestIdHeader: string;
}

export const DEFAULT_GATEWAY: GatewayOptions = {
  userHeaders: ['x-forwarded-user', 'x-auth-request-user', 'x-user-email', 'x-forwarded-email', 'x-authenticated-user'],
  groupHeaders: ['x-forwarded-groups', 'x-auth-request-groups', 'x-user-groups'],
  requestIdHeader: 'x-request-id',
};

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return (Array.isArray(v) ? v.join(',') : v)?.trim() || undefined;
}

/** The caller from gateway headers, or undefined when the gateway sent no (usable) user. */
export function gatewayIdentity(headers: IncomingHttpHeaders, opts: GatewayOptions = DEFAULT_GATEWAY): Identity | undefined {
  const user = opts.userHeaders.map((h) => header(headers, h)).find(Boolean);
  if (!user || isReservedName(user)) return undefined;
  const groups = [
    ...new Set(
      opts.groupHeaders
        .map((h) => header(headers, h))
        .filter((v): v is string => Boolean(v))
        .flatMap((v) => v.split(','))
        .map((g) => g.trim())
        .filter((g) => g && !isReservedName(g)),
    ),
  ];
  return { user, groups, source: 'gateway', requestId: header(headers, opts.requestIdHeader), impersonate: true };
}
