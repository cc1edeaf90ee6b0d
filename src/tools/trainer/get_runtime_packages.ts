import { z } from 'zod';
import { defineTool, ToolError } from '../contract.js';
import { fields } from '../render.js';
import { confirmed, namespace } from '../schemas.js';

export const getRuntimePackages = defineTool({
  name: 'get_runtime_packages',
  module: 'trainer',
  category: 'discovery',
  risk: 'write',
  title: 'Runtime packages',
  description: 'Python, pip packages and GPUs of a runtime, via a temporary job (always deleted).',
  input: z.object({
    runtime: z.string().min(1).max(253),
    timeout_seconds: z.int().min(10).max(900).default(300),
    namespace,
    confirmed,
  }),
  output: z.object({
    runtime: z.string(),
    status: z.enum(['preview', 'done']),
    job: z.string().optional(),
    output: z.array(z.string()),
    next: z.string().optional(),
  }),
  async run(a, ctx) {
    const backend = ctx.backend();
    const runtime = await backend.getRuntime(ctx.namespace, a.runtime, ctx.signal);
    if (runtime.trainer.trainerType === 'BuiltinTrainer') {
      throw new ToolError('unsupported_runtime', `Runtime '${a.runtime}' runs TorchTune recipes, not Python functions, so its packages cannot be listed this way.`, 'Pick a CustomTrainer runtime (framework torch, deepspeed, jax, ...) from list_runtimes.');
    }
    if (!a.confirmed) {
      const what =
        backend.kind === 'local'
          ? `This runs \`pip list\` with this machine's Python (no job is created).`
          : `This creates a temporary TrainJob on ${a.runtime} (image ${runtime.trainer.image}, 1 node${runtime.trainer.device === 'gpu' ? ", the runtime's GPU request" : ', 1 CPU'}) in ${ctx.namespace}, waits up to ${a.timeout_seconds}s and deletes it.`;
      return { runtime: a.runtime, status: 'preview' as const, output: [], next: `${what} Call again with confirmed=true to run it.` };
    }
    const res = await backend.runtimePackages(ctx.namespace, a.runtime, {
      timeoutSeconds: a.timeout_seconds,
      signal: ctx.signal,
      onProgress: (m) => void ctx.progress(0, undefined, m),
    });
    return { runtime: res.runtime, status: 'done' as const, job: res.job, output: res.output };
  },
  render: (o) => (o.status === 'preview' ? `PREVIEW (nothing created)\n${o.next}` : [fields([['runtime', o.runtime], ['temporary job', o.job ? `${o.job} (deleted)` : undefined]]), ...o.output].join('\n')),
});
