/** Writes core/v1 Events the way the controllers and kubelet would (one Event object per occurrence). */
import { randomBytes } from 'node:crypto';
import { nowRfc3339 } from '../meta.js';
import { findByResource } from '../registry.js';
import type { ObjectStore } from '../store.js';

const EVENTS = findByResource('', 'v1', 'events')!;

export interface EventSource {
  component: string;
  host?: string;
}

export class EventRecorder {
  constructor(private readonly store: ObjectStore) {}

  record(involved: any, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource): void {
    const ns = involved.metadata.namespace ?? 'default';
    const now = nowRfc3339();
    const event: any = {
      metadata: { name: `${involved.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata.name,
        namespace: ns,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      eventTime: null,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    // Events in a namespace that vanished meanwhile are dropped, as the real recorder would fail.
    try {
      this.store.create(EVENTS, event);
    } catch {
      /* ignore */
    }
  }
}
