import type { KubeEvent } from './types.js';

/** When an event happened: core/v1 events carry firstTimestamp, events.k8s.io ones only eventTime. */
export function eventTime(e: KubeEvent): string {
  return e.firstTimestamp ?? e.eventTime ?? e.lastTimestamp ?? e.metadata.creationTimestamp ?? '';
}
