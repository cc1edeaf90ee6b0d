import { describe, expect, it } from 'vitest';
import { generateJobName, validateJobName } from '../../src/kubeflow/trainer/names.js';

describe('job names', () => {
  it('generates <letter><11 hex> like the SDK', () => {
    for (let i = 0; i < 200; i++) {
      const name = generateJobName();
      expect(name).toMatch(/^[a-z][0-9a-f]{11}$/);
      expect(validateJobName(name)).toBeUndefined();
    }
  });

  it('uses the injected randomness', () => {
    expect(generateJobName({ int: () => 10, uuid: () => '3F9C1B2D-4E5F-4a6b-8c7d-0123456789ab' })).toBe('k3f9c1b2d4e5');
  });

  it('applies the CRD name rules', () => {
    expect(validateJobName('my-job-1')).toBeUndefined();
    expect(validateJobName('a'.repeat(63))).toBeUndefined();
    expect(validateJobName('a'.repeat(64))).toMatch(/maximum is 63/);
    for (const bad of ['', '1job', 'Job', 'job-', 'job_x', 'job.x', '-job']) expect(validateJobName(bad)).toBeTypeOf('string');
  });
});
