import { describe, expect, it } from 'vitest';
import { WireValidationError } from '../../src/kubeflow/trainer/errors.js';
import { resourcesPerNode } from '../../src/kubeflow/trainer/resources.js';

describe('resourcesPerNode (SDK key mapping, quantities as strings)', () => {
  it.each<[Record<string, string | number>, Record<string, string>]>([
    [
      { gpu: 4, cpu: 5, memory: '10G' },
      { 'nvidia.com/gpu': '4', cpu: '5', memory: '10G' },
    ],
    // Same keys and order as SDK 0.5.0 get_resources_per_node (values as strings: our decision).
    [
      { GPU: 4, cpu: 5, Memory: '10G', storage: '100Gi', 'amd.com/GPU': 1 },
      { 'nvidia.com/gpu': '4', cpu: '5', memory: '10G', 'ephemeral-storage': '100Gi', 'amd.com/GPU': '1' },
    ],
    [
      { 'MIG-1g.5gb': 1, cpu: '500m' },
      { cpu: '500m', 'nvidia.com/mig-1g.5gb': '1' },
    ],
    [{ 'nvidia.com/mig-2g.10gb': 2 }, { 'nvidia.com/mig-2g.10gb': '2' }],
    [{ 'google.com/tpu': 4 }, { 'google.com/tpu': '4' }],
    [{ 'huawei.com/Ascend910': 8 }, { 'huawei.com/Ascend910': '8' }],
    [
      { 'Ephemeral-Storage': '1Ti', cpu: 0.5 },
      { 'ephemeral-storage': '1Ti', cpu: '0.5' },
    ],
    [{ 'example.com/Custom-NPU': '2' }, { 'example.com/Custom-NPU': '2' }],
    [{ memory: '1.5e9' }, { memory: '1.5e9' }],
  ])('%j', (input, want) => {
    const r = resourcesPerNode(input);
    expect(r).toEqual({ requests: want, limits: want });
    expect(Object.keys(r.requests!)).toEqual(Object.keys(want));
    expect(r.requests).not.toBe(r.limits);
  });

  it.each<[Record<string, string | number>, RegExp]>([
    [{ 'mig-1g.5gb': 1, 'mig-2g.10gb': 1 }, /only one MIG profile/],
    [{ gpu: 1, 'mig-1g.5gb': 1 }, /cannot be requested together/],
    [{ 'nvidia.com/gpu': 1, 'nvidia.com/mig-1g.5gb': 1 }, /cannot be requested together/],
    [{ cpu: '4 cores' }, /not a valid non-negative Kubernetes quantity/],
    [{ memory: '10 GB' }, /quantity/],
    [{ cpu: -1 }, /quantity/],
    [{ cpu: Number.NaN }, /quantity/],
    [{ cpu: 1, CPU: 2 }, /both mean 'cpu'/],
  ])('rejects %j', (input, message) => {
    let err: unknown;
    try {
      resourcesPerNode(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WireValidationError);
    expect((err as WireValidationError).code).toBe('invalid_resources');
    expect((err as WireValidationError).message).toMatch(message);
    expect((err as WireValidationError).hint.length).toBeGreaterThan(10);
  });
});
