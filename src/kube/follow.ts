/**
 * A watch that keeps going until the caller stops it: resumed from the last resourceVersion when
 * the server ends the stream, restarted from "now" after 410 Expired, and reconnected after a
 * transient failure (429, 5xx, a dropped connection). Reconnects that bring no event back off
 * (exponential, with jitter) so a server that keeps closing the stream is not hammered.
 */
import { KubeApiError, type KubeClient, type Query, type ResourceType } from './client.js';
import { backoffMs, DEFAULT_RETRY, sleep, type RetryPolicy } from './retry.js';

export type FollowEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Resolves when the signal aborts or onEvent returns 'stop'; throws a non-transient failure (403, 404, ...). */
export async function follow<T extends { metadata: { resourceVersion?: string } }>(
  kube: KubeClient,
  rt: ResourceType,
  namespace: string | undefined,
  query: Query,
  opts: { resourceVersion?: string; signal: AbortSignal; onEvent: (type: FollowEvent, obj: T) => void | 'stop'; retry?: RetryPolicy },
): Promise<void> {
  const { signal } = opts;
  const policy = opts.retry ?? DEFAULT_RETRY;
  let rv = opts.resourceVersion;
  let idle = 0; // reconnects in a row that brought no event
  while (!signal.aborted) {
    let progressed = false;
    try {
      for await (const ev of kube.watch<T>(rt, namespace, { ...query, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 300 }, signal)) {
        rv = ev.object.metadata.resourceVersion ?? rv;
        progressed = true;
        if (ev.type !== 'BOOKMARK' && opts.onEvent(ev.type as FollowEvent, ev.object) === 'stop') return;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof KubeApiError && (err.status === 410 || err.reason === 'Expired')) {
        rv = undefined; // too old: a synthetic ADDED stream from "now" brings us up to date
      } else if (!(err instanceof KubeApiError && err.transient)) {
        throw err;
      }
    }
    idle = progressed ? 0 : idle + 1;
    if (idle > 0) {
      try {
        await sleep(backoffMs(Math.min(idle - 1, 10), policy), signal);
      } catch {
        return; // aborted while waiting
      }
    }
  }
}
