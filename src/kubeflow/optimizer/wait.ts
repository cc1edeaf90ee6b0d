/**
 * Waiting for an Experiment status with a watch instead of the SDK's 2-second polling of
 * get_job (which lists every trial and TrainJob each time). Every change of the Experiment
 * re-derives the status from the object alone; the full view (one trials list) is read once at
 * the end. Bounded by a timeout and the caller's signal; a dropped watch resumes from the last
 * resourceVersion, an expired one (410) restarts from the current state.
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../kube/client.js';
import { follow } from '../../kube/follow.js';
import { experimentSummary } from './status.js';
import type { Experiment, ExperimentState, ExperimentSummary } from './types.js';

export interface WaitOptions {
  statuses: ExperimentState[];
  timeoutSeconds: number;
  signal?: AbortSignal;
  /** Called with the summary whenever the status or the trial counters change. */
  onChange?: (summary: ExperimentSummary) => void;
}

export interface WaitOutcome {
  /** The last Experiment seen (undefined when it was deleted while waiting). */
  experiment: Experiment | undefined;
  reached: boolean;
  deleted: boolean;
  waitedSeconds: number;
}

export async function waitForExperiment(kube: KubeClient, namespace: string, name: string, opts: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  const waited = () => Math.round((Date.now() - started) / 100) / 10;
  // Waiting for Running is also satisfied by Complete; a Failed experiment always ends the wait.
  const wanted = (s: ExperimentState) => opts.statuses.includes(s) || (s === 'Complete' && opts.statuses.includes('Running'));
  const done = (s: ExperimentState) => wanted(s) || s === 'Failed';

  let exp = await kube.get<Experiment>(RESOURCES.experiments, name, namespace, opts.signal);
  let last = experimentSummary(exp);
  if (done(last.status)) return { experiment: exp, reached: wanted(last.status), deleted: false, waitedSeconds: waited() };
  opts.onChange?.(last);

  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), opts.timeoutSeconds * 1000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  let deleted = false;
  try {
    await follow<Experiment>(
      kube,
      RESOURCES.experiments,
      namespace,
      { fieldSelector: `metadata.name=${name}` },
      {
        resourceVersion: exp.metadata.resourceVersion,
        signal,
        onEvent: (type, obj) => {
          if (type === 'DELETED') {
            deleted = true;
            return 'stop';
          }
          exp = obj;
          const next = experimentSummary(exp);
          if (next.status !== last.status || JSON.stringify(next.trialCounts) !== JSON.stringify(last.trialCounts)) opts.onChange?.(next);
          last = next;
          return done(next.status) ? 'stop' : undefined;
        },
      },
    );
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
  if (opts.signal?.aborted) throw new KubeApiError('request cancelled', 499, 'Aborted');
  return { experiment: deleted ? undefined : exp, reached: !deleted && wanted(last.status), deleted, waitedSeconds: waited() };
}
