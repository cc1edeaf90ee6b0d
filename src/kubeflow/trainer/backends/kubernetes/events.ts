/**
 * Events of a TrainJob and what it owns (JobSet, Jobs, Pods; docs/wire/trainer.md#events). Like SDK get_job_events, but events
 * that carry only `eventTime` are kept (the SDK drops them), and Job events match (the SDK compares
 * Job names against pod names, so it rarely finds them). Pages through the namespace's events so a
 * busy namespace cannot blow up memory in one response.
 */
import { RESOURCES, type KubeClient } from '../../../../kube/client.js';
import { eventTime } from '../../../../kube/events.js';
import type { KubeEvent } from '../../../../kube/types.js';
import { STEP_REPLICATED_JOBS } from '../../constants.js';
import type { TrainJobView } from '../../types.js';

const OWN_KINDS = new Set(['TrainJob', 'JobSet', 'Job', 'Pod']);

function belongsTo(job: TrainJobView, e: KubeEvent): boolean {
  const { kind, name } = e.involvedObject;
  if (!kind || !name || !OWN_KINDS.has(kind)) return false;
  if (kind === 'TrainJob' || kind === 'JobSet') return name === job.name;
  const rjobs = STEP_REPLICATED_JOBS.join('|');
  const prefix = escapeRegExp(job.name);
  if (kind === 'Job') return new RegExp(`^${prefix}-(${rjobs})-\\d+$`).test(name);
  return job.steps.some((s) => s.podName === name) || new RegExp(`^${prefix}-(${rjobs})-\\d+-\\d+-[a-z0-9]+$`).test(name);
}

export async function jobEvents(kube: KubeClient, job: TrainJobView, signal?: AbortSignal): Promise<KubeEvent[]> {
  // Events of an earlier job with the same name are not this job's.
  const since = Date.parse(job.creationTimestamp) - 1000;
  const found: KubeEvent[] = [];
  let cont: string | undefined;
  do {
    const page = await kube.list<KubeEvent>(RESOURCES.events, job.namespace, { limit: 500, continue: cont }, signal);
    for (const e of page.items) if (belongsTo(job, e) && timeOf(e) >= since) found.push(e);
    cont = page.metadata.continue || undefined;
  } while (cont);
  return found.sort((a, b) => timeOf(a) - timeOf(b));
}

/** Milliseconds; an event without any timestamp counts as "now" so it is kept and sorts last. */
function timeOf(e: KubeEvent): number {
  const t = Date.parse(eventTime(e));
  return Number.isNaN(t) ? Date.now() : t;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
