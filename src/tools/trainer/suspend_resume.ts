import { z } from 'zod';
import { defineMutation, ToolError } from '../contract.js';
import { confirmed, jobName, namespace } from '../schemas.js';
import { lifecycle, lifecycleOutput, renderLifecycle, type LifecycleAction } from './lifecycle.js';
import type { TrainJobView } from '../../kubeflow/trainer/types.js';

function finished(job: TrainJobView, verb: string): ToolError | undefined {
  if (job.status === 'Complete' || job.status === 'Failed') {
    return new ToolError(
      'job_finished',
      `${job.name} already ${job.status === 'Complete' ? 'completed' : 'failed'}; there is nothing to ${verb}.`,
      'Start a new job instead (the training tools), or delete this one.',
    );
  }
  return undefined;
}

function toggle(suspend: boolean): LifecycleAction {
  const verb = suspend ? 'suspend' : 'resume';
  return {
    verb,
    guard: (job) =>
      finished(job, verb) ??
      (suspend && job.status === 'Suspended'
        ? new ToolError('already_suspended', `${job.name} is already suspended.`, `Call resume_training_job(name="${job.name}") to continue it.`)
        : !suspend && job.status !== 'Suspended'
          ? new ToolError('not_suspended', `${job.name} is not suspended (it is ${job.status}).`, 'Only suspended jobs can be resumed.')
          : undefined),
    act: async (c, job, dryRun) => (await c.backend().setSuspended(c.namespace, job.name, suspend, { dryRun, signal: c.signal })).status,
    after: (job) =>
      suspend
        ? `Suspended ${job.name}: its workers are stopped and their resources freed (on Kubernetes the pods are deleted: progress your code did not checkpoint is lost). Resume with resume_training_job.`
        : `Resumed ${job.name}. Follow with wait_for_training.`,
  };
}

export const suspendTrainingJob = defineMutation({
  name: 'suspend_training_job',
  module: 'trainer',
  category: 'lifecycle',
  // Destructive: stopping the pods loses whatever progress the code did not checkpoint.
  risk: 'destructive',
  title: 'Suspend training job',
  description: 'Suspend a TrainJob, freeing its GPUs.',
  input: z.object({ name: jobName, namespace, confirmed }),
  output: lifecycleOutput,
  mutation: lifecycle(toggle(true)),
  render: renderLifecycle('suspend'),
});

export const resumeTrainingJob = defineMutation({
  name: 'resume_training_job',
  module: 'trainer',
  category: 'lifecycle',
  risk: 'write',
  title: 'Resume training job',
  description: 'Resume a suspended TrainJob.',
  input: z.object({ name: jobName, namespace, confirmed }),
  output: lifecycleOutput,
  mutation: lifecycle(toggle(false)),
  render: renderLifecycle('resume'),
});
