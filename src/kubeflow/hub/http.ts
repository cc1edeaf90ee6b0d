/**
 * The Model Registry REST transport (docs/wire/hub.md#api-base-and-connection): JSON over global fetch under /api/model_registry/v1alpha3,
 * `Authorization: Bearer` when a token is given, a timeout on every call (AbortSignal.timeout,
 * combined with the caller's signal), and every failure mapped to a HubError from the registry's
 * `{code, message}` body. Redirects are not followed: an authentication proxy answering with a
 * login redirect is reported as such instead of parsing its HTML.
 */
import type { RegistryAccessCheck, RegistryVerb } from './access.js';
import { tracedRegistryCall } from '../../telemetry/outbound.js';
import { errorDetail, transportFailure } from '../restFailure.js';
import { HubError, type HubErrorCode } from './errors.js';

const API_PATH = '/api/model_registry/v1alpha3';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface RegistryHttpOptions {
  /** e.g. http://model-registry-service.kubeflow:8080 (an http URL without a port gets :8080, as in the SDK). */
  baseUrl: string;
  token?: string;
  /** Asked before every request (acting for a caller, access.ts); a throw stops the request. */
  authorize?: RegistryAccessCheck;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export type Query = Record<string, string | number | undefined>;

/** The Kubernetes verb each registry request needs on the registry Service (reads get, writes create/update). */
const VERBS: Record<'GET' | 'POST' | 'PATCH', RegistryVerb> = { GET: 'get', POST: 'create', PATCH: 'update' };

/** The effective API base URL: SDK port defaulting, API path appended unless already there. */
export function registryApiBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new HubError(
      'invalid_argument',
      `'${baseUrl}' is not a URL`,
      'pass the registry URL with its scheme, e.g. http://model-registry-service.kubeflow:8080',
      0,
      'baseUrl',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HubError('invalid_argument', `registry URL '${baseUrl}' must use http or https`, 'e.g. https://model-registry.example.com', 0, 'baseUrl');
  }
  if (url.username || url.password) {
    throw new HubError('invalid_argument', 'the registry URL must not carry credentials', 'pass the token separately', 0, 'baseUrl');
  }
  // The SDK appends :8080 to http URLs without a port (443 for https is the default anyway). URL
  // drops an explicit default port (":80"), so look at the text for one.
  const authority =
    baseUrl
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .split(/[/?#]/)[0] ?? '';
  if (url.protocol === 'http:' && !/:\d+$/.test(authority)) url.port = '8080';
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(API_PATH) ? path : `${path}${API_PATH}`;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

export class RegistryHttp {
  readonly apiBase: string;
  private readonly token?: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly authorize?: RegistryAccessCheck;

  constructor(opts: RegistryHttpOptions) {
    this.authorize = opts.authorize;
    this.apiBase = registryApiBase(opts.baseUrl);
    this.token = opts.token?.trim() || undefined;
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get origin(): string {
    return new URL(this.apiBase).origin;
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH', path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    await this.authorize?.(VERBS[method], opts.signal);
    const url = new URL(this.apiBase + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const what = `${method} ${url.pathname}`;
    return tracedRegistryCall(method, url, (done) => this.exchange<T>(method, url, headers, opts, signal, what, done));
  }

  private async exchange<T>(
    method: string,
    url: URL,
    headers: Record<string, string>,
    opts: { body?: unknown; signal?: AbortSignal },
    signal: AbortSignal,
    what: string,
    done: (status: number | string) => void,
  ): Promise<T> {
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal, redirect: 'manual' });
      text = await res.text();
    } catch (err) {
      const e = this.transportError(err, what, opts.signal);
      done(e.code === 'cancelled' ? 'cancelled' : e.code === 'registry_timeout' ? 'timeout' : 'unreachable');
      throw e;
    }
    done(res.status);
    if (res.status >= 300 && res.status < 400) {
      throw new HubError(
        'unauthorized',
        `${what}: the registry answered with a redirect (${res.status}) to ${res.headers.get('location') ?? 'elsewhere'}`,
        'an authentication proxy is in front of the registry: pass a bearer token it accepts',
        res.status,
      );
    }
    if (!res.ok) throw httpError(res.status, text, what, this.apiBase);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new HubError(
        'invalid_response',
        `${what}: the registry answered ${res.status} with a body that is not JSON`,
        `check that ${this.apiBase} is a Model Registry REST endpoint`,
        res.status,
      );
    }
  }

  private transportError(err: unknown, what: string, caller: AbortSignal | undefined): HubError {
    const failure = transportFailure(err, caller);
    if (failure.kind === 'cancelled') return new HubError('cancelled', `${what}: the request was cancelled`, 'call again if the result is still needed');
    if (failure.kind === 'timeout') {
      return new HubError(
        'registry_timeout',
        `${what}: the registry did not answer within ${this.timeoutMs / 1000}s`,
        `check that the registry at ${this.origin} is healthy, then call again`,
      );
    }
    return new HubError(
      'registry_unreachable',
      `cannot reach the Model Registry: ${failure.reason}`,
      `check the registry URL (${this.apiBase}), that the service is running and reachable from here (port-forward or in-cluster DNS), then call again`,
    );
  }
}

function httpError(status: number, text: string, what: string, apiBase: string): HubError {
  const detail = errorDetail(text, ['message'], 200);
  const message = `${what}: ${status}${detail ? ` ${detail}` : ''}`;
  const map: Record<number, [HubErrorCode, string]> = {
    400: ['bad_request', 'the registry refused the request as malformed; fix the named field and call again'],
    401: ['unauthorized', 'the registry needs a valid bearer token: pass one (or refresh it) and call again'],
    403: ['forbidden', 'the token is valid but lacks access to this registry; use an identity that has it'],
    404: ['not_found', 'check the names; listing models and versions shows what exists'],
    409: ['conflict', 'something with that name already exists; pick another name or use the existing one'],
  };
  const [code, hint] = map[status] ?? ['registry_error', `the registry at ${apiBase} failed (${status}); call again later or check its logs`];
  return new HubError(code, message, hint, status);
}
