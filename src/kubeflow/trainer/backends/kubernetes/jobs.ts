/**
 * Reading TrainJobs with their steps (docs/wire/trainer.md#steps). The SDK lists pods once per job (N+1 calls); we list the pods
 * of a whole page of jobs with one set-based label selector and group them locally.
 */
import { RESOURCES, type KubeClient, type Query } from '../../../../kube/client.js';
import type { Pod } from '../../../../kube/types.js';
import type { JobPage } from '../../backend.js';
import { LABEL_JOBSET_NAME, LABEL_REPLICATED_JOB_NAME, podSelector, STEP_REPLICATED_JOBS } from '../../constants.js';
import { trainJobView } from '../../status.js';
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

export async function listJobs(
  kube: KubeClient,
  namespace: string,
  opts: { labelSelector?: string; limit?: number; continue?: string; signal?: AbortSignal },
): Promise<JobPage> {
  const query: Query = { labelSelector: opts.labelSelector, limit: opts.limit, continue: opts.continue };
  const list = await kube.list<TrainJob>(RESOURCES.trainjobs, namespace, query, opts.signal);
  const names = list.items.map((j) => j.metadata.name ?? '');
  const pods = names.length ? await podsOf(kube, namespace, names, opts.signal) : [];
  const byJob = new Map<string, Pod[]>();
  for (const pod of pods) {
    const job = pod.metadata.labels?.[LABEL_JOBSET_NAME];
    if (job) byJob.set(job, [...(byJob.get(job) ?? []), pod]);
  }
  const runtimes = new RuntimeMemo(kube, namespace, opts.signal);
  const jobs = await Promise.all(list.items.map((trainJob) => viewOf({ trainJob, pods: byJob.get(trainJob.metadata.name ?? '') ?? [] }, runtimes)));
  return { jobs, continue: list.metadata.continue || undefined };
}

async function podsOf(kube: KubeClient, namespace: string, names: string[], signal?: AbortSignal): Promise<Pod[]> {
  const selector = `${LABEL_JOBSET_NAME} in (${names.join(', ')}),${LABEL_REPLICATED_JOB_NAME} in (${STEP_REPLICATED_JOBS.join(', ')})`;
  const out: Pod[] = [];
  let cont: string | undefined;
  do {
    const page = await kube.list<Pod>(RESOURCES.pods, namespace, { labelSelector: selector, limit: 500, continue: cont }, signal);
    out.push(...page.items);
    cont = page.metadata.continue || undefined;
  } while (cont);
  return out;
}
