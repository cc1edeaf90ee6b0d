/**
 * Garbage collection after deletes: dependents (by ownerReferences uid) and a namespace's
 * contents are removed in the background, right after the owner's DELETED event, like the
 * kube-controller-manager GC with background propagation (only much faster).
 */
import { findByResource } from './registry.js';
import type { ObjectStore } from './store.js';

function typeOfKey(key: string) {
  const i = key.indexOf('/');
  return findByResource(key.slice(0, i), undefined, key.slice(i + 1));
}

export function startGarbageCollector(store: ObjectStore): () => void {
  return store.subscribe((e) => {
    if (e.type !== 'DELETED') return;
    const uid: string | undefined = e.object.metadata?.uid;
    const deletedNamespace = e.key === '/namespaces' ? (e.object.metadata?.name as string) : undefined;
    // Deferred so the owner's DELETED event reaches every watcher before its dependents' events.
    queueMicrotask(() => {
      const doomed: Array<{ key: string; ns?: string; name: string }> = [];
      for (const { key, object } of store.entries()) {
        const owned = (object.metadata?.ownerReferences ?? []).some((r: any) => r.uid === uid);
        const inNs = deletedNamespace !== undefined && object.metadata?.namespace === deletedNamespace;
        if (owned || inNs) doomed.push({ key, ns: object.metadata.namespace, name: object.metadata.name });
      }
      for (const d of doomed) {
        const t = typeOfKey(d.key);
        if (t && store.get(t, d.ns, d.name)) store.delete(t, d.ns, d.name);
      }
    });
  });
}

/** Orphan propagation: drop the owner reference from dependents instead of deleting them. */
export function orphanDependents(store: ObjectStore, ownerUid: string): void {
  const targets: Array<{ key: string; object: any }> = [];
  for (const e of store.entries()) if ((e.object.metadata?.ownerReferences ?? []).some((r: any) => r.uid === ownerUid)) targets.push(e);
  for (const { key, object } of targets) {
    const t = typeOfKey(key);
    if (!t) continue;
    const o = structuredClone(object);
    o.metadata.ownerReferences = o.metadata.ownerReferences.filter((r: any) => r.uid !== ownerUid);
    if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
    store.update(t, o);
  }
}
