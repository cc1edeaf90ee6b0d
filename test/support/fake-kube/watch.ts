/**
 * Watch: a chunked application/json stream of {"type","object"} lines. Honours resourceVersion
 * (replay from the store's bounded history, 410 Expired as an ERROR event when too old),
 * synthetic ADDED events for "unset"/"0", sendInitialEvents, selectors (objects entering or
 * leaving the selection become ADDED/DELETED), bookmarks and timeoutSeconds.
 */
import type { ApiRequest, ServerState } from './context.js';
import { badRequest, expired, pathNotFound } from './errors.js';
import { apiVersionOf, typeKey } from './registry.js';
import { matches, parseFilter, type ObjectFilter } from './selectors.js';
import type { StoreEvent } from './store.js';
import { toTable, wantsTable } from './table.js';

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

export function handleWatch(state: ServerState, req: ApiRequest): void {
  const { t, query: q, info } = req;
  if (!t.namespaced && info.namespace !== undefined) throw pathNotFound();
  let fieldSelector = q.get('fieldSelector') ?? undefined;
  if (info.name !== undefined) fieldSelector = [fieldSelector, `metadata.name=${info.name}`].filter(Boolean).join(',');
  const filter: ObjectFilter = parseFilter(t, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector });
  const rvParam = q.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rvParam)}: must be a non-negative integer`);
  const sendInitial = q.get('sendInitialEvents') === 'true';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '0');

  const inScope = (o: any): boolean => o !== undefined && (info.namespace === undefined || o.metadata?.namespace === info.namespace) && matches(t, filter, o);

  /** Translate a store event into what this watcher sees (selector enter/leave included). */
  const project = (e: StoreEvent): WatchEvent | undefined => {
    if (e.key !== typeKey(t)) return undefined;
    const now = inScope(e.object);
    if (e.type !== 'MODIFIED') return now ? { type: e.type, object: e.object } : undefined;
    const before = inScope(e.prev);
    if (now && before) return { type: 'MODIFIED', object: e.object };
    if (now) return { type: 'ADDED', object: e.object };
    if (before) return { type: 'DELETED', object: e.object };
    return undefined;
  };

  const res = req.res.head(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let open = true;
  const asTable = wantsTable(req.raw.headers.accept);
  let firstTable = true;
  const write = (ev: WatchEvent): void => {
    if (!open) return;
    if (asTable && ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
      const o = ev.object as any;
      const table = toTable(t, [o], { resourceVersion: o.metadata.resourceVersion }, q.get('includeObject')) as any;
      // Like the apiserver, only the first event of a table watch carries the column headers.
      if (!firstTable) table.columnDefinitions = null;
      firstTable = false;
      ev = { type: ev.type, object: table };
    }
    res.write(`${JSON.stringify(ev)}\n`);
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(state.store.resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    write({ type: 'BOOKMARK', object: { kind: t.kind, apiVersion: apiVersionOf(t), metadata } });
  };

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = (): void => {};
  const close = (): void => {
    if (!open) return;
    open = false;
    unsubscribe();
    timers.forEach(clearTimeout);
    state.streams.delete(close);
    res.end();
  };
  state.streams.add(close);
  req.raw.on('close', close);
  res.on('close', close);

  let startRv: number;
  if (rvParam === '' || rvParam === '0' || sendInitial) {
    for (const o of state.store.list(t, info.namespace)) if (inScope(o)) write({ type: 'ADDED', object: o });
    startRv = state.store.resourceVersion;
    if (sendInitial && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const since = state.store.eventsSince(Number(rvParam));
    if (since === 'expired') {
      write({ type: 'ERROR', object: expired(`too old resource version: ${rvParam} (${state.store.oldestAvailable + 1})`).status });
      close();
      return;
    }
    for (const e of since) {
      const ev = project(e);
      if (ev) write(ev);
    }
    startRv = state.store.resourceVersion;
  }
  // Store writes are synchronous, so nothing can slip between the replay above and this subscription.
  unsubscribe = state.store.subscribe((e) => {
    if (e.rv <= startRv) return;
    const ev = project(e);
    if (ev) write(ev);
  });
  if (bookmarks) timers.push(setInterval(() => bookmark(), state.bookmarkIntervalMs));
  if (timeoutSeconds > 0) timers.push(setTimeout(close, timeoutSeconds * 1000));
}
