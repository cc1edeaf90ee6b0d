import { z } from 'zod';
import type { NodeSummary } from '../../kubeflow/trainer/backend.js';
import { defineTool } from '../contract.js';
import { table } from '../render.js';
import { namespace } from '../schemas.js';

const gpuLine = z.object({
  resource: z.string(),
  product: z.string().optional(),
  memory_gb: z.number().optional(),
  allocatable: z.number(),
  requested: z.number(),
  free: z.number(),
});

export const getClusterResources = defineTool({
  name: 'get_cluster_resources',
  module: 'core',
  category: 'planning',
  risk: 'read',
  title: 'Cluster resources',
  description: 'Free/total GPUs by product, CPU and memory per node; namespace quota. Partial when RBAC hides nodes.',
  input: z.object({ limit: z.int().min(1).max(1000).default(50), namespace }),
  output: z.object({
    backend: z.string(),
    gpus: z.array(gpuLine.extend({ nodes: z.number() })),
    nodes: z.array(
      z.object({
        name: z.string(),
        ready: z.boolean(),
        schedulable: z.boolean(),
        cpu: z.object({ allocatable: z.number(), requested: z.number() }),
        memory_gib: z.object({ allocatable: z.number(), requested: z.number() }),
        gpus: z.array(gpuLine),
      }),
    ),
    nodes_omitted: z.number(),
    quota: z.array(z.object({ quota: z.string(), resource: z.string(), hard: z.string(), used: z.string() })),
    notes: z.array(z.string()),
  }),
  async run(a, ctx) {
    const res = await ctx.backend().clusterResources(ctx.namespace, ctx.signal);
    // GPU nodes first: they are what training plans care about.
    const sorted = [...res.nodes].sort((x, y) => y.gpus.length - x.gpus.length || x.name.localeCompare(y.name));
    const shown = sorted.slice(0, a.limit);
    return {
      backend: res.backend,
      gpus: totals(res.nodes),
      nodes: shown.map((n) => ({
        name: n.name,
        ready: n.ready,
        schedulable: n.schedulable,
        cpu: n.cpu,
        memory_gib: n.memoryGiB,
        gpus: n.gpus.map((g) => ({
          resource: g.resource,
          product: g.product,
          memory_gb: g.memoryGb,
          allocatable: g.allocatable,
          requested: g.requested,
          free: free(n, g),
        })),
      })),
      nodes_omitted: sorted.length - shown.length,
      quota: res.quota,
      notes: res.notes,
    };
  },
  render: (o) =>
    [
      `backend: ${o.backend}`,
      'GPUs (free = allocatable - requested, on ready schedulable nodes):',
      table(
        ['RESOURCE', 'PRODUCT', 'MEM_GB', 'FREE', 'ALLOCATABLE', 'NODES'],
        o.gpus.map((g) => [g.resource, g.product, g.memory_gb, g.free, g.allocatable, g.nodes]),
        '  none found',
      ),
      'nodes:',
      table(
        ['NODE', 'READY', 'CPU req/alloc', 'MEM GiB req/alloc', 'GPU free/alloc'],
        o.nodes.map((n) => [
          n.name,
          n.ready && n.schedulable ? 'yes' : n.ready ? 'cordoned' : 'no',
          `${n.cpu.requested}/${n.cpu.allocatable}`,
          `${n.memory_gib.requested}/${n.memory_gib.allocatable}`,
          n.gpus.map((g) => `${g.free}/${g.allocatable} ${g.resource}`).join(', '),
        ]),
        '  (no nodes visible)',
      ),
      o.nodes_omitted ? `(${o.nodes_omitted} more nodes; raise limit)` : '',
      o.quota.length
        ? `quota:\n${table(
            ['QUOTA', 'RESOURCE', 'USED', 'HARD'],
            o.quota.map((q) => [q.quota, q.resource, q.used, q.hard]),
          )}`
        : '',
      ...o.notes.map((n) => `note: ${n}`),
    ]
      .filter(Boolean)
      .join('\n'),
});

function free(n: NodeSummary, g: NodeSummary['gpus'][number]): number {
  return n.ready && n.schedulable ? Math.max(0, g.allocatable - g.requested) : 0;
}

/** Cluster-wide GPU totals per (resource, product). */
function totals(nodes: NodeSummary[]) {
  const acc = new Map<string, z.infer<typeof gpuLine> & { nodes: number }>();
  for (const n of nodes) {
    for (const g of n.gpus) {
      const key = `${g.resource}|${g.product ?? ''}`;
      const t = acc.get(key) ?? { resource: g.resource, product: g.product, memory_gb: g.memoryGb, allocatable: 0, requested: 0, free: 0, nodes: 0 };
      t.allocatable += g.allocatable;
      t.requested += g.requested;
      t.free += free(n, g);
      t.nodes++;
      acc.set(key, t);
    }
  }
  return [...acc.values()];
}
