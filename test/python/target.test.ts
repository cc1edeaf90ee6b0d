import { describe, expect, it } from 'vitest';
import { PYTHON_VERSION_ANNOTATION, imagePython, targetPython } from '../../src/kubeflow/python/target.js';
import { runtimeFromObject } from '../../src/kubeflow/trainer/runtime.js';
import { loadRuntimeFixtures } from '../support/runtimes.js';

describe('the target Python of a job', () => {
  it('knows the Python of documented images only', () => {
    expect(imagePython('pytorch/pytorch:1.13.1-cuda11.6-cudnn8-runtime')).toBe('3.10');
    expect(imagePython('docker.io/pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime')).toBe('3.10');
    expect(imagePython('pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime')).toBe('3.11');
    expect(imagePython('pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime@sha256:abc123')).toBe('3.11');
    expect(imagePython('python:3.12-slim')).toBe('3.12');
    expect(imagePython('docker.io/library/python:3.9.18')).toBe('3.9');
    // undocumented: newer PyTorch images, other registries, other images
    for (const unknown of [
      'pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime',
      'pytorch/pytorch:latest',
      'ghcr.io/pytorch/pytorch:2.5.1',
      'nvcr.io/nvidia/jax:25.10-py3',
      'python:latest',
      'mypython:3.12',
    ]) {
      expect(imagePython(unknown), unknown).toBeUndefined();
    }
  });

  it("takes a runtime's declared version, unless the job brings its own image", () => {
    const fixture = loadRuntimeFixtures().get('torch-distributed')!.obj;
    const plain = runtimeFromObject(fixture);
    expect(plain.pythonVersion).toBeUndefined();
    expect(targetPython(plain)).toBeUndefined(); // its pytorch 2.13 image is not in the table
    const annotated = runtimeFromObject({ ...fixture, metadata: { ...fixture.metadata, annotations: { [PYTHON_VERSION_ANNOTATION]: '3.12' } } });
    expect(annotated.pythonVersion).toBe('3.12');
    expect(targetPython(annotated)).toBe('3.12');
    expect(targetPython(annotated, 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime')).toBe('3.11');
    expect(targetPython(annotated, 'my/image:1')).toBeUndefined();
    expect(targetPython({ pythonVersion: 'three', trainer: { image: 'python:3.10' } })).toBe('3.10');
    expect(targetPython(undefined)).toBeUndefined();
  });
});
