import { describe, expect, it } from 'vitest';
import { WireValidationError } from '../../src/kubeflow/trainer/errors.js';
import { pickRuntimes, runtimeFromObject } from '../../src/kubeflow/trainer/runtime.js';
import { entryCommandTemplate } from '../../src/kubeflow/trainer/script.js';
import type { Runtime, TrainingRuntimeObject } from '../../src/kubeflow/trainer/types.js';
import { loadRuntimeFixtures } from '../support/runtimes.js';

type Expected = Omit<Runtime, 'name' | 'kind' | 'trainer' | 'deprecated'> & {
  trainer: Omit<Runtime['trainer'], 'command'>;
};

const PYTORCH = 'pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime';
const custom = (framework: string, image: string, entry: Runtime['entry'], mlPolicy: Runtime['mlPolicy'], deviceCount = 'Unknown'): Expected => ({
  trainer: { trainerType: 'CustomTrainer', framework, image, numNodes: 1, device: 'Unknown', deviceCount },
  entry,
  initializers: { dataset: false, model: false },
  mlPolicy,
});
const torchtune = (modelUri: string): Expected => ({
  trainer: {
    trainerType: 'BuiltinTrainer',
    framework: 'torchtune',
    image: 'ghcr.io/kubeflow/trainer/torchtune-trainer',
    numNodes: 1,
    device: 'gpu',
    deviceCount: '2',
  },
  entry: 'torchtune',
  initializers: { dataset: true, model: true },
  defaultDatasetUri: 'hf://tatsu-lab/alpaca',
  defaultModelUri: modelUri,
  mlPolicy: 'torch',
});

const EXPECTED: Record<string, Expected> = {
  'torch-distributed': custom('torch', PYTORCH, 'torch', 'torch'),
  // MPI: the slots per node (numProcPerNode 1) become the device count.
  'deepspeed-distributed': custom('deepspeed', 'ghcr.io/kubeflow/trainer/deepspeed-runtime', 'mpi', 'mpi', '1'),
  'mlx-distributed': custom('mlx', 'ghcr.io/kubeflow/trainer/mlx-runtime', 'mpi', 'mpi', '1'),
  'jax-distributed': custom('jax', 'nvcr.io/nvidia/jax:25.10-py3', 'python', 'jax'),
  'xgboost-distributed': custom('xgboost', 'ghcr.io/kubeflow/trainer/xgboost-runtime', 'python', 'xgboost'),
  'torchtune-llama3.2-1b': torchtune('hf://meta-llama/Llama-3.2-1B-Instruct'),
  'torchtune-llama3.2-3b': torchtune('hf://meta-llama/Llama-3.2-3B-Instruct'),
  'torchtune-qwen2.5-1.5b': torchtune('hf://Qwen/Qwen2.5-1.5B-Instruct'),
  // The cache initializer takes STORAGE_URI from the TrainJob only: no default.
  'torch-distributed-with-cache': { ...custom('torch', PYTORCH, 'torch', 'torch'), initializers: { dataset: true, model: false } },
};

describe('runtimeFromObject on the shipped v2.3.0 runtimes', () => {
  const fixtures = loadRuntimeFixtures();

  it('covers every runtime manifest', () => {
    expect([...fixtures.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (name, want) => {
    const { obj } = fixtures.get(name)!;
    const rt = runtimeFromObject(obj);
    const { command, ...trainer } = rt.trainer;
    expect({ ...rt, trainer }).toEqual({ name, kind: 'ClusterTrainingRuntime', deprecated: false, ...want });
    expect(command).toEqual(entryCommandTemplate(rt.entry));
  });
});

function runtimeObject(opts: {
  name?: string;
  labels?: Record<string, string>;
  limits?: Record<string, string | number>;
  mlPolicy?: TrainingRuntimeObject['spec']['mlPolicy'];
  ancestor?: boolean;
  kind?: TrainingRuntimeObject['kind'];
}): TrainingRuntimeObject {
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: opts.kind ?? 'ClusterTrainingRuntime',
    metadata: { name: opts.name ?? 'rt', labels: opts.labels ?? { 'trainer.kubeflow.org/framework': 'torch' } },
    spec: {
      mlPolicy: opts.mlPolicy ?? { numNodes: 1, torch: {} },
      template: {
        spec: {
          replicatedJobs: [
            {
              name: 'node',
              template: {
                metadata: opts.ancestor === false ? {} : { labels: { 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer' } },
                spec: { template: { spec: { containers: [{ name: 'node', image: 'img', ...(opts.limits ? { resources: { limits: opts.limits } } : {}) }] } } },
              },
            },
          ],
        },
      },
    },
  };
}

describe('runtimeFromObject rules', () => {
  const device = (limits: Record<string, string | number> | undefined, mlPolicy?: TrainingRuntimeObject['spec']['mlPolicy']) => {
    const t = runtimeFromObject(runtimeObject({ limits, mlPolicy })).trainer;
    return [t.device, t.deviceCount];
  };

  it('device order and counts (× numNodes when numeric)', () => {
    expect(device(undefined)).toEqual(['Unknown', 'Unknown']);
    expect(device({ 'nvidia.com/gpu': 2, 'google.com/tpu': 4, cpu: 8 })).toEqual(['gpu', '2']);
    expect(device({ 'google.com/tpu': 4, cpu: 8 })).toEqual(['tpu', '4']);
    expect(device({ 'nvidia.com/mig-1g.5gb': 1, cpu: 8 })).toEqual(['mig-1g.5gb', '1']);
    expect(device({ 'huawei.com/Ascend910': '8', cpu: 8 })).toEqual(['npu', '8']);
    expect(device({ cpu: 4, memory: '8Gi' }, { numNodes: 3, torch: {} })).toEqual(['cpu', '12']);
    expect(device({ cpu: '500m' }, { numNodes: 3, torch: {} })).toEqual(['cpu', '500m']);
    expect(device({ 'nvidia.com/gpu': 2 }, { numNodes: 2, mpi: { numProcPerNode: 4 } })).toEqual(['gpu', '8']);
  });

  it('reports Unknown where the SDK raises (memory-only limits, several MIG profiles)', () => {
    expect(device({ memory: '16Gi' })).toEqual(['Unknown', 'Unknown']);
    expect(device({})).toEqual(['Unknown', 'Unknown']);
    expect(device({ 'nvidia.com/mig-1g.5gb': 1, 'nvidia.com/mig-2g.10gb': 1 })).toEqual(['Unknown', 'Unknown']);
  });

  it('entry template, numNodes, deprecation, kind override', () => {
    expect(runtimeFromObject(runtimeObject({ mlPolicy: { numNodes: 4, mpi: {} } })).entry).toBe('mpi');
    expect(runtimeFromObject(runtimeObject({ mlPolicy: { flux: {} } })).trainer.numNodes).toBe(1);
    expect(runtimeFromObject(runtimeObject({ mlPolicy: { numNodes: 4, flux: {} } }))).toMatchObject({
      entry: 'python',
      mlPolicy: 'flux',
      trainer: { numNodes: 4 },
    });
    expect(
      runtimeFromObject(runtimeObject({ labels: { 'trainer.kubeflow.org/framework': 'torch', 'trainer.kubeflow.org/support': 'deprecated' } })).deprecated,
    ).toBe(true);
    expect(runtimeFromObject(runtimeObject({ kind: 'TrainingRuntime' })).kind).toBe('TrainingRuntime');
    const noKind = runtimeObject({});
    delete (noKind as { kind?: string }).kind;
    expect(runtimeFromObject(noKind, 'TrainingRuntime').kind).toBe('TrainingRuntime');
  });

  it('typed errors for unusable runtimes', () => {
    const err = (obj: TrainingRuntimeObject): WireValidationError => {
      try {
        runtimeFromObject(obj);
      } catch (e) {
        return e as WireValidationError;
      }
      throw new Error('no error');
    };
    expect(err(runtimeObject({ labels: {} }))).toMatchObject({ code: 'missing_framework_label', message: expect.stringContaining("'rt'") });
    expect(err(runtimeObject({ ancestor: false }))).toMatchObject({ code: 'invalid_runtime' });
    expect(err({ ...runtimeObject({}), spec: { template: { spec: { replicatedJobs: [] } } } })).toMatchObject({ code: 'invalid_runtime' });
  });
});

describe('pickRuntimes', () => {
  it('namespaced wins, unlabelled ones are skipped with the reason', () => {
    const cluster = [runtimeObject({ name: 'torch-distributed' }), runtimeObject({ name: 'shared' }), runtimeObject({ name: 'bare', labels: {} })];
    const namespaced = [
      runtimeObject({ name: 'shared', kind: 'TrainingRuntime', limits: { 'nvidia.com/gpu': 1 } }),
      runtimeObject({ name: 'mine', kind: 'TrainingRuntime' }),
    ];
    const { runtimes, skipped } = pickRuntimes(cluster, namespaced);
    expect(runtimes.map((r) => [r.name, r.kind])).toEqual([
      ['shared', 'TrainingRuntime'],
      ['mine', 'TrainingRuntime'],
      ['torch-distributed', 'ClusterTrainingRuntime'],
    ]);
    expect(runtimes[0]!.trainer.device).toBe('gpu');
    expect(skipped).toEqual([
      { name: 'shared', kind: 'ClusterTrainingRuntime', reason: expect.stringContaining('shadowed') },
      { name: 'bare', kind: 'ClusterTrainingRuntime', reason: expect.stringContaining('trainer.kubeflow.org/framework') },
    ]);
  });

  it('an unlabelled namespaced runtime still shadows the cluster one (SDK name resolution)', () => {
    const { runtimes, skipped } = pickRuntimes([runtimeObject({ name: 'x' })], [runtimeObject({ name: 'x', labels: {}, kind: 'TrainingRuntime' })]);
    expect(runtimes).toEqual([]);
    expect(skipped.map((s) => [s.name, s.kind])).toEqual([
      ['x', 'ClusterTrainingRuntime'],
      ['x', 'TrainingRuntime'],
    ]);
  });
});
