/**
 * list_training_jobs on the local backend: jobs of a namespace in name order (as the API server
 * lists them), filtered by label selector, paged with an opaque continue token (the last name
 * returned). Only each job's small status.json is read, a batch at a time.
 */
import type { JobPage } from '../../backend.js';
import type { TrainJobView } from '../../types.js';
import { cancelled, DamagedRecordError, LocalBackendError } from './errors.js';
import { parseLabelSelector } from './labels.js';
import type { JobStore } from './store.js';
import type { JobSupervisor } from './supervisor.js';
import { damagedView, jobView } from './views.js';

const BATCH = 32;

export async function listJobs(
  store: JobStore,
  supervisor: JobSupervisor,
  namespace: string,
  opts: { labelSelector?: string; limit?: number; continue?: string; signal?: AbortSignal },
): Promise<JobPage> {
  const matches = parseLabelSelector(opts.labelSelector);
  const after = opts.continue ? decodeContinue(opts.continue, namespace) : undefined;
  const names = (await store.listNames(namespace)).filter((n) => after === undefined || n > after);
  const jobs: TrainJobView[] = [];
  let more = false;
  for (let i = 0; i < names.length && !more; i += BATCH) {
    // A damaged record is listed (flagged, with its labels unknown: it matches no selector).
    const views = await Promise.all(names.slice(i, i + BATCH).map((n) => supervisor.refresh(namespace, n).then((r) => r && jobView(r), (err: unknown) => (err instanceof DamagedRecordError ? (opts.labelSelector ? undefined : damagedView(err)) : rethrow(err)))));
    for (const view of views) {
      if (!view || !matches(view.labels)) continue;
      if (opts.limit && jobs.length >= opts.limit) {
        more = true;
        break;
      }
      jobs.push(view);
    }
    if (opts.signal?.aborted) throw cancelled();
  }
  const last = jobs[jobs.length - 1];
  return { jobs, ...(more && last ? { continue: encodeContinue(namespace, last.name) } : {}) };
}

function rethrow(err: unknown): never {
  throw err;
}

function encodeContinue(namespace: string, after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, ns: namespace, after })).toString('base64url');
}

function decodeContinue(token: string, namespace: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: number; ns?: string; after?: string };
    if (parsed.v === 1 && parsed.ns === namespace && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // not ours
  }
  throw new LocalBackendError('invalid_continue', 'the continue token is not valid for this listing', 'list again without continue (and with the same namespace) to start from the first page');
}
