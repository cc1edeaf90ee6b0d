/**
 * Who is calling over HTTP, per deployment mode:
 * - none:    the server's own identity (loopback use, or behind something else that protects it);
 *            identity headers are ignored, whoever sent them.
 * - gateway: a trusted gateway authenticated the user and forwards who they are in headers
 *            (auth/gateway.ts: one user header, one groups header, a secret or proxy address).
 * - oauth:   a bearer JWT from the identity provider, verified here (RFC 9728 discovery, 401 with
 *            WWW-Authenticate on failure). The token is never forwarded to Kubernetes.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { bearerAuthChallengeResponse, verifyBearerToken, type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { gatewayAuthenticator, type GatewayOptions } from '../auth/gateway.js';
import { IDENTITY_KEY } from '../auth/identity.js';

type AuthOutcome = { ok: true; auth: AuthInfo } | { ok: false; response: Response };

export interface HttpAuth {
  mode: 'none' | 'gateway' | 'oauth';
  authenticate(req: IncomingMessage): Promise<AuthOutcome>;
  /** RFC 9728 protected-resource metadata (oauth mode only). */
  resourceMetadata?: { path: string[]; document: Record<string, unknown> };
}

export const REQUEST_ID_KEY = 'requestId';

function requestId(req: IncomingMessage, header = 'x-request-id'): string {
  const v = req.headers[header];
  const id = (Array.isArray(v) ? v[0] : v)?.slice(0, 200);
  return id || randomUUID();
}

export function noAuth(): HttpAuth {
  return {
    mode: 'none',
    authenticate: async (req) => ({ ok: true, auth: { token: '', clientId: 'anonymous', scopes: [], extra: { [REQUEST_ID_KEY]: requestId(req) } } }),
  };
}

export function gatewayAuth(opts: GatewayOptions): HttpAuth {
  const check = gatewayAuthenticator(opts);
  return {
    mode: 'gateway',
    async authenticate(req) {
      const outcome = check(req);
      if (!outcome.ok) return { ok: false, response: Response.json({ error: 'unauthenticated', message: outcome.reason }, { status: 401 }) };
      const id = requestId(req, opts.requestIdHeader);
      return {
        ok: true,
        auth: {
          token: '',
          clientId: outcome.identity.user,
          scopes: [],
          extra: { [IDENTITY_KEY]: { ...outcome.identity, requestId: id }, [REQUEST_ID_KEY]: id },
        },
      };
    },
  };
}

export function oauthAuth(opts: { verifier: OAuthTokenVerifier; issuer: string; resourceUrl: URL; requiredScopes?: string[] }): HttpAuth {
  const metadataPath = '/.well-known/oauth-protected-resource';
  const resourcePath = opts.resourceUrl.pathname.replace(/\/$/, '');
  const metadataUrl = new URL(`${metadataPath}${resourcePath}`, opts.resourceUrl).toString();
  return {
    mode: 'oauth',
    resourceMetadata: {
      path: [metadataPath, `${metadataPath}${resourcePath}`],
      document: {
        resource: opts.resourceUrl.toString(),
        authorization_servers: [opts.issuer],
        bearer_methods_supported: ['header'],
        resource_name: 'kubeflow-mcp',
        ...(opts.requiredScopes?.length ? { scopes_supported: opts.requiredScopes } : {}),
      },
    },
    async authenticate(req) {
      const header = req.headers.authorization;
      try {
        const auth = await verifyBearerToken(header, { verifier: opts.verifier, resourceMetadataUrl: metadataUrl, requiredScopes: opts.requiredScopes });
        const identity = auth.extra?.[IDENTITY_KEY] as Record<string, unknown> | undefined;
        const id = requestId(req);
        return { ok: true, auth: { ...auth, extra: { ...auth.extra, [IDENTITY_KEY]: { ...identity, requestId: id }, [REQUEST_ID_KEY]: id } } };
      } catch (err) {
        return { ok: false, response: bearerAuthChallengeResponse(err, { resourceMetadataUrl: metadataUrl, requiredScopes: opts.requiredScopes }) };
      }
    },
  };
}
