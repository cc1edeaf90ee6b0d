/**
 * Accelerator memory from Kubernetes node labels: `nvidia.com/gpu.product` values
 * (`NVIDIA-A100-SXM4-80GB`, `Tesla-T4`, `NVIDIA-H100-80GB-HBM3`, MIG profiles), GKE
 * `cloud.google.com/gke-accelerator` values (`nvidia-l4`), AMD product names, and common cloud
 * instance types. Memory is the marketed size in GB per device (per GCD for MI250/MI250X, which
 * Kubernetes exposes as separate GPUs).
 */

export interface GpuType {
  /** short display name, e.g. 'A100-80GB' */
  name: string;
  memoryGb: number;
  /** matched against the label value (case-insensitive) */
  match: RegExp;
  /**
   * Position in the cheapest-first list of GPU types the estimator may recommend; types
   * without it are only recognized, never recommended.
   */
  recommendRank?: number;
}

/**
 * Known accelerators, most specific patterns first (the first match wins). Patterns also cover
 * GKE accelerator names and the instance types that carry a single GPU model.
 */
export const GPU_CATALOG: ReadonlyArray<GpuType> = [
  { name: 'GH200-96GB', memoryGb: 96, match: /gh200/i },
  { name: 'H200-141GB', memoryGb: 141, match: /h200|p5e\.|p5en\.|a3-ultragpu/i, recommendRank: 8 },
  { name: 'B200-192GB', memoryGb: 192, match: /b200|p6-b200|a4-highgpu/i },
  { name: 'H100-NVL-94GB', memoryGb: 94, match: /h100[-_ ]?nvl/i },
  { name: 'H100-80GB', memoryGb: 80, match: /h100|h800|p5\.|a3-(high|mega|edge)gpu|nd96isr_h100|nc\d+ads_h100/i, recommendRank: 7 },
  { name: 'A100-80GB', memoryGb: 80, match: /a100.*80|80g.*a100|a100-?80|p4de\.|a2-ultragpu|nd96amsr_a100|nc\d+ads_a100/i, recommendRank: 6 },
  { name: 'A100-40GB', memoryGb: 40, match: /a100|a800|p4d\.|a2-highgpu|a2-megagpu|nd96asr_v4/i, recommendRank: 4 },
  { name: 'L40S-48GB', memoryGb: 48, match: /l40s|g6e\./i, recommendRank: 5 },
  { name: 'L40-48GB', memoryGb: 48, match: /l40\b|l40[-_]/i },
  { name: 'RTX-6000-Ada-48GB', memoryGb: 48, match: /rtx[-_ ]?6000[-_ ]?ada/i },
  { name: 'RTX-A6000-48GB', memoryGb: 48, match: /rtx[-_ ]?a6000/i },
  { name: 'A40-48GB', memoryGb: 48, match: /\ba40\b|[-_]a40(\b|[-_])/i },
  { name: 'L4-24GB', memoryGb: 24, match: /\bl4\b|[-_]l4(\b|[-_])|g6\.|g2-standard/i, recommendRank: 2 },
  { name: 'A10G-24GB', memoryGb: 24, match: /a10g|g5\./i, recommendRank: 3 },
  { name: 'A10-24GB', memoryGb: 24, match: /\ba10\b|[-_]a10(\b|[-_])|nv\d+ads_a10/i },
  { name: 'A30-24GB', memoryGb: 24, match: /\ba30\b|[-_]a30(\b|[-_])/i },
  { name: 'RTX-4090-24GB', memoryGb: 24, match: /4090/i },
  { name: 'RTX-3090-24GB', memoryGb: 24, match: /3090/i },
  { name: 'V100-32GB', memoryGb: 32, match: /v100.*32|p3dn\./i },
  { name: 'V100-16GB', memoryGb: 16, match: /v100|p3\./i },
  { name: 'T4-16GB', memoryGb: 16, match: /\bt4\b|[-_]t4(\b|[-_])|g4dn\.|_t4_/i, recommendRank: 1 },
  { name: 'P100-16GB', memoryGb: 16, match: /p100/i },
  { name: 'P4-8GB', memoryGb: 8, match: /tesla[-_ ]p4\b|[-_]p4$/i },
  { name: 'K80-12GB', memoryGb: 12, match: /k80/i },
  { name: 'MI300X-192GB', memoryGb: 192, match: /mi300x/i },
  { name: 'MI325X-256GB', memoryGb: 256, match: /mi325x/i },
  { name: 'MI250X-64GB', memoryGb: 64, match: /mi250/i },
  { name: 'MI210-64GB', memoryGb: 64, match: /mi210/i },
  { name: 'MI100-32GB', memoryGb: 32, match: /mi100/i },
  { name: 'Gaudi3-128GB', memoryGb: 128, match: /gaudi[-_ ]?3/i },
  { name: 'Gaudi2-96GB', memoryGb: 96, match: /gaudi[-_ ]?2|hl-225/i },
  { name: 'TPU-v5p-95GB', memoryGb: 95, match: /tpu.*v5p|v5p/i },
  { name: 'TPU-v5e-16GB', memoryGb: 16, match: /tpu.*v5(e|-lite)|v5litepod/i },
  { name: 'TPU-v6e-32GB', memoryGb: 32, match: /tpu.*v6e|v6e/i },
  { name: 'TPU-v4-32GB', memoryGb: 32, match: /tpu.*v4/i },
];

/** GPU types the estimator recommends, cheapest first. */
export const RECOMMENDABLE_GPUS: ReadonlyArray<GpuType> = GPU_CATALOG.filter((g) => g.recommendRank !== undefined).sort(
  (a, b) => a.recommendRank! - b.recommendRank!,
);

/** The catalog entry whose pattern matches a product name / label value. */
function findGpu(productOrLabel: string): GpuType | undefined {
  if (typeof productOrLabel !== 'string' || productOrLabel.length > 300) return undefined;
  return GPU_CATALOG.find((g) => g.match.test(productOrLabel));
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * Memory in GB of one accelerator, from a product / accelerator / instance-type label value.
 * `nvidia.com/gpu.memory` (MiB, set by GPU feature discovery) in `nodeLabels` takes precedence;
 * then a MIG profile in the name (`...-MIG-1g.5gb` → 5), then an explicit size (`...-80GB`),
 * then the catalog. Returns undefined for unknown products.
 */
export function gpuMemoryGb(productOrLabel: string, nodeLabels?: Record<string, string>): number | undefined {
  const mib = nodeLabels?.['nvidia.com/gpu.memory'];
  if (typeof mib === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(mib)) {
    const gb = Number(mib) / 1024;
    if (gb > 0 && Number.isFinite(gb)) return round1(gb);
  }
  if (typeof productOrLabel !== 'string' || productOrLabel.length > 300) return undefined;
  const mig = /mig[-_ ]?\d+g\.(\d+)gb/i.exec(productOrLabel);
  if (mig) return Number(mig[1]);
  // an explicit size, except on Grace Hopper names where it counts the CPU memory too
  const explicit = /gh200/i.test(productOrLabel) ? null : /(?:^|[^0-9.])(\d{1,3})\s*gb?(?![a-z0-9])/i.exec(productOrLabel);
  if (explicit && /gb/i.test(explicit[0])) {
    const gb = Number(explicit[1]);
    if (gb >= 4 && gb <= 512) return gb;
  }
  return findGpu(productOrLabel)?.memoryGb;
}
