/** Kubernetes events as the events tools show them: the latest `limit`, oldest first, and how many older ones were left out. */
import { z } from 'zod';
import { eventTime } from '../kube/events.js';
import type { KubeEvent } from '../kube/types.js';
import { age, table } from './render.js';

export const eventList = {
  events: z.array(z.object({ time: z.string(), type: z.string(), reason: z.string(), object: z.string(), message: z.string(), count: z.number() })),
  omitted: z.number(),
};
type EventList = z.infer<z.ZodObject<typeof eventList>>;

export function latestEvents(all: KubeEvent[], limit: number): EventList {
  const shown = all.slice(-limit);
  return {
    events: shown.map((e) => ({
      time: eventTime(e),
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
      message: e.message ?? '',
      count: e.count ?? 1,
    })),
    omitted: all.length - shown.length,
  };
}

export function renderEvents(o: EventList, empty: string): string {
  return [
    table(
      ['AGE', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
      o.events.map((e) => [age(e.time), e.type, e.reason, e.object, e.count > 1 ? `${e.message} (x${e.count})` : e.message]),
      empty,
    ),
    o.omitted ? `(${o.omitted} older events omitted; raise limit to see them)` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
