import { describe, expect, it } from 'vitest';
import type { Condition, Pod } from '../../src/kube/types.js';
import { runtimeFromObject } from '../../src/kubeflow/trainer/runtime.js';
import { deriveStatus, stepsFromPods, trainJobView } from '../../src/kubeflow/trainer/status.js';
import type { Step, TrainJob } from '../../src/kubeflow/trainer/types.js';
import { loadRuntimeFixtures } from '../support/runtimes.js';

const fixtures = loadRuntimeFixtures();
const torch = runtimeFromObject(fixtures.get('torch-distributed')!.obj);
const deepspeed = runtimeFromObject(fixtures.get('deepspeed-distributed')!.obj);
const tune = runtimeFromObject(fixtures.get('torchtune-llama3.2-1b')!.obj);

let clock = 0;
function pod(
  rjob: string,
  index: number | undefined,
  phase: NonNullable<Pod['status']>['phase'],
  opts: { container?: string; limits?: Record<string, string>; env?: Array<{ name: string; value: string }>; at?: number } = {},
): Pod {
  const at = opts.at ?? ++clock;
  return {
    metadata: {
      name: `job-${rjob}-0-${index ?? 0}-${at}`,
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString().replace('.000', ''),
      labels: {
        'jobset.sigs.k8s.io/jobset-name': 'job',
        'jobset.sigs.k8s.io/replicatedjob-name': rjob,
        ...(index === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(index) }),
      },
    },
    spec: {
      containers: [
        {
          name: opts.container ?? (rjob === 'launcher' ? 'node' : rjob),
          ...(opts.limits ? { resources: { limits: opts.limits } } : {}),
          ...(opts.env ? { env: opts.env } : {}),
        },
      ],
    },
    status: { phase },
  };
}

function job(opts: { conditions?: Condition[]; suspend?: boolean; numNodes?: number; runtime?: string } = {}): TrainJob {
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: { name: 'job', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z', labels: { a: 'b' } },
    spec: {
      runtimeRef: { name: opts.runtime ?? 'torch-distributed', kind: 'ClusterTrainingRuntime' },
      ...(opts.numNodes !== undefined ? { trainer: { numNodes: opts.numNodes } } : {}),
      ...(opts.suspend !== undefined ? { suspend: opts.suspend } : {}),
    },
    ...(opts.conditions ? { status: { conditions: opts.conditions } } : {}),
  };
}

const cond = (type: string, status: 'True' | 'False', reason = type): Condition => ({
  type,
  status,
  reason,
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
});
const nodes = (...phases: Array<NonNullable<Pod['status']>['phase']>): Step[] =>
  stepsFromPods(
    phases.map((p, i) => pod('node', i, p)),
    torch,
  );

describe('deriveStatus', () => {
  it.each<[string, TrainJob, Step[], number, string]>([
    ['no conditions, all nodes running', job(), nodes('Running', 'Running'), 2, 'Running'],
    ['no conditions, running + succeeded', job(), nodes('Succeeded', 'Running'), 2, 'Running'],
    ['no conditions, one node pending', job(), nodes('Running', 'Pending'), 2, 'Created'],
    ['no conditions, no pods', job(), [], 1, 'Created'],
    ['Complete', job({ conditions: [cond('Complete', 'True', 'AllJobsCompleted')] }), nodes('Succeeded'), 1, 'Complete'],
    ['Failed', job({ conditions: [cond('Failed', 'True', 'FailedJobs')] }), nodes('Failed'), 1, 'Failed'],
    ['Failed after a resume', job({ conditions: [cond('Suspended', 'False', 'Resumed'), cond('Failed', 'True', 'DeadlineExceeded')] }), [], 1, 'Failed'],
    ['Complete wins over a stale Suspended=True', job({ suspend: true, conditions: [cond('Suspended', 'True'), cond('Complete', 'True')] }), [], 1, 'Complete'],
    ['Complete=False is not terminal', job({ conditions: [cond('Complete', 'False')] }), nodes('Running'), 1, 'Running'],
    ['spec.suspend before the controller reacts', job({ suspend: true }), nodes('Running'), 1, 'Suspended'],
    ['Suspended=True condition', job({ conditions: [cond('Suspended', 'True')] }), [], 1, 'Suspended'],
    ['resumed and running', job({ suspend: false, conditions: [cond('Suspended', 'False', 'Resumed')] }), nodes('Running', 'Running'), 2, 'Running'],
    ['resumed, pods not up yet', job({ conditions: [cond('Suspended', 'False', 'Resumed')] }), nodes('Pending'), 1, 'Created'],
    ['suspended again after a resume', job({ conditions: [cond('Suspended', 'False', 'Resumed'), cond('Suspended', 'True')] }), [], 1, 'Suspended'],
  ])('%s', (_, tj, steps, numNodes, want) => {
    expect(deriveStatus(tj, steps, numNodes)).toBe(want);
  });
});

describe('stepsFromPods', () => {
  it('initializer and node steps, newest first, device from limits', () => {
    const pods = [
      pod('dataset-initializer', 0, 'Succeeded', { at: 1 }),
      pod('model-initializer', 0, 'Succeeded', { at: 2 }),
      pod('node', 0, 'Running', { at: 3, limits: { 'nvidia.com/gpu': '2' } }),
    ];
    expect(stepsFromPods(pods, tune).map((s) => [s.name, s.status, s.device, s.deviceCount])).toEqual([
      ['node-0', 'Running', 'gpu', '2'],
      ['model-initializer', 'Succeeded', 'Unknown', 'Unknown'],
      ['dataset-initializer', 'Succeeded', 'Unknown', 'Unknown'],
    ]);
  });

  it('restarted pods: only the newest pod per step counts', () => {
    const pods = [
      pod('node', 0, 'Failed', { at: 10 }),
      pod('node', 1, 'Running', { at: 11 }),
      pod('node', 0, 'Running', { at: 12 }),
      pod('dataset-initializer', 0, 'Failed', { at: 1 }),
      pod('dataset-initializer', 0, 'Succeeded', { at: 2 }),
    ];
    const steps = stepsFromPods(pods, torch);
    expect(steps.map((s) => [s.name, s.status, s.podName])).toEqual([
      ['node-0', 'Running', 'job-node-0-0-12'],
      ['node-1', 'Running', 'job-node-0-1-11'],
      ['dataset-initializer', 'Succeeded', 'job-dataset-initializer-0-0-2'],
    ]);
    expect(trainJobView(job({ numNodes: 2 }), pods, torch).status).toBe('Running');
  });

  it('MPI: launcher is node-0, workers shift by one', () => {
    const pods = [pod('launcher', 0, 'Running', { at: 3 }), pod('node', 0, 'Running', { at: 1 }), pod('node', 1, 'Running', { at: 2 })];
    expect(stepsFromPods(pods, deepspeed).map((s) => s.name)).toEqual(['node-0', 'node-2', 'node-1']);
    // Without the runtime (not readable) there is no shift.
    expect(stepsFromPods(pods, undefined).map((s) => s.name)).toEqual(['node-0', 'node-1', 'node-0']);
  });

  it('numeric PET_NPROC_PER_NODE gives the device count', () => {
    const withEnv = (value: string): Step =>
      stepsFromPods([pod('node', 0, 'Running', { limits: { cpu: '8' }, env: [{ name: 'PET_NPROC_PER_NODE', value }] })], torch)[0]!;
    expect(withEnv('4')).toMatchObject({ device: 'cpu', deviceCount: '4' });
    expect(withEnv('auto')).toMatchObject({ device: 'cpu', deviceCount: '8' });
  });

  it('ignores pods it cannot place instead of failing', () => {
    const noLabels: Pod = { metadata: { name: 'x' }, spec: { containers: [{ name: 'node' }] } };
    const noIndex = pod('node', undefined, 'Running');
    const wrongContainer = pod('node', 0, 'Running', { container: 'sidecar' });
    expect(stepsFromPods([noLabels, noIndex, wrongContainer], torch)).toEqual([]);
    const missingPhase = pod('node', 0, 'Running');
    delete missingPhase.status;
    expect(stepsFromPods([missingPhase], torch)[0]!.status).toBeNull();
  });
});

describe('trainJobView', () => {
  it('numNodes: trainer, else runtime, else 1', () => {
    const twoNodeRuntime = { ...torch, trainer: { ...torch.trainer, numNodes: 2 } };
    expect(trainJobView(job({ numNodes: 3 }), [], twoNodeRuntime).numNodes).toBe(3);
    expect(trainJobView(job({ numNodes: 0 }), [], twoNodeRuntime).numNodes).toBe(2);
    expect(trainJobView(job(), [], undefined).numNodes).toBe(1);
  });

  it('shapes the view', () => {
    const tj = job({ conditions: [cond('Complete', 'True')] });
    tj.status!.trainerStatus = { progressPercentage: 100, lastUpdatedTime: '2026-01-01T01:00:00Z' };
    delete tj.spec.runtimeRef.kind;
    expect(trainJobView(tj, [pod('node', 0, 'Succeeded', { at: 5 })], torch)).toEqual({
      name: 'job',
      namespace: 'ns',
      runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
      status: 'Complete',
      numNodes: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      steps: [{ name: 'node-0', status: 'Succeeded', podName: 'job-node-0-0-5', device: 'Unknown', deviceCount: 'Unknown' }],
      conditions: tj.status!.conditions,
      trainerStatus: { progressPercentage: 100, lastUpdatedTime: '2026-01-01T01:00:00Z' },
      labels: { a: 'b' },
      annotations: {},
    });
  });
});
