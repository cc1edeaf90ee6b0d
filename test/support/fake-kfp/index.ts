/**
 * An in-process KFP API server (REST v2beta1) on 127.0.0.1 for pipelines tests. Every request is
 * checked against the swagger (path, query parameters and their types, unknown query parameters,
 * the body with unknown fields rejected) before it is handled; an invalid one answers 400 and is
 * recorded, so tests assert the client never sent one. Every answer is validated too: one outside
 * the swagger is a bug of this fake (500, recorded in `responseBugs`, `close()` throws).
 *
 * Runs move PENDING -> RUNNING -> SUCCEEDED | FAILED (or CANCELING -> CANCELED when terminated) on
 * a timer; while running, each root task gets a `system-container-impl` pod on the test Kubernetes
 * API server, labelled `pipeline/runid`, with a `main` container whose log the task writes.
 * Packages are checked as the 2.17 server checks them on upload, parameters as on create-run.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAllDocuments } from 'yaml';
import { podStatus } from '../fake-kube/controller/pod-status.js';
import type { FakeKube } from '../fake-kube/index.js';
import { definition, findOperation, paramProblems, validate, type Operation } from './swagger.js';

type Json = Record<string, any>;

export interface FakeKfpOptions {
  /** When set, every request needs `authorization: Bearer <token>` (else 401). */
  token?: string;
  multiUser?: boolean;
  /** Where task pods go; without it runs have no pods. */
  kube?: FakeKube;
  /** Namespace of runs whose experiment has none (single-user mode). Default 'kubeflow'. */
  kfpNamespace?: string;
  /** Time between state steps (ms). Default 40. */
  stepMs?: number;
  /** Whether a task fails on this attempt (0 = first run, 1 = first retry, ...). Default: never. */
  failTask?: (ctx: { run: Json; task: string; attempt: number }) => boolean;
}

interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  operationId?: string;
  problems: string[];
}

export interface FakeKfp {
  readonly url: string;
  readonly requests: RecordedCall[];
  invalidRequests(): RecordedCall[];
  readonly responseBugs: string[];
  readonly runs: Map<string, Json>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

class KfpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const GRPC: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 412: 9, 500: 13 };
const status = (http: number, message: string) => ({ code: GRPC[http] ?? 2, message, details: [] });
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Lists: EQUALS / IS_SUBSTRING filters, created_at sort, base64 offset tokens bound to sort+filter. */
function listPage<T extends Json>(items: T[], q: URLSearchParams): { items: T[]; total: number; next?: string } {
  const filter = q.get('filter');
  let rows = items;
  if (filter) {
    let f: Json;
    try {
      f = JSON.parse(filter);
    } catch {
      throw new KfpError(400, 'Invalid filter: not JSON');
    }
    const problems = validate(definition('v2beta1Filter'), f);
    if (problems.length) throw new KfpError(400, `Invalid filter: ${problems.join('; ')}`);
    for (const p of f.predicates ?? []) {
      const v = p.string_value;
      if (p.operation === 'EQUALS') rows = rows.filter((r) => String(r[p.key] ?? '') === v);
      else if (p.operation === 'IS_SUBSTRING') rows = rows.filter((r) => String(r[p.key] ?? '').includes(v));
      else throw new KfpError(400, `fake-kfp supports EQUALS and IS_SUBSTRING, got ${p.operation}`);
    }
  }
  const sort = q.get('sort_by') ?? '';
  if (sort && !/^created_at( (asc|desc))?$/.test(sort)) throw new KfpError(400, `Invalid sorting field: ${sort}`);
  rows = [...rows].sort((a, b) => a._seq - b._seq);
  if (sort.endsWith('desc')) rows.reverse();
  const size = Math.min(Number(q.get('page_size') ?? 20) || 20, 200);
  if (size < 0) throw new KfpError(400, 'page_size must not be negative');
  let offset = 0;
  const token = q.get('page_token');
  if (token) {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: number; sort: string; filter: string };
    if (t.sort !== sort || t.filter !== (filter ?? '')) throw new KfpError(400, 'page token was made for a different sort or filter');
    offset = t.offset;
  }
  const shown = rows.slice(offset, offset + size);
  const next = offset + size < rows.length ? Buffer.from(JSON.stringify({ offset: offset + size, sort, filter: filter ?? '' })).toString('base64') : undefined;
  return { items: shown, total: rows.length, ...(next ? { next } : {}) };
}

const strip = <T extends Json>(o: T): T => Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('_'))) as T;

/** The 2.17 server's package checks (template/v2_template.go), independently of the client's. */
function specFromPackage(text: string): Json {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw new Error(d.errors[0]!.message);
      return d.toJS();
    });
  } catch (err) {
    throw new KfpError(400, `Failed to parse the pipeline spec: ${(err as Error).message}`);
  }
  const specs = docs.filter((d) => isObject(d) && isObject(d.pipelineInfo) && d.pipelineInfo.name && d.root) as Json[];
  const platforms = docs.filter((d) => isObject(d) && isObject(d.platforms) && d.platforms.kubernetes) as Json[];
  if (!specs.length) throw new KfpError(400, 'Invalid input error: no pipeline spec is provided');
  if (specs.length > 1) throw new KfpError(400, 'Invalid input error: multiple pipeline specs provided');
  const spec = specs[0]!;
  if (spec.schemaVersion !== '2.1.0')
    throw new KfpError(400, `Invalid input error: KFP only supports schema version 2.1.0, but the pipeline spec has version ${spec.schemaVersion}`);
  return platforms.length ? { pipeline_spec: spec, platform_spec: platforms[0] } : spec;
}

function rootInputs(spec: Json): Json {
  const s = isObject(spec.pipeline_spec) ? spec.pipeline_spec : spec;
  return s.root?.inputDefinitions?.parameters ?? {};
}

/** validatePipelineJobInputs (2.17.0). */
function checkRunParameters(spec: Json, given: Json): void {
  const declared = rootInputs(spec);
  const extra = Object.keys(given).filter((k) => !(k in declared));
  if (extra.length) throw new KfpError(400, `Invalid input error: parameter(s) provided are not required by pipeline: ${extra.join(', ')}`);
  for (const [name, d] of Object.entries<Json>(declared)) {
    if (!(name in given)) {
      if (!d.isOptional && d.defaultValue === undefined) throw new KfpError(400, `Invalid input error: parameter ${name} is required`);
      continue;
    }
    const v = given[name];
    const ok = {
      NUMBER_DOUBLE: typeof v === 'number',
      NUMBER_INTEGER: typeof v === 'number',
      STRING: typeof v === 'string',
      BOOLEAN: typeof v === 'boolean',
      LIST: Array.isArray(v),
      STRUCT: isObject(v),
    }[d.parameterType as string];
    if (!ok) throw new KfpError(400, `Invalid input error: input parameter ${name} requires type ${d.parameterType}, got ${JSON.stringify(v)}`);
  }
}

export async function startFakeKfp(opts: FakeKfpOptions = {}): Promise<FakeKfp> {
  const stepMs = opts.stepMs ?? 40;
  const kfpNamespace = opts.kfpNamespace ?? 'kubeflow';
  const requests: RecordedCall[] = [];
  const responseBugs: string[] = [];
  const pipelines = new Map<string, Json>();
  const versions = new Map<string, Json>();
  const experiments = new Map<string, Json>();
  const runs = new Map<string, Json>();
  const recurring = new Map<string, Json>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;

  const later = (fn: () => void, steps = 1) => {
    const t = setTimeout(() => (timers.delete(t), fn()), stepMs * steps);
    timers.add(t);
  };

  const get = <T>(m: Map<string, T>, id: string, what: string): T => {
    const x = m.get(id);
    if (!x) throw new KfpError(404, `${what} ${id} not found`);
    return x;
  };
  const runNamespace = (run: Json) => experiments.get(run.experiment_id)?.namespace || kfpNamespace;

  // ---- run simulation ------------------------------------------------------------------------
  const setState = (run: Json, state: string, error?: string) => {
    run.state = state;
    run.state_history = [...(run.state_history ?? []), { update_time: now(), state }];
    if (['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'].includes(state)) run.finished_at = now();
    if (error) run.error = status(500, error);
    else delete run.error;
  };

  const podFor = (run: Json, task: string, attempt: number) => `${run._workflow}-system-container-impl-${Math.abs(hash(`${task}/${attempt}`)) % 100000}`;

  const startTasks = (run: Json) => {
    const attempt = run._attempt as number;
    const ns = runNamespace(run);
    const tasks: Json[] = run.run_details.task_details;
    for (const t of tasks) {
      if (t.state === 'SUCCEEDED') continue;
      const pod = podFor(run, t.display_name, attempt);
      t.state = 'RUNNING';
      t.start_time = now();
      t.child_tasks = [{ pod_name: pod }];
      delete t.error;
      if (opts.kube) {
        const body = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: pod,
            namespace: ns,
            labels: { 'pipeline/runid': run.run_id, 'pipelines.kubeflow.org/v2_component': 'true' },
            annotations: { 'workflows.argoproj.io/node-name': `${run._workflow}.${t.display_name}`, 'pipelines.kubeflow.org/v2_component': 'true' },
          },
          spec: { containers: [{ name: 'main', image: 'python:3.11' }], restartPolicy: 'Never' },
        };
        const created = opts.kube.store.create(body);
        created.status = podStatus(created, 'Running', { scheduledAt: now(), startedAt: now() });
        opts.kube.store.update(created);
        opts.kube.appendLog(ns, pod, 'main', `task ${t.display_name} attempt ${attempt}: starting`);
        opts.kube.appendLog(ns, pod, 'main', `parameters: ${JSON.stringify(run.runtime_config?.parameters ?? {})}`);
      }
    }
    later(() => finishTasks(run), 2);
  };

  const finishTasks = (run: Json) => {
    if (!runs.has(run.run_id) || run.state !== 'RUNNING') return;
    const ns = runNamespace(run);
    let failed = false;
    for (const t of run.run_details.task_details as Json[]) {
      if (t.state !== 'RUNNING') continue;
      const fail = opts.failTask?.({ run, task: t.display_name, attempt: run._attempt }) ?? false;
      failed ||= fail;
      t.state = fail ? 'FAILED' : 'SUCCEEDED';
      t.end_time = now();
      if (fail) t.error = status(500, `task ${t.display_name} failed: exit code 1`);
      const pod = t.child_tasks?.[0]?.pod_name;
      if (opts.kube && pod) {
        opts.kube.appendLog(ns, pod, 'main', fail ? 'Traceback (most recent call last):\nValueError: simulated failure' : `task ${t.display_name}: done`);
        opts.kube.endLog(ns, pod, 'main');
        const p = opts.kube.store.get('', 'pods', ns, pod);
        if (p) {
          p.status = podStatus(p, fail ? 'Failed' : 'Succeeded', { scheduledAt: now(), startedAt: now(), finishedAt: now() }, fail ? 1 : 0);
          opts.kube.store.update(p);
        }
      }
    }
    setState(run, failed ? 'FAILED' : 'SUCCEEDED', failed ? 'a task failed' : undefined);
  };

  const begin = (run: Json) => {
    later(() => {
      if (!runs.has(run.run_id) || !['PENDING'].includes(run.state)) return;
      setState(run, 'RUNNING');
      startTasks(run);
    });
  };

  // ---- handlers ------------------------------------------------------------------------------
  type Ctx = { params: Record<string, string>; query: URLSearchParams; body: any; upload?: string };
  const needNamespace = (q: URLSearchParams) => {
    if (opts.multiUser && !q.get('namespace') && !q.get('experiment_id'))
      throw new KfpError(400, 'Invalid input error: In multi-user mode, namespace is required');
  };
  const newPipeline = (fields: Json): Json => {
    const p: Json = { pipeline_id: randomUUID(), created_at: now(), _seq: seq++, ...fields };
    if ([...pipelines.values()].some((x) => x.name === p.name && (x.namespace ?? '') === (p.namespace ?? '')))
      throw new KfpError(409, `Already exist error: pipeline ${p.name} already exists`);
    pipelines.set(p.pipeline_id, p);
    return p;
  };
  const newVersion = (pipelineId: string, fields: Json, spec: Json): Json => {
    const v: Json = { pipeline_id: pipelineId, pipeline_version_id: randomUUID(), created_at: now(), _seq: seq++, ...fields, pipeline_spec: spec };
    if ([...versions.values()].some((x) => x.pipeline_id === pipelineId && x.name === v.name))
      throw new KfpError(409, `Already exist error: version ${v.name} already exists`);
    versions.set(v.pipeline_version_id, v);
    return v;
  };
  const tagsOf = (q: URLSearchParams) => {
    const t = q.get('tags');
    return t ? { tags: JSON.parse(t) as Record<string, string> } : {};
  };

  const HANDLERS: Record<string, (c: Ctx) => unknown> = {
    HealthzService_GetHealthz: () => ({ multi_user: opts.multiUser ?? false, pipeline_store: 'database' }),
    UploadPipeline: ({ query, upload }) => {
      const spec = specFromPackage(upload ?? '');
      const name = query.get('name') || query.get('display_name') || 'pipeline';
      const p = newPipeline({
        name,
        display_name: query.get('display_name') || name,
        ...(query.get('description') ? { description: query.get('description') } : {}),
        ...(opts.multiUser ? { namespace: query.get('namespace') ?? '' } : {}),
        ...tagsOf(query),
      });
      newVersion(p.pipeline_id, { name, display_name: p.display_name }, spec);
      return strip(p);
    },
    UploadPipelineVersion: ({ query, upload }) => {
      const pid = query.get('pipelineid');
      if (!pid) throw new KfpError(400, 'Invalid input error: pipeline id is required');
      get(pipelines, pid, 'pipeline');
      const spec = specFromPackage(upload ?? '');
      const name = query.get('name') || query.get('display_name') || 'version';
      return strip(
        newVersion(
          pid,
          {
            name,
            display_name: query.get('display_name') || name,
            ...(query.get('description') ? { description: query.get('description') } : {}),
            ...tagsOf(query),
          },
          spec,
        ),
      );
    },
    PipelineService_ListPipelines: ({ query }) => {
      // Without a namespace: the shared pipelines (multi-user), which have none.
      const ns = query.get('namespace') ?? '';
      const l = listPage(
        [...pipelines.values()].filter((p) => !opts.multiUser || (p.namespace ?? '') === ns),
        query,
      );
      return { ...(l.items.length ? { pipelines: l.items.map(strip) } : {}), total_size: l.total, ...(l.next ? { next_page_token: l.next } : {}) };
    },
    PipelineService_GetPipeline: ({ params }) => strip(get(pipelines, params.pipeline_id!, 'pipeline')),
    PipelineService_ListPipelineVersions: ({ params, query }) => {
      get(pipelines, params.pipeline_id!, 'pipeline');
      const l = listPage(
        [...versions.values()].filter((v) => v.pipeline_id === params.pipeline_id),
        query,
      );
      return {
        ...(l.items.length
          ? { pipeline_versions: l.items.map((v) => strip({ ...v, pipeline_spec: undefined })).map((v) => JSON.parse(JSON.stringify(v))) }
          : {}),
        total_size: l.total,
        ...(l.next ? { next_page_token: l.next } : {}),
      };
    },
    PipelineService_GetPipelineVersion: ({ params }) => {
      const v = get(versions, params.pipeline_version_id!, 'pipeline version');
      if (v.pipeline_id !== params.pipeline_id) throw new KfpError(404, 'pipeline version not found');
      return strip(v);
    },
    PipelineService_UpdatePipelineVersion: ({ params, body }) => {
      const v = get(versions, params['pipeline_version.pipeline_version_id']!, 'pipeline version');
      if (typeof body.display_name === 'string') v.display_name = body.display_name;
      return strip(v);
    },
    ExperimentService_CreateExperiment: ({ body }) => {
      if (!body.display_name) throw new KfpError(400, 'Invalid input error: Experiment name is empty');
      if (opts.multiUser && !body.namespace) throw new KfpError(400, 'Invalid input error: namespace is required');
      const ns = opts.multiUser ? body.namespace : '';
      if ([...experiments.values()].some((e) => e.display_name === body.display_name && e.namespace === ns))
        throw new KfpError(409, `Already exist error: experiment ${body.display_name} already exists`);
      const e = {
        experiment_id: randomUUID(),
        display_name: body.display_name,
        ...(body.description ? { description: body.description } : {}),
        created_at: now(),
        namespace: ns,
        storage_state: 'AVAILABLE',
        _seq: seq++,
      };
      experiments.set(e.experiment_id, e);
      return strip(e);
    },
    ExperimentService_ListExperiments: ({ query }) => {
      needNamespace(query);
      const ns = opts.multiUser ? (query.get('namespace') ?? '') : '';
      const l = listPage(
        [...experiments.values()].filter((e) => e.namespace === ns),
        query,
      );
      return { ...(l.items.length ? { experiments: l.items.map(strip) } : {}), total_size: l.total, ...(l.next ? { next_page_token: l.next } : {}) };
    },
    ExperimentService_GetExperiment: ({ params }) => strip(get(experiments, params.experiment_id!, 'experiment')),
    RunService_CreateRun: ({ body }) => {
      if (!body.display_name) throw new KfpError(400, 'Invalid input error: The run name is empty');
      if (opts.multiUser && !body.experiment_id) throw new KfpError(400, 'Invalid input error: Experiment id can not be empty in multi-user mode');
      if (body.experiment_id) get(experiments, body.experiment_id, 'experiment');
      const ref = body.pipeline_version_reference;
      if (!ref?.pipeline_id) throw new KfpError(400, 'Invalid input error: a pipeline version reference is required');
      const v = ref.pipeline_version_id ? get(versions, ref.pipeline_version_id, 'pipeline version') : undefined;
      if (!v) throw new KfpError(400, 'fake-kfp needs pipeline_version_id');
      checkRunParameters(v.pipeline_spec, body.runtime_config?.parameters ?? {});
      const spec = isObject(v.pipeline_spec.pipeline_spec) ? v.pipeline_spec.pipeline_spec : v.pipeline_spec;
      const run: Json = {
        ...body,
        run_id: randomUUID(),
        storage_state: 'AVAILABLE',
        created_at: now(),
        scheduled_at: now(),
        finished_at: '1970-01-01T00:00:00Z',
        state: 'PENDING',
        state_history: [{ update_time: now(), state: 'PENDING' }],
        run_details: {
          task_details: Object.keys(spec.root?.dag?.tasks ?? {}).map((t) => ({ task_id: randomUUID(), display_name: t, state: 'PENDING', create_time: now() })),
        },
        _seq: seq++,
        _attempt: 0,
        _workflow: `${String(spec.pipelineInfo?.name ?? 'pipeline').replace(/[^a-z0-9-]/g, '-')}-${Math.random().toString(36).slice(2, 7)}`,
      };
      runs.set(run.run_id, run);
      begin(run);
      return strip(run);
    },
    RunService_ListRuns: ({ query }) => {
      needNamespace(query);
      const exp = query.get('experiment_id');
      const ns = query.get('namespace') ?? '';
      const l = listPage(
        [...runs.values()]
          .filter((r) => (exp ? r.experiment_id === exp : !opts.multiUser || experiments.get(r.experiment_id)?.namespace === ns))
          .map((r) => ({ ...r, _seq: r._seq })),
        query,
      );
      return { ...(l.items.length ? { runs: l.items.map(strip) } : {}), total_size: l.total, ...(l.next ? { next_page_token: l.next } : {}) };
    },
    RunService_GetRun: ({ params }) => strip(get(runs, params.run_id!, 'run')),
    RunService_DeleteRun: ({ params }) => {
      get(runs, params.run_id!, 'run');
      runs.delete(params.run_id!);
      return {};
    },
    RunService_TerminateRun: ({ params }) => {
      const run = get(runs, params.run_id!, 'run');
      if (['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'].includes(run.state))
        throw new KfpError(400, `Failed to terminate run: the run is already ${run.state}`);
      setState(run, 'CANCELING');
      later(() => {
        for (const t of run.run_details.task_details) if (t.state === 'RUNNING' || t.state === 'PENDING') t.state = 'CANCELED';
        setState(run, 'CANCELED');
      });
      return {};
    },
    RunService_RetryRun: ({ params }) => {
      const run = get(runs, params.run_id!, 'run');
      if (!['FAILED', 'CANCELED'].includes(run.state)) throw new KfpError(400, `Failed to retry run: workflow cannot be retried (state ${run.state})`);
      run._attempt += 1;
      delete run.finished_at;
      run.finished_at = '1970-01-01T00:00:00Z';
      setState(run, 'RUNNING');
      startTasks(run);
      return {};
    },
    RunService_ArchiveRun: ({ params }) => ((get(runs, params.run_id!, 'run').storage_state = 'ARCHIVED'), {}),
    RunService_UnarchiveRun: ({ params }) => ((get(runs, params.run_id!, 'run').storage_state = 'AVAILABLE'), {}),
    RecurringRunService_CreateRecurringRun: ({ body }) => {
      if (!body.display_name) throw new KfpError(400, 'Invalid input error: The recurring run name is empty');
      if (opts.multiUser && !body.experiment_id) throw new KfpError(400, 'Invalid input error: Experiment id can not be empty in multi-user mode');
      const t = body.trigger ?? {};
      if (!!t.cron_schedule === !!t.periodic_schedule)
        throw new KfpError(400, 'Invalid input error: exactly one of cron_schedule and periodic_schedule is required');
      if (t.cron_schedule && t.cron_schedule.cron.trim().split(/\s+/).length !== 6 && !t.cron_schedule.cron.startsWith('@'))
        throw new KfpError(400, `Invalid input error: invalid cron schedule ${t.cron_schedule.cron}`);
      const mc = Number(body.max_concurrency ?? 1);
      if (mc < 1 || mc > 10) throw new KfpError(400, 'Invalid input error: max concurrency must be between 1 and 10');
      const v = get(versions, body.pipeline_version_reference?.pipeline_version_id ?? '', 'pipeline version');
      checkRunParameters(v.pipeline_spec, body.runtime_config?.parameters ?? {});
      const ns = body.experiment_id ? get(experiments, body.experiment_id, 'experiment').namespace : '';
      const rr: Json = {
        ...body,
        recurring_run_id: randomUUID(),
        max_concurrency: String(mc),
        trigger: t.periodic_schedule ? { periodic_schedule: { ...t.periodic_schedule, interval_second: String(t.periodic_schedule.interval_second) } } : t,
        created_at: now(),
        updated_at: now(),
        status: body.mode === 'DISABLE' ? 'DISABLED' : 'ENABLED',
        namespace: ns,
        _seq: seq++,
      };
      recurring.set(rr.recurring_run_id, rr);
      return strip(rr);
    },
    RecurringRunService_ListRecurringRuns: ({ query }) => {
      needNamespace(query);
      const exp = query.get('experiment_id');
      const ns = query.get('namespace') ?? '';
      const l = listPage(
        [...recurring.values()].filter((r) => (exp ? r.experiment_id === exp : !opts.multiUser || r.namespace === ns)),
        query,
      );
      return { ...(l.items.length ? { recurringRuns: l.items.map(strip) } : {}), total_size: l.total, ...(l.next ? { next_page_token: l.next } : {}) };
    },
    RecurringRunService_GetRecurringRun: ({ params }) => strip(get(recurring, params.recurring_run_id!, 'recurring run')),
    RecurringRunService_EnableRecurringRun: ({ params }) => ((get(recurring, params.recurring_run_id!, 'recurring run').status = 'ENABLED'), {}),
    RecurringRunService_DisableRecurringRun: ({ params }) => ((get(recurring, params.recurring_run_id!, 'recurring run').status = 'DISABLED'), {}),
    RecurringRunService_DeleteRecurringRun: ({ params }) => (
      get(recurring, params.recurring_run_id!, 'recurring run'),
      recurring.delete(params.recurring_run_id!),
      {}
    ),
  };

  // ---- HTTP ----------------------------------------------------------------------------------
  const sockets = new Set<import('node:net').Socket>();
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
    const call: RecordedCall = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, problems: [] };
    requests.push(call);
    const send = (code: number, body: unknown, op?: Operation, plain = false) => {
      let out = body;
      if (op && !plain) {
        const bug = code === 200 ? (op.ok ? validate(op.ok, body) : []) : validate(definition('googleRpcStatus'), body);
        if (bug.length) {
          const msg = `fake-kfp bug: ${method} ${url.pathname} → ${code} does not match the swagger: ${bug.join('; ')}`;
          responseBugs.push(msg);
          code = 500;
          out = status(500, msg);
        }
      }
      call.status = code;
      res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(out));
    };
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`)
      return send(401, status(401, 'Unauthenticated: bearer token missing or invalid'));
    const found = findOperation(method, url.pathname);
    if (!('op' in found)) {
      call.problems.push(found.pathKnown ? `${method} is not an operation of ${url.pathname}` : `${url.pathname} is not in the swagger`);
      return send(found.pathKnown ? 405 : 404, status(found.pathKnown ? 400 : 404, 'Not Found'));
    }
    const { op, params } = found;
    call.operationId = op.operationId;
    const problems: string[] = [];
    const declared = new Set(op.params.map((p) => p.name));
    for (const p of op.params) {
      if (p.in === 'path') problems.push(...paramProblems(p, params[p.name]));
      if (p.in === 'query') problems.push(...paramProblems(p, url.searchParams.get(p.name) ?? undefined));
    }
    for (const k of new Set(url.searchParams.keys()))
      if (!declared.has(k) || op.params.find((p) => p.name === k)?.in !== 'query') problems.push(`query parameter '${k}' is not defined for ${op.operationId}`);
    const bodyParam = op.params.find((p) => p.in === 'body');
    const formParam = op.params.find((p) => p.in === 'formData');
    let body: unknown;
    let upload: string | undefined;
    const type = req.headers['content-type'] ?? '';
    if (formParam) {
      if (!type.startsWith('multipart/form-data')) problems.push(`Content-Type must be multipart/form-data, got ${type || '(none)'}`);
      else {
        const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
        const file = form.get(formParam.name);
        if (!file || typeof file === 'string') problems.push(`multipart field '${formParam.name}' (a file) is required`);
        else {
          if (!/\.(ya?ml|json)$/.test(file.name)) problems.push(`file name '${file.name}' is not .yaml/.yml/.json (the server then expects an archive)`);
          upload = await file.text();
        }
        for (const k of new Set(form.keys())) if (k !== formParam.name) problems.push(`multipart field '${k}' is not defined`);
      }
    } else if (bodyParam) {
      if (!type.startsWith('application/json')) problems.push(`Content-Type must be application/json, got ${type || '(none)'}`);
      try {
        body = JSON.parse(raw.toString('utf8') || 'null');
        call.body = body;
      } catch {
        problems.push('the body is not JSON');
      }
      if (body === null && bodyParam.required) problems.push('the request body is required');
      else if (body !== null) problems.push(...validate(bodyParam.schema!, body).map((p) => `body ${p}`));
    } else if (raw.length) problems.push(`${op.operationId} takes no request body`);
    if (problems.length) {
      call.problems.push(...problems);
      return send(400, status(400, `Invalid input error: ${problems.join('; ')}`), op);
    }
    try {
      const handler = HANDLERS[op.operationId];
      if (!handler) throw new KfpError(500, `fake-kfp does not implement ${op.operationId}`);
      send(200, handler({ params, query: url.searchParams, body, upload }), op);
    } catch (err) {
      if (!(err instanceof KfpError)) throw err;
      // The upload handlers are plain HTTP handlers: they answer the v1beta1 Error shape.
      if (formParam) return send(err.status, { error_message: err.message, error_details: err.message }, op, true);
      send(err.status, status(err.status, err.message), op);
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const msg = `fake-kfp crashed: ${err instanceof Error ? err.stack : String(err)}`;
      responseBugs.push(msg);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify(status(500, msg)));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    requests,
    responseBugs,
    runs,
    invalidRequests: () => requests.filter((r) => r.problems.length > 0),
    stop,
    start: listen,
    async close() {
      for (const t of timers) clearTimeout(t);
      if (server.listening) await stop();
      if (responseBugs.length) throw new Error(`fake-kfp answered outside its swagger:\n${responseBugs.join('\n')}`);
    },
  };
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}
