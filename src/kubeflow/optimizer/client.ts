/**
 * OptimizerClient: Katib v1beta1 Experiments over the Kubernetes REST client, with the SDK's
 * methods (optimize, list_jobs, get_job, get_job_logs, get_best_results, wait_for_job_status,
 * delete_job, get_job_events) returning plain views. Cheaper than the SDK: a listing reads the
 * Experiments only (their status counters), a get adds ONE trials list (the SDK also reads every
 * trial's TrainJob, runtime and pods), and waiting watches instead of polling.
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../kube/client.js';
import type { KubeEvent } from '../../kube/types.js';
import { NamespaceListing, type Listed, type ListingPage } from '../listing.js';
import { LABEL_EXPERIMENT, LABEL_METRICS_COLLECTOR_INJECTION } from './constants.js';
import { OptimizerError } from './errors.js';
import { experimentEvents } from './events.js';
import { bestTrialOf, experimentSummary, trialView } from './status.js';
import { trialLogs, type TrialLogOptions, type TrialLogs } from './trialLogs.js';
import type { BestTrial, Experiment, ExperimentState, ExperimentSummary, ExperimentView, Suggestion, Trial } from './types.js';
import { waitForExperiment } from './wait.js';

/** A view lists at most this many trials (sorted by creation); trialsTruncated says when more exist. */
const MAX_TRIALS_IN_VIEW = 1000;
const TRIAL_PAGE = 500;

export interface CreateResult {
  name: string;
  namespace: string;
  dryRun: boolean;
  /** The Experiment as the API server (and Katib's mutating webhook) accepted it. */
  accepted: Experiment;
  summary: ExperimentSummary;
}

/** One page of a namespace-wide listing (newest first), with counts over the whole namespace. */
export type ExperimentPage = Omit<ListingPage<ExperimentSummary>, 'items'> & { experiments: ExperimentSummary[] };

/** Experiments per list request while streaming a namespace. */
const LIST_PAGE = 500;

export interface ExperimentWaitResult {
  /** The final view; undefined when the experiment was deleted while waiting. */
  experiment: ExperimentView | undefined;
  reached: boolean;
  deleted: boolean;
  waitedSeconds: number;
}

export interface ExperimentEvents {
  events: KubeEvent[];
  /** Only the newest events were kept. */
  truncated: boolean;
}

export class OptimizerClient {
  constructor(private readonly kube: KubeClient) {}

  /** Submits a built Experiment (buildExperiment); with dryRun the API server and webhooks answer without writing. */
  async create(namespace: string, experiment: Experiment, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<CreateResult> {
    const body: Experiment = { ...experiment, metadata: { ...experiment.metadata, namespace } };
    let accepted: Experiment;
    try {
      accepted = await this.kube.create<Experiment>(RESOURCES.experiments, namespace, body, { dryRun: opts.dryRun, signal: opts.signal });
    } catch (err) {
      // Katib's webhook refuses namespaces without the collector-injection label (a 400 with this wording).
      if (err instanceof KubeApiError && err.status === 400 && err.message.includes(`lacks label "${LABEL_METRICS_COLLECTOR_INJECTION}`)) {
        throw new OptimizerError(
          'namespace_not_enabled',
          `Katib does not accept experiments in namespace '${namespace}': it lacks the label ${LABEL_METRICS_COLLECTOR_INJECTION}=enabled`,
          `use a namespace enabled for Katib, or ask an admin to run: kubectl label namespace ${namespace} ${LABEL_METRICS_COLLECTOR_INJECTION}=enabled`,
          'namespace',
        );
      }
      throw err;
    }
    return {
      name: accepted.metadata.name ?? experiment.metadata.name ?? '',
      namespace,
      dryRun: opts.dryRun === true,
      accepted,
      summary: experimentSummary(accepted),
    };
  }

  /**
   * A page of the namespace's Experiments, newest first, with the status filter and counts over
   * the whole namespace (src/kubeflow/listing.ts): every Experiment is read, in pages, and only
   * the page shown is kept. Each summary comes from the Experiment's own status (no trial reads).
   */
  async list(
    namespace: string,
    opts: { limit?: number; continue?: string; status?: ExperimentState; labelSelector?: string; signal?: AbortSignal } = {},
  ): Promise<ExperimentPage> {
    const listing = new NamespaceListing<ExperimentSummary & Listed>({
      namespace,
      limit: opts.limit,
      cursor: opts.continue,
      status: opts.status,
      filters: { labels: opts.labelSelector },
    });
    let cont: string | undefined;
    do {
      const page = await this.kube.list<Experiment>(
        RESOURCES.experiments,
        namespace,
        { limit: LIST_PAGE, continue: cont, labelSelector: opts.labelSelector },
        opts.signal,
      );
      for (const e of page.items) {
        const summary = experimentSummary(e);
        listing.add({ ...summary, created: summary.creationTimestamp });
      }
      cont = page.metadata.continue || undefined;
    } while (cont);
    const { items, ...rest } = listing.page();
    return { experiments: items.map(({ created: _created, ...summary }) => summary), ...rest };
  }

  /** The Experiment with its trials (one trials list, parameters and metrics from the Trial objects). */
  async get(namespace: string, name: string, opts: { signal?: AbortSignal } = {}): Promise<ExperimentView> {
    const exp = await this.kube.get<Experiment>(RESOURCES.experiments, name, namespace, opts.signal);
    return this.view(exp, opts.signal);
  }

  /** status.currentOptimalTrial (one read); undefined until a trial has succeeded with metrics. */
  async bestResult(namespace: string, name: string, opts: { signal?: AbortSignal } = {}): Promise<BestTrial | undefined> {
    const exp = await this.kube.get<Experiment>(RESOURCES.experiments, name, namespace, opts.signal);
    return bestTrialOf(exp);
  }

  /** Logs of `trial`, else of the best trial, else of the first trial started. */
  async logs(namespace: string, name: string, opts: TrialLogOptions & { trial?: string }): Promise<TrialLogs> {
    let trial = opts.trial;
    if (trial !== undefined) {
      const trials = await this.trialNames(namespace, name, opts.signal);
      if (!trials.names.includes(trial)) {
        throw new OptimizerError(
          'trial_not_found',
          `experiment '${name}' has no trial '${trial}'`,
          trials.names.length ? `use one of: ${trials.names.slice(0, 20).join(', ')}` : 'the experiment has no trials yet',
          'trial',
        );
      }
    } else {
      const exp = await this.kube.get<Experiment>(RESOURCES.experiments, name, namespace, opts.signal);
      trial = bestTrialOf(exp)?.trial ?? (await this.trialNames(namespace, name, opts.signal)).names[0];
      if (!trial)
        throw new OptimizerError(
          'no_trials',
          `experiment '${name}' has no trials yet`,
          'wait until Katib has started trials (wait_for_optimization with status Running), then ask again',
        );
    }
    return trialLogs(this.kube, namespace, trial, opts);
  }

  /** Events of the experiment, its suggestion, its trials and their TrainJobs (with JobSets, Jobs, Pods). */
  async events(namespace: string, name: string, opts: { signal?: AbortSignal } = {}): Promise<ExperimentEvents> {
    const exp = await this.kube.get<Experiment>(RESOURCES.experiments, name, namespace, opts.signal);
    const { names } = await this.trialNames(namespace, name, opts.signal);
    return experimentEvents(this.kube, namespace, name, names, exp.metadata.creationTimestamp ?? '', opts.signal);
  }

  /** Watches until the experiment reaches one of `statuses` (or fails, or is deleted), bounded by the timeout. */
  async waitFor(
    namespace: string,
    name: string,
    opts: { statuses: ExperimentState[]; timeoutSeconds: number; signal?: AbortSignal; onChange?: (summary: ExperimentSummary) => void },
  ): Promise<ExperimentWaitResult> {
    const outcome = await waitForExperiment(this.kube, namespace, name, opts);
    const experiment = outcome.experiment ? await this.view(outcome.experiment, opts.signal) : undefined;
    return { experiment, reached: outcome.reached, deleted: outcome.deleted, waitedSeconds: outcome.waitedSeconds };
  }

  /** Deletes the Experiment; Katib's owner references take its trials and their TrainJobs with it. */
  async delete(namespace: string, name: string, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.kube.delete(RESOURCES.experiments, namespace, name, { dryRun: opts.dryRun, signal: opts.signal });
  }

  // -------------------------------------------------------------------------------------------

  private async view(exp: Experiment, signal?: AbortSignal): Promise<ExperimentView> {
    const name = exp.metadata.name ?? '';
    const namespace = exp.metadata.namespace ?? '';
    const { trials, truncated } = await this.listTrials(namespace, name, signal);
    const views = trials.map(trialView);
    const summary = experimentSummary(exp, views.some((t) => t.status === 'Running') || (exp.status?.trialsRunning ?? 0) > 0);
    if (summary.status === 'Failed' && summary.message === 'Suggestion has failed') {
      // Katib only says "Suggestion has failed"; the Suggestion carries the actual reason.
      const why = await this.suggestionFailure(namespace, name, signal);
      if (why) summary.message = `Suggestion has failed: ${why}`;
    }
    return { ...summary, trials: views, trialsTruncated: truncated };
  }

  private async listTrials(namespace: string, experiment: string, signal?: AbortSignal): Promise<{ trials: Trial[]; truncated: boolean }> {
    const trials: Trial[] = [];
    let cont: string | undefined;
    let truncated = false;
    do {
      const page = await this.kube.list<Trial>(
        RESOURCES.trials,
        namespace,
        { labelSelector: `${LABEL_EXPERIMENT}=${experiment}`, limit: TRIAL_PAGE, continue: cont },
        signal,
      );
      trials.push(...page.items);
      cont = page.metadata.continue || undefined;
      if (trials.length >= MAX_TRIALS_IN_VIEW && cont) {
        truncated = true;
        break;
      }
    } while (cont);
    trials.sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
    return { trials: trials.slice(0, MAX_TRIALS_IN_VIEW), truncated: truncated || trials.length > MAX_TRIALS_IN_VIEW };
  }

  private async trialNames(namespace: string, experiment: string, signal?: AbortSignal): Promise<{ names: string[]; truncated: boolean }> {
    const { trials, truncated } = await this.listTrials(namespace, experiment, signal);
    return { names: trials.map((t) => t.metadata.name ?? '').filter(Boolean), truncated };
  }

  private async suggestionFailure(namespace: string, name: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const s = await this.kube.get<Suggestion>(RESOURCES.suggestions, name, namespace, signal);
      return s.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True')?.message;
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) return undefined;
      throw err;
    }
  }
}
