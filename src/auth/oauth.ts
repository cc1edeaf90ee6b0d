/**
 * OAuth 2.1 resource server: bearer JWTs are verified against the issuer's JWKS (signature,
 * issuer, audience = this server, expiry) and their claims name the Kubernetes user and groups to
 * impersonate. The token itself is never forwarded to Kubernetes.
 */
import { OAuthError, OAuthErrorCode, type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { IDENTITY_KEY, type Identity } from './identity.js';
import { checkPrincipal, PrincipalError } from './principal.js';

export interface OAuthOptions {
  issuer: string;
  /** Expected `aud`: this server's public URL unless configured otherwise. */
  audience: string;
  /** Default: read from the issuer's discovery document. */
  jwksUrl?: string;
  userClaim?: string;
  groupsClaim?: string;
}

/** Resolves the JWKS URL from OpenID/OAuth discovery when not given. */
export async function discoverJwksUrl(issuer: string): Promise<string> {
  const base = issuer.replace(/\/$/, '');
  for (const doc of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    try {
      const res = await fetch(base + doc, { signal: AbortSignal.timeout(5000) });
      if (res.ok) {
        const json = (await res.json()) as { jwks_uri?: string };
        if (json.jwks_uri) return json.jwks_uri;
      }
    } catch {
      // try the next document
    }
  }
  throw new Error(`cannot find the JWKS of issuer ${issuer}: set oauth.jwks_url`);
}

export function jwtVerifier(opts: OAuthOptions & { jwksUrl: string }): OAuthTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(opts.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  const userClaim = opts.userClaim ?? 'email';
  const groupsClaim = opts.groupsClaim ?? 'groups';
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, { issuer: opts.issuer, audience: opts.audience, requiredClaims: ['exp'] }));
      } catch (err) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, describeJwtError(err));
      }
      const claimed = [payload[userClaim], payload.preferred_username, payload.sub].find((v) => typeof v === 'string' && v.trim().length > 0);
      const rawGroups = payload[groupsClaim];
      const listed = Array.isArray(rawGroups) ? rawGroups : typeof rawGroups === 'string' ? rawGroups.split(',') : [];
      let principal;
      try {
        principal = checkPrincipal(
          claimed ?? '',
          listed.filter((g) => typeof g === 'string'),
          `the token's '${userClaim}' claim`,
        );
      } catch (err) {
        if (err instanceof PrincipalError) throw new OAuthError(OAuthErrorCode.InvalidToken, err.message);
        throw err;
      }
      const { user, groups } = principal;
      const identity: Identity = { user, groups, source: 'oauth', impersonate: true };
      return {
        token,
        clientId: typeof payload.azp === 'string' ? payload.azp : typeof payload.client_id === 'string' ? payload.client_id : user,
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        expiresAt: payload.exp,
        extra: { [IDENTITY_KEY]: identity },
      };
    },
  };
}

function describeJwtError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token claim '${err.claim}' is invalid (${err.reason})`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'token is signed by an unknown key';
  if (err instanceof joseErrors.JOSEError) return `token rejected: ${err.code}`;
  return 'token rejected';
}
