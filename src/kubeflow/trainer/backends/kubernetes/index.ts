/**
 * The Kubernetes backend: Kubeflow Trainer v2 (trainer.kubeflow.org/v1alpha1) at the v2.3 wire
 * level, producing the objects SDK 0.5.0 produces. One instance per caller identity (its KubeClient
 * carries the identity).
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../../../kube/client.js';
import type { KubeObject } from '../../../../kube/types.js';
import type { ClusterResources, ListJobsOptions, PreparedJob, QuotaLine, SubmitResult, TrainerBackend, TrainRequest } from '../../backend.js';
import { DEFAULT_RUNTIME } from '../../constants.js';
import { buildInitializer, type InitializerInput } from '../../initializers.js';
import { generateJobName } from '../../names.js';
import { runtimeFromObject } from '../../runtime.js';
import { builtinTrainer, buildTrainJob } from '../../trainjob.js';
import { codeOrContainerTrainer } from '../../requestTrainer.js';
import type { LocalQueue } from '../../blockers.js';
import type { MetricsReader } from '../../metrics.js';
import type { JobStatus, Runtime, TrainerSpec, TrainingRuntimeObject, TrainJob } from '../../types.js';
import { clusterNodes } from './cluster.js';
import { jobEvents } from './events.js';
import { diagnose } from './diagnose.js';
import { getJob, listJobs, loadJobState, viewOf } from './jobs.js';
import { RuntimeMemo } from './runtimes.js';
import { stepLogs, stepMetrics } from './logs.js';
import { runtimePackages } from './packages.js';
import { getRuntime, getRuntimeObject, listRuntimes } from './runtimes.js';
import { waitForJob } from './wait.js';

export class KubernetesBackend implements TrainerBackend {
  readonly kind = 'kubernetes' as const;
  readonly validatedBy = 'the API server';
  readonly builtinTrainers = true;

  constructor(private readonly kube: KubeClient) {}

  describe(): string {
    const c = this.kube.connection;
    return `Kubernetes ${c.server} (${c.source === 'in-cluster' ? 'in-cluster service account' : `context ${c.context}`})`;
  }

  defaultNamespace(): string {
    return this.kube.connection.defaultNamespace;
  }

  listRuntimes(namespace: string, signal?: AbortSignal) {
    return listRuntimes(this.kube, namespace, signal);
  }

  getRuntime(namespace: string, name: string, signal?: AbortSignal) {
    return getRuntime(this.kube, namespace, name, signal);
  }

  getRuntimeObject(namespace: string, name: string, signal?: AbortSignal) {
    return getRuntimeObject(this.kube, namespace, name, signal);
  }

  async prepare(namespace: string, request: TrainRequest, signal?: AbortSignal): Promise<PreparedJob> {
    const raw = await getRuntimeObject(this.kube, namespace, request.runtime ?? DEFAULT_RUNTIME, signal);
    const runtime = runtimeFromObject(raw);
    const init = request.initializer;
    const initializer = buildInitializer({
      dataset: init?.dataset ? storage(init.dataset) : undefined,
      model: init?.model ? storage(init.model) : undefined,
    });
    const name = request.name ?? generateJobName();
    const object = buildTrainJob({
      name,
      namespace,
      runtime,
      trainer: trainerSpec(runtime, raw, request),
      initializer,
      labels: request.labels,
      annotations: request.annotations,
      activeDeadlineSeconds: request.activeDeadlineSeconds,
      queue: request.queue,
    });
    return { name, namespace, runtime, request, object };
  }

  async submit(job: PreparedJob, opts: { dryRun: boolean; signal?: AbortSignal }): Promise<SubmitResult> {
    const accepted = await this.kube.create<TrainJob>(RESOURCES.trainjobs, job.namespace, job.object, opts);
    return { ...job, accepted, dryRun: opts.dryRun };
  }

  listJobs(namespace: string, opts: ListJobsOptions) {
    return listJobs(this.kube, namespace, opts);
  }

  getJob(namespace: string, name: string, signal?: AbortSignal) {
    return getJob(this.kube, namespace, name, signal);
  }

  async diagnose(namespace: string, name: string, signal?: AbortSignal) {
    const state = await loadJobState(this.kube, namespace, name, signal);
    const job = await viewOf(state, new RuntimeMemo(this.kube, namespace, signal));
    return { job, blockers: await diagnose(this.kube, state, job, signal) };
  }

  getJobObject(namespace: string, name: string, signal?: AbortSignal) {
    return this.kube.get<TrainJob>(RESOURCES.trainjobs, name, namespace, signal);
  }

  async logs(namespace: string, name: string, opts: { step: string; tail: number; sinceSeconds?: number; followSeconds?: number; signal?: AbortSignal }) {
    return stepLogs(this.kube, await getJob(this.kube, namespace, name, opts.signal), opts);
  }

  async readMetrics(namespace: string, name: string, opts: { step: string; reader: MetricsReader; signal?: AbortSignal }) {
    return stepMetrics(this.kube, await getJob(this.kube, namespace, name, opts.signal), opts);
  }

  async events(namespace: string, name: string, signal?: AbortSignal) {
    return jobEvents(this.kube, await getJob(this.kube, namespace, name, signal), signal);
  }

  waitFor(
    namespace: string,
    name: string,
    opts: { statuses: JobStatus[]; timeoutSeconds: number; signal?: AbortSignal; onChange?: Parameters<TrainerBackend['waitFor']>[2]['onChange'] },
  ) {
    return waitForJob(this.kube, namespace, name, opts);
  }

  async deleteJob(namespace: string, name: string, opts: { dryRun: boolean; signal?: AbortSignal }): Promise<void> {
    await this.kube.delete(RESOURCES.trainjobs, namespace, name, opts);
  }

  async setSuspended(namespace: string, name: string, suspend: boolean, opts: { dryRun: boolean; signal?: AbortSignal }) {
    await this.kube.mergePatch<TrainJob>(RESOURCES.trainjobs, namespace, name, { spec: { suspend } }, opts);
    return getJob(this.kube, namespace, name, opts.signal);
  }

  runtimePackages(namespace: string, runtime: string, opts: { timeoutSeconds: number; signal?: AbortSignal; onProgress?: (message: string) => void }) {
    return runtimePackages(this, this.kube, namespace, runtime, opts);
  }

  runtimePackagesPlan(namespace: string, runtime: Runtime, timeoutSeconds: number): string {
    const t = runtime.trainer;
    return `This creates a temporary TrainJob on ${runtime.name} (image ${t.image}, 1 node${t.device === 'gpu' ? ", the runtime's GPU request" : ', 1 CPU'}) in ${namespace}, waits up to ${timeoutSeconds}s and deletes it.`;
  }

  async clusterResources(namespace: string, signal?: AbortSignal): Promise<ClusterResources> {
    const [{ nodes, notes }, quota] = await Promise.all([clusterNodes(this.kube, signal), quotaLines(this.kube, namespace, signal)]);
    return { backend: this.describe(), nodes, quota, notes };
  }

  quota(namespace: string, signal?: AbortSignal): Promise<QuotaLine[]> {
    return quotaLines(this.kube, namespace, signal);
  }

  async localQueue(namespace: string, name: string, signal?: AbortSignal): Promise<LocalQueue | undefined> {
    try {
      return await this.kube.get<LocalQueue & KubeObject>(RESOURCES.localqueues, name, namespace, signal);
    } catch (err) {
      // A missing object names itself; a missing resource type (Kueue not installed) does not.
      if (err instanceof KubeApiError && err.status === 404 && err.details?.name) return undefined;
      throw err;
    }
  }

  async canI(namespace: string, verb: string, resource: string, group: string, signal?: AbortSignal) {
    const review = await this.kube.create<KubeObject & { status?: { allowed?: boolean; reason?: string } }>(
      RESOURCES.selfsubjectaccessreviews,
      undefined,
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb, resource, group } } },
      { signal },
    );
    return review.status ? { allowed: review.status.allowed === true, reason: review.status.reason || undefined } : undefined;
  }
}

function storage(s: { uri: string; secretName?: string }): InitializerInput {
  return { storageUri: s.uri, secretName: s.secretName };
}

function trainerSpec(runtime: Runtime, raw: TrainingRuntimeObject, request: TrainRequest): TrainerSpec {
  const t = request.trainer;
  switch (t.kind) {
    case 'custom':
    case 'container':
      return codeOrContainerTrainer(runtime, t);
    case 'builtin': {
      const dataset = request.initializer?.dataset?.uri;
      return builtinTrainer(runtime, {
        numNodes: t.numNodes,
        resourcesPerNode: t.resourcesPerNode,
        config: {
          dtype: t.dtype,
          batchSize: t.batchSize,
          epochs: t.epochs,
          peft: t.peftMethod === 'full' ? undefined : { method: t.peftMethod, rank: t.loraRank, alpha: t.loraAlpha, dropout: t.loraDropout },
          datasetUri: dataset,
          datasetPreprocess: dataset ? { source: t.datasetFormat ?? 'parquet' } : undefined,
        },
        extraArgs: dataset ? [] : runtimeDatasetArgs(raw),
      });
    }
  }
}

/**
 * The controller replaces a TorchTune runtime's command with `tune run <recipe> --config <cfg>`
 * plus its immutable items, dropping the runtime's own dataset=... items. Without a dataset of the
 * user's, we re-supply those so the job trains on the runtime's default dataset as shipped.
 */
function runtimeDatasetArgs(raw: TrainingRuntimeObject): string[] {
  for (const job of raw.spec.template.spec.replicatedJobs) {
    const node = job.template.spec.template.spec.containers.find((c) => c.name === 'node');
    if (node?.command?.[0] === 'tune') return node.command.filter((a) => /^dataset(\.[\w.]+)?=/.test(a));
  }
  return [];
}

async function quotaLines(kube: KubeClient, namespace: string, signal?: AbortSignal): Promise<QuotaLine[]> {
  try {
    const list = await kube.list<KubeObject & { status?: { hard?: Record<string, string>; used?: Record<string, string> } }>(
      RESOURCES.resourcequotas,
      namespace,
      undefined,
      signal,
    );
    return list.items.flatMap((q) =>
      Object.entries(q.status?.hard ?? {}).map(([resource, hard]) => ({
        quota: q.metadata.name ?? '',
        resource,
        hard,
        used: q.status?.used?.[resource] ?? '0',
      })),
    );
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) return [];
    throw err;
  }
}
