/**
 * Waiting for a TrainJob status with watches instead of polling: one watch on the TrainJob (its
 * conditions) and one on its pods (Running needs pod phases). Each change re-derives the status, so
 * the wait ends as soon as the API server reports the condition. Bounded by a timeout and the
 * caller's signal; watches reconnect as src/kube/follow.ts describes. A DELETED event ends the
 * wait at once as deleted (with who or what deleted it, when that shows).
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../../../kube/client.js';
import { eventTime } from '../../../../kube/events.js';
import { follow } from '../../../../kube/follow.js';
import type { KubeEvent, Pod } from '../../../../kube/types.js';
import type { WaitResult } from '../../backend.js';
import { podSelector } from '../../constants.js';
import type { JobStatus, TrainJob, TrainJobView } from '../../types.js';
import { loadJobState, viewOf } from './jobs.js';
import { RuntimeMemo } from './runtimes.js';

export async function waitForJob(
  kube: KubeClient,
  namespace: string,
  name: string,
  opts: { statuses: JobStatus[]; timeoutSeconds: number; signal?: AbortSignal; onChange?: (job: TrainJobView) => void },
): Promise<WaitResult> {
  const started = Date.now();
  const runtimes = new RuntimeMemo(kube, namespace, opts.signal);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), opts.timeoutSeconds * 1000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const waited = () => Math.round((Date.now() - started) / 100) / 10;

  const state = await loadJobState(kube, namespace, name, opts.signal);
  const pods = new Map(state.pods.map((p) => [p.metadata.name ?? '', p]));
  let trainJob = state.trainJob;
  let last = await viewOf(state, runtimes);
  // A job that fails while we wait for something else is an outcome too: stop and report it.
  const done = (v: TrainJobView) => opts.statuses.includes(v.status) || v.status === 'Failed';

  try {
    if (done(last)) return { job: last, reached: opts.statuses.includes(last.status), waitedSeconds: waited() };
    opts.onChange?.(last);
    let settle!: (v: TrainJobView) => void;
    let gone: TrainJob | undefined;
    const finished = new Promise<TrainJobView>((resolve) => (settle = resolve));
    let pending = Promise.resolve();
    const recompute = () => {
      // Serialise recomputation: views are derived in the order changes arrived.
      pending = pending.then(async () => {
        const view = await viewOf({ trainJob, pods: [...pods.values()] }, runtimes);
        if (view.status !== last.status || view.steps.map((s) => s.status).join() !== last.steps.map((s) => s.status).join()) opts.onChange?.(view);
        last = view;
        if (done(view)) settle(view);
      });
    };
    const jobWatch = follow<TrainJob>(
      kube,
      RESOURCES.trainjobs,
      namespace,
      { fieldSelector: `metadata.name=${name}` },
      {
        resourceVersion: trainJob.metadata.resourceVersion,
        signal,
        onEvent: (type, obj) => {
          if (type === 'DELETED') {
            gone = obj;
            settle(last);
            return;
          }
          trainJob = obj;
          recompute();
        },
      },
    );
    const podWatch = follow<Pod>(
      kube,
      RESOURCES.pods,
      namespace,
      { labelSelector: podSelector(name) },
      {
        resourceVersion: state.podsResourceVersion,
        signal,
        onEvent: (type, obj) => {
          const key = obj.metadata.name ?? '';
          if (type === 'DELETED') pods.delete(key);
          else pods.set(key, obj);
          recompute();
        },
      },
    );
    const aborted = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    const watchFailed = Promise.race([jobWatch, podWatch]).then(() => undefined);
    const outcome = await Promise.race([finished, aborted, watchFailed]);
    await pending;
    if (opts.signal?.aborted) throw new KubeApiError('request cancelled', 499, 'Aborted');
    if (gone) return { job: last, reached: false, waitedSeconds: waited(), deleted: { by: await deletedBy(kube, gone, opts.signal) } };
    const view = outcome ?? last;
    return { job: view, reached: opts.statuses.includes(view.status), waitedSeconds: waited() };
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
}

const DELETION_LOOKUP_MS = 500;

/**
 * Who or what deleted a TrainJob, when the cluster says: garbage collection after its owner (a
 * Katib Trial) went away, else the newest deletion event about it. Bounded to half a second so
 * the wait still returns promptly; undefined when nothing tells.
 */
async function deletedBy(kube: KubeClient, job: TrainJob, caller?: AbortSignal): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(DELETION_LOOKUP_MS);
  const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
  const namespace = job.metadata.namespace ?? '';
  const name = job.metadata.name ?? '';
  try {
    const owner = job.metadata.ownerReferences?.find((o) => o.kind === 'Trial');
    if (owner) {
      const ownerGone = await kube.get(RESOURCES.trials, owner.name, namespace, signal).then(
        () => false,
        (err: unknown) => err instanceof KubeApiError && err.status === 404,
      );
      if (ownerGone) return `garbage collection: its owner Trial ${owner.name} was deleted`;
    }
    const events = await kube.list<KubeEvent>(
      RESOURCES.events,
      namespace,
      { fieldSelector: `involvedObject.kind=TrainJob,involvedObject.name=${name}`, limit: 100 },
      signal,
    );
    const deletion = events.items.filter((e) => /delet/i.test(e.reason ?? '')).sort((a, b) => eventTime(b).localeCompare(eventTime(a)))[0];
    return deletion ? `${deletion.reason}: ${deletion.message ?? ''}`.trim() : undefined;
  } catch {
    return undefined; // best effort: the deletion itself is the answer
  }
}
