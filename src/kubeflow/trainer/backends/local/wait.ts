/**
 * wait_for_training on the local backend, with the Kubernetes backend's semantics (wait.ts there):
 * onChange on every status or step change, a Failed job ends any wait, bounded by the timeout and
 * the caller's signal. Event-driven for jobs this process runs (the supervisor notifies on every
 * transition it records); a 1 s re-read catches changes made by another server on the same store.
 * A job whose record disappears (deleted by this or another server) ends the wait as deleted.
 */
import type { WaitResult } from '../../backend.js';
import type { JobStatus, TrainJobView } from '../../types.js';
import { cancelled } from './errors.js';
import type { JobSupervisor } from './supervisor.js';
import { jobView } from './views.js';

const RECHECK_MS = 1000;

export interface WaitOptions {
  statuses: JobStatus[];
  timeoutSeconds: number;
  signal?: AbortSignal;
  onChange?: (job: TrainJobView) => void;
}

export async function waitForJob(supervisor: JobSupervisor, first: TrainJobView, opts: WaitOptions): Promise<WaitResult> {
  const { namespace, name } = first;
  const started = Date.now();
  const waited = () => Math.round((Date.now() - started) / 100) / 10;
  // A job that fails while we wait for something else is an outcome too.
  const done = (v: TrainJobView) => opts.statuses.includes(v.status) || v.status === 'Failed';
  if (done(first)) return { job: first, reached: opts.statuses.includes(first.status), waitedSeconds: waited() };
  opts.onChange?.(first);

  let last = first;
  let deleted = false;
  const job = await new Promise<TrainJobView>((resolve) => {
    let pending = Promise.resolve();
    let settled = false;
    const settle = (v: TrainJobView) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearInterval(recheck);
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    // Serialised: views are derived in the order changes arrive.
    const check = () => {
      pending = pending.then(async () => {
        if (settled) return;
        let record;
        try {
          record = await supervisor.refresh(namespace, name);
        } catch {
          return; // a transient read problem: the next change or recheck tries again
        }
        if (!record) {
          deleted = true;
          return settle(last);
        }
        const view = jobView(record);
        if (view.status !== last.status || stepStates(view) !== stepStates(last)) opts.onChange?.(view);
        last = view;
        if (done(view)) settle(view);
      });
    };
    const onAbort = () => settle(last);
    const unsubscribe = supervisor.subscribe(namespace, name, check);
    const recheck = setInterval(check, RECHECK_MS);
    const timer = setTimeout(() => settle(last), opts.timeoutSeconds * 1000);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    check();
  });
  if (opts.signal?.aborted) throw cancelled();
  if (deleted) return { job, reached: false, waitedSeconds: waited(), deleted: {} };
  return { job, reached: opts.statuses.includes(job.status), waitedSeconds: waited() };
}

function stepStates(v: TrainJobView): string {
  return v.steps.map((s) => s.status).join();
}
