import { z } from 'zod';
import { defineMutation, ToolError } from '../contract.js';
import { fields } from '../render.js';
import { confirmed, namespace } from '../schemas.js';

export const getRuntimePackages = defineMutation({
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
  mutation: {
    verb: 'run',
    async plan(a, ctx) {
      const backend = ctx.backend();
      const runtime = await backend.getRuntime(ctx.namespace, a.runtime, ctx.signal);
      if (runtime.trainer.trainerType === 'BuiltinTrainer') {
        throw new ToolError(
          'unsupported_runtime',
          `Runtime '${a.runtime}' runs TorchTune recipes, not Python functions, so its packages cannot be listed this way.`,
          'Pick a CustomTrainer runtime (framework torch, deepspeed, jax, ...) from list_runtimes.',
        );
      }
      const what = backend.runtimePackagesPlan(ctx.namespace, runtime, a.timeout_seconds);
      return {
        summary: `List the packages of runtime ${a.runtime}: ${what}`,
        facts: [
          ['runtime', a.runtime],
          ['namespace', ctx.namespace],
          ['image', runtime.trainer.image],
        ],
        checks: [],
        state: { runtime: a.runtime, what, timeout: a.timeout_seconds },
      };
    },
    async apply(plan, ctx) {
      const res = await ctx.backend().runtimePackages(ctx.namespace, plan.state.runtime, {
        timeoutSeconds: plan.state.timeout,
        signal: ctx.signal,
        onProgress: (m) => void ctx.progress(0, undefined, m),
      });
      return { runtime: res.runtime, status: 'done' as const, job: res.job, output: res.output };
    },
    preview: (plan, v) => ({ runtime: plan.state.runtime, output: [], next: `${plan.state.what} ${v.next}` }),
  },
  render: (o) =>
    o.status === 'preview'
      ? `PREVIEW (nothing created)\n${o.next}`
      : [
          fields([
            ['runtime', o.runtime],
            ['temporary job', o.job ? `${o.job} (deleted)` : undefined],
          ]),
          ...o.output,
        ].join('\n'),
});
