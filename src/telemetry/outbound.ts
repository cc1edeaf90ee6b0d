/**
 * Telemetry for the server's own outbound calls: the Kubernetes API (src/kube/client.ts) and the
 * Model Registry (src/kubeflow/hub/http.ts). One CLIENT span per logical call (its retries
 * included), one metric sample per HTTP exchange. Span attributes name the request (method, path,
 * server, status); never headers, bodies or query values (a label selector is the caller's data).
 */
import { recordKubeRequest, recordRegistryRequest } from './metrics.js';
import { inSpan } from './tracing.js';

export interface KubeRequestKind {
  /** The Kubernetes verb: get, list, watch, create, update, patch, delete (or the HTTP method). */
  verb: string;
  /** The resource (with its subresource: pods/log), `discovery` for API group documents, or the path's first segment. */
  resource: string;
  namespace?: string;
}

/** What a Kubernetes API request does, from its method and URL (as the API server's RequestInfo derives it). */
export function kubeRequestKind(method: string, url: URL): KubeRequestKind {
  const parts = url.pathname.split('/').filter(Boolean);
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts.length >= 3) rest = parts.slice(3);
  else return { verb: method.toLowerCase(), resource: parts[0] === 'api' || parts[0] === 'apis' ? 'discovery' : (parts[0] ?? 'root') };
  if (rest.length === 0) return { verb: method.toLowerCase(), resource: 'discovery' };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, sub] = rest;
  const resource = sub ? `${plural}/${sub}` : plural!;
  const watching = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb =
    method === 'GET'
      ? watching
        ? 'watch'
        : name
          ? 'get'
          : 'list'
      : (({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' } as Record<string, string>)[method] ??
        method.toLowerCase());
  return { verb, resource, ...(namespace ? { namespace } : {}) };
}

/** What ended an exchange that got no HTTP status (KubeApiError's conventions: 0 unreachable, 499 cancelled, 504 our timeout). */
export function statusLabel(status: number, reason?: string): string {
  if (status === 0) return 'unreachable';
  if (status === 499 && reason === 'Aborted') return 'cancelled';
  if (status === 504 && reason === 'Timeout') return 'timeout';
  return String(status);
}

export interface KubeCallTelemetry {
  /** One HTTP exchange ended with this status (see statusLabel). */
  exchange(status: number, seconds: number, reason?: string): void;
}

/** Runs one Kubernetes API call (all its attempts) in a CLIENT span named `{verb} {resource}`. */
export function tracedKubeCall<T>(method: string, url: URL, impersonating: string | undefined, run: (t: KubeCallTelemetry) => Promise<T>): Promise<T> {
  const kind = kubeRequestKind(method, url);
  return inSpan(
    `kube ${kind.verb} ${kind.resource}`,
    {
      kind: 'client',
      attributes: {
        'http.request.method': method,
        'url.path': url.pathname,
        'server.address': url.hostname,
        'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        'k8s.namespace.name': kind.namespace,
        'kubeflow_mcp.kube.verb': kind.verb,
        'kubeflow_mcp.kube.resource': kind.resource,
        // Who the request acts as (Impersonate-User): the caller, never their credentials.
        'kubeflow_mcp.kube.impersonate': impersonating,
      },
    },
    async (span) => {
      let attempts = 0;
      let last: string | undefined;
      try {
        return await run({
          exchange(status, seconds, reason) {
            attempts += 1;
            last = statusLabel(status, reason);
            recordKubeRequest(kind.verb, kind.resource, last, seconds);
            span.set({ 'http.response.status_code': status > 0 ? status : undefined, 'http.request.resend_count': attempts > 1 ? attempts - 1 : undefined });
          },
        });
      } catch (err) {
        // A failed attempt that a retry recovered from is not the call's outcome; the last one is.
        span.fail(last ?? (err as Error)?.name ?? '_OTHER');
        throw err;
      }
    },
  );
}

/** Runs one Model Registry request in a CLIENT span and counts it by method and status. */
export function tracedRegistryCall<T>(method: string, url: URL, run: (done: (status: number | string) => void) => Promise<T>): Promise<T> {
  return inSpan(
    `registry ${method}`,
    {
      kind: 'client',
      attributes: {
        'http.request.method': method,
        'url.path': url.pathname,
        'server.address': url.hostname,
        'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      },
    },
    async (span) => {
      let last: string | undefined;
      try {
        return await run((status) => {
          last = String(status);
          recordRegistryRequest(method, last);
          if (typeof status === 'number') span.set({ 'http.response.status_code': status });
        });
      } catch (err) {
        span.fail(last ?? (err as Error)?.name ?? '_OTHER');
        throw err;
      }
    },
  );
}
