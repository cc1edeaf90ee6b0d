/**
 * Objects to reconcile, collected from store events and handled together on the next turn of the
 * event loop: never inside a store listener (a controller's own writes would re-enter the store),
 * and once per object however many events it produced. Keyed by uid, so a recreated object of the
 * same name is not mistaken for the old one.
 */
export class DirtyQueue {
  private readonly dirty = new Map<string, { ns: string; name: string }>();
  private scheduled = false;

  constructor(private readonly flush: (uid: string, ref: { ns: string; name: string }) => void) {}

  add(obj: { metadata: { uid: string; namespace: string; name: string } }): void {
    this.dirty.set(obj.metadata.uid, { ns: obj.metadata.namespace, name: obj.metadata.name });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = [...this.dirty.entries()];
      this.dirty.clear();
      for (const [uid, ref] of batch) this.flush(uid, ref);
    });
  }

  forget(uid: string): void {
    this.dirty.delete(uid);
  }
}
