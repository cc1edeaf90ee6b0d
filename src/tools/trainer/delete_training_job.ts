import { isNotFound } from '../errors.js';
import { lifecycleTool } from './lifecycle.js';

export const deleteTrainingJob = lifecycleTool({
  name: 'delete_training_job',
  risk: 'destructive',
  title: 'Delete training job',
  description: 'Delete a TrainJob with its pods and logs.',
  verb: 'delete',
  act: async (c, job, dryRun) => {
    const backend = c.backend();
    await backend.deleteJob(c.namespace, job.name, { dryRun, signal: c.signal });
    if (dryRun) return job.status;
    // Say what the job is now, not what it was: gone, or still being removed (finalizers, pods).
    // The delete itself succeeded: a failed read afterwards leaves the state Unknown, not an error.
    return backend.getJob(c.namespace, job.name, c.signal).then(
      () => 'Terminating' as const,
      (err: unknown) => (isNotFound(err) ? ('Deleted' as const) : ('Unknown' as const)),
    );
  },
  after: (job) => `Deleted ${job.name}; its workers and logs are being removed.`,
});
