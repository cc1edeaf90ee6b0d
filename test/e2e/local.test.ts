/**
 * The fresh-machine experience: no kubeconfig, so the server runs training on this machine. A
 * function printing "loss=" lines runs for real, its logs and status come back through the tools,
 * and everything survives the server being killed (-9) and started again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { call, connectStdio, isolatedEnv, type Connected } from '../support/mcp.js';

const env = isolatedEnv({ KUBEFLOW_MCP_LOG_LEVEL: 'info' });
const open: Connected[] = [];
afterAll(async () => {
  await Promise.all(open.map((c) => c.close().catch(() => undefined)));
});

async function server(): Promise<Connected> {
  const c = await connectStdio([], env, 'legacy');
  open.push(c);
  return c;
}

const QUICK = `
def train(lr=0.1, steps=3):
    for i in range(steps):
        print(f"step={i} loss={lr / (i + 1):.4f}")
`;

const SLOW = `
def train(steps=30):
    import time
    for i in range(steps):
        print(f"tick={i} loss={1 / (i + 1):.4f}", flush=True)
        time.sleep(0.1)
    print("done")
`;

describe('local backend through the MCP server', () => {
  it('runs a training function for real and survives kill -9 of the server', async () => {
    const first = await server();
    await expect.poll(() => first.stderr()).toMatch(/backend: local: this machine/); // the banner can trail the first answer

    const preview = await call<{ status: string; ready: boolean; job: { name: string } }>(first, 'run_custom_training', {
      code: QUICK,
      func_args: { lr: 0.5 },
    });
    expect(preview.data).toMatchObject({ status: 'preview', ready: true });
    const quick = preview.data.job.name;
    await call(first, 'run_custom_training', { code: QUICK, func_args: { lr: 0.5 }, name: quick, confirmed: true });
    const done = await call<{ reached: boolean; job: { status: string } }>(first, 'wait_for_training', { name: quick, timeout_seconds: 30 });
    expect(done.data.job.status).toBe('Complete');
    expect((await call<{ lines: string[] }>(first, 'get_training_logs', { name: quick })).data.lines).toEqual([
      'step=0 loss=0.5000',
      'step=1 loss=0.2500',
      'step=2 loss=0.1667',
    ]);

    const slow = (await call<{ job: { name: string } }>(first, 'run_custom_training', { code: SLOW, confirmed: true })).data.job.name;
    await call(first, 'wait_for_training', { name: slow, status: 'Running', timeout_seconds: 30 });

    // The server dies hard; the job goes on.
    const pid = ((first.client as unknown as { _transport?: StdioClientTransport })._transport as StdioClientTransport | undefined)?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');

    const second = await server();
    const again = await call<{ job: { status: string } }>(second, 'get_training_job', { name: slow });
    expect(['Running', 'Complete']).toContain(again.data.job.status);
    const finished = await call<{ job: { status: string } }>(second, 'wait_for_training', { name: slow, timeout_seconds: 30 });
    expect(finished.data.job.status).toBe('Complete');
    const lines = (await call<{ lines: string[] }>(second, 'get_training_logs', { name: slow, tail: 100 })).data.lines;
    expect(lines).toHaveLength(31);
    expect(lines.at(-1)).toBe('done');
    // The job finished before the restart keeps its status and logs.
    expect((await call<{ job: { status: string } }>(second, 'get_training_job', { name: quick })).data.job.status).toBe('Complete');
    expect((await call<{ jobs: Array<{ name: string }> }>(second, 'list_training_jobs')).data.jobs.map((j) => j.name).sort()).toEqual([quick, slow].sort());
  });

  it('a failing function reports the traceback tail', async () => {
    const c = await server();
    const name = (
      await call<{ job: { name: string } }>(c, 'run_custom_training', {
        code: 'def train():\n    print("loss=1")\n    raise ValueError("diverged")\n',
        confirmed: true,
      })
    ).data.job.name;
    const r = await call<{ job: { status: string }; conditions: Array<{ type: string; message?: string }>; next: string }>(c, 'wait_for_training', {
      name,
      timeout_seconds: 30,
    });
    expect(r.data.job.status).toBe('Failed');
    expect(r.data.conditions.find((x) => x.type === 'Failed')?.message).toContain('ValueError: diverged');
  });

  it('Secret references in env cannot be resolved here: a clear refusal, nothing runs', async () => {
    const c = await server();
    const r = await call<{ ready: boolean; checks: Array<{ check: string; ok: boolean; detail: string }> }>(
      c,
      'run_custom_training',
      { code: QUICK, env: { HF_TOKEN: 'secret:hf/token' } },
      { allowError: true },
    );
    expect(r.isError).toBe(true);
    expect(r.text).toContain('refers to a Kubernetes Secret');
  });

  it('fine-tuning explains that it needs a cluster', async () => {
    const c = await server();
    const r = await call(c, 'fine_tune', { model: 'Qwen/Qwen2.5-1.5B-Instruct' }, { allowError: true });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/cluster/i);
  });
});
