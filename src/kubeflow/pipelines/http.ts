/**
 * The KFP REST transport (docs/wire/pipelines.md#rest-conventions): JSON with proto field names
 * under /apis/v2beta1, multipart `uploadfile` for packages, `authorization: Bearer` from the token
 * file (re-read per request), a timeout on every call combined with the caller's signal, no
 * redirects followed, and every failure mapped to a PipelinesError from the server's
 * google.rpc.Status (or the upload handler's `error_message`) body.
 */
import { PipelinesError, type PipelinesErrorCode } from './errors.js';
import { errorDetail, transportFailure } from '../restFailure.js';
import { apiBase, readToken } from './endpoint.js';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface KfpHttpOptions {
  /** The KFP endpoint, e.g. http://ml-pipeline.kubeflow.svc.cluster.local:8888 or a gateway's …/pipeline. */
  endpoint: string;
  /** Where the bearer token is read from before each request (none: no Authorization header). */
  tokenFile?: string;
  /** A fixed token instead of a file (tests, embedders). */
  token?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A pipeline package sent as multipart field `uploadfile`. */
  upload?: { fileName: string; content: string };
  signal?: AbortSignal;
}

export class KfpHttp {
  readonly apiBase: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly opts: KfpHttpOptions) {
    this.apiBase = apiBase(opts.endpoint);
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get origin(): string {
    return new URL(this.apiBase).origin;
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(this.apiBase + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.opts.token ?? readToken(this.opts.tokenFile);
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | FormData | undefined;
    if (opts.upload) {
      body = new FormData();
      body.set('uploadfile', new Blob([opts.upload.content], { type: 'application/x-yaml' }), opts.upload.fileName);
    } else if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const what = `${method} ${url.pathname}`;

    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, { method, headers, body, signal, redirect: 'manual' });
      text = await res.text();
    } catch (err) {
      throw this.transportError(err, what, opts.signal);
    }
    if (res.status >= 300 && res.status < 400) {
      throw new PipelinesError(
        'unauthorized',
        `${what}: the KFP endpoint answered with a redirect (${res.status}) to ${res.headers.get('location') ?? 'elsewhere'}`,
        'an authenticating gateway is in front of the API server: use the in-cluster endpoint, or a token the gateway accepts',
        res.status,
      );
    }
    if (!res.ok) throw httpError(res.status, text, what, this.apiBase);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new PipelinesError(
        'invalid_response',
        `${what}: the KFP endpoint answered ${res.status} with a body that is not JSON`,
        `check that ${this.apiBase} is a Kubeflow Pipelines API server`,
        res.status,
      );
    }
  }

  private transportError(err: unknown, what: string, caller: AbortSignal | undefined): PipelinesError {
    const failure = transportFailure(err, caller);
    if (failure.kind === 'cancelled') return new PipelinesError('cancelled', `${what}: the request was cancelled`, 'call again if the result is still needed');
    if (failure.kind === 'timeout') {
      return new PipelinesError(
        'pipelines_timeout',
        `${what}: the KFP API server did not answer within ${this.timeoutMs / 1000}s`,
        `check that the API server at ${this.origin} is healthy, then call again`,
      );
    }
    return new PipelinesError(
      'pipelines_unreachable',
      `cannot reach the KFP API server: ${failure.reason}`,
      `check the endpoint (${this.apiBase}), that ml-pipeline is running and reachable from here (port-forward or in-cluster DNS), then call again`,
    );
  }
}

function httpError(status: number, text: string, what: string, base: string): PipelinesError {
  // google.rpc.Status carries `message`; the upload handler answers with `error_message`.
  const detail = errorDetail(text, ['message', 'error_message'], 300);
  const message = `${what}: ${status}${detail ? ` ${detail}` : ''}`;
  const map: Record<number, [PipelinesErrorCode, string]> = {
    400: ['bad_request', 'the API server refused the request; fix what the message names and call again'],
    401: ['unauthorized', 'the API server needs a valid bearer token (a service-account token with audience pipelines.kubeflow.org): mount one and call again'],
    403: [
      'forbidden',
      'the token is valid but lacks this permission on pipelines.kubeflow.org in that namespace; use a namespace you may use, or ask an admin',
    ],
    404: ['not_found', 'check the ids and names; the list tools show what exists'],
    409: ['conflict', 'something with that name already exists; pick another name, or upload as a new version'],
  };
  const [code, hint] = map[status] ?? ['pipelines_error', `the KFP API server at ${base} failed (${status}); call again later or check its logs`];
  return new PipelinesError(code, message, hint, status);
}
