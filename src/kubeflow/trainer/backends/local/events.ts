/**
 * Lifecycle events of local jobs (Queued, Started, Suspended, Resumed, Completed, Failed, Deleted,
 * ...), shaped like core/v1 Events about the TrainJob so get_training_events renders them as on a
 * cluster. Each job keeps a bounded history; repeats of the latest event are counted, as the
 * Kubernetes event recorder does.
 */
import { randomBytes } from 'node:crypto';
import type { KubeEvent } from '../../../../kube/types.js';

export const MAX_EVENTS_PER_JOB = 100;

export interface JobRef {
  namespace: string;
  name: string;
  uid: string;
}

export function lifecycleEvent(job: JobRef, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal', now = new Date()): KubeEvent {
  const time = now.toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${job.name}.${randomBytes(8).toString('hex')}`, namespace: job.namespace, creationTimestamp: time },
    involvedObject: { kind: 'TrainJob', name: job.name, namespace: job.namespace, uid: job.uid },
    reason,
    message,
    type,
    count: 1,
    firstTimestamp: time,
    lastTimestamp: time,
  };
}

/** The history with `event` added: a repeat of the latest event bumps its count; the oldest fall off. */
export function withEvent(history: readonly KubeEvent[], event: KubeEvent): KubeEvent[] {
  const last = history[history.length - 1];
  if (last && last.reason === event.reason && last.message === event.message && last.type === event.type) {
    return [...history.slice(0, -1), { ...last, count: (last.count ?? 1) + 1, lastTimestamp: event.lastTimestamp }];
  }
  return [...history, event].slice(-MAX_EVENTS_PER_JOB);
}
