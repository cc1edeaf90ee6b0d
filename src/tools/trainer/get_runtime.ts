import { z } from 'zod';
import { defineTool } from '../contract.js';
import { fields } from '../render.js';
import { namespace } from '../schemas.js';
import { runtimeOut, runtimeSummary } from './list_runtimes.js';

export const getRuntime = defineTool({
  name: 'get_runtime',
  module: 'trainer',
  category: 'discovery',
  risk: 'read',
  title: 'Get runtime',
  description: "A runtime's steps, command and default model/dataset.",
  input: z.object({ name: z.string().min(1).max(253), namespace }),
  output: z.object({
    runtime: runtimeSummary,
    command: z.array(z.string()),
    steps: z.array(z.object({ name: z.string(), image: z.string().optional(), depends_on: z.array(z.string()) })),
    dataset: z.string().optional(),
    deprecated: z.boolean(),
  }),
  async run(a, ctx) {
    const backend = ctx.backend();
    const [runtime, raw] = await Promise.all([
      backend.getRuntime(ctx.namespace, a.name, ctx.signal),
      backend.getRuntimeObject(ctx.namespace, a.name, ctx.signal),
    ]);
    const jobs = ((raw as { spec?: { template?: { spec?: { replicatedJobs?: unknown[] } } } }).spec?.template?.spec?.replicatedJobs ?? []) as Array<{
      name: string;
      dependsOn?: Array<{ name: string; status: string }>;
      template?: { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } };
    }>;
    return {
      runtime: runtimeOut(runtime),
      command: runtime.trainer.command,
      steps: jobs.map((j) => ({
        name: j.name,
        image: j.template?.spec?.template?.spec?.containers?.[0]?.image,
        depends_on: (j.dependsOn ?? []).map((d) => `${d.name}:${d.status}`),
      })),
      ...(runtime.defaultDatasetUri ? { dataset: runtime.defaultDatasetUri } : {}),
      deprecated: runtime.deprecated,
    };
  },
  render: ({ runtime: r, ...o }) =>
    [
      fields([
        ['runtime', `${r.name} (${r.kind})`],
        ['framework', `${r.framework} (${r.trainer_type})`],
        ['nodes', r.num_nodes],
        ['device', `${r.device} x${r.device_count}`],
        ['image', r.image],
        ['model', r.model],
        ['dataset', o.dataset],
        ['command', o.command.join(' ')],
        ['deprecated', o.deprecated ? 'yes' : undefined],
      ]),
      'steps:',
      ...o.steps.map((s) => `  ${s.name}${s.image ? ` (${s.image})` : ''}${s.depends_on.length ? ` after ${s.depends_on.join(', ')}` : ''}`),
    ].join('\n'),
});
