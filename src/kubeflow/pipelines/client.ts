/**
 * PipelinesClient: the SDK's kfp.kubeflow_client PipelinesClient (plus the kfp.Client calls it
 * lacks: terminate, retry, archive, recurring runs) over KFP REST v2beta1. Name-first like the SDK
 * (display names resolved with EQUALS filters, an ambiguity is an error) but every page is looked
 * at, and ids are accepted wherever names are. When the server acts for a caller, every request is
 * preceded by the caller's access check (access.ts) on the namespace it concerns, and objects read
 * by id must belong to that namespace.
 */
import type { KubeClient } from '../../kube/client.js';
import type { KfpAccessCheck, KfpResource, KfpVerb } from './access.js';
import { PipelinesError } from './errors.js';
import { KfpHttp, type KfpHttpOptions, type Query } from './http.js';
import { taskLogs } from './logs.js';
import type { Experiment, Page, PageOptions, Pipeline, PipelineVersion, RecurringRun, RecurringRunBody, Run, RunBody, RuntimeState } from './types.js';

export interface PipelinesClientOptions extends KfpHttpOptions {
  authorize?: KfpAccessCheck;
  /** Kubernetes acting as the caller: task pods and their logs. */
  kube?: KubeClient;
}

export interface Health {
  multiUser: boolean;
  pipelineStore?: string;
}

export type RunAction = 'terminate' | 'retry' | 'archive' | 'unarchive' | 'delete';
export type RecurringAction = 'enable' | 'disable' | 'delete';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 200;
/** Name lookups read at most this many pages of 200 (the SDK reads only the first). */
const MAX_LOOKUP_PAGES = 25;
const NEWEST_FIRST = 'created_at desc';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** healthz answers per API base, learned once (the SDK calls it on construction). */
const health = new Map<string, Promise<Health>>();

function isKfpId(s: string): boolean {
  return UUID.test(s);
}

/** A URL-encoded Filter: predicates AND-ed. */
function filterOf(predicates: Array<{ key: string; op: 'EQUALS' | 'IS_SUBSTRING'; value: string }>): string | undefined {
  if (!predicates.length) return undefined;
  return JSON.stringify({ predicates: predicates.map((p) => ({ operation: p.op, key: p.key, string_value: p.value })) });
}

export class PipelinesClient {
  readonly http: KfpHttp;
  private readonly authorize?: KfpAccessCheck;
  private readonly kube?: KubeClient;

  constructor(opts: PipelinesClientOptions) {
    this.http = new KfpHttp(opts);
    this.authorize = opts.authorize;
    this.kube = opts.kube;
  }

  get apiBase(): string {
    return this.http.apiBase;
  }

  /** Whether this server checks callers' rights itself (it acts for someone else). */
  get actsForCaller(): boolean {
    return this.authorize !== undefined;
  }

  /** GET /healthz, remembered per endpoint. Throws when the API does not answer. */
  async health(signal?: AbortSignal): Promise<Health> {
    let h = health.get(this.apiBase);
    if (!h) {
      h = this.http.request<{ multi_user?: boolean; pipeline_store?: string }>('GET', '/healthz', { signal }).then((r) => {
        if (!r || typeof r !== 'object')
          throw new PipelinesError('invalid_response', 'healthz did not answer a JSON object', `check that ${this.apiBase} is a KFP API server`);
        return { multiUser: r.multi_user === true, ...(r.pipeline_store ? { pipelineStore: r.pipeline_store } : {}) };
      });
      h.catch(() => health.delete(this.apiBase));
      health.set(this.apiBase, h);
    }
    return h;
  }

  /** The caller may do this (their access check), or nothing is checked (the server is the caller). */
  async may(namespace: string, resource: KfpResource, verb: KfpVerb, signal?: AbortSignal): Promise<void> {
    await this.authorize?.(namespace, resource, verb, signal);
  }

  private async call<T>(
    access: [string, KfpResource, KfpVerb],
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    opts: { query?: Query; body?: unknown; upload?: { fileName: string; content: string }; signal?: AbortSignal } = {},
  ): Promise<T> {
    await this.may(access[0], access[1], access[2], opts.signal);
    return this.http.request<T>(method, path, opts);
  }

  // ---- pipelines and versions ------------------------------------------------------------------

  async listPipelines(namespace: string, opts: PageOptions = {}): Promise<Page<Pipeline>> {
    const r = await this.call<{ pipelines?: Pipeline[]; total_size?: number; next_page_token?: string }>(
      [namespace, 'pipelines', 'list'],
      'GET',
      '/pipelines',
      {
        query: { namespace, ...pageQuery(opts) },
        signal: opts.signal,
      },
    );
    return page(r?.pipelines, r?.total_size, r?.next_page_token);
  }

  /** A pipeline by id or display name in the namespace (and, on multi-user servers, among shared ones). */
  async findPipeline(namespace: string, ref: string, signal?: AbortSignal): Promise<Pipeline> {
    if (isKfpId(ref)) {
      const p = await this.call<Pipeline>([namespace, 'pipelines', 'get'], 'GET', `/pipelines/${encodeURIComponent(ref)}`, { signal });
      if (p.namespace && p.namespace !== namespace) throw notHere('pipeline', ref, namespace, p.namespace);
      return p;
    }
    const found = await this.lookup<Pipeline>([namespace, 'pipelines', 'list'], '/pipelines', 'pipelines', ref, { namespace }, signal);
    if (found.length === 0 && (await this.health(signal).catch(() => undefined))?.multiUser) {
      // Shared pipelines have no namespace; KFP lists them when none is given.
      const shared = (await this.lookup<Pipeline>([namespace, 'pipelines', 'list'], '/pipelines', 'pipelines', ref, {}, signal)).filter((p) => !p.namespace);
      return one(shared, 'pipeline', ref, (p) => p.pipeline_id, namespace);
    }
    return one(found, 'pipeline', ref, (p) => p.pipeline_id, namespace);
  }

  async listVersions(namespace: string, pipelineId: string, opts: PageOptions = {}): Promise<Page<PipelineVersion>> {
    const r = await this.call<{ pipeline_versions?: PipelineVersion[]; total_size?: number; next_page_token?: string }>(
      [namespace, 'pipelines', 'list'],
      'GET',
      `/pipelines/${encodeURIComponent(pipelineId)}/versions`,
      {
        query: pageQuery(opts),
        signal: opts.signal,
      },
    );
    return page(r?.pipeline_versions, r?.total_size, r?.next_page_token);
  }

  /** A version by id or display name, else the newest one; with its pipeline_spec. */
  async findVersion(namespace: string, pipelineId: string, ref: string | undefined, signal?: AbortSignal): Promise<PipelineVersion> {
    let id: string | undefined;
    if (ref && isKfpId(ref)) id = ref;
    else if (ref)
      id = one(
        await this.lookup<PipelineVersion>(
          [namespace, 'pipelines', 'list'],
          `/pipelines/${encodeURIComponent(pipelineId)}/versions`,
          'pipeline_versions',
          ref,
          {},
          signal,
        ),
        'version',
        ref,
        (v) => v.pipeline_version_id,
      ).pipeline_version_id;
    else {
      const newest = await this.listVersions(namespace, pipelineId, { pageSize: 1, signal });
      id = newest.items[0]?.pipeline_version_id;
      if (!id)
        throw new PipelinesError(
          'not_found',
          `pipeline ${pipelineId} has no versions`,
          'upload a version of it first (upload_pipeline with this pipeline name)',
          404,
          'version',
        );
    }
    return this.call<PipelineVersion>(
      [namespace, 'pipelines', 'get'],
      'GET',
      `/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(id!)}`,
      { signal },
    );
  }

  /** POST /pipelines/upload: a new pipeline and its first version (named after the pipeline). */
  uploadPipeline(
    namespace: string,
    content: string,
    opts: { name: string; description?: string; tags?: Record<string, string>; signal?: AbortSignal },
  ): Promise<Pipeline> {
    return this.call<Pipeline>([namespace, 'pipelines', 'create'], 'POST', '/pipelines/upload', {
      query: {
        name: opts.name,
        description: opts.description,
        namespace: namespace || undefined,
        tags: opts.tags && Object.keys(opts.tags).length ? JSON.stringify(opts.tags) : undefined,
      },
      upload: { fileName: 'pipeline.yaml', content },
      signal: opts.signal,
    });
  }

  /** POST /pipelines/upload_version. */
  uploadVersion(
    namespace: string,
    pipelineId: string,
    content: string,
    opts: { name: string; description?: string; tags?: Record<string, string>; signal?: AbortSignal },
  ): Promise<PipelineVersion> {
    return this.call<PipelineVersion>([namespace, 'pipelines', 'create'], 'POST', '/pipelines/upload_version', {
      query: {
        pipelineid: pipelineId,
        name: opts.name,
        description: opts.description,
        tags: opts.tags && Object.keys(opts.tags).length ? JSON.stringify(opts.tags) : undefined,
      },
      upload: { fileName: 'pipeline.yaml', content },
      signal: opts.signal,
    });
  }

  /** PATCH a version's display name (the SDK renames a new pipeline's first version this way). */
  renameVersion(namespace: string, pipelineId: string, versionId: string, displayName: string, signal?: AbortSignal): Promise<PipelineVersion> {
    return this.call<PipelineVersion>(
      [namespace, 'pipelines', 'update'],
      'PATCH',
      `/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`,
      { body: { display_name: displayName }, signal },
    );
  }

  // ---- experiments -----------------------------------------------------------------------------

  async listExperiments(namespace: string, opts: PageOptions & { nameContains?: string } = {}): Promise<Page<Experiment>> {
    const r = await this.call<{ experiments?: Experiment[]; total_size?: number; next_page_token?: string }>(
      [namespace, 'experiments', 'list'],
      'GET',
      '/experiments',
      {
        query: {
          namespace,
          ...pageQuery(opts),
          filter: filterOf(opts.nameContains ? [{ key: 'display_name', op: 'IS_SUBSTRING', value: opts.nameContains }] : []),
        },
        signal: opts.signal,
      },
    );
    return page(r?.experiments, r?.total_size, r?.next_page_token);
  }

  /** An experiment by display name in the namespace; undefined when there is none. */
  async findExperiment(namespace: string, name: string, signal?: AbortSignal): Promise<Experiment | undefined> {
    const found = await this.lookup<Experiment>([namespace, 'experiments', 'list'], '/experiments', 'experiments', name, { namespace }, signal);
    return found.length ? one(found, 'experiment', name, (e) => e.experiment_id, namespace) : undefined;
  }

  async getExperiment(namespace: string, id: string, signal?: AbortSignal): Promise<Experiment> {
    return this.call<Experiment>([namespace, 'experiments', 'get'], 'GET', `/experiments/${encodeURIComponent(id)}`, { signal });
  }

  createExperiment(namespace: string, name: string, description: string | undefined, signal?: AbortSignal): Promise<Experiment> {
    return this.call<Experiment>([namespace, 'experiments', 'create'], 'POST', '/experiments', {
      body: { display_name: name, ...(description ? { description } : {}), ...(namespace ? { namespace } : {}) },
      signal,
    });
  }

  // ---- runs ------------------------------------------------------------------------------------

  createRun(namespace: string, body: RunBody, signal?: AbortSignal): Promise<Run> {
    return this.call<Run>([namespace, 'runs', 'create'], 'POST', '/runs', { body, signal });
  }

  async listRuns(namespace: string, opts: PageOptions & { experimentId?: string; state?: RuntimeState; nameContains?: string } = {}): Promise<Page<Run>> {
    const predicates = [
      ...(opts.state ? [{ key: 'state', op: 'EQUALS' as const, value: opts.state }] : []),
      ...(opts.nameContains ? [{ key: 'display_name', op: 'IS_SUBSTRING' as const, value: opts.nameContains }] : []),
    ];
    const r = await this.call<{ runs?: Run[]; total_size?: number; next_page_token?: string }>([namespace, 'runs', 'list'], 'GET', '/runs', {
      // KFP lists by experiment when one is given, else by namespace.
      query: { ...(opts.experimentId ? { experiment_id: opts.experimentId } : { namespace }), ...pageQuery(opts), filter: filterOf(predicates) },
      signal: opts.signal,
    });
    return page(r?.runs, r?.total_size, r?.next_page_token);
  }

  /** A run by id, with the namespace it belongs to (its experiment's); refused when that is not `namespace`. */
  async getRun(namespace: string, id: string, signal?: AbortSignal): Promise<{ run: Run; experiment?: Experiment }> {
    const run = await this.call<Run>([namespace, 'runs', 'get'], 'GET', `/runs/${encodeURIComponent(requireId(id, 'run_id'))}`, { signal });
    const experiment = run.experiment_id ? await this.getExperiment(namespace, run.experiment_id, signal) : undefined;
    if (experiment?.namespace && experiment.namespace !== namespace) throw notHere('run', id, namespace, experiment.namespace);
    return { run, ...(experiment ? { experiment } : {}) };
  }

  async runAction(namespace: string, id: string, action: RunAction, signal?: AbortSignal): Promise<void> {
    const path = `/runs/${encodeURIComponent(requireId(id, 'run_id'))}`;
    await this.call([namespace, 'runs', action], action === 'delete' ? 'DELETE' : 'POST', action === 'delete' ? path : `${path}:${action}`, { signal });
  }

  /** A task's log from its pod (Kubernetes, as the caller); the run must be readable first. */
  taskLogs(namespace: string, run: Run, opts: { task?: string; tail: number; signal?: AbortSignal }): ReturnType<typeof taskLogs> {
    if (!this.kube)
      throw new PipelinesError(
        'invalid_argument',
        'task logs are read from the cluster, and this server has no Kubernetes connection',
        'start the server with a kubeconfig (or in the cluster) to read task logs',
      );
    return taskLogs(this.kube, namespace, run, opts);
  }

  // ---- recurring runs --------------------------------------------------------------------------

  createRecurringRun(namespace: string, body: RecurringRunBody, signal?: AbortSignal): Promise<RecurringRun> {
    return this.call<RecurringRun>([namespace, 'jobs', 'create'], 'POST', '/recurringruns', { body, signal });
  }

  async listRecurringRuns(namespace: string, opts: PageOptions & { experimentId?: string } = {}): Promise<Page<RecurringRun>> {
    const r = await this.call<{ recurringRuns?: RecurringRun[]; total_size?: number; next_page_token?: string }>(
      [namespace, 'jobs', 'list'],
      'GET',
      '/recurringruns',
      {
        query: { ...(opts.experimentId ? { experiment_id: opts.experimentId } : { namespace }), ...pageQuery(opts) },
        signal: opts.signal,
      },
    );
    return page(r?.recurringRuns, r?.total_size, r?.next_page_token);
  }

  async getRecurringRun(namespace: string, id: string, signal?: AbortSignal): Promise<RecurringRun> {
    const rr = await this.call<RecurringRun>([namespace, 'jobs', 'get'], 'GET', `/recurringruns/${encodeURIComponent(requireId(id, 'recurring_run_id'))}`, {
      signal,
    });
    if (rr.namespace && rr.namespace !== namespace) throw notHere('recurring run', id, namespace, rr.namespace);
    return rr;
  }

  async recurringAction(namespace: string, id: string, action: RecurringAction, signal?: AbortSignal): Promise<void> {
    const path = `/recurringruns/${encodeURIComponent(requireId(id, 'recurring_run_id'))}`;
    await this.call([namespace, 'jobs', action], action === 'delete' ? 'DELETE' : 'POST', action === 'delete' ? path : `${path}:${action}`, { signal });
  }

  // ---------------------------------------------------------------------------------------------

  /** Every object of a list whose display_name equals `name` (all pages). */
  private async lookup<T>(access: [string, KfpResource, KfpVerb], path: string, key: string, name: string, query: Query, signal?: AbortSignal): Promise<T[]> {
    const found: T[] = [];
    let token: string | undefined;
    for (let i = 0; i < MAX_LOOKUP_PAGES; i++) {
      const r = await this.call<Record<string, unknown>>(access, 'GET', path, {
        query: { ...query, page_size: MAX_PAGE_SIZE, page_token: token, filter: filterOf([{ key: 'display_name', op: 'EQUALS', value: name }]) },
        signal,
      });
      found.push(...((r?.[key] as T[] | undefined) ?? []));
      token = (r?.next_page_token as string | undefined) || undefined;
      if (!token) break;
    }
    return found;
  }
}

function pageQuery(opts: PageOptions): Query {
  const size = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new PipelinesError(
      'invalid_argument',
      `page_size must be between 1 and ${MAX_PAGE_SIZE}, got ${size}`,
      `use e.g. ${DEFAULT_PAGE_SIZE}`,
      0,
      'page_size',
    );
  }
  return { page_size: size, page_token: opts.pageToken, sort_by: NEWEST_FIRST };
}

function page<T>(items: T[] | undefined, total: number | undefined, token: string | undefined): Page<T> {
  return { items: items ?? [], total: total ?? (items ?? []).length, ...(token ? { nextPageToken: token } : {}) };
}

function one<T>(found: T[], what: string, ref: string, id: (t: T) => string | undefined, namespace?: string): T {
  if (found.length === 1) return found[0]!;
  if (found.length === 0)
    throw new PipelinesError(
      'not_found',
      `no ${what} named '${ref}'${namespace ? ` in namespace ${namespace}` : ''}`,
      `list_pipelines / list_pipeline_runs show what exists (names are case-sensitive); or pass the ${what} id`,
      404,
      what,
    );
  throw new PipelinesError(
    'ambiguous_name',
    `${found.length} ${what}s are named '${ref}': ${found.map(id).join(', ')}`,
    `pass the id of the one you mean instead of the name`,
    0,
    what,
  );
}

/** Not which namespace it is in: the caller may not be allowed to know. */
function notHere(what: string, id: string, namespace: string, _actual: string): PipelinesError {
  return new PipelinesError(
    'not_found',
    `${what} ${id} is not in namespace ${namespace}`,
    'pass the namespace it belongs to, or list what exists in this one',
    404,
    'namespace',
  );
}

function requireId(id: string, field: string): string {
  if (!isKfpId(id))
    throw new PipelinesError(
      'invalid_argument',
      `${field} must be a KFP id (a UUID), got ${JSON.stringify(id.slice(0, 80))}`,
      'list_pipeline_runs shows the ids',
      0,
      field,
    );
  return id;
}
