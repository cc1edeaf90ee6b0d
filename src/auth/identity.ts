/**
 * Who is calling. Every tool call runs with one Identity; on HTTP behind a gateway or with OAuth it
 * is the end user (the server's service account impersonates them), otherwise the server's own
 * Kubernetes identity (kubeconfig user or service account).
 */
type IdentitySource = 'kubeconfig' | 'service-account' | 'gateway' | 'oauth' | 'local';

export interface Identity {
  /** Kubernetes user name (what RBAC sees). */
  user: string;
  groups: string[];
  source: IdentitySource;
  /** Correlates audit lines with the caller's gateway logs. */
  requestId?: string;
  /** True when Kubernetes calls must impersonate `user`/`groups`. */
  impersonate: boolean;
  /** The server's own identity when it acts for this caller (audit: who actually made the calls). */
  actingAs?: string;
}

/** The AuthInfo.extra key under which the HTTP layer hands the identity to the server factory. */
export const IDENTITY_KEY = 'kubeflowMcpIdentity';
