import { describe, expect, it } from 'vitest';
import { modelUriFromTrainJob } from '../../src/kubeflow/hub/modelUri.js';
import type { TrainingRuntimeObject, TrainJob } from '../../src/kubeflow/trainer/types.js';
import { loadRuntimeFixtures } from '../support/runtimes.js';

const fixtures = loadRuntimeFixtures();
const rt = (name: string) => structuredClone(fixtures.get(name)!.obj);

function job(runtime: string, extra: Partial<TrainJob['spec']> = {}, status: 'Complete' | 'Failed' | null = 'Complete'): TrainJob {
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: { name: 'ft-1', namespace: 'team-a' },
    spec: { runtimeRef: { name: runtime, kind: 'ClusterTrainingRuntime' }, ...extra },
    status: status ? { conditions: [{ type: status, status: 'True' }] } : {},
  };
}

describe('modelUriFromTrainJob', () => {
  it('TorchTune on the shipped runtime: the initializer PVC JobSet creates, output under /workspace/output', () => {
    const r = modelUriFromTrainJob(job('torchtune-llama3.2-1b', { trainer: { command: ['tune', 'run'], args: ['epochs=1'] } }), rt('torchtune-llama3.2-1b'));
    expect(r).toMatchObject({ uri: 'pvc://initializer-ft-1/output', basis: expect.stringContaining("volume 'initializer'") });
    if (r.uri) {
      expect(r.caveats[0]).toContain('team-a');
      expect(r.caveats[1]).toContain('outlives the TrainJob');
    }
  });

  it('an output_dir override in the TrainJob wins; without the runtime the shipped layout is assumed', () => {
    expect(
      modelUriFromTrainJob(job('torchtune-qwen2.5-1.5b', { trainer: { args: ['output_dir=/workspace/output/qwen'] } }), rt('torchtune-qwen2.5-1.5b')).uri,
    ).toBe('pvc://initializer-ft-1/output/qwen');
    const guessed = modelUriFromTrainJob(job('torchtune-llama3.2-3b'));
    expect(guessed).toMatchObject({ uri: 'pvc://initializer-ft-1/output', basis: expect.stringContaining('assumed') });
  });

  it('honest about what cannot be known', () => {
    const custom = modelUriFromTrainJob(job('torch-distributed', { initializer: { model: { storageUri: 's3://base/llama' } } }), rt('torch-distributed'));
    expect(custom.uri).toBeUndefined();
    expect('reason' in custom && custom.reason).toMatch(/custom training code.*ask for the URI.*s3:\/\/base\/llama is the base model/);
    expect(modelUriFromTrainJob(job('torchtune-llama3.2-1b', {}, null)).uri).toBeUndefined();
    expect(modelUriFromTrainJob(job('torchtune-llama3.2-1b', {}, 'Failed'))).toEqual({ reason: "TrainJob 'ft-1' failed, so it has not written a final model" });
    // An output directory that is not on a volume, or on a volume that is not a PVC.
    const noMount = rt('torchtune-llama3.2-1b') as TrainingRuntimeObject;
    for (const rj of noMount.spec.template.spec.replicatedJobs)
      for (const c of rj.template.spec.template.spec.containers) delete (c as { volumeMounts?: unknown }).volumeMounts;
    expect(modelUriFromTrainJob(job('torchtune-llama3.2-1b'), noMount)).toMatchObject({ reason: expect.stringContaining('not on a mounted volume') });
    const emptyDir = rt('torchtune-llama3.2-1b') as TrainingRuntimeObject;
    delete emptyDir.spec.template.spec.volumeClaimPolicies;
    expect(modelUriFromTrainJob(job('torchtune-llama3.2-1b'), emptyDir)).toMatchObject({ reason: expect.stringContaining('not a PersistentVolumeClaim') });
    const deleted = rt('torchtune-llama3.2-1b') as TrainingRuntimeObject;
    (deleted.spec.template.spec.volumeClaimPolicies as Array<Record<string, unknown>>)[0]!.retentionPolicy = { whenComplete: 'Delete' };
    expect(modelUriFromTrainJob(job('torchtune-llama3.2-1b'), deleted)).toMatchObject({ reason: expect.stringContaining('whenComplete: Delete') });
  });
});
