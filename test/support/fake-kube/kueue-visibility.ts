/**
 * GET /apis/visibility.kueue.x-k8s.io/v1beta1/namespaces/{ns}/localqueues/{name}/pendingworkloads:
 * Kueue's visibility API (served by Kueue's aggregated API server). The answer is a
 * PendingWorkloadsSummary of the LocalQueue's workloads that hold no quota yet, in the order
 * Kueue's BestEffortFIFO queue keeps them (priority high to low, then oldest first), each with its
 * position in the LocalQueue and in the ClusterQueue (over every LocalQueue that feeds it).
 */
import type { ApiRequest, ServerState } from './context.js';
import { methodNotAllowed, notFound } from './errors.js';
import { sendJson } from './http-util.js';
import { findByResource } from './registry.js';

const WORKLOADS = findByResource('kueue.x-k8s.io', 'v1beta1', 'workloads')!;
const LOCALQUEUES = findByResource('kueue.x-k8s.io', 'v1beta1', 'localqueues')!;

const holdsQuota = (w: any): boolean =>
  (w.status?.conditions ?? []).some((c: any) => (c.type === 'QuotaReserved' || c.type === 'Finished') && c.status === 'True');

export function handlePendingWorkloads(state: ServerState, req: ApiRequest): void {
  if (req.info.verb !== 'get') throw methodNotAllowed();
  const ns = req.info.namespace!;
  const name = req.info.name!;
  const lq = state.store.get(LOCALQUEUES, ns, name);
  if (!lq) throw notFound({ group: 'visibility.kueue.x-k8s.io', resource: 'localqueues' }, name);
  const clusterQueue = lq.spec?.clusterQueue;
  // Every LocalQueue feeding the same ClusterQueue, as `ns/name`.
  const feeders = new Set(
    state.store
      .list(LOCALQUEUES)
      .filter((q: any) => q.spec?.clusterQueue === clusterQueue)
      .map((q: any) => `${q.metadata.namespace}/${q.metadata.name}`),
  );
  const order = (a: any, b: any) =>
    (b.spec?.priority ?? 0) - (a.spec?.priority ?? 0) || String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp));
  const inCluster = state.store
    .list(WORKLOADS)
    .filter((w: any) => feeders.has(`${w.metadata.namespace}/${w.spec?.queueName}`) && !holdsQuota(w) && w.spec?.active !== false)
    .sort(order);
  const inLocal = inCluster.filter((w: any) => w.metadata.namespace === ns && w.spec?.queueName === name);
  sendJson(req.res, 200, {
    kind: 'PendingWorkloadsSummary',
    apiVersion: 'visibility.kueue.x-k8s.io/v1beta1',
    metadata: { creationTimestamp: null },
    items: inLocal.map((w: any, i: number) => ({
      metadata: {
        name: w.metadata.name,
        namespace: w.metadata.namespace,
        creationTimestamp: w.metadata.creationTimestamp,
        ownerReferences: w.metadata.ownerReferences,
      },
      priority: w.spec?.priority ?? 0,
      localQueueName: name,
      positionInClusterQueue: inCluster.indexOf(w),
      positionInLocalQueue: i,
    })),
  });
}
