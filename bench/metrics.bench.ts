/**
 * get_training_metrics over a 100,000-line training log: the reader alone (lines generated in
 * memory), and the tool end to end on the local backend (a real job prints the lines, the tool
 * streams its log file). Prints wall time, tokens of the text result and of the structured result
 * (the project's o200k counter), and the JS heap: the peak above the level before the call,
 * sampled every few ms, to show memory stays bounded by the metrics kept, not the lines read.
 * Target (issue 14): a few hundred tokens for 100,000 lines.
 */
import { afterAll, it } from 'vitest';
import { MetricsReader } from '../src/kubeflow/trainer/metrics.js';
import { tokenCounter } from '../src/server/tokens.js';
import type { ToolContext } from '../src/tools/context.js';
import { invokeTool } from '../src/tools/mutation.js';
import { ALL_TOOLS } from '../src/tools/registry.js';
import { cleanupAll, custom, launch, newBackend } from '../test/local/helpers.js';

const LINES = 100_000;

afterAll(cleanupAll);

/** Line i of a typical run: metrics every line, an HF dict every 50, tqdm and warnings between. */
function line(i: number): string {
  if (i % 50 === 0)
    return `{'loss': ${(2 / Math.sqrt(i + 1)).toFixed(4)}, 'grad_norm': ${(1 + Math.sin(i)).toFixed(3)}, 'learning_rate': 2e-05, 'epoch': ${(i / LINES).toFixed(2)}}`;
  if (i % 7 === 0) return ` ${Math.floor((100 * i) / LINES)}%|#####     | ${i}/${LINES} [01:10<02:20, 710.5it/s]`;
  return `step=${i} loss=${(2 / Math.sqrt(i + 1) + 0.01 * Math.sin(i)).toFixed(4)} lr=0.0001`;
}

async function measured<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number; heapPeakMiB: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { value, ms: performance.now() - t0, heapPeakMiB: (peak - base) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

it('the reader alone: 100,000 lines', async () => {
  const count = await tokenCounter();
  const r = await measured(() => {
    const reader = new MetricsReader();
    for (let i = 0; i < LINES; i++) reader.push(line(i));
    return reader.report({ points: 20 });
  });
  console.log(
    `reader: ${LINES.toLocaleString('en-US')} lines in ${r.ms.toFixed(0)} ms (${((LINES / r.ms) * 1000).toFixed(0)} lines/s), ${r.value.metrics.length} metrics, heap peak +${r.heapPeakMiB.toFixed(1)} MiB, report ${count(JSON.stringify(r.value))} tokens as JSON`,
  );
});

it('get_training_metrics on the local backend: a job that printed 100,000 lines', async () => {
  const count = await tokenCounter();
  const backend = newBackend();
  const source = `
import math
def train():
    n = ${LINES}
    for i in range(n):
        if i % 50 == 0:
            print({'loss': round(2 / math.sqrt(i + 1), 4), 'grad_norm': round(1 + math.sin(i), 3), 'learning_rate': 2e-05, 'epoch': round(i / n, 2)})
        elif i % 7 == 0:
            print(f" {100 * i // n}%|#####     | {i}/{n} [01:10<02:20, 710.5it/s]")
        else:
            print(f"step={i} loss={2 / math.sqrt(i + 1) + 0.01 * math.sin(i):.4f} lr=0.0001")
`;
  const name = await launch(backend, custom(source));
  const ctx = {
    namespace: 'default',
    backend: () => backend,
    caller: { user: 'bench', groups: [], source: 'local', impersonate: false },
    ownJobsOnly: false,
    signal: new AbortController().signal,
    progress: async () => undefined,
  } as unknown as ToolContext;
  const tool = (n: string) => ALL_TOOLS.find((t) => t.name === n)!;
  await invokeTool(tool('wait_for_training'), tool('wait_for_training').input.parse({ name, timeout_seconds: 120 }), ctx);
  const r = await measured(() => invokeTool(tool('get_training_metrics'), tool('get_training_metrics').input.parse({ name }), ctx));
  const out = (r.value as { out: Record<string, any> }).out;
  const text = tool('get_training_metrics').render(out);
  console.log(
    `get_training_metrics (local): ${out.lines.read.toLocaleString('en-US')} lines in ${r.ms.toFixed(0)} ms, heap peak +${r.heapPeakMiB.toFixed(1)} MiB; text ${count(text)} tokens, structured ${count(JSON.stringify(out))} tokens\n${text}`,
  );
}, 180_000);
