import { describe, expect, it } from 'vitest';
import { MAX_METRICS, MAX_POINTS, MetricsReader, parseMetricLine } from '../../src/kubeflow/trainer/metrics.js';

describe('parseMetricLine', () => {
  it('reads key=value and key: value pairs, with the step as x', () => {
    expect(parseMetricLine('loss=0.41 step=120')).toEqual({ step: 120, values: [['loss', 0.41]] });
    expect(parseMetricLine('epoch: 2, loss: 0.3, accuracy: 0.91')).toEqual({
      step: undefined,
      values: [
        ['epoch', 2],
        ['loss', 0.3],
        ['accuracy', 0.91],
      ],
    });
    expect(parseMetricLine('2026-01-01T12:30:45Z INFO:root:global_step=7 train/loss=1.5e-3')).toEqual({ step: 7, values: [['train/loss', 0.0015]] });
  });

  it('reads Hugging Face Trainer dict lines (numbers and quoted numbers)', () => {
    expect(parseMetricLine("{'loss': 0.41, 'grad_norm': 1.23, 'learning_rate': 2e-05, 'epoch': 1.0}")).toEqual({
      step: undefined,
      values: [
        ['loss', 0.41],
        ['grad_norm', 1.23],
        ['learning_rate', 2e-5],
        ['epoch', 1],
      ],
    });
    expect(parseMetricLine("{'loss': '0.4100', 'epoch': '0.5'}")?.values).toEqual([
      ['loss', 0.41],
      ['epoch', 0.5],
    ]);
    expect(parseMetricLine('{"eval_loss": 0.35, "step": 500}')).toEqual({ step: 500, values: [['eval_loss', 0.35]] });
  });

  it("reads TorchTune's metric logger lines", () => {
    expect(parseMetricLine('Step 120 | loss:0.41 lr:2e-05 tokens_per_second_per_gpu:1523.2 ')).toEqual({
      step: 120,
      values: [
        ['loss', 0.41],
        ['lr', 2e-5],
        ['tokens_per_second_per_gpu', 1523.2],
      ],
    });
  });

  it('reads a tqdm postfix and Katib-style name=value lines', () => {
    expect(parseMetricLine(' 50%|█████     | 50/100 [00:10<00:10, 4.5it/s, loss=0.3]')?.values).toEqual([['loss', 0.3]]);
    expect(parseMetricLine('epoch=3 accuracy=0.912 loss=0.21')).toEqual({
      step: undefined,
      values: [
        ['epoch', 3],
        ['accuracy', 0.912],
        ['loss', 0.21],
      ],
    });
  });

  it('ignores versions, clock times, addresses and words', () => {
    for (const line of [
      'Python version: 3.11.4',
      'started at 12:30:45',
      'image: python:3.11',
      'MASTER_ADDR=10.0.0.1',
      'status: Running',
      'see http://x:8080/a',
      'v1.2.3 ready',
    ]) {
      expect(parseMetricLine(line), line).toBeUndefined();
    }
  });

  it('keeps a diverged loss (nan, inf) as a value', () => {
    const p = parseMetricLine('loss=nan grad_norm=inf step=3');
    expect(p?.step).toBe(3);
    expect(Number.isNaN(p?.values[0]?.[1])).toBe(true);
    expect(p?.values[1]?.[1]).toBe(Infinity);
  });
});

describe('MetricsReader', () => {
  it('summarizes a known series: first, last, min/max with their step, trend, downsampled series', () => {
    const r = new MetricsReader();
    // loss = 3 - step / 500 for steps 1..1000, one bump at 500; lr constant; some unrelated output.
    for (let step = 1; step <= 1000; step++) {
      r.push(`step=${step} loss=${step === 500 ? 9 : 3 - step / 500} lr=0.001`);
      if (step % 100 === 0) r.push(`saving checkpoint ${step}`);
    }
    const rep = r.report({ window: 10, points: 20 });
    expect(rep.lines).toBe(1010);
    expect(rep.metricLines).toBe(1000);
    const loss = rep.metrics.find((m) => m.name === 'loss')!;
    expect(loss).toMatchObject({
      points: 1000,
      x: 'step',
      first: { x: 1, value: 2.998 },
      last: { x: 1000, value: 1 },
      min: { x: 1000, value: 1 },
      max: { x: 500, value: 9 },
    });
    expect(loss.trend.window).toBe(10);
    expect(loss.trend.direction).toBe('down');
    expect(loss.series.length).toBeLessThanOrEqual(20);
    expect(loss.series.length).toBeGreaterThanOrEqual(10);
    // In order, ending at the last step; the means decrease after the first bucket.
    expect(loss.series[loss.series.length - 1]![0]).toBe(1000);
    const xs = loss.series.map((p) => p[0]);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(loss.series[0]![1]).toBeGreaterThan(loss.series[loss.series.length - 1]![1]);
    const lr = rep.metrics.find((m) => m.name === 'lr')!;
    expect(lr.trend.direction).toBe('flat');
    expect(lr.series.every(([, v]) => v === 0.001)).toBe(true);
    expect(r.latest()).toEqual({ step: 1000, values: { loss: 1, lr: 0.001 } });
  });

  it('numbers the points of metrics printed without a step (HF Trainer)', () => {
    const r = new MetricsReader();
    for (let i = 0; i < 30; i++) r.push(`{'loss': ${1 - i / 100}, 'learning_rate': 2e-05, 'epoch': ${i / 10}}`);
    const loss = r.report().metrics.find((m) => m.name === 'loss')!;
    expect(loss).toMatchObject({ points: 30, x: 'point', first: { x: 1, value: 1 }, last: { x: 30, value: 0.71 }, min: { x: 30 } });
    expect(loss.series).toHaveLength(30);
  });

  it('never reports NaN as min or max, but as the last value', () => {
    const r = new MetricsReader();
    for (const v of ['3', '2', 'nan']) r.push(`loss=${v}`);
    const loss = r.report().metrics[0]!;
    expect(loss.min.value).toBe(2);
    expect(loss.max.value).toBe(3);
    expect(Number.isNaN(loss.last.value)).toBe(true);
  });

  it('keeps memory bounded: 32 metrics, series of at most 2 x 50 buckets', () => {
    const r = new MetricsReader();
    for (let i = 0; i < 200_000; i++) r.push(`step=${i} loss=${Math.sin(i)} m${i % 100}=1`);
    const rep = r.report();
    expect(rep.metrics).toHaveLength(MAX_METRICS);
    expect(rep.untracked).toBe(100 - (MAX_METRICS - 1));
    expect(rep.metrics[0]!.name).toBe('loss');
    expect(rep.metrics[0]!.series.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(rep.metrics[0]!.points).toBe(200_000);
  });

  it('filters by name', () => {
    const r = new MetricsReader();
    r.push('loss=1 acc=0.5');
    expect(r.report({ only: ['acc'] }).metrics.map((m) => m.name)).toEqual(['acc']);
  });
});
