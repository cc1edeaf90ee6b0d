/**
 * Training metrics from a job's output, read as a stream in bounded memory (both backends feed
 * it their log lines). A line can carry metrics in the forms training code prints:
 *  - `key=value` / `key: value` pairs (`loss=0.41 step=120`, Katib's StdOut collector format
 *    `name=value`, tqdm postfixes `[..., loss=0.3]`);
 *  - Python / JSON dicts, as the Hugging Face Trainer logs them
 *    (`{'loss': 0.41, 'learning_rate': 2e-05, 'epoch': 1.0}`, also with quoted values);
 *  - TorchTune's metric logger lines (`Step 120 | loss:0.41 lr:2e-05`).
 * The step comes from the line (`step`, `global_step`, `iteration`, TorchTune's `Step N`), else
 * from the last line that gave one; in a log that never gives one, points are numbered (x = the
 * point's ordinal).
 *
 * Per metric we keep: count, first, last, min/max with their x, the last TREND_MAX values, and a
 * series of at most 2 x MAX_POINTS bucket means whose width doubles as points arrive. So memory
 * is O(metrics x points), whatever the log's length.
 */

/** Distinct metrics tracked at most (more names are counted, not kept). */
export const MAX_METRICS = 32;
/** Points of a returned series at most. */
export const MAX_POINTS = 50;
/** Values kept for the trend window at most. */
const TREND_MAX = 100;
/** Lines longer than this are not scanned (binary dumps, huge JSON). */
const MAX_SCAN_CHARS = 4000;

/** Keys that give the x-axis, not a metric. */
const STEP_KEYS = new Set(['step', 'global_step', 'globalstep', 'iteration', 'iter', 'it', 'train_step', 'steps']);

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)`;
/**
 * One pair: a key starting with a letter (not glued to a word, dot, dash or slash before it,
 * optionally quoted), `=` or `:`, a number (optionally quoted) not glued to more word characters
 * or dots (so `python:3.11.4`, `12:30:45` and `v1.2.3` carry no metric).
 */
const PAIR = new RegExp(String.raw`(?<![\w.\-/])(['"]?)([A-Za-z_][\w.\-/]*)\1\s*([=:])(\s*)(['"]?)(${NUMBER})\5(?![\w.])`, 'gi');
const TORCHTUNE = /^\s*Step\s+(\d+)\s*\|(.*)$/;

export interface ParsedLine {
  step?: number;
  values: Array<[string, number]>;
}

/** The metrics one line carries, or undefined. */
export function parseMetricLine(line: string): ParsedLine | undefined {
  if (line.length > MAX_SCAN_CHARS || !/[=:]/.test(line)) return undefined;
  let body = line;
  let step: number | undefined;
  const tt = TORCHTUNE.exec(line);
  if (tt) {
    step = Number(tt[1]);
    body = tt[2] ?? '';
  }
  const values: Array<[string, number]> = [];
  for (const m of body.matchAll(PAIR)) {
    const key = m[2]!;
    // `a:b:3` is a path, but `INFO:root:loss=0.3` (Python logging) carries a metric.
    // `name:3.11` without a space is an image or a port, except in TorchTune's lines and dicts.
    if (m[3] === ':' && (body[(m.index ?? 0) - 1] === ':' || (!m[4] && !tt && !m[1]))) continue;
    const value = Number(m[6]!.toLowerCase().replace('nan', 'NaN').replace('inf', 'Infinity'));
    if (STEP_KEYS.has(key.toLowerCase())) {
      if (step === undefined && Number.isFinite(value) && value >= 0) step = value;
      continue;
    }
    values.push([key, value]);
  }
  return values.length ? { step, values } : undefined;
}

interface MetricPoint {
  x: number;
  value: number;
}

export interface MetricSummary {
  name: string;
  /** Values seen. */
  points: number;
  /** What x means: the step the log gave, or the point's ordinal. */
  x: 'step' | 'point';
  first: MetricPoint;
  last: MetricPoint;
  min: MetricPoint;
  max: MetricPoint;
  /** Least-squares change across the last `window` values; `relative` to their mean. */
  trend: { window: number; change: number; relative: number; direction: 'down' | 'up' | 'flat' };
  /** At most MAX_POINTS bucket means, in order: [x of the bucket's last point, mean]. */
  series: Array<[number, number]>;
}

interface Bucket {
  x: number;
  sum: number;
  n: number;
}

class MetricSeries {
  points = 0;
  withStep = 0;
  first!: MetricPoint;
  last!: MetricPoint;
  min!: MetricPoint;
  max!: MetricPoint;
  private readonly recent: number[] = [];
  private recentNext = 0;
  private readonly buckets: Bucket[] = [];
  private width = 1;

  constructor(readonly name: string) {}

  add(value: number, step: number | undefined): void {
    this.points++;
    if (step !== undefined) this.withStep++;
    const p = { x: step ?? this.points, value };
    if (this.points === 1) {
      this.first = p;
      this.min = p;
      this.max = p;
    }
    this.last = p;
    // NaN (a diverged loss) is reported as the last value but never as min or max.
    if (!Number.isNaN(value)) {
      if (Number.isNaN(this.min.value) || value < this.min.value) this.min = p;
      if (Number.isNaN(this.max.value) || value > this.max.value) this.max = p;
    }
    if (this.recent.length < TREND_MAX) this.recent.push(value);
    else {
      this.recent[this.recentNext] = value;
      this.recentNext = (this.recentNext + 1) % TREND_MAX;
    }
    if (!Number.isFinite(value)) return;
    const tail = this.buckets[this.buckets.length - 1];
    if (tail && tail.n < this.width) {
      tail.sum += value;
      tail.n++;
      tail.x = p.x;
    } else this.buckets.push({ x: p.x, sum: value, n: 1 });
    if (this.buckets.length >= 2 * MAX_POINTS) {
      // Halve: neighbours merge, and each bucket from now on takes twice as many points.
      const merged = mergePairs(this.buckets);
      this.buckets.length = 0;
      this.buckets.push(...merged);
      this.width *= 2;
    }
  }

  summary(window: number, maxPoints: number): MetricSummary {
    const values = [...this.recent.slice(this.recentNext), ...this.recent.slice(0, this.recentNext)].slice(-window);
    let buckets = this.buckets;
    while (buckets.length > maxPoints) buckets = mergeGroups(buckets, Math.ceil(buckets.length / maxPoints));
    return {
      name: this.name,
      points: this.points,
      // Steps once the log gives any (points before the first step keep their ordinal).
      x: this.withStep > 0 ? 'step' : 'point',
      first: this.first,
      last: this.last,
      min: this.min,
      max: this.max,
      trend: trend(values),
      // A constant (a fixed learning rate) needs its ends only.
      series:
        this.min.value === this.max.value && buckets.length > 2
          ? [
              [this.first.x, this.first.value],
              [this.last.x, this.last.value],
            ]
          : buckets.map((b) => [b.x, round(b.sum / b.n, 3)]),
    };
  }
}

function mergePairs(buckets: Bucket[]): Bucket[] {
  return mergeGroups(buckets, 2);
}

function mergeGroups(buckets: Bucket[], size: number): Bucket[] {
  const out: Bucket[] = [];
  for (let i = 0; i < buckets.length; i += size) {
    const group = buckets.slice(i, i + size);
    out.push({ x: group[group.length - 1]!.x, sum: group.reduce((s, b) => s + b.sum, 0), n: group.reduce((s, b) => s + b.n, 0) });
  }
  return out;
}

/** Below this relative change the last values are called flat. */
const FLAT = 0.01;

function trend(values: number[]): MetricSummary['trend'] {
  const ys = values.filter(Number.isFinite);
  const n = ys.length;
  if (n < 2) return { window: n, change: 0, relative: 0, direction: 'flat' };
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((s, y) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, i) => {
    num += (i - meanX) * (y - meanY);
    den += (i - meanX) ** 2;
  });
  const change = (num / den) * (n - 1);
  const relative = meanY === 0 ? (change === 0 ? 0 : Math.sign(change)) : change / Math.abs(meanY);
  return { window: n, change: round(change), relative: round(relative), direction: Math.abs(relative) < FLAT ? 'flat' : change < 0 ? 'down' : 'up' };
}

/** Four significant digits (three for series points): enough for a curve, cheap in tokens. */
function round(v: number, digits = 4): number {
  return Number.isFinite(v) ? Number(v.toPrecision(digits)) : v;
}

export interface MetricsReport {
  /** Lines read and those that carried metrics. */
  lines: number;
  metricLines: number;
  metrics: MetricSummary[];
  /** Names seen beyond MAX_METRICS (counted, not kept). */
  untracked: number;
}

/** Accumulates metrics from lines pushed one at a time. */
export class MetricsReader {
  private readonly series = new Map<string, MetricSeries>();
  private readonly untracked = new Set<string>();
  private lines = 0;
  private metricLines = 0;
  /** The last step a line gave: lines without one (an HF dict among step lines) belong to it. */
  private lastStep: number | undefined;

  push(line: string): void {
    this.lines++;
    const parsed = parseMetricLine(line);
    if (!parsed) return;
    this.metricLines++;
    if (parsed.step !== undefined) this.lastStep = parsed.step;
    const step = parsed.step ?? this.lastStep;
    for (const [name, value] of parsed.values) {
      let s = this.series.get(name);
      if (!s) {
        if (this.series.size >= MAX_METRICS) {
          if (this.untracked.size < 1000) this.untracked.add(name);
          continue;
        }
        this.series.set(name, (s = new MetricSeries(name)));
      }
      s.add(value, step);
    }
  }

  /**
   * The summary: metrics with the most points first (a name printed once, such as `rank: 0`, sorts
   * last), each with a series of at most `points` values and a trend over the last `window`.
   */
  report(opts: { window?: number; points?: number; only?: readonly string[] } = {}): MetricsReport {
    const window = Math.min(TREND_MAX, Math.max(2, opts.window ?? 20));
    const points = Math.min(MAX_POINTS, Math.max(2, opts.points ?? MAX_POINTS));
    const chosen = [...this.series.values()].filter((s) => !opts.only?.length || opts.only.includes(s.name)).sort((a, b) => b.points - a.points);
    return { lines: this.lines, metricLines: this.metricLines, metrics: chosen.map((s) => s.summary(window, points)), untracked: this.untracked.size };
  }

  /** The last value of each metric, and the last step seen: for one-line progress. */
  latest(): { step?: number; values: Record<string, number> } {
    let step: number | undefined;
    const values: Record<string, number> = {};
    for (const s of [...this.series.values()].sort((a, b) => b.points - a.points)) {
      values[s.name] = round(s.last.value);
      if (s.withStep > 0 && (step === undefined || s.last.x > step)) step = s.last.x;
    }
    return { step, values };
  }
}
