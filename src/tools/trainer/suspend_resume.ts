import { z } from 'zod';
import { defineTool, ToolError } from '../contract.js';
import { confirmed, jobName, namespace } from '../schemas.js';
import { lifecycleOutput, renderLifecycle, runLifecycle, type LifecycleAction } from './lifecycle.js';
import type { TrainJobView } from '../../kubeflow/trainer/types.js';

function finished(job: TrainJobView, verb: string): ToolError | undefined {
  if (job.status === 'Complete' || job.status === 'Failed') {
    return new ToolError('job_finished', `${job.name} already ${job.status === 'Complete' ? 'completed' : 'failed'}; there is nothing to ${verb}.`, 'Start a new job instead (the training tools), or delete this one.');
  }
  return undefined;
}

function toggle(suspend: boolean): LifecycleAction {
  const verb = suspend ? 'suspend' : 'resume';
  return {
    tool: `${verb}_training_job`,
    verb,
    guard: (job) =>
      finished(job, verb) ??
      (suspend && job.status === 'Suspended'
        ? new ToolError('already_suspended', `${job.name} is already suspended.`, `Call resume_training_job(name="${job.name}") to continue it.`)
        : !suspend && job.status !== 'Suspended'
          ? new ToolError('not_suspended', `${job.name} is not suspended (it is ${job.status}).`, 'Only suspended jobs can be resumed.')
          : undefined),
    act: (c, job, dryRun) => c.backend().setSuspended(c.namespace, job.name, suspend, { dryRun, signal: c.signal }),
    after: (job) =>
      suspend
        ? `Suspended ${job.name}: its workers are stopped and their resources freed (on Kubernetes the pods are deleted: progress your code did not checkpoint is lost). Resume with resume_training_job.`
        : `Resumed ${job.name}. Follow with wait_for_training.`,
  };
}

export const suspendTrainingJob = defineTool({
  name: 'suspend_training_job',
  module: 'trainer',
  category: 'lifecycle',
  // Destructive: stopping the pods loses whatever progress the code did not checkpoint.
  risk: 'destructive',
  title: 'Suspend training job',
  description: 'Suspend a TrainJob, freeing its GPUs.',
  input: z.object({ name: jobName, namespace, confirmed }),
  output: lifecycleOutput,
  run: (a, ctx) => runLifecycle(ctx, toggle(true), a.name, a.confirmed),
  render: renderLifecycle('suspend'),
});

export const resumeTrainingJob = defineTool({
  name: 'resume_training_job',
  module: 'trainer',
  category: 'lifecycle',
  risk: 'write',
  title: 'Resume training job',
  description: 'Resume a suspended TrainJob.',
  input: z.object({ name: jobName, namespace, confirmed }),
  output: lifecycleOutput,
  run: (a, ctx) => runLifecycle(ctx, toggle(false), a.name, a.confirmed),
  render: renderLifecycle('resume'),
});
