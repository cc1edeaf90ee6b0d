import { describe, expect, it } from 'vitest';
import { GPU_CATALOG, RECOMMENDABLE_GPUS, gpuMemoryGb } from '../../src/kubeflow/planning/gpus.js';

describe('gpuMemoryGb', () => {
  const products: Array<[string, number | undefined]> = [
    // nvidia.com/gpu.product values (GPU feature discovery)
    ['NVIDIA-A100-SXM4-80GB', 80],
    ['NVIDIA-A100-SXM4-40GB', 40],
    ['NVIDIA-A100-PCIE-40GB', 40],
    ['NVIDIA-A100-80GB-PCIe', 80],
    ['Tesla-T4', 16],
    ['NVIDIA-H100-80GB-HBM3', 80],
    ['NVIDIA-H100-PCIe', 80],
    ['NVIDIA-H100-NVL', 94],
    ['NVIDIA-H200', 141],
    ['NVIDIA-L4', 24],
    ['NVIDIA-L40S', 48],
    ['NVIDIA-A10G', 24],
    ['NVIDIA-A10', 24],
    ['Tesla-V100-SXM2-16GB', 16],
    ['Tesla-V100-SXM2-32GB', 32],
    ['NVIDIA-GeForce-RTX-4090', 24],
    ['NVIDIA-RTX-A6000', 48],
    ['NVIDIA-A100-SXM4-40GB-MIG-1g.5gb', 5],
    ['NVIDIA-H100-80GB-HBM3-MIG-3g.40gb', 40],
    // GKE accelerator label values
    ['nvidia-tesla-t4', 16],
    ['nvidia-l4', 24],
    ['nvidia-tesla-a100', 40],
    ['nvidia-a100-80gb', 80],
    ['nvidia-h100-80gb', 80],
    ['nvidia-tesla-v100', 16],
    // AMD and instance types
    ['AMD_Instinct_MI300X_OAM', 192],
    ['g5.12xlarge', 24],
    ['g4dn.xlarge', 16],
    ['p4d.24xlarge', 40],
    ['p4de.24xlarge', 80],
    ['p5.48xlarge', 80],
    // unknown
    ['unknown-accelerator', undefined],
    ['', undefined],
  ];
  for (const [product, gb] of products) {
    it(`${product || '(empty)'} -> ${gb ?? 'unknown'}`, () => {
      expect(gpuMemoryGb(product)).toBe(gb);
    });
  }

  it('prefers the nvidia.com/gpu.memory label (MiB)', () => {
    expect(gpuMemoryGb('Tesla-T4', { 'nvidia.com/gpu.memory': '15360' })).toBe(15);
    expect(gpuMemoryGb('NVIDIA-H100-80GB-HBM3', { 'nvidia.com/gpu.memory': '81559' })).toBe(79.6);
    expect(gpuMemoryGb('NVIDIA-L4', { 'nvidia.com/gpu.memory': 'n/a' })).toBe(24);
    expect(gpuMemoryGb('whatever', { 'nvidia.com/gpu.memory': '40960' })).toBe(40);
  });

  it('has a consistent catalog', () => {
    expect(GPU_CATALOG.length).toBeGreaterThanOrEqual(20);
    for (const g of GPU_CATALOG) {
      expect(g.memoryGb).toBeGreaterThan(0);
      expect(gpuMemoryGb(g.name), g.name).toBe(g.memoryGb);
    }
    expect(RECOMMENDABLE_GPUS.map((g) => g.name)).toEqual([
      'T4-16GB',
      'L4-24GB',
      'A10G-24GB',
      'A100-40GB',
      'L40S-48GB',
      'A100-80GB',
      'H100-80GB',
      'H200-141GB',
    ]);
  });
});
