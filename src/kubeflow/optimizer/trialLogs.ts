/**
 * Logs of one trial, the SDK way (get_job_logs, docs/wire/optimizer.md#trial-logs): the trial's TrainJob primary pod (node, index 0,
 * the pod Katib injects its collector into), read from the Katib sidecar
 * `metrics-logger-and-collector` when it is there (it echoes the training output), else from the
 * trainer container `node` (no sidecar: metrics-collector injection is not enabled for the
 * namespace). Bounded like TrainJob logs: a tail, clipped lines, a follow that ends.
 */
import { RESOURCES, type KubeClient } from '../../kube/client.js';
import type { Pod } from '../../kube/types.js';
import { LABEL_JOB_COMPLETION_INDEX, LABEL_REPLICATED_JOB_NAME, NODE, podSelector } from '../trainer/constants.js';
import { readPodLog } from '../trainer/backends/kubernetes/logs.js';
import { METRICS_COLLECTOR_CONTAINER, PRIMARY_CONTAINER } from './constants.js';
import { OptimizerError } from './errors.js';

export interface TrialLogs {
  trial: string;
  pod: string;
  container: string;
  lines: string[];
  /** More lines exist before the first one returned. */
  truncated: boolean;
  /** Why this container was read. */
  note: string;
}

export interface TrialLogOptions {
  tail: number;
  sinceSeconds?: number;
  followSeconds?: number;
  signal?: AbortSignal;
}

/** The newest pod with Katib's default primary-pod labels for TrainJob trials. */
function primaryPod(pods: Pod[]): Pod | undefined {
  return pods
    .filter((p) => p.metadata.labels?.[LABEL_REPLICATED_JOB_NAME] === NODE && p.metadata.labels?.[LABEL_JOB_COMPLETION_INDEX] === '0')
    .sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''))[0];
}

export async function trialLogs(kube: KubeClient, namespace: string, trial: string, opts: TrialLogOptions): Promise<TrialLogs> {
  const pods = await kube.list<Pod>(RESOURCES.pods, namespace, { labelSelector: podSelector(trial) }, opts.signal);
  const pod = primaryPod(pods.items);
  if (!pod?.metadata.name) {
    throw new OptimizerError(
      'trial_pod_not_found',
      `trial '${trial}' has no running or finished training pod`,
      'the trial may not have started yet (wait_for_optimization) or its TrainJob was removed; check the trial status and events',
      'trial',
    );
  }
  if (pod.status?.phase === 'Pending') {
    throw new OptimizerError(
      'trial_pod_pending',
      `the training pod of trial '${trial}' is still Pending, so it has no logs yet`,
      'wait until the trial is Running, then ask again',
      'trial',
    );
  }
  const sidecar = (pod.spec?.containers ?? []).some((c) => c.name === METRICS_COLLECTOR_CONTAINER);
  const container = sidecar ? METRICS_COLLECTOR_CONTAINER : PRIMARY_CONTAINER;
  const note = sidecar
    ? `read from Katib's ${METRICS_COLLECTOR_CONTAINER} sidecar (it echoes the training output), as the SDK does`
    : `read from the trainer container '${PRIMARY_CONTAINER}': the pod has no ${METRICS_COLLECTOR_CONTAINER} sidecar (metrics-collector injection is not enabled for this namespace)`;

  const { lines, truncated } = await readPodLog(kube, namespace, pod.metadata.name, container, opts);
  return { trial, pod: pod.metadata.name, container, lines, truncated, note };
}
