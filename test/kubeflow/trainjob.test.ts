import { describe, expect, it } from 'vitest';
import { WireValidationError } from '../../src/kubeflow/trainer/errors.js';
import { buildInitializer } from '../../src/kubeflow/trainer/initializers.js';
import { runtimeFromObject } from '../../src/kubeflow/trainer/runtime.js';
import { buildTrainJob, builtinTrainer, containerTrainer, customTrainer } from '../../src/kubeflow/trainer/trainjob.js';
import type { Runtime, TrainJob } from '../../src/kubeflow/trainer/types.js';
import { validateAgainstCrd } from '../support/crd.js';
import { loadRuntimeFixtures, TRAINJOB_CRD } from '../support/runtimes.js';
import { MY_PY, SDK_GOLDEN } from './sdkGoldens.js';
import { thrown as thrownAs } from '../support/thrown.js';

const fixtures = loadRuntimeFixtures();
const runtime = (name: string): Runtime => runtimeFromObject(fixtures.get(name)!.obj);

/** Contract: everything we build must be accepted by the v2.3.0 CRD (schema + CEL). */
function expectValid(job: TrainJob): TrainJob {
  expect(validateAgainstCrd(TRAINJOB_CRD, job)).toEqual([]);
  return job;
}

const thrown = (fn: () => unknown) => thrownAs(fn, WireValidationError);

describe('TrainJob bodies', () => {
  it('worked example: CustomTrainer on torch-distributed', () => {
    const rt = runtime('torch-distributed');
    const job = buildTrainJob({
      name: 'k1a2b3c4d5e6',
      runtime: rt,
      trainer: customTrainer(rt, {
        funcSource: MY_PY.train,
        funcName: 'train',
        funcArgs: { lr: 0.1 },
        fileName: 'my.py',
        numNodes: 2,
        resourcesPerNode: { gpu: 1 },
        env: { EPOCHS: 3 },
      }),
    });
    // Key order as the SDK serialises; quantities are strings by decision ("1", SDK sends 1).
    expect(JSON.stringify(job)).toBe(
      JSON.stringify({
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        metadata: { name: 'k1a2b3c4d5e6' },
        spec: {
          runtimeRef: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
          trainer: {
            numNodes: 2,
            resourcesPerNode: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } },
            command: SDK_GOLDEN.torchBasic,
            env: [{ name: 'EPOCHS', value: '3' }],
          },
        },
      }),
    );
    expectValid(job);
  });

  it('CustomTrainer with packages, image and namespace; MPI runtime writes under /home/mpiuser', () => {
    const rt = runtime('deepspeed-distributed');
    const job = expectValid(
      buildTrainJob({
        name: 'ds-job',
        namespace: 'team-a',
        runtime: rt,
        trainer: customTrainer(rt, {
          funcSource: MY_PY.train,
          funcName: 'train',
          funcArgs: { lr: 0.5 },
          fileName: 'my.py',
          packages: ['deepspeed'],
          pipIndexUrls: ['https://pypi.org/simple'],
          mpiHome: '/home/mpiuser',
          image: 'ghcr.io/me/ds:1',
        }),
      }),
    );
    expect(job.metadata).toEqual({ name: 'ds-job', namespace: 'team-a' });
    expect(job.spec.trainer).toEqual({ command: SDK_GOLDEN.mpiPip, image: 'ghcr.io/me/ds:1' });
  });

  it('container trainer', () => {
    const rt = runtime('torch-distributed');
    const job = expectValid(
      buildTrainJob({
        name: 'container-job',
        runtime: rt,
        trainer: containerTrainer(rt, {
          image: 'ghcr.io/me/train:2',
          command: ['python', '-m', 'train'],
          args: ['--epochs', '3'],
          numNodes: 3,
          resourcesPerNode: { cpu: 4, memory: '16Gi' },
          env: { A: 'x', B: true },
        }),
        labels: { team: 'a' },
        annotations: { note: 'hi' },
        activeDeadlineSeconds: 3600,
      }),
    );
    expect(job).toEqual({
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 'container-job', labels: { team: 'a' }, annotations: { note: 'hi' } },
      spec: {
        runtimeRef: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
        trainer: {
          numNodes: 3,
          resourcesPerNode: { requests: { cpu: '4', memory: '16Gi' }, limits: { cpu: '4', memory: '16Gi' } },
          image: 'ghcr.io/me/train:2',
          command: ['python', '-m', 'train'],
          args: ['--epochs', '3'],
          env: [
            { name: 'A', value: 'x' },
            { name: 'B', value: 'true' },
          ],
        },
        activeDeadlineSeconds: 3600,
      },
    });
  });

  it('TorchTune fine-tune: qwen 1.5b LoRA on hf://tatsu-lab/alpaca', () => {
    const rt = runtime('torchtune-qwen2.5-1.5b');
    const initializer = buildInitializer({
      dataset: { storageUri: 'hf://tatsu-lab/alpaca' },
      model: { storageUri: 'Qwen/Qwen2.5-1.5B-Instruct', secretName: 'hf-token' },
    });
    const job = expectValid(
      buildTrainJob({
        name: 'qwen-lora',
        runtime: rt,
        initializer,
        trainer: builtinTrainer(rt, {
          config: { dtype: 'bf16', epochs: 1, peft: { method: 'lora', rank: 8, alpha: 16 }, datasetUri: initializer!.dataset!.storageUri },
          resourcesPerNode: { gpu: 2 },
        }),
      }),
    );
    expect(job.spec).toEqual({
      runtimeRef: { name: 'torchtune-qwen2.5-1.5b', kind: 'ClusterTrainingRuntime' },
      trainer: {
        resourcesPerNode: { requests: { 'nvidia.com/gpu': '2' }, limits: { 'nvidia.com/gpu': '2' } },
        command: ['tune', 'run'],
        args: [
          'dtype=bf16',
          'epochs=1',
          'dataset.data_dir=/workspace/dataset/.',
          'model.lora_rank=8',
          'model.lora_alpha=16',
          'model.lora_attn_modules=[q_proj,v_proj,output_proj]',
        ],
      },
      initializer: {
        dataset: { storageUri: 'hf://tatsu-lab/alpaca', env: [] },
        model: {
          storageUri: 'hf://Qwen/Qwen2.5-1.5B-Instruct',
          env: [{ name: 'IGNORE_PATTERNS', value: '*.msgpack,*.h5,*.bin,*.pt,*.pth' }],
          secretRef: { name: 'hf-token' },
        },
      },
    });
  });

  it('BuiltinTrainer extra args are appended and checked', () => {
    const rt = runtime('torchtune-llama3.2-1b');
    const t = builtinTrainer(rt, {
      config: { peft: { method: 'full' } },
      extraArgs: ['dataset=torchtune.datasets.instruct_dataset', 'dataset.source=parquet'],
    });
    expect(t).toEqual({ command: ['tune', 'run'], args: ['dataset=torchtune.datasets.instruct_dataset', 'dataset.source=parquet'] });
    expect(thrown(() => builtinTrainer(rt, { config: {}, extraArgs: ['output_dir=/tmp'] })).message).toMatch(/managed by the runtime/);
    expect(thrown(() => builtinTrainer(rt, { config: {}, extraArgs: ['--flag'] })).code).toBe('invalid_torchtune');
  });

  it('no trainer block without trainer input; empty trainer dropped', () => {
    const rt = runtime('torch-distributed');
    const job = expectValid(buildTrainJob({ name: 'defaults', runtime: rt, trainer: {} }));
    expect(job.spec).toEqual({ runtimeRef: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' } });
    expect(buildTrainJob({ name: 'defaults', runtime: { name: 'mine', kind: 'TrainingRuntime' } }).spec.runtimeRef).toEqual({
      name: 'mine',
      kind: 'TrainingRuntime',
    });
  });

  it('runtime patches carry the SDK manager', () => {
    const rt = runtime('torch-distributed');
    const job = expectValid(
      buildTrainJob({
        name: 'patched',
        runtime: rt,
        runtimePatches: [
          {
            trainingRuntimeSpec: {
              template: {
                spec: {
                  replicatedJobs: [
                    {
                      name: 'node',
                      template: { spec: { template: { spec: { nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'gpu', operator: 'Exists' }] } } } },
                    },
                  ],
                },
              },
            },
          },
        ],
      }),
    );
    expect(job.spec.runtimePatches?.[0]?.manager).toBe('trainer.kubeflow.org/kubeflow-sdk');
  });
});

describe('TrainJob refusals (typed, with hints)', () => {
  const torch = runtime('torch-distributed');
  const tune = runtime('torchtune-llama3.2-1b');

  it('trainer kind must fit the runtime', () => {
    const e1 = thrown(() => customTrainer(tune, { funcSource: MY_PY.train, funcName: 'train' }));
    expect(e1).toMatchObject({
      code: 'runtime_mismatch',
      message: expect.stringContaining("'torchtune-llama3.2-1b'"),
      hint: expect.stringContaining('torch-distributed'),
    });
    expect(thrown(() => containerTrainer(tune, { image: 'x' })).code).toBe('runtime_mismatch');
    const e2 = thrown(() => builtinTrainer(torch, { config: {} }));
    expect(e2).toMatchObject({ code: 'runtime_mismatch', hint: expect.stringContaining('torchtune') });
  });

  it('TorchTune rules before submission', () => {
    const qwen = runtime('torchtune-qwen2.5-1.5b');
    expect(thrown(() => builtinTrainer(qwen, { config: { peft: { method: 'qlora' } }, resourcesPerNode: { gpu: 1 } })).message).toMatch(
      /QLoRA is not supported/,
    );
    expect(thrown(() => builtinTrainer(tune, { config: { peft: { method: 'qlora' } } })).message).toMatch(/single device/);
    expect(builtinTrainer(tune, { config: { peft: { method: 'qlora' } }, resourcesPerNode: { gpu: 1 } }).args).toContain('model.quantize_base=True');
    expect(thrown(() => builtinTrainer(tune, { config: {}, numNodes: 2 })).message).toMatch(/numNodes must be 1/);
  });

  it('reserved env names', () => {
    expect(thrown(() => customTrainer(torch, { funcSource: MY_PY.train, funcName: 'train', env: { PET_NNODES: '2' } })).code).toBe('invalid_env');
    const mpi = runtime('deepspeed-distributed');
    expect(thrown(() => containerTrainer(mpi, { image: 'x', env: { OMPI_MCA_plm_rsh_args: '' } })).hint).toMatch(/OMPI_MCA_orte_default_hostfile/);
    expect(thrown(() => containerTrainer(runtime('xgboost-distributed'), { image: 'x', env: { DMLC_TASK_ID: '0' } })).code).toBe('invalid_env');
    expect(thrown(() => containerTrainer(torch, { image: 'x', env: { 'BAD NAME': '1' } })).code).toBe('invalid_env');
  });

  it('env Secret references become secretKeyRef for every trainer kind (valid for the CRD)', () => {
    const env = { HF_TOKEN: 'secret:hf-creds/token', EPOCHS: 3, NOTE: 'secret: not a reference' };
    const want = [
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-creds', key: 'token' } } },
      { name: 'EPOCHS', value: '3' },
      { name: 'NOTE', value: 'secret: not a reference' },
    ];
    for (const trainer of [
      customTrainer(torch, { funcSource: MY_PY.train, funcName: 'train', env }),
      containerTrainer(torch, { image: 'ghcr.io/me/t:1', env }),
    ]) {
      expect(trainer.env).toEqual(want);
      expectValid(buildTrainJob({ name: 'sec', runtime: torch, trainer }));
    }
  });

  it('images that a container CLI would read as an option are refused', () => {
    for (const image of ['-v', '--privileged', '-', ' --rm']) {
      const e = thrown(() => containerTrainer(torch, { image }));
      expect(e.field).toBe('image');
      expect(e.message).toMatch(/option/);
      expect(thrown(() => customTrainer(torch, { funcSource: MY_PY.train, funcName: 'train', image })).field).toBe('image');
    }
  });

  it('names, deadlines, nodes, images, patches', () => {
    expect(thrown(() => buildTrainJob({ name: 'Bad_Name', runtime: torch })).code).toBe('invalid_name');
    expect(thrown(() => buildTrainJob({ name: 'ok', runtime: torch, activeDeadlineSeconds: 0 })).field).toBe('activeDeadlineSeconds');
    expect(thrown(() => containerTrainer(torch, { image: 'x', numNodes: -1 })).field).toBe('numNodes');
    expect(containerTrainer(torch, { image: 'x', numNodes: 0 })).toEqual({ image: 'x' });
    expect(thrown(() => containerTrainer(torch, { image: ' ' })).field).toBe('image');
    const patch = { trainingRuntimeSpec: {} };
    expect(thrown(() => buildTrainJob({ name: 'ok', runtime: torch, runtimePatches: [patch, patch] })).code).toBe('invalid_runtime_patch');
    const envPatch = {
      trainingRuntimeSpec: {
        template: {
          spec: {
            replicatedJobs: [
              { name: 'node', template: { spec: { template: { spec: { containers: [{ name: 'node', env: [{ name: 'A', value: '1' }] }] } } } } },
            ],
          },
        },
      },
    };
    expect(thrown(() => buildTrainJob({ name: 'ok', runtime: torch, runtimePatches: [envPatch] })).hint).toMatch(/trainer env/);
  });
});
