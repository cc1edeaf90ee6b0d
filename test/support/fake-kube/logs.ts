/**
 * Container log lines, stored per (namespace, pod, container) with kubelet-style timestamps.
 * Bounded per container; followers are notified of new lines and of termination.
 */
import { nowRfc3339Nano } from './meta.js';

export interface LogLine {
  /** RFC 3339 with nanoseconds. */
  ts: string;
  ms: number;
  text: string;
}

interface Follower {
  onLine(l: LogLine): void;
  onEnd(): void;
}

interface ContainerLog {
  lines: LogLine[];
  terminated: boolean;
  followers: Set<Follower>;
}

const key = (ns: string, pod: string, container: string): string => `${ns}/${pod}/${container}`;

export class LogStore {
  private readonly logs = new Map<string, ContainerLog>();

  constructor(private readonly maxLinesPerContainer = 50_000) {}

  private entry(ns: string, pod: string, container: string): ContainerLog {
    const k = key(ns, pod, container);
    let e = this.logs.get(k);
    if (!e) this.logs.set(k, (e = { lines: [], terminated: false, followers: new Set() }));
    return e;
  }

  append(ns: string, pod: string, container: string, text: string): void {
    const e = this.entry(ns, pod, container);
    const now = new Date();
    // A multi-line string is several log lines, as a process writing them would produce.
    for (const t of text.split('\n')) {
      const l: LogLine = { ts: nowRfc3339Nano(now), ms: now.getTime(), text: t };
      e.lines.push(l);
      for (const f of [...e.followers]) f.onLine(l);
    }
    if (e.lines.length > this.maxLinesPerContainer) e.lines.splice(0, e.lines.length - this.maxLinesPerContainer);
  }

  /** The container exited: followers get end-of-stream. */
  terminate(ns: string, pod: string, container: string): void {
    const e = this.entry(ns, pod, container);
    e.terminated = true;
    for (const f of [...e.followers]) f.onEnd();
    e.followers.clear();
  }

  lines(ns: string, pod: string, container: string): LogLine[] {
    return [...(this.logs.get(key(ns, pod, container))?.lines ?? [])];
  }

  isTerminated(ns: string, pod: string, container: string): boolean {
    return this.logs.get(key(ns, pod, container))?.terminated ?? false;
  }

  follow(ns: string, pod: string, container: string, f: Follower): () => void {
    const e = this.entry(ns, pod, container);
    e.followers.add(f);
    return () => e.followers.delete(f);
  }

  /** The pod is gone: drop its logs and end every follower. */
  removePod(ns: string, pod: string): void {
    const prefix = `${ns}/${pod}/`;
    for (const [k, e] of this.logs) {
      if (!k.startsWith(prefix)) continue;
      for (const f of [...e.followers]) f.onEnd();
      this.logs.delete(k);
    }
  }
}
