/**
 * A small Kubernetes REST client: JSON requests, merge patches, dry-run, text and line streams
 * (pod logs), and watches. One instance per caller identity: impersonation headers are fixed at
 * construction so concurrent callers can never share or leak identity.
 */
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import type { KubeConnection } from './connection.js';
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
  resourcequotas: core('resourcequotas', 'ResourceQuota'),
  trainjobs: trainer('trainjobs', 'TrainJob'),
  trainingruntimes: trainer('trainingruntimes', 'TrainingRuntime'),
  clustertrainingruntimes: trainer('clustertrainingruntimes', 'ClusterTrainingRuntime', false),
  experiments: katib('experiments', 'Experiment'),
  trials: katib('trials', 'Trial'),
  suggestions: katib('suggestions', 'Suggestion'),
  selfsubjectaccessreviews: { group: 'authorization.k8s.io', version: 'v1', plural: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false },
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
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface CallOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Per-call timeout; streams use only the signal. */
  timeoutMs?: number;
}

export interface Impersonation {
  user: string;
  groups?: string[];
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export class KubeClient {
  constructor(
    readonly connection: KubeConnection,
    private readonly impersonate?: Impersonation,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  get server(): string {
    return this.connection.server;
  }

  /** A client for the same cluster acting as another user (Impersonate-User / Impersonate-Group). */
  as(identity: Impersonation): KubeClient {
    return new KubeClient(this.connection, identity, this.timeoutMs);
  }

  path(rt: ResourceType, namespace?: string, name?: string, subresource?: string): string {
    const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
    const ns = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const n = name ? `/${encodeURIComponent(name)}` : '';
    const s = subresource ? `/${subresource}` : '';
    return `${base}${ns}/${rt.plural}${n}${s}`;
  }

  get<T extends KubeObject>(rt: ResourceType, name: string, namespace?: string, signal?: AbortSignal): Promise<T> {
    return this.json<T>('GET', this.path(rt, namespace, name), { signal });
  }

  list<T extends KubeObject>(rt: ResourceType, namespace?: string, query?: Query, signal?: AbortSignal): Promise<KubeList<T>> {
    return this.json<KubeList<T>>('GET', this.path(rt, namespace), { query, signal });
  }

  create<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, body: unknown, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<T> {
    return this.json<T>('POST', this.path(rt, namespace), { body, query: { dryRun: opts.dryRun ? 'All' : undefined }, signal: opts.signal });
  }

  mergePatch<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, name: string, patch: unknown, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<T> {
    return this.json<T>('PATCH', this.path(rt, namespace, name), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      signal: opts.signal,
    });
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<unknown> {
    return this.json('DELETE', this.path(rt, namespace, name), {
      // Background propagation like the SDK and kubectl; the controller garbage-collects pods.
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(opts.dryRun ? { dryRun: ['All'] } : {}) },
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      signal: opts.signal,
    });
  }

  /** A JSON request; non-2xx answers become KubeApiError carrying the API Status. */
  async json<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await readBody(res);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A plain-text GET (pod logs). */
  async text(path: string, opts: CallOptions = {}): Promise<string> {
    return readBody(await this.send('GET', path, opts));
  }

  /** Lines of a streaming GET (pod logs with follow=true), until the server ends it or the signal aborts. */
  async *lines(path: string, opts: CallOptions = {}): AsyncGenerator<string> {
    const res = await this.send('GET', path, { ...opts, timeoutMs: 0 });
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

  private async send(method: string, path: string, opts: CallOptions): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string | string[]> = { Accept: 'application/json', ...(await this.connection.authHeaders()) };
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
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new KubeApiError('request cancelled', 499, 'Aborted'));
      const req = mod.request(url, { method, headers, agent: this.connection.agent, signal: opts.signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        readBody(res).then((text) => reject(statusError(text, status, method, url.pathname)), reject);
      });
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new KubeApiError(`Kubernetes API call timed out after ${timeoutMs / 1000}s: ${method} ${url.pathname}`, 504, 'Timeout')));
      }
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof KubeApiError) return reject(err);
        if (opts.signal?.aborted || err.name === 'AbortError') return reject(new KubeApiError('request cancelled', 499, 'Aborted'));
        reject(new KubeApiError(`cannot reach the Kubernetes API server at ${this.server}: ${err.code ?? err.message}`, 0, 'Unreachable'));
      });
      req.end(payload);
    });
  }
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function statusError(text: string, status: number, method: string, path: string): KubeApiError {
  try {
    const st = JSON.parse(text) as KubeStatus;
    if (st && st.kind === 'Status') return new KubeApiError(st.message || `${method} ${path}: HTTP ${status}`, st.code || status, st.reason || 'Unknown', st.details);
  } catch {
    // not a Status object: fall through
  }
  const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'NotFound' : 'Unknown';
  return new KubeApiError(`${method} ${path}: HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, status, reason);
}
