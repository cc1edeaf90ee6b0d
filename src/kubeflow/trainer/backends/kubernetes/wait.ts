/**
 * Waiting for a TrainJob status with watches instead of polling: one watch on the TrainJob (its
 * conditions) and one on its pods (Running needs pod phases). Each change re-derives the status, so
 * the wait ends as soon as the API server reports the condition. Bounded by a timeout and the
 * caller's signal; watches reconnect as src/kube/follow.ts describes.
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../../../kube/client.js';
import { follow } from '../../../../kube/follow.js';
import type { Pod } from '../../../../kube/types.js';
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
    const jobWatch = follow<TrainJob>(kube, RESOURCES.trainjobs, namespace, { fieldSelector: `metadata.name=${name}` }, {
      resourceVersion: trainJob.metadata.resourceVersion,
      signal,
      onEvent: (type, obj) => {
        if (type === 'DELETED') {
          settle(last);
          return;
        }
        trainJob = obj;
        recompute();
      },
    });
    const podWatch = follow<Pod>(kube, RESOURCES.pods, namespace, { labelSelector: podSelector(name) }, {
      resourceVersion: state.podsResourceVersion,
      signal,
      onEvent: (type, obj) => {
        const key = obj.metadata.name ?? '';
        if (type === 'DELETED') pods.delete(key);
        else pods.set(key, obj);
        recompute();
      },
    });
    const aborted = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    const watchFailed = Promise.race([jobWatch, podWatch]).then(() => undefined);
    const outcome = await Promise.race([finished, aborted, watchFailed]);
    await pending;
    if (opts.signal?.aborted) throw new KubeApiError('request cancelled', 499, 'Aborted');
    const view = outcome ?? last;
    return { job: view, reached: opts.statuses.includes(view.status), waitedSeconds: waited() };
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
}
