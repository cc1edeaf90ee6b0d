/**
 * Metrics and blockers on the local backend, through the tools: a real job prints a known loss
 * series (key=value lines and Hugging Face Trainer dicts among other output) and
 * get_training_metrics must summarize it exactly; get_training_job shows the latest metrics in its
 * progress line; a job waiting for a slot says where it stands in the local queue.
 */
import { afterAll, expect, it } from 'vitest';
import type { LocalBackend } from '../../src/kubeflow/trainer/backends/local/index.js';
import { invokeTool } from '../../src/tools/mutation.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { cleanupAll, custom, launch, newBackend, localToolContext } from './helpers.js';

afterAll(cleanupAll);

function caller(backend: LocalBackend) {
  const ctx = localToolContext(backend);
  return async (name: string, args: Record<string, unknown>) => {
    const tool = ALL_TOOLS.find((t) => t.name === name)!;
    const outcome = await invokeTool(tool, tool.input.parse(args), ctx);
    if (!('out' in outcome)) throw new Error(`${name} asked for confirmation`);
    const out = tool.output.parse(outcome.out) as Record<string, any>;
    return { out, text: tool.render(out) };
  };
}

// loss = 2 - step/1000 for steps 1..1000 (min at 1000), one spike of 5 at step 300; an HF Trainer
// dict every 100 steps; unrelated output in between.
const TRAIN = `
def train():
    print("Python version: 3.11.4, MASTER_ADDR=10.0.0.1")
    for step in range(1, 1001):
        loss = 5.0 if step == 300 else 2 - step / 1000
        print(f"step={step} loss={loss:.4f} lr=0.0001")
        if step % 100 == 0:
            print({'eval_loss': round(3 - step / 1000, 4), 'epoch': step / 1000})
            print(f"saving checkpoint-{step}")
`;

it('summarizes a known series from a real job, and shows the latest metrics in get_training_job', async () => {
  const backend = newBackend();
  const call = caller(backend);
  const name = await launch(backend, custom(TRAIN));
  expect((await call('wait_for_training', { name, timeout_seconds: 60 })).out).toMatchObject({ outcome: 'reached', job: { status: 'Complete' } });

  const { out, text } = await call('get_training_metrics', { name, points: 10 });
  expect(out.step).toBe('node-0');
  expect(out.lines).toEqual({ read: 1021, with_metrics: 1010 });
  const byName = Object.fromEntries(out.metrics.map((m: { name: string }) => [m.name, m]));
  expect(Object.keys(byName)).toEqual(['loss', 'lr', 'eval_loss', 'epoch']);
  expect(byName.loss).toMatchObject({
    points: 1000,
    x: 'step',
    first: { x: 1, value: 1.999 },
    last: { x: 1000, value: 1 },
    min: { x: 1000, value: 1 },
    max: { x: 300, value: 5 },
  });
  expect(byName.loss.trend).toMatchObject({ window: 20, direction: 'down' });
  expect(byName.loss.series.length).toBeLessThanOrEqual(10);
  expect(byName.loss.series.at(-1)[0]).toBe(1000);
  expect(byName.lr).toMatchObject({ points: 1000, min: { value: 0.0001 }, max: { value: 0.0001 }, trend: { direction: 'flat' } });
  // The HF dicts carry no step: they belong to the step printed before them.
  expect(byName.eval_loss).toMatchObject({ points: 10, x: 'step', first: { x: 100, value: 2.9 }, last: { x: 1000, value: 2 } });
  expect(byName.lr.series).toEqual([
    [1, 0.0001],
    [1000, 0.0001],
  ]);
  expect(text).toContain('node-0: 1,021 lines, 1,010 with metrics');
  expect(text).toMatch(/^loss \(1000 pts, x=step\): first 1\.999@1 last 1@1000 min 1@1000 max 5@300; last 20: down -1\.9%$/m);
  expect(text).toMatch(/^  step \d+\.\.1000: 1\.9\d* /m);
  expect(text).toMatch(/^lr \(1000 pts\): constant 0\.0001$/m);

  const job = await call('get_training_job', { name });
  expect(job.out.progress).toMatchObject({ metrics: { loss: '1', lr: '0.0001' }, step: 1000 });
  expect(job.text).toMatch(/^progress: loss=1 lr=0\.0001 eval_loss=2 epoch=1 \(step 1000\)$/m);
  expect(job.out.blockers).toBeUndefined();
}, 90_000);

it('a job waiting for a slot says where it stands in the local queue; a failed one shows its last lines', async () => {
  const backend = newBackend({ maxConcurrent: 1 });
  const call = caller(backend);
  const long = await launch(backend, custom('def train():\n    import time\n    time.sleep(30)\n'));
  await call('wait_for_training', { name: long, status: 'Running', timeout_seconds: 30 });
  const waiting = await launch(backend, custom('def train():\n    pass\n'));
  const res = await call('get_training_job', { name: waiting });
  expect(res.out.blockers).toEqual([
    {
      reason: 'queued',
      message: 'waiting in the local queue: position 1 of 1; 1 of 1 job(s) running',
      hint: 'it starts when a running job ends; suspend or delete one to make room sooner',
    },
  ]);
  await call('delete_training_job', { name: long, confirmed: true });
  await call('delete_training_job', { name: waiting, confirmed: true });

  const failing = await launch(backend, custom('def train():\n    print("loading data")\n    raise ValueError("bad shape (3, 4)")\n'));
  const ended = await call('wait_for_training', { name: failing, timeout_seconds: 60 });
  expect(ended.out).toMatchObject({ outcome: 'ended', job: { status: 'Failed' } });
  expect(ended.out.blockers[0]).toMatchObject({ reason: 'container_failed', step: 'node-0' });
  expect(ended.out.blockers[0].logs.join('\n')).toContain('ValueError: bad shape (3, 4)');
}, 90_000);
