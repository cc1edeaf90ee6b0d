/**
 * Runtime lookup as SDK 0.5.0 does it (docs/wire/trainer.md#runtime-lookup): a namespaced TrainingRuntime wins over a
 * ClusterTrainingRuntime of the same name; runtimes without the framework label are skipped.
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../../../kube/client.js';
import type { RuntimeListing } from '../../backend.js';
import { pickRuntimes, runtimeFromObject } from '../../runtime.js';
import type { Runtime, TrainingRuntimeObject } from '../../types.js';
import { RuntimeNotFoundError } from '../../errors.js';

/** Errors that mean "you cannot see this kind here" rather than "the cluster is broken". */
function isHidden(err: unknown): err is KubeApiError {
  return err instanceof KubeApiError && (err.status === 404 || err.status === 403);
}

export async function listRuntimes(kube: KubeClient, namespace: string, signal?: AbortSignal): Promise<RuntimeListing> {
  const notes: string[] = [];
  const [cluster, namespaced] = await Promise.all([
    kube.list<TrainingRuntimeObject>(RESOURCES.clustertrainingruntimes, undefined, undefined, signal).then(
      (l) => l.items,
      (err: unknown) => {
        if (!isHidden(err)) throw err;
        notes.push(
          err.status === 404
            ? 'ClusterTrainingRuntimes are not served: is Kubeflow Trainer v2 installed?'
            : `cannot list ClusterTrainingRuntimes: ${err.message}`,
        );
        return [];
      },
    ),
    kube.list<TrainingRuntimeObject>(RESOURCES.trainingruntimes, namespace, undefined, signal).then(
      (l) => l.items,
      (err: unknown) => {
        if (!isHidden(err)) throw err;
        if (err.status === 403) notes.push(`cannot list TrainingRuntimes in ${namespace}: ${err.message}`);
        return [];
      },
    ),
  ]);
  return { ...pickRuntimes(cluster, namespaced), notes };
}

/** The raw runtime object: namespaced first, the cluster-scoped one when that is missing or hidden. */
export async function getRuntimeObject(kube: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<TrainingRuntimeObject> {
  try {
    return await kube.get<TrainingRuntimeObject>(RESOURCES.trainingruntimes, name, namespace, signal);
  } catch (err) {
    if (!isHidden(err)) throw err;
  }
  try {
    return await kube.get<TrainingRuntimeObject>(RESOURCES.clustertrainingruntimes, name, undefined, signal);
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 404)) throw err;
  }
  const available = await listRuntimes(kube, namespace, signal).then(
    (l) => l.runtimes.map((r) => r.name),
    () => [] as string[],
  );
  throw new RuntimeNotFoundError(name, available);
}

export async function getRuntime(kube: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<Runtime> {
  return runtimeFromObject(await getRuntimeObject(kube, namespace, name, signal));
}

/** Per-call memo so listing N jobs on the same runtime costs one lookup, not N. */
export class RuntimeMemo {
  private readonly cache = new Map<string, Promise<Runtime | undefined>>();
  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    private readonly signal?: AbortSignal,
  ) {}

  get(name: string): Promise<Runtime | undefined> {
    let p = this.cache.get(name);
    if (!p) {
      p = getRuntime(this.kube, this.namespace, name, this.signal).catch((err: unknown) => {
        if (err instanceof RuntimeNotFoundError) return undefined;
        throw err;
      });
      this.cache.set(name, p);
    }
    return p;
  }
}
