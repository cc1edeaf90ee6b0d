/**
 * Logs of one step (docs/wire/trainer.md#logs), as SDK get_job_logs picks them (step name -> pod, container = step name without
 * its index), but bounded: a tail of lines, long lines clipped, and a follow that ends after a
 * fixed number of seconds so a tool call never hangs.
 */
import { RESOURCES, type KubeClient } from '../../../../kube/client.js';
import type { LogResult } from '../../backend.js';
import { StepNotFoundError, StepPendingError } from '../../errors.js';
import type { MetricsReader } from '../../metrics.js';
import type { TrainJobView } from '../../types.js';

export const MAX_LINE_CHARS = 2000;

function containerForStep(step: string): string {
  return step.replace(/-\d+$/, '');
}

export async function stepLogs(
  kube: KubeClient,
  job: TrainJobView,
  opts: { step: string; tail: number; sinceSeconds?: number; followSeconds?: number; signal?: AbortSignal },
): Promise<LogResult> {
  const step = job.steps.find((s) => s.name === opts.step);
  if (!step)
    throw new StepNotFoundError(
      job.name,
      opts.step,
      job.steps.map((s) => s.name),
    );
  if (step.status === 'Pending') throw new StepPendingError(job.name, opts.step);
  const container = containerForStep(step.name);
  const { lines, truncated } = await readPodLog(kube, job.namespace, step.podName, container, opts);
  return { step: step.name, pod: step.podName, container, lines, truncated };
}

/** A whole log is read within this time at most (the stream is ended, what was read counts). */
const METRICS_READ_MS = 60_000;

/** Streams a step's whole log into the metrics reader, line by line. */
export async function stepMetrics(
  kube: KubeClient,
  job: TrainJobView,
  opts: { step: string; reader: MetricsReader; signal?: AbortSignal },
): Promise<{ step: string; pod: string }> {
  const step = job.steps.find((s) => s.name === opts.step);
  if (!step)
    throw new StepNotFoundError(
      job.name,
      opts.step,
      job.steps.map((s) => s.name),
    );
  if (step.status === 'Pending') throw new StepPendingError(job.name, opts.step);
  const deadline = AbortSignal.timeout(METRICS_READ_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  const path = kube.path(RESOURCES.pods, job.namespace, step.podName, 'log');
  for await (const line of kube.lines(path, { query: { container: containerForStep(step.name) }, signal })) opts.reader.push(line);
  if (opts.signal?.aborted) throw new DOMException('cancelled', 'AbortError');
  return { step: step.name, pod: step.podName };
}

export interface PodLogOptions {
  tail: number;
  sinceSeconds?: number;
  followSeconds?: number;
  signal?: AbortSignal;
}

/** The last `tail` lines of a container's log, optionally following new lines for a bounded time. */
export async function readPodLog(
  kube: KubeClient,
  namespace: string,
  pod: string,
  container: string,
  opts: PodLogOptions,
): Promise<{ lines: string[]; truncated: boolean }> {
  const path = kube.path(RESOURCES.pods, namespace, pod, 'log');
  const base = { container, sinceSeconds: opts.sinceSeconds };
  const ring = new TailBuffer(opts.tail);
  if (opts.followSeconds && opts.followSeconds > 0) {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), opts.followSeconds * 1000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    try {
      for await (const line of kube.lines(path, { query: { ...base, follow: 'true', tailLines: opts.tail + 1 }, signal })) ring.push(line);
    } finally {
      clearTimeout(timer);
    }
    if (opts.signal?.aborted) throw new DOMException('cancelled', 'AbortError');
  } else {
    // One extra line tells us whether older lines exist.
    const text = await kube.text(path, { query: { ...base, tailLines: opts.tail + 1 }, signal: opts.signal });
    for (const line of splitLines(text)) ring.push(line);
  }
  return { lines: ring.lines(), truncated: ring.dropped > 0 };
}

function splitLines(text: string): string[] {
  if (!text) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Keeps the last `size` lines, each clipped to MAX_LINE_CHARS, in bounded memory (a ring). */
class TailBuffer {
  private readonly buf: string[] = [];
  private next = 0;
  dropped = 0;
  constructor(private readonly size: number) {}

  push(line: string): void {
    const clipped = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}… [${line.length - MAX_LINE_CHARS} chars clipped]` : line;
    if (this.buf.length < this.size) {
      this.buf.push(clipped);
      return;
    }
    this.buf[this.next] = clipped;
    this.next = (this.next + 1) % this.size;
    this.dropped++;
  }

  lines(): string[] {
    return [...this.buf.slice(this.next), ...this.buf.slice(0, this.next)];
  }
}
