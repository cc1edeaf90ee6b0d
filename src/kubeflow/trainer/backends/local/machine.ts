/**
 * This machine as the single "node" of get_cluster_resources: CPUs, memory, and NVIDIA GPUs from
 * `nvidia-smi` when present. "Requested" sums what the running local jobs asked for; local jobs
 * are not confined to it (no cgroups), so it is a planning aid, not a limit.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { GiB, parseQuantity } from '../../../../kube/quantity.js';
import type { NodeSummary } from '../../backend.js';
import { GPU_RESOURCE } from '../../constants.js';
import { findOnPath } from './container.js';

const run = promisify(execFile);

export interface GpuInfo {
  name: string;
  memoryMiB?: number;
}

const GPU_CACHE_MS = 60_000;
let gpuCache: { at: number; gpus: Promise<{ gpus: GpuInfo[]; note?: string }> } | undefined;

/** GPUs via `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader` (cached for a minute). */
export function machineGpus(): Promise<{ gpus: GpuInfo[]; note?: string }> {
  if (!gpuCache || Date.now() - gpuCache.at > GPU_CACHE_MS) gpuCache = { at: Date.now(), gpus: queryGpus() };
  return gpuCache.gpus;
}

async function queryGpus(): Promise<{ gpus: GpuInfo[]; note?: string }> {
  const smi = await findOnPath('nvidia-smi');
  if (!smi) return { gpus: [], note: 'nvidia-smi not found: no NVIDIA GPUs detected on this machine' };
  try {
    const { stdout } = await run(smi, ['--query-gpu=name,memory.total', '--format=csv,noheader'], { timeout: 10_000 });
    return { gpus: parseNvidiaSmi(stdout) };
  } catch (err) {
    return { gpus: [], note: `nvidia-smi failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): GPUs unknown` };
  }
}

/** Lines like "NVIDIA A100-SXM4-80GB, 81920 MiB". */
function parseNvidiaSmi(text: string): GpuInfo[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const comma = line.lastIndexOf(',');
      const name = (comma === -1 ? line : line.slice(0, comma)).trim();
      const mem = comma === -1 ? NaN : parseFloat(line.slice(comma + 1));
      return Number.isFinite(mem) ? { name, memoryMiB: mem } : { name };
    });
}

/** Per-node requests of a running job, from its TrainJob resourcesPerNode, times its nodes. */
export interface JobRequest {
  resources?: Record<string, string | number>;
  numNodes: number;
}

export async function machineNode(running: JobRequest[]): Promise<{ node: NodeSummary; notes: string[] }> {
  const { gpus, note } = await machineGpus();
  const sum = (key: string) => running.reduce((acc, j) => acc + (parseQuantity(j.resources?.[key]) || 0) * j.numNodes, 0);
  const byProduct = new Map<string, { count: number; memoryMiB?: number }>();
  for (const g of gpus) {
    const entry = byProduct.get(g.name) ?? { count: 0, memoryMiB: g.memoryMiB };
    entry.count++;
    byProduct.set(g.name, entry);
  }
  const gpuRequested = sum(GPU_RESOURCE);
  const node: NodeSummary = {
    name: os.hostname(),
    ready: true,
    schedulable: true,
    cpu: { allocatable: os.availableParallelism(), requested: round(sum('cpu')) },
    memoryGiB: { allocatable: round(os.totalmem() / GiB), requested: round(sum('memory') / GiB) },
    gpus: [...byProduct.entries()].map(([product, g], i) => ({
      resource: GPU_RESOURCE,
      product,
      ...(g.memoryMiB ? { memoryGb: Math.round(g.memoryMiB / 1024) } : {}),
      allocatable: g.count,
      // Requests are not per product: attribute them to the first product.
      requested: i === 0 ? gpuRequested : 0,
    })),
  };
  const notes = [`memory free now: ${round(os.freemem() / GiB)} GiB of ${round(os.totalmem() / GiB)} GiB`];
  if (note) notes.push(note);
  return { node, notes };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
