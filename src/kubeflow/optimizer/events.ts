/**
 * Events of an Experiment and everything it runs: the Experiment and its Suggestion, its Trials,
 * and each trial's TrainJob with the JobSet, Jobs and Pods that TrainJob owns. The SDK keeps only
 * Experiment/Trial events; the TrainJob side is where scheduling and image problems show. The
 * namespace's events are paged (500 at a time) and the result is capped, so memory stays bounded.
 */
import { RESOURCES, type KubeClient } from '../../kube/client.js';
import { eventTime } from '../../kube/events.js';
import type { KubeEvent } from '../../kube/types.js';
import { STEP_REPLICATED_JOBS } from '../trainer/constants.js';

const MAX_EVENTS = 1000;

function eventMatcher(experiment: string, trials: string[]): (e: KubeEvent) => boolean {
  const trialSet = new Set(trials);
  const rjobs = STEP_REPLICATED_JOBS.join('|');
  // <trial>-<replicated job>-<job index>[-<pod index>-<suffix>]: Jobs and Pods of a trial's JobSet.
  const owned = /^(.*)-(?:RJOBS)-\d+(?:-\d+-[a-z0-9]+)?$/.source.replace('RJOBS', rjobs);
  const ownedRe = new RegExp(owned);
  return (e) => {
    const { kind, name } = e.involvedObject;
    if (!kind || !name) return false;
    switch (kind) {
      case 'Experiment':
      case 'Suggestion':
        return name === experiment;
      case 'Trial':
      case 'TrainJob':
      case 'JobSet':
        return trialSet.has(name);
      case 'Job':
      case 'Pod': {
        const m = ownedRe.exec(name);
        return !!m && trialSet.has(m[1]!);
      }
      default:
        return false;
    }
  };
}

/** Matching events, oldest first; when more than MAX_EVENTS match, the newest are kept. */
export async function experimentEvents(
  kube: KubeClient,
  namespace: string,
  experiment: string,
  trials: string[],
  since: string,
  signal?: AbortSignal,
): Promise<{ events: KubeEvent[]; truncated: boolean }> {
  const matches = eventMatcher(experiment, trials);
  const notBefore = Date.parse(since) - 1000;
  let found: KubeEvent[] = [];
  let truncated = false;
  let cont: string | undefined;
  do {
    const page = await kube.list<KubeEvent>(RESOURCES.events, namespace, { limit: 500, continue: cont }, signal);
    for (const e of page.items) if (matches(e) && !(timeOf(e) < notBefore)) found.push(e);
    if (found.length > 2 * MAX_EVENTS) {
      found = sortByTime(found).slice(-MAX_EVENTS);
      truncated = true;
    }
    cont = page.metadata.continue || undefined;
  } while (cont);
  found = sortByTime(found);
  if (found.length > MAX_EVENTS) {
    found = found.slice(-MAX_EVENTS);
    truncated = true;
  }
  return { events: found, truncated };
}

function timeOf(e: KubeEvent): number {
  const t = Date.parse(eventTime(e));
  return Number.isNaN(t) ? Date.now() : t;
}

function sortByTime(events: KubeEvent[]): KubeEvent[] {
  return events.sort((a, b) => timeOf(a) - timeOf(b));
}
