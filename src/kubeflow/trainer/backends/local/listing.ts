/**
 * list_training_jobs on the local backend, with the Kubernetes backend's order, filters and counts
 * (src/kubeflow/listing.ts): every job of the namespace matching the label selector is read (its
 * small status.json, a batch at a time) and counted; only the page shown is kept.
 */
import type { JobPage, JobSummary, ListJobsOptions } from '../../backend.js';
import { NamespaceListing } from '../../../listing.js';
import { cancelled, DamagedRecordError } from './errors.js';
import { parseLabelSelector } from './labels.js';
import type { JobStore } from './store.js';
import type { JobSupervisor } from './supervisor.js';
import { damagedView, jobView } from './views.js';

const BATCH = 32;

export async function listJobs(store: JobStore, supervisor: JobSupervisor, namespace: string, opts: ListJobsOptions): Promise<JobPage> {
  const matches = parseLabelSelector(opts.labelSelector);
  const listing = new NamespaceListing<JobSummary>({
    namespace,
    limit: opts.limit,
    cursor: opts.continue,
    status: opts.status,
    filters: { labels: opts.labelSelector, runtime: opts.runtime },
  });
  const names = await store.listNames(namespace);
  for (let i = 0; i < names.length; i += BATCH) {
    // A damaged record is listed (flagged, with its labels unknown: it matches no selector).
    const views = await Promise.all(
      names.slice(i, i + BATCH).map((n) =>
        supervisor.refresh(namespace, n).then(
          (r) => (r ? jobView(r) : undefined),
          (err: unknown) => (err instanceof DamagedRecordError ? (opts.labelSelector ? undefined : damagedView(err)) : rethrow(err)),
        ),
      ),
    );
    for (const v of views) {
      if (!v || !matches(v.labels)) continue;
      listing.add(
        { name: v.name, created: v.creationTimestamp, status: v.status, runtime: v.runtime.name, numNodes: v.numNodes },
        !opts.runtime || v.runtime.name === opts.runtime,
      );
    }
    if (opts.signal?.aborted) throw cancelled();
  }
  const { items, ...page } = listing.page();
  return { jobs: items, ...page };
}

function rethrow(err: unknown): never {
  throw err;
}
