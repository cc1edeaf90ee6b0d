/**
 * The local scheduler's state: at most `maxConcurrent` active jobs, the rest wait in FIFO order
 * of submission (their `seq`, stored with the job, so the order survives restarts). Suspended
 * queued jobs are held in place and skipped until resumed. Bounded: at most MAX_QUEUED waiting.
 */
export const MAX_QUEUED = 1000;

export class SlotQueue {
  private waiting: Array<{ key: string; seq: number }> = [];
  private readonly held = new Set<string>();
  private readonly active = new Set<string>();

  constructor(readonly maxConcurrent: number) {}

  get runningCount(): number {
    return this.active.size;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  get isFull(): boolean {
    return this.waiting.length >= MAX_QUEUED;
  }

  activeKeys(): string[] {
    return [...this.active];
  }

  enqueue(key: string, seq: number): void {
    if (this.active.has(key) || this.waiting.some((w) => w.key === key)) return;
    const at = this.waiting.findIndex((w) => w.seq > seq);
    this.waiting.splice(at === -1 ? this.waiting.length : at, 0, { key, seq });
  }

  hold(key: string, held: boolean): void {
    if (held) this.held.add(key);
    else this.held.delete(key);
  }

  /** The next job to start, now counted as active; undefined when no slot or nothing startable. */
  take(): string | undefined {
    if (this.active.size >= this.maxConcurrent) return undefined;
    const i = this.waiting.findIndex((w) => !this.held.has(w.key));
    if (i === -1) return undefined;
    const [next] = this.waiting.splice(i, 1);
    this.active.add(next!.key);
    return next!.key;
  }

  /** A job found running (adopted after a restart) occupies a slot too. */
  activate(key: string): void {
    this.waiting = this.waiting.filter((w) => w.key !== key);
    this.active.add(key);
  }

  isActive(key: string): boolean {
    return this.active.has(key);
  }

  remove(key: string): void {
    this.waiting = this.waiting.filter((w) => w.key !== key);
    this.active.delete(key);
    this.held.delete(key);
  }
}
