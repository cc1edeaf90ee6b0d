/**
 * A small Kubernetes REST client: JSON requests, merge patches, dry-run, text and line streams
 * (pod logs), and watches. One instance per caller identity: impersonation headers are fixed at
 * construction so concurrent callers can never share or leak identity.
 */
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { SERVER_VERSION } from '../server/version.js';
import type { KubeConnection } from './connection.js';
import { serverWarning } from '../telemetry/serverLog.js';
import { tracedKubeCall } from '../telemetry/outbound.js';
import { backoffMs, DEFAULT_RETRY, parseRetryAfter, sleep, type RetryPolicy } from './retry.js';
import type { KubeList, KubeObject, KubeStatus } from './types.js';

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const core = (plural: string, kind: string, namespaced = true): ResourceType => ({ group: '', version: 'v1', plural, kind, namespaced });
const trainer = (plural: string, kind: string, namespaced = true): ResourceType => ({
  group: 'trainer.kubeflow.org',
  version: 'v1alpha1',
  plural,
  kind,
  namespaced,
});

const katib = (plural: string, kind: string): ResourceType => ({ group: 'kubeflow.org', version: 'v1beta1', plural, kind, namespaced: true });

export const RESOURCES = {
  pods: core('pods', 'Pod'),
  events: core('events', 'Event'),
  nodes: core('nodes', 'Node', false),
  namespaces: core('namespaces', 'Namespace', false),
  configmaps: core('configmaps', 'ConfigMap'),
  serviceaccounts: core('serviceaccounts', 'ServiceAccount'),
  resourcequotas: core('resourcequotas', 'ResourceQuota'),
  persistentvolumeclaims: core('persistentvolumeclaims', 'PersistentVolumeClaim'),
  workloads: { group: 'kueue.x-k8s.io', version: 'v1beta1', plural: 'workloads', kind: 'Workload', namespaced: true },
  localqueues: { group: 'kueue.x-k8s.io', version: 'v1beta1', plural: 'localqueues', kind: 'LocalQueue', namespaced: true },
  /** Kueue's visibility API (aggregated): `pendingworkloads` of a LocalQueue gives queue positions. */
  localqueueVisibility: { group: 'visibility.kueue.x-k8s.io', version: 'v1beta1', plural: 'localqueues', kind: 'LocalQueue', namespaced: true },
  trainjobs: trainer('trainjobs', 'TrainJob'),
  trainingruntimes: trainer('trainingruntimes', 'TrainingRuntime'),
  clustertrainingruntimes: trainer('clustertrainingruntimes', 'ClusterTrainingRuntime', false),
  experiments: katib('experiments', 'Experiment'),
  trials: katib('trials', 'Trial'),
  suggestions: katib('suggestions', 'Suggestion'),
  selfsubjectaccessreviews: {
    group: 'authorization.k8s.io',
    version: 'v1',
    plural: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
  },
  selfsubjectreviews: { group: 'authentication.k8s.io', version: 'v1', plural: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false },
} as const satisfies Record<string, ResourceType>;

/** A failed Kubernetes call: an API Status, or a transport failure (status 0). */
export class KubeApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached, 504 on our own timeout. */
    readonly status: number,
    /** metav1.Status reason (NotFound, Forbidden, ...) or Unreachable / Timeout / Aborted. */
    readonly reason: string,
    readonly details?: KubeStatus['details'],
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  /** Asking again may succeed (429, 5xx, a dropped connection). */
  transient = false;
  /** The server's Retry-After, when it sent one. */
  retryAfterMs?: number;
}

/** A caller-supplied name or namespace that is not a valid Kubernetes name; nothing is sent. */
export class KubeNameError extends Error {
  readonly code = 'invalid_arguments';
  readonly hint: string;

  constructor(what: 'name' | 'namespace', value: string) {
    super(`${JSON.stringify(value.slice(0, 80))} is not a valid Kubernetes ${what}.`);
    this.name = 'KubeNameError';
    this.hint =
      what === 'namespace'
        ? 'A namespace is at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. "team-a").'
        : 'A name is at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (e.g. "torch-distributed"); the list tools show what exists.';
  }
}

export const USER_AGENT = `kubeflow-mcp/${SERVER_VERSION}`;

export type Query = Record<string, string | number | boolean | undefined>;

export interface CallOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Total time for the call (connect, answer, body, retries); 0 for none. Streams use only the signal. */
  timeoutMs?: number;
  /** May be sent again after a transient failure; defaults to true for GET/HEAD only. */
  idempotent?: boolean;
}

export interface Impersonation {
  user: string;
  groups?: string[];
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class KubeClient {
  constructor(
    readonly connection: KubeConnection,
    private readonly impersonate?: Impersonation,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  get server(): string {
    return this.connection.server;
  }

  /** A client for the same cluster acting as another user (Impersonate-User / Impersonate-Group). */
  as(identity: Impersonation): KubeClient {
    return new KubeClient(this.connection, identity, this.timeoutMs, this.retry);
  }

  path(rt: ResourceType, namespace?: string, name?: string, subresource?: string): string {
    const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
    // Every segment that came from a caller is a valid Kubernetes name, so none can be '.', '..'
    // or carry a '/', and the path is the one the caller asked for.
    const ns = rt.namespaced && namespace !== undefined && namespace !== '' ? `/namespaces/${checkSegment(namespace, 'namespace')}` : '';
    const n = name !== undefined && name !== '' ? `/${checkSegment(name, 'name')}` : '';
    const s = subresource ? `/${subresource}` : '';
    return `${base}${ns}/${rt.plural}${n}${s}`;
  }

  async get<T extends KubeObject>(rt: ResourceType, name: string, namespace?: string, signal?: AbortSignal): Promise<T> {
    return this.json<T>('GET', this.path(rt, namespace, name), { signal });
  }

  async list<T extends KubeObject>(rt: ResourceType, namespace?: string, query?: Query, signal?: AbortSignal): Promise<KubeList<T>> {
    return this.json<KubeList<T>>('GET', this.path(rt, namespace), { query, signal });
  }

  async create<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: { dryRun?: boolean; signal?: AbortSignal } = {},
  ): Promise<T> {
    // Access and identity reviews only ask a question: sending one twice is harmless.
    const idempotent = rt.group === 'authorization.k8s.io' || rt.group === 'authentication.k8s.io';
    return this.json<T>('POST', this.path(rt, namespace), { body, query: { dryRun: opts.dryRun ? 'All' : undefined }, signal: opts.signal, idempotent });
  }

  async mergePatch<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: { dryRun?: boolean; signal?: AbortSignal } = {},
  ): Promise<T> {
    return this.json<T>('PATCH', this.path(rt, namespace, name), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      signal: opts.signal,
    });
  }

  async delete(rt: ResourceType, namespace: string | undefined, name: string, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<unknown> {
    return this.json('DELETE', this.path(rt, namespace, name), {
      // Background propagation like the SDK and kubectl; the controller garbage-collects pods.
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(opts.dryRun ? { dryRun: ['All'] } : {}) },
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      signal: opts.signal,
    });
  }

  /** A JSON request; non-2xx answers become KubeApiError carrying the API Status. */
  async json<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const text = await this.call(method, path, opts, readBody);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A plain-text GET (pod logs). */
  async text(path: string, opts: CallOptions = {}): Promise<string> {
    return this.call('GET', path, opts, readBody);
  }

  /** Lines of a streaming GET (pod logs with follow=true), until the server ends it or the signal aborts. */
  async *lines(path: string, opts: CallOptions = {}): AsyncGenerator<string> {
    const res = await this.call('GET', path, { ...opts, timeoutMs: 0 }, async (r) => r);
    // A multi-byte character can straddle two chunks: decode across chunk boundaries.
    const decoder = new StringDecoder('utf8');
    let rest = '';
    try {
      for await (const chunk of res) {
        rest += decoder.write(chunk as Buffer);
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          yield rest.slice(0, nl);
          rest = rest.slice(nl + 1);
        }
      }
    } catch (err) {
      if (!opts.signal?.aborted) throw err;
    } finally {
      res.destroy();
    }
    rest += decoder.end();
    if (rest) yield rest;
  }

  /** A watch stream of a collection; ERROR events (e.g. 410 Expired) are thrown as KubeApiError. */
  async *watch<T>(rt: ResourceType, namespace: string | undefined, query: Query, signal?: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    const path = this.path(rt, namespace);
    for await (const line of this.lines(path, { query: { ...query, watch: 'true' }, signal })) {
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as WatchEvent<T>;
      if (ev.type === 'ERROR') {
        const st = ev.object as unknown as KubeStatus;
        throw new KubeApiError(st.message ?? 'watch error', st.code ?? 500, st.reason ?? 'Unknown', st.details);
      }
      yield ev;
    }
  }

  /**
   * One call: the URL from validated parts, a total deadline (connect, answer and body) unless
   * timeoutMs is 0, and bounded retries with backoff for idempotent calls on 429, 5xx and dropped
   * connections. `read` consumes the answer inside the deadline and the retry.
   */
  private async call<T>(method: string, path: string, opts: CallOptions, read: (res: http.IncomingMessage) => Promise<T>): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const deadline = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const signal = deadline && opts.signal ? AbortSignal.any([opts.signal, deadline]) : (deadline ?? opts.signal);
    const started = Date.now();
    const interrupted = (): KubeApiError | undefined =>
      opts.signal?.aborted
        ? new KubeApiError('request cancelled', 499, 'Aborted')
        : deadline?.aborted
          ? new KubeApiError(`Kubernetes API call timed out after ${timeoutMs / 1000}s: ${method} ${url.pathname}`, 504, 'Timeout')
          : undefined;
    const idempotent = opts.idempotent ?? (method === 'GET' || method === 'HEAD');
    return tracedKubeCall(method, url, this.impersonate?.user, async (telemetry) => {
      for (let attempt = 0; ; attempt++) {
        const sent = performance.now();
        let answered = false;
        try {
          const res = await this.send(method, url, opts, signal);
          answered = true;
          telemetry.exchange(res.statusCode ?? 0, (performance.now() - sent) / 1000);
          return await read(res);
        } catch (err) {
          const stop = interrupted();
          if (!answered && (err instanceof KubeApiError || stop))
            telemetry.exchange((stop ?? (err as KubeApiError)).status, (performance.now() - sent) / 1000, (stop ?? (err as KubeApiError)).reason);
          if (stop) throw stop;
          if (!(err instanceof KubeApiError) || !idempotent || !err.transient || attempt + 1 >= this.retry.attempts) throw err;
          const wait = err.retryAfterMs ?? backoffMs(attempt, this.retry);
          if (Date.now() - started + wait > this.retry.budgetMs) throw err;
          serverWarning(
            `Kubernetes API ${method} ${url.pathname} failed (${err.status ? `HTTP ${err.status}` : err.reason}: ${err.message}); retrying in ${(wait / 1000).toFixed(1)}s (attempt ${attempt + 2} of ${this.retry.attempts})`,
          );
          try {
            await sleep(wait, signal);
          } catch {
            throw interrupted() ?? err;
          }
        }
      }
    });
  }

  private async send(method: string, url: URL, opts: CallOptions, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
    const headers: Record<string, string | string[]> = { Accept: 'application/json', 'User-Agent': USER_AGENT, ...(await this.connection.authHeaders()) };
    if (this.impersonate) {
      headers['Impersonate-User'] = this.impersonate.user;
      if (this.impersonate.groups?.length) headers['Impersonate-Group'] = this.impersonate.groups;
    }
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      if (signal?.aborted) return reject(new KubeApiError('request cancelled', 499, 'Aborted'));
      const req = mod.request(url, { method, headers, agent: this.connection.agent, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        readBody(res).then((text) => {
          const err = statusError(text, status, method, url.pathname);
          err.transient = RETRIABLE_STATUS.has(status);
          err.retryAfterMs = parseRetryAfter(res.headers['retry-after']);
          reject(err);
        }, reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof KubeApiError) return reject(err);
        if (signal?.aborted || err.name === 'AbortError') return reject(new KubeApiError('request cancelled', 499, 'Aborted'));
        const e = new KubeApiError(`cannot reach the Kubernetes API server at ${this.server}: ${err.code ?? err.message}`, 0, 'Unreachable');
        e.transient = TRANSIENT_ERRNO.has(err.code ?? '');
        reject(e);
      });
      req.end(payload);
    });
  }
}

/** Answers worth asking again: throttled, or the server (or a proxy in front of it) briefly failing. */
const RETRIABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Connections that dropped mid-way; a refused connection is not retried (nothing is listening). */
const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/** Kubernetes object names (DNS-1123 subdomains) and namespaces (DNS-1123 labels). */
const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkSegment(value: string, what: 'name' | 'namespace'): string {
  const ok = what === 'namespace' ? value.length <= 63 && LABEL_RE.test(value) : value.length <= 253 && NAME_RE.test(value);
  if (!ok) throw new KubeNameError(what, value);
  return encodeURIComponent(value);
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // A connection cut mid-body is a dropped connection like any other (an abort is mapped by the caller).
    const cut = () => {
      const e = new KubeApiError('the API server connection closed mid-answer', 0, 'Unreachable');
      e.transient = true;
      reject(e);
    };
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', cut);
    res.on('close', () => res.complete || cut());
  });
}

function statusError(text: string, status: number, method: string, path: string): KubeApiError {
  try {
    const st = JSON.parse(text) as KubeStatus;
    if (st && st.kind === 'Status')
      return new KubeApiError(st.message || `${method} ${path}: HTTP ${status}`, st.code || status, st.reason || 'Unknown', st.details);
  } catch {
    // not a Status object: fall through
  }
  const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'NotFound' : 'Unknown';
  return new KubeApiError(`${method} ${path}: HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, status, reason);
}
