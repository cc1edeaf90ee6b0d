/**
 * In-memory object store with etcd-like semantics: one global resourceVersion counter bumped on
 * every write, a bounded event history for watch replay, and synchronous change listeners.
 * It knows nothing about HTTP, auth or validation.
 */
import { isDeepStrictEqual } from 'node:util';
import { alreadyExists, conflict, notFound, STALE_OBJECT } from './errors.js';
import { clone, newUid, nowRfc3339 } from './meta.js';
import { apiVersionOf, typeKey, type ResourceType } from './registry.js';

type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  rv: number;
  /** typeKey() of the object's resource type. */
  key: string;
  object: any;
  /** The previous state for MODIFIED, so watchers can tell selector enter/leave transitions. */
  prev?: any;
}

export type StoreListener = (e: StoreEvent) => void;

export interface WriteOptions {
  /** Run all checks and return the result without persisting or emitting anything. */
  dryRun?: boolean;
}

function objKey(ns: string | undefined, name: string): string {
  return `${ns ?? ''}/${name}`;
}

/** Everything except metadata and status: a change here bumps metadata.generation. */
function specPart(obj: any): any {
  const { metadata: _m, status: _s, ...rest } = obj ?? {};
  return rest;
}

export class ObjectStore {
  private rv = 0;
  private readonly tables = new Map<string, Map<string, any>>();
  private readonly history: StoreEvent[] = [];
  /** Highest resourceVersion whose event was dropped from history (watch from <= this → 410). */
  private compactedThrough = 0;
  private readonly listeners = new Set<StoreListener>();
  /** Sorted keys per table, dropped when a key is added or removed. */
  private readonly sortedKeys = new Map<string, string[]>();

  constructor(private readonly historyCap = 10_000) {}

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestAvailable(): number {
    return this.compactedThrough;
  }

  private table(t: ResourceType): Map<string, any> {
    const k = typeKey(t);
    let m = this.tables.get(k);
    if (!m) this.tables.set(k, (m = new Map()));
    return m;
  }

  get(t: ResourceType, ns: string | undefined, name: string): any | undefined {
    const o = this.table(t).get(objKey(t.namespaced ? ns : undefined, name));
    return o === undefined ? undefined : clone(o);
  }

  /** Objects in key order (namespace, then name) like an etcd range read. */
  list(t: ResourceType, ns?: string): any[] {
    return this.scan(t, ns).map(clone);
  }

  /**
   * The stored objects themselves, in key order, for readers that only serialise what they pick
   * (a list handler answering one page): no copy of the whole table per request. Never mutate them.
   */
  scan(t: ResourceType, ns?: string): readonly any[] {
    const table = this.table(t);
    const k = typeKey(t);
    let keys = this.sortedKeys.get(k);
    if (!keys) this.sortedKeys.set(k, (keys = [...table.keys()].sort()));
    const out: any[] = [];
    for (const key of keys) {
      const o = table.get(key);
      if (ns !== undefined && t.namespaced && o.metadata.namespace !== ns) continue;
      out.push(o);
    }
    return out;
  }

  /** Every stored object of every type (for garbage collection scans). */
  *entries(): Generator<{ key: string; object: any }> {
    for (const [key, m] of this.tables) for (const o of m.values()) yield { key, object: o };
  }

  create(t: ResourceType, input: any, opts: WriteOptions = {}): any {
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    obj.metadata = obj.metadata ?? {};
    if (!t.namespaced) delete obj.metadata.namespace;
    const k = objKey(obj.metadata.namespace, obj.metadata.name);
    if (this.table(t).has(k)) throw alreadyExists(t, obj.metadata.name);
    obj.metadata.uid = obj.metadata.uid ?? newUid();
    obj.metadata.creationTimestamp = obj.metadata.creationTimestamp ?? nowRfc3339();
    obj.metadata.generation = obj.metadata.generation ?? 1;
    if (opts.dryRun) {
      delete obj.metadata.resourceVersion;
      return obj;
    }
    obj.metadata.resourceVersion = String(++this.rv);
    this.table(t).set(k, obj);
    this.sortedKeys.delete(typeKey(t));
    this.emit({ type: 'ADDED', rv: this.rv, key: typeKey(t), object: clone(obj) });
    return clone(obj);
  }

  /**
   * Replace an object. When `expectedRv` is given it must match (optimistic concurrency).
   * Identity fields (uid, creationTimestamp) are kept; generation follows spec changes; a write
   * that changes nothing does not bump the resourceVersion (as the real apiserver).
   */
  update(t: ResourceType, input: any, opts: WriteOptions & { expectedRv?: string } = {}): any {
    const ns = t.namespaced ? input?.metadata?.namespace : undefined;
    const name = input?.metadata?.name;
    const k = objKey(ns, name);
    const old = this.table(t).get(k);
    if (!old) throw notFound(t, name);
    if (opts.expectedRv !== undefined && opts.expectedRv !== old.metadata.resourceVersion) throw conflict(t, name, STALE_OBJECT);
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    if (!t.namespaced) delete obj.metadata.namespace;
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    obj.metadata.generation = old.metadata.generation ?? 1;
    if (!isDeepStrictEqual(specPart(obj), specPart(old))) obj.metadata.generation += 1;
    if (isDeepStrictEqual(obj, old)) return clone(old);
    if (opts.dryRun) return obj;
    obj.metadata.resourceVersion = String(++this.rv);
    this.table(t).set(k, obj);
    this.emit({ type: 'MODIFIED', rv: this.rv, key: typeKey(t), object: clone(obj), prev: clone(old) });
    return clone(obj);
  }

  delete(t: ResourceType, ns: string | undefined, name: string, opts: WriteOptions = {}): any {
    const k = objKey(t.namespaced ? ns : undefined, name);
    const old = this.table(t).get(k);
    if (!old) throw notFound(t, name);
    if (opts.dryRun) return clone(old);
    this.table(t).delete(k);
    this.sortedKeys.delete(typeKey(t));
    old.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', rv: this.rv, key: typeKey(t), object: clone(old) });
    return clone(old);
  }

  subscribe(fn: StoreListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Events after `rv`, or 'expired' when some of them were already dropped from history. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compactedThrough) return 'expired';
    // History is ordered by rv; a linear scan from the end is enough at test scale.
    let i = this.history.length;
    while (i > 0 && this.history[i - 1]!.rv > rv) i--;
    return this.history.slice(i);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    while (this.history.length > this.historyCap) this.compactedThrough = this.history.shift()!.rv;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        // A broken listener (test helper, watcher) must not break the write that triggered it.
        console.error('[fake-kube] store listener failed:', err);
      }
    }
  }
}
