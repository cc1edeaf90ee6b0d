import { z } from 'zod';
import type { Runtime } from '../../kubeflow/trainer/types.js';
import { defineTool } from '../contract.js';
import { table } from '../render.js';
import { namespace } from '../schemas.js';

export const runtimeSummary = z.object({
  name: z.string(),
  kind: z.string(),
  framework: z.string(),
  trainer_type: z.string(),
  num_nodes: z.number(),
  device: z.string(),
  device_count: z.string(),
  image: z.string(),
  model: z.string().optional(),
});

export function runtimeOut(r: Runtime): z.infer<typeof runtimeSummary> {
  return {
    name: r.name,
    kind: r.kind,
    framework: r.trainer.framework,
    trainer_type: r.trainer.trainerType,
    num_nodes: r.trainer.numNodes,
    device: r.trainer.device,
    device_count: r.trainer.deviceCount,
    image: r.trainer.image,
    ...(r.defaultModelUri ? { model: r.defaultModelUri } : {}),
  };
}

export const listRuntimes = defineTool({
  name: 'list_runtimes',
  module: 'trainer',
  category: 'discovery',
  risk: 'read',
  title: 'List runtimes',
  description: 'Training runtimes: framework, devices, image; torchtune ones name their model.',
  input: z.object({ namespace }),
  output: z.object({ runtimes: z.array(runtimeSummary), skipped: z.array(z.object({ name: z.string(), reason: z.string() })), notes: z.array(z.string()) }),
  async run(_a, ctx) {
    const l = await ctx.backend().listRuntimes(ctx.namespace, ctx.signal);
    return { runtimes: l.runtimes.map(runtimeOut), skipped: l.skipped, notes: l.notes };
  },
  render: (o) =>
    [
      table(
        ['NAME', 'KIND', 'FRAMEWORK', 'TRAINER', 'NODES', 'DEVICE', 'MODEL'],
        o.runtimes.map((r) => [
          r.name,
          r.kind === 'ClusterTrainingRuntime' ? 'cluster' : 'namespace',
          r.framework,
          r.trainer_type,
          r.num_nodes,
          `${r.device}x${r.device_count}`,
          r.model,
        ]),
        'No training runtimes found.',
      ),
      ...o.skipped.map((s) => `skipped ${s.name}: ${s.reason}`),
      ...o.notes.map((n) => `note: ${n}`),
    ].join('\n'),
});
