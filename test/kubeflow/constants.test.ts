import { describe, expect, it } from 'vitest';
import { defaultPipIndexUrls, defaultTrainingRuntime, mpiUserHome, podSelector } from '../../src/kubeflow/trainer/constants.js';

describe('constants', () => {
  it('pod selector is the SDK string', () => {
    expect(podSelector('abc123')).toBe(
      'jobset.sigs.k8s.io/jobset-name=abc123,jobset.sigs.k8s.io/replicatedjob-name in (dataset-initializer, model-initializer, launcher, node)',
    );
  });

  it('env overrides like the SDK', () => {
    expect(defaultTrainingRuntime({})).toBe('torch-distributed');
    expect(defaultTrainingRuntime({ DEFAULT_TRAINING_RUNTIME: 'my-runtime' })).toBe('my-runtime');
    expect(defaultPipIndexUrls({})).toEqual(['https://pypi.org/simple']);
    expect(defaultPipIndexUrls({ DEFAULT_PIP_INDEX_URLS: 'https://a/simple, https://b/simple,' })).toEqual(['https://a/simple', 'https://b/simple']);
    expect(mpiUserHome({})).toBe('/home/mpiuser');
    expect(mpiUserHome({ DEFAULT_MPI_USER_HOME: '/home/me' })).toBe('/home/me');
  });
});
