/**
 * The unchanged MCP tools over the local backend: outputs satisfy each tool's output schema and
 * render, previews and confirmations work as on Kubernetes.
 */
import { afterAll, expect, it } from 'vitest';
import { toToolError } from '../../src/tools/errors.js';
import { invokeTool } from '../../src/tools/mutation.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { cleanupAll, newBackend, localToolContext } from './helpers.js';

afterAll(cleanupAll);

it('the training tools drive a local job from preview to deletion', async () => {
  const backend = newBackend();
  const ctx = localToolContext(backend);
  const call = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const tool = ALL_TOOLS.find((t) => t.name === name);
    if (!tool) throw new Error(`no tool ${name}`);
    const outcome = await invokeTool(tool, tool.input.parse(args), ctx);
    if (!('out' in outcome)) throw new Error(`${name} asked for confirmation`);
    const out = tool.output.parse(outcome.out) as Record<string, unknown>;
    expect(typeof tool.render(out)).toBe('string');
    return out;
  };

  const code = 'def train(steps=2):\n    for i in range(steps):\n        print(f"loss={1/(i+1):.3f}")\n';
  const preview = await call('run_custom_training', { code, func_args: { steps: 3 }, name: 'tool-job' });
  expect(preview).toMatchObject({ status: 'preview', ready: true });
  expect(await call('run_custom_training', { code, func_args: { steps: 3 }, name: 'tool-job', confirmed: true })).toMatchObject({ status: 'submitted' });
  expect(await call('wait_for_training', { name: 'tool-job', timeout_seconds: 30 })).toMatchObject({ outcome: 'reached', job: { status: 'Complete' } });
  expect(await call('get_training_logs', { name: 'tool-job' })).toMatchObject({ lines: ['loss=1.000', 'loss=0.500', 'loss=0.333'] });
  expect((await call('get_training_events', { name: 'tool-job' })).events).toHaveLength(3);
  expect(await call('list_training_jobs', {})).toMatchObject({ jobs: [{ name: 'tool-job', status: 'Complete' }] });
  expect(await call('get_cluster_resources', {})).toMatchObject({ backend: expect.stringContaining('local: this machine') });
  expect((await call('list_runtimes', {})).runtimes).toHaveLength(2);
  expect(await call('get_runtime', { name: 'python' })).toMatchObject({ command: [expect.stringContaining('python'), '{func_file}'] });
  expect(await call('delete_training_job', { name: 'tool-job', confirmed: true })).toMatchObject({ status: 'done' });

  const refused = await call('run_container_training', { image: 'python:3.12' }).catch((e: unknown) => e);
  if (!(refused instanceof Error)) expect((refused as { ready: boolean }).ready).toBeTypeOf('boolean');
  const fineTune = await call('fine_tune', { model: 'meta-llama/Llama-3.2-1B-Instruct', runtime: 'torch-distributed' }).catch((e: unknown) => toToolError(e));
  expect(fineTune).toMatchObject({ code: 'not_supported_locally' });
});
