/**
 * Reading TrainJobs with their steps (docs/wire/trainer.md#steps), and listing a namespace's jobs. The SDK lists pods once per
 * job (N+1 calls); a listing streams the jobs and, for the jobs whose status depends on them, the
 * node pods, once each, and groups them locally.
 */
import { RESOURCES, type KubeClient, type Query, type ResourceType } from '../../../../kube/client.js';
import type { KubeObject, Pod } from '../../../../kube/types.js';
import { NamespaceListing } from '../../../listing.js';
import type { JobPage, JobSummary, ListJobsOptions } from '../../backend.js';
import { LABEL_JOB_COMPLETION_INDEX, LABEL_JOBSET_NAME, LABEL_REPLICATED_JOB_NAME, LAUNCHER, NODE, podSelector } from '../../constants.js';
import { deriveStatus, stepsFromPods, trainJobView } from '../../status.js';
import type { TrainJob, TrainJobView } from '../../types.js';
import { RuntimeMemo } from './runtimes.js';

export interface JobState {
  trainJob: TrainJob;
  pods: Pod[];
  /** resourceVersion of the pod list, to start a pod watch from. */
  podsResourceVersion?: string;
}

export async function loadJobState(kube: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<JobState> {
  const trainJob = await kube.get<TrainJob>(RESOURCES.trainjobs, name, namespace, signal);
  const pods = await kube.list<Pod>(RESOURCES.pods, namespace, { labelSelector: podSelector(name) }, signal);
  return { trainJob, pods: pods.items, podsResourceVersion: pods.metadata.resourceVersion };
}

export async function viewOf(state: Pick<JobState, 'trainJob' | 'pods'>, runtimes: RuntimeMemo): Promise<TrainJobView> {
  const runtime = await runtimes.get(state.trainJob.spec.runtimeRef.name);
  return trainJobView(state.trainJob, state.pods, runtime);
}

export async function getJob(kube: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<TrainJobView> {
  const state = await loadJobState(kube, namespace, name, signal);
  return viewOf(state, new RuntimeMemo(kube, namespace, signal));
}

/** Objects per list request while streaming a namespace (the API server's usual page size). */
const LIST_PAGE = 500;
interface Pending {
  row: JobSummary;
  runtime: string;
}

/**
 * A page of the namespace's TrainJobs, newest first, with status and runtime filters and counts
 * over the whole namespace (src/kubeflow/listing.ts). Each job's status is derived as its view
 * derives it: from conditions and suspension, and for the rest (Created or Running) from the
 * node pods, streamed alongside the jobs (one stream each, at the same time) keeping only the
 * few fields status derivation reads.
 */
export async function listJobs(kube: KubeClient, namespace: string, opts: ListJobsOptions): Promise<JobPage> {
  const listing = new NamespaceListing<JobSummary>({
    namespace,
    limit: opts.limit,
    cursor: opts.continue,
    status: opts.status,
    filters: { labels: opts.labelSelector, runtime: opts.runtime },
  });
  const runtimes = new RuntimeMemo(kube, namespace, opts.signal);
  const undecided = new Map<string, Pending>();
  const matches = (row: JobSummary) => !opts.runtime || row.runtime === opts.runtime;
  // If the job stream fails, the pod stream stops too (and its rejection is not left unhandled).
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const pods = stepPods(kube, namespace, signal);
  pods.catch(() => undefined);
  try {
    await eachItem<TrainJob>(kube, RESOURCES.trainjobs, namespace, { labelSelector: opts.labelSelector }, signal, async (job) => {
      const runtime = job.spec.runtimeRef.name;
      const numNodes = job.spec.trainer?.numNodes || (await runtimes.get(runtime))?.trainer.numNodes || 1;
      const row: JobSummary = {
        name: job.metadata.name ?? '',
        created: job.metadata.creationTimestamp ?? '',
        status: deriveStatus(job, [], numNodes),
        runtime,
        numNodes,
      };
      // Without running node pods a job is Created; only those can turn out Running.
      if (row.status === 'Created') undecided.set(row.name, { row, runtime });
      else listing.add(row, matches(row));
    });
    const podsByJob = await pods;
    for (const { row, runtime } of undecided.values()) {
      const steps = stepsFromPods(podsByJob.get(row.name) ?? [], await runtimes.get(runtime));
      // These jobs have no final or suspending condition: only the pods decide.
      listing.add({ ...row, status: deriveStatus({ spec: { runtimeRef: { name: runtime } } }, steps, row.numNodes) }, matches(row));
    }
  } finally {
    stop.abort();
  }
  const { items, ...page } = listing.page();
  return { jobs: items, ...page };
}

/** Streams a namespace's objects page by page; nothing but what `each` keeps outlives a page. */
async function eachItem<T extends KubeObject>(
  kube: KubeClient,
  rt: ResourceType,
  namespace: string,
  query: Query,
  signal: AbortSignal | undefined,
  each: (item: T) => void | Promise<void>,
): Promise<void> {
  let cont: string | undefined;
  do {
    const page = await kube.list<T>(rt, namespace, { ...query, limit: LIST_PAGE, continue: cont }, signal);
    for (const item of page.items) await each(item);
    cont = page.metadata.continue || undefined;
  } while (cont);
}

/** The namespace's node and launcher pods, reduced to what status derivation reads, grouped by job. */
async function stepPods(kube: KubeClient, namespace: string, signal?: AbortSignal): Promise<Map<string, Pod[]>> {
  const byJob = new Map<string, Pod[]>();
  await eachItem<Pod>(
    kube,
    RESOURCES.pods,
    namespace,
    { labelSelector: `${LABEL_JOBSET_NAME},${LABEL_REPLICATED_JOB_NAME} in (${NODE}, ${LAUNCHER})` },
    signal,
    (pod) => {
      const job = pod.metadata.labels?.[LABEL_JOBSET_NAME];
      if (!job) return;
      const slim: Pod = {
        metadata: {
          name: pod.metadata.name,
          creationTimestamp: pod.metadata.creationTimestamp,
          labels: pick(pod.metadata.labels, [LABEL_REPLICATED_JOB_NAME, LABEL_JOB_COMPLETION_INDEX]),
        },
        spec: { containers: (pod.spec?.containers ?? []).filter((c) => c.name === NODE).map((c) => ({ name: c.name })) },
        status: { phase: pod.status?.phase },
      };
      const list = byJob.get(job);
      if (list) list.push(slim);
      else byJob.set(job, [slim]);
    },
  );
  return byJob;
}

function pick(labels: Record<string, string> | undefined, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (labels?.[k] !== undefined) out[k] = labels[k];
  return out;
}
