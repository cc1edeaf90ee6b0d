/** Values that reach a local command line (docker/podman run, pip install) cannot become options. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PreparedJob, TrainRequest } from '../../src/kubeflow/trainer/backend.js';
import { planLaunch, type LaunchHost } from '../../src/kubeflow/trainer/backends/local/launch.js';
import { trainerSpec } from '../../src/kubeflow/trainer/backends/local/requests.js';
import { localRuntime } from '../../src/kubeflow/trainer/backends/local/runtimes.js';
import type { JobPaths } from '../../src/kubeflow/trainer/backends/local/store.js';
import { buildTrainJob } from '../../src/kubeflow/trainer/trainjob.js';

const python = { executable: '/usr/bin/python3', version: '3.11.7', torch: false, pip: true, venv: true, ensurepip: true };
const host: LaunchHost = { python, engine: { name: 'docker', cli: '/usr/bin/docker' }, home: '/home/u', serverEnv: { PATH: '/usr/bin:/bin' } };
const dir = '/store/jobs/default/j1';
const paths = Object.fromEntries(
  ['spec', 'status', 'events', 'config', 'work', 'tmp', 'venv', 'envFile', 'run', 'log', 'index', 'exit', 'processFile', 'pipLog', 'wrapperLog'].map((k) => [
    k,
    path.join(dir, k),
  ]),
) as unknown as JobPaths;

function prepared(request: TrainRequest): PreparedJob {
  const runtime = localRuntime(request.runtime ?? 'torch-distributed', python);
  return {
    name: 'j1',
    namespace: 'default',
    runtime,
    request,
    object: buildTrainJob({ name: 'j1', namespace: 'default', runtime, trainer: trainerSpec(request, runtime) }),
  };
}

describe('container command line', () => {
  it('ends the engine options before the image, and passes the entrypoint as one --entrypoint= item', () => {
    const job = prepared({ trainer: { kind: 'container', image: 'ghcr.io/me/train:1', command: ['--help', 'x'], args: ['-v', '/:/host'] } });
    const argv = planLaunch(job, { ...paths, dir }, host).config.steps[0]!.argv;
    const i = argv.indexOf('--');
    expect(i).toBeGreaterThan(0);
    expect(argv.slice(i)).toEqual(['--', 'ghcr.io/me/train:1', 'x', '-v', '/:/host']);
    expect(argv.slice(0, i)).toContain('--entrypoint=--help');
  });
});

describe('pip command line', () => {
  it('ends pip options before the packages', () => {
    const job = prepared({
      trainer: {
        kind: 'custom',
        funcSource: 'def train():\n    pass\n',
        funcName: 'train',
        packages: ['numpy>=1.26', 'mylib @ https://example.com/mylib-1.0-py3-none-any.whl'],
      },
    });
    const install = planLaunch(job, { ...paths, dir }, host).config.steps.find((s) => s.stage === 'install')!;
    expect(install.argv.slice(-3)).toEqual(['--', 'numpy>=1.26', 'mylib @ https://example.com/mylib-1.0-py3-none-any.whl']);
  });
});
