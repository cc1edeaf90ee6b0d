/**
 * SparkClient over the Kubernetes REST client: SparkApplications (submit, list, get with driver
 * and executor pods, driver logs, wait, delete) and Spark Connect sessions (create, list, get,
 * wait until Ready, delete), returning plain views. Waiting watches instead of the SDK's 2-second
 * polling; logs are read from the `spark-kubernetes-driver` container (the SDK names none, which
 * fails on pods with sidecars).
 */
import { KubeApiError, RESOURCES, type KubeClient, type ResourceType } from '../../kube/client.js';
import { eventTime } from '../../kube/events.js';
import { follow } from '../../kube/follow.js';
import type { KubeEvent, Pod } from '../../kube/types.js';
import { readPodLog, type PodLogOptions } from '../trainer/backends/kubernetes/logs.js';
import { NamespaceListing, type Listed, type ListingPage } from '../listing.js';
import { DRIVER_CONTAINER, LABEL_APP_NAME, LABEL_ROLE, SPARK_APPLICATIONS, SPARK_CONNECTS } from './constants.js';
import { SparkError } from './errors.js';
import {
  driverPodName,
  isFinal,
  jobStatus,
  operatorState,
  sdkStatus,
  sessionAddress,
  sessionState,
  type SdkJobStatus,
  type SparkJobStatus,
  type SparkSessionState,
} from './status.js';
import type { SparkApplication, SparkConnect } from './types.js';

const LIST_PAGE = 500;
/** Events shown with a job: the latest few say why it is stuck or failed. */
const MAX_EVENTS = 10;

export interface SparkJobSummary {
  name: string;
  namespace: string;
  created: string;
  /** The operator's applicationState.state, verbatim ("" until it has looked at the app). */
  state: string;
  status: SparkJobStatus;
  sdkStatus: SdkJobStatus;
  error?: string;
  type: string;
  mainFile: string;
  executors?: number;
  dynamic?: { min?: number; max?: number };
  annotations?: Record<string, string>;
}

interface PodState {
  pod: string;
  /** Pod phase, with the container's waiting/terminated reason when it says more. */
  phase?: string;
  detail?: string;
  /** The operator's executorState for this pod (executors only). */
  state?: string;
}

export interface SparkJobView extends SparkJobSummary {
  sparkAppId?: string;
  submissionAttempts?: number;
  executionAttempts?: number;
  terminated?: string;
  webUi?: string;
  driver: PodState;
  executorPods: PodState[];
  events: Array<{ time: string; type: string; reason: string; message: string }>;
}

export interface SparkSessionView {
  name: string;
  namespace: string;
  created: string;
  state: SparkSessionState;
  /** The ServerPodReady condition's message when not Ready. */
  reason?: string;
  serverPod?: string;
  service?: string;
  executors: Record<string, number>;
  address: ReturnType<typeof sessionAddress>;
  annotations?: Record<string, string>;
}

export type Page<T> = Omit<ListingPage<T>, 'items'> & { items: T[] };

export interface SparkWaitResult<T> {
  /** The last view; undefined when the object was deleted while waiting. */
  view: T | undefined;
  reached: boolean;
  deleted: boolean;
  waitedSeconds: number;
}

export class SparkClient {
  constructor(private readonly kube: KubeClient) {}

  // ---- jobs (SparkApplication) -----------------------------------------------------------------

  async submit(app: SparkApplication, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<SparkApplication> {
    return this.kube.create<SparkApplication>(SPARK_APPLICATIONS, app.metadata.namespace, app, opts);
  }

  /** Newest first with counts by status over the namespace (every app is read, only the page kept). */
  async listJobs(namespace: string, opts: { limit?: number; continue?: string; status?: string; signal?: AbortSignal } = {}): Promise<Page<SparkJobSummary>> {
    const listing = new NamespaceListing<SparkJobSummary & Listed>({ namespace, limit: opts.limit, cursor: opts.continue, status: opts.status });
    await this.stream<SparkApplication>(SPARK_APPLICATIONS, namespace, opts.signal, (a) => listing.add(jobSummary(a)));
    const { items, ...rest } = listing.page();
    return { items, ...rest };
  }

  /** The app with its driver and executor pods (one pod list) and its latest events. */
  async getJob(namespace: string, name: string, signal?: AbortSignal): Promise<SparkJobView> {
    return this.jobView(await this.kube.get<SparkApplication>(SPARK_APPLICATIONS, name, namespace, signal), signal);
  }

  async getJobObject(namespace: string, name: string, signal?: AbortSignal): Promise<SparkApplication> {
    return this.kube.get<SparkApplication>(SPARK_APPLICATIONS, name, namespace, signal);
  }

  async deleteJob(namespace: string, name: string, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.kube.delete(SPARK_APPLICATIONS, namespace, name, opts);
  }

  /** Driver log tail (container spark-kubernetes-driver); a session's Connect server log likewise. */
  async logs(namespace: string, kind: 'job' | 'session', name: string, opts: PodLogOptions): Promise<{ pod: string; lines: string[]; truncated: boolean }> {
    let pod: string | undefined;
    if (kind === 'job') {
      const app = await this.getJobObject(namespace, name, opts.signal);
      if (!operatorState(app))
        throw new SparkError(
          'driver_not_started',
          `Spark job '${name}' has not been submitted yet, so it has no driver log`,
          'wait a moment (wait_for_spark_job with status Running), then ask again',
          'name',
        );
      pod = driverPodName(app);
    } else {
      const s = await this.kube.get<SparkConnect>(SPARK_CONNECTS, name, namespace, opts.signal);
      pod = s.status?.server?.podName;
      if (!pod)
        throw new SparkError(
          'server_not_started',
          `Spark session '${name}' has no server pod yet`,
          'wait until the operator has created it (get_spark_status), then ask again',
          'name',
        );
    }
    try {
      return { pod, ...(await readPodLog(this.kube, namespace, pod, DRIVER_CONTAINER, opts)) };
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) {
        throw new SparkError(
          'driver_pod_gone',
          `the ${kind === 'job' ? 'driver' : 'server'} pod ${pod} of '${name}' does not exist (not created yet, or removed after the run)`,
          'get_spark_status shows the state and events; logs of a removed pod are gone',
          'name',
        );
      }
      if (err instanceof KubeApiError && err.status === 400 && /waiting to start|ContainerCreating|PodInitializing/i.test(err.message)) {
        throw new SparkError(
          'driver_pending',
          `the ${kind === 'job' ? 'driver' : 'server'} pod ${pod} has not started yet, so it has no log`,
          'wait until it runs (wait_for_spark_job with status Running), then ask again',
          'name',
        );
      }
      throw err;
    }
  }

  /** Watches the app until `target` (Running is also met by Completed) or a final state, bounded by the timeout. */
  async waitForJob(
    namespace: string,
    name: string,
    opts: { target: 'Running' | 'Completed'; timeoutSeconds: number; signal?: AbortSignal; onChange?: (s: SparkJobSummary) => void },
  ): Promise<SparkWaitResult<SparkJobView>> {
    const reached = (s: SparkJobSummary) => s.status === 'Completed' || (opts.target === 'Running' && s.status === 'Running');
    const res = await this.watchUntil<SparkApplication, SparkJobSummary>(SPARK_APPLICATIONS, namespace, name, {
      ...opts,
      summarize: jobSummary,
      changed: (a, b) => a.state !== b.state || a.executors !== b.executors,
      done: (s) => reached(s) || isFinal(s.state),
    });
    return {
      view: res.last ? await this.jobView(res.last, opts.signal) : undefined,
      reached: !res.deleted && !!res.summary && reached(res.summary),
      deleted: res.deleted,
      waitedSeconds: res.waitedSeconds,
    };
  }

  // ---- sessions (SparkConnect) -----------------------------------------------------------------

  async createSession(s: SparkConnect, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<SparkConnect> {
    return this.kube.create<SparkConnect>(SPARK_CONNECTS, s.metadata.namespace, s, opts);
  }

  async listSessions(
    namespace: string,
    opts: { limit?: number; continue?: string; status?: string; signal?: AbortSignal } = {},
  ): Promise<Page<SparkSessionView>> {
    const listing = new NamespaceListing<SparkSessionView & Listed>({ namespace, limit: opts.limit, cursor: opts.continue, status: opts.status });
    await this.stream<SparkConnect>(SPARK_CONNECTS, namespace, opts.signal, (s) => {
      const v = sessionView(s);
      listing.add({ ...v, status: v.state });
    });
    const { items, ...rest } = listing.page();
    return { items: items.map(({ status: _s, ...v }) => v), ...rest };
  }

  async getSession(namespace: string, name: string, signal?: AbortSignal): Promise<SparkSessionView> {
    return sessionView(await this.kube.get<SparkConnect>(SPARK_CONNECTS, name, namespace, signal));
  }

  async waitForSession(
    namespace: string,
    name: string,
    opts: { timeoutSeconds: number; signal?: AbortSignal; onChange?: (s: SparkSessionView) => void },
  ): Promise<SparkWaitResult<SparkSessionView>> {
    const res = await this.watchUntil<SparkConnect, SparkSessionView>(SPARK_CONNECTS, namespace, name, {
      ...opts,
      summarize: sessionView,
      changed: (a, b) => a.state !== b.state || a.serverPod !== b.serverPod,
      done: (s) => s.state === 'Ready' || s.state === 'Failed',
    });
    const view = res.deleted ? undefined : res.summary;
    return { view, reached: view?.state === 'Ready', deleted: res.deleted, waitedSeconds: res.waitedSeconds };
  }

  async deleteSession(namespace: string, name: string, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.kube.delete(SPARK_CONNECTS, namespace, name, opts);
  }

  /** Whether a service account exists: true / false, or undefined when we may not look. */
  async serviceAccountExists(namespace: string, name: string, signal?: AbortSignal): Promise<boolean | undefined> {
    try {
      await this.kube.get(RESOURCES.serviceaccounts, name, namespace, signal);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      if (err instanceof KubeApiError && (err.status === 403 || err.status === 401)) return undefined;
      throw err;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private async stream<T extends SparkApplication | SparkConnect>(
    rt: ResourceType,
    namespace: string,
    signal: AbortSignal | undefined,
    each: (o: T) => void,
  ): Promise<void> {
    let cont: string | undefined;
    do {
      const page = await this.kube.list<T>(rt, namespace, { limit: LIST_PAGE, continue: cont }, signal);
      for (const o of page.items) each(o);
      cont = page.metadata.continue || undefined;
    } while (cont);
  }

  private async watchUntil<T extends SparkApplication | SparkConnect, S>(
    rt: ResourceType,
    namespace: string,
    name: string,
    opts: {
      timeoutSeconds: number;
      signal?: AbortSignal;
      onChange?: (s: S) => void;
      summarize: (o: T) => S;
      changed: (a: S, b: S) => boolean;
      done: (s: S) => boolean;
    },
  ): Promise<{ last: T | undefined; summary: S | undefined; deleted: boolean; waitedSeconds: number }> {
    const started = Date.now();
    const waited = () => Math.round((Date.now() - started) / 100) / 10;
    let obj = await this.kube.get<T>(rt, name, namespace, opts.signal);
    let summary = opts.summarize(obj);
    if (opts.done(summary)) return { last: obj, summary, deleted: false, waitedSeconds: waited() };
    opts.onChange?.(summary);
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), opts.timeoutSeconds * 1000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    let deleted = false;
    try {
      await follow<T>(
        this.kube,
        rt,
        namespace,
        { fieldSelector: `metadata.name=${name}` },
        {
          resourceVersion: obj.metadata.resourceVersion,
          signal,
          onEvent: (type, o) => {
            if (type === 'DELETED') {
              deleted = true;
              return 'stop';
            }
            obj = o;
            const next = opts.summarize(o);
            if (opts.changed(next, summary)) opts.onChange?.(next);
            summary = next;
            return opts.done(next) ? 'stop' : undefined;
          },
        },
      );
    } finally {
      clearTimeout(timer);
      stop.abort();
    }
    if (opts.signal?.aborted) throw new KubeApiError('request cancelled', 499, 'Aborted');
    return { last: deleted ? undefined : obj, summary, deleted, waitedSeconds: waited() };
  }

  private async jobView(app: SparkApplication, signal?: AbortSignal): Promise<SparkJobView> {
    const name = app.metadata.name ?? '';
    const namespace = app.metadata.namespace ?? '';
    const [pods, events] = await Promise.all([
      this.kube.list<Pod>(RESOURCES.pods, namespace, { labelSelector: `${LABEL_APP_NAME}=${name}` }, signal),
      this.kube
        .list<KubeEvent>(RESOURCES.events, namespace, { fieldSelector: `involvedObject.kind=SparkApplication,involvedObject.name=${name}` }, signal)
        .catch((err: unknown) => {
          // Events are context, not the answer: without the right to read them the view still stands.
          if (err instanceof KubeApiError && err.status === 403) return { items: [] as KubeEvent[], metadata: {} };
          throw err;
        }),
    ]);
    const driverName = driverPodName(app);
    const driverPod = pods.items.find((p) => p.metadata.name === driverName);
    const executorState = app.status?.executorState ?? {};
    const executorPods = new Map<string, PodState>();
    for (const p of pods.items) if (p.metadata.labels?.[LABEL_ROLE] === 'executor' && p.metadata.name) executorPods.set(p.metadata.name, podState(p));
    for (const [pod, state] of Object.entries(executorState)) executorPods.set(pod, { ...(executorPods.get(pod) ?? { pod }), state });
    const d = app.status?.driverInfo;
    return {
      ...jobSummary(app),
      sparkAppId: app.status?.sparkApplicationId,
      submissionAttempts: app.status?.submissionAttempts,
      executionAttempts: app.status?.executionAttempts,
      terminated: app.status?.terminationTime,
      webUi: d?.webUIIngressAddress || (d?.webUIServiceName ? `http://${d.webUIServiceName}.${namespace}.svc:${d.webUIPort ?? 4040}` : undefined),
      driver: driverPod ? podState(driverPod) : { pod: driverName, phase: operatorState(app) ? 'Gone' : 'NotCreated' },
      executorPods: [...executorPods.values()].sort((a, b) => a.pod.localeCompare(b.pod)),
      events: events.items
        .map((e) => ({ time: eventTime(e), type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' }))
        .sort((a, b) => a.time.localeCompare(b.time))
        .slice(-MAX_EVENTS),
    };
  }
}

function jobSummary(app: SparkApplication): SparkJobSummary {
  const state = operatorState(app);
  const dyn = app.spec?.dynamicAllocation;
  return {
    name: app.metadata.name ?? '',
    namespace: app.metadata.namespace ?? '',
    created: app.metadata.creationTimestamp ?? '',
    state,
    status: jobStatus(state),
    sdkStatus: sdkStatus(state),
    error: app.status?.applicationState?.errorMessage || undefined,
    type: app.spec?.type ?? '',
    mainFile: app.spec?.mainApplicationFile ?? '',
    executors: app.spec?.executor?.instances,
    dynamic: dyn?.enabled ? { min: dyn.minExecutors, max: dyn.maxExecutors } : undefined,
    annotations: app.metadata.annotations,
  };
}

function podState(p: Pod): PodState {
  const cs = p.status?.containerStatuses?.find((c) => c.name === DRIVER_CONTAINER) ?? p.status?.containerStatuses?.[0];
  const waiting = cs?.state?.waiting;
  const terminated = cs?.state?.terminated;
  const detail = waiting?.reason
    ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`
    : terminated
      ? `exit ${terminated.exitCode ?? '?'}${terminated.reason ? ` (${terminated.reason})` : ''}`
      : p.status?.reason;
  return { pod: p.metadata.name ?? '', phase: p.status?.phase, ...(detail ? { detail } : {}) };
}

function sessionView(s: SparkConnect): SparkSessionView {
  const state = sessionState(s);
  const cond = s.status?.conditions?.find((c) => c.type === 'ServerPodReady');
  return {
    name: s.metadata.name ?? '',
    namespace: s.metadata.namespace ?? '',
    created: s.metadata.creationTimestamp ?? '',
    state,
    reason: state !== 'Ready' && cond?.message ? cond.message : undefined,
    serverPod: s.status?.server?.podName,
    service: s.status?.server?.serviceName,
    executors: s.status?.executors ?? {},
    address: sessionAddress(s),
    annotations: s.metadata.annotations,
  };
}
