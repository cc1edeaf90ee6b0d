import type { TrainJobView } from '../../kubeflow/trainer/types.js';
import { ToolError } from '../contract.js';
import { lifecycleTool, type LifecycleTool } from './lifecycle.js';

/** What suspending (true) or resuming (false) does, refuses and says after. */
function toggle(suspend: boolean) {
  const verb = suspend ? 'suspend' : 'resume';
  return {
    verb,
    guard(job: TrainJobView) {
      if (job.status === 'Complete' || job.status === 'Failed')
        throw new ToolError(
          'job_finished',
          `${job.name} already ${job.status === 'Complete' ? 'completed' : 'failed'}; there is nothing to ${verb}.`,
          'Start a new job instead (the training tools), or delete this one.',
        );
      if (suspend && job.status === 'Suspended')
        throw new ToolError('already_suspended', `${job.name} is already suspended.`, `Call resume_training_job(name="${job.name}") to continue it.`);
      if (!suspend && job.status !== 'Suspended')
        throw new ToolError('not_suspended', `${job.name} is not suspended (it is ${job.status}).`, 'Only suspended jobs can be resumed.');
    },
    act: async (c, job, dryRun) => (await c.backend().setSuspended(c.namespace, job.name, suspend, { dryRun, signal: c.signal })).status,
    after: (job) =>
      suspend
        ? `Suspended ${job.name}: its workers are stopped and their resources freed (on Kubernetes the pods are deleted: progress your code did not checkpoint is lost). Resume with resume_training_job.`
        : `Resumed ${job.name}. Follow with wait_for_training.`,
  } satisfies Pick<LifecycleTool, 'verb' | 'guard' | 'act' | 'after'>;
}

export const suspendTrainingJob = lifecycleTool({
  name: 'suspend_training_job',
  // Destructive: stopping the pods loses whatever progress the code did not checkpoint.
  risk: 'destructive',
  title: 'Suspend training job',
  description: 'Suspend a TrainJob, freeing its GPUs.',
  ...toggle(true),
});

export const resumeTrainingJob = lifecycleTool({
  name: 'resume_training_job',
  risk: 'write',
  title: 'Resume training job',
  description: 'Resume a suspended TrainJob.',
  ...toggle(false),
});
