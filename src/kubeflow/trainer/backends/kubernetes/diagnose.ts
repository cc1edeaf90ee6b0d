/**
 * Reads what the blockers need (src/kubeflow/trainer/blockers.ts): the job's pods (already read
 * for its view), then only what those pods point at: nodes for capacity and labels, the claims
 * they mount, the crashed container's last lines, and Kueue's Workload and queue position when
 * the job carries a queue label. Each extra read is best effort: a read RBAC refuses leaves that
 * detail out, never the blocker.
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../../../kube/client.js';
import type { KubeObject, Node } from '../../../../kube/types.js';
import {
  containerBlocker,
  podFindings,
  queueBlocker,
  schedulingBlockers,
  schedulingCauses,
  suspendedBlocker,
  type Blocker,
  type PodFinding,
  type QueuePosition,
  type SchedulingContext,
  type Workload,
} from '../../blockers.js';
import { LABEL_QUEUE_NAME } from '../../constants.js';
import type { TrainJobView } from '../../types.js';
import { clusterNodes } from './cluster.js';
import type { JobState } from './jobs.js';

/** Log lines shown with a crash. */
const CRASH_LOG_LINES = 15;

export async function diagnose(kube: KubeClient, state: Pick<JobState, 'trainJob' | 'pods'>, view: TrainJobView, signal?: AbortSignal): Promise<Blocker[]> {
  if (view.status === 'Complete') return [];
  const { trainJob } = state;
  const out: Blocker[] = [];
  const queue = trainJob.metadata.labels?.[LABEL_QUEUE_NAME];
  if (queue) {
    const q = await kueueBlocker(kube, trainJob.metadata.namespace ?? '', trainJob.metadata.uid, trainJob.metadata.name ?? '', queue, signal);
    if (q) out.push(q);
  } else if (view.status === 'Suspended') out.push(suspendedBlocker(view.name));

  // The newest pod of each step (the view's), so a replaced pod's old trouble is not reported.
  const byName = new Map(state.pods.map((p) => [p.metadata.name ?? '', p]));
  const findings: PodFinding[] = view.steps.flatMap((s) => {
    const pod = byName.get(s.podName);
    return pod ? podFindings(s.name, pod) : [];
  });
  const unschedulable = findings.filter((f) => f.kind === 'unschedulable');
  const ctx = unschedulable.length ? await schedulingContext(kube, unschedulable, signal) : {};
  for (const f of findings) {
    if (f.kind === 'unschedulable') out.push(...schedulingBlockers(f, ctx));
    else {
      const wantsLogs = f.kind === 'oom_killed' || f.kind === 'crash_loop' || f.kind === 'container_failed';
      const logs = wantsLogs && f.container ? await lastLines(kube, f, signal) : undefined;
      const image = [...(f.pod.spec?.initContainers ?? []), ...(f.pod.spec?.containers ?? [])].find((c) => c.name === f.container)?.image;
      out.push(containerBlocker(f, image, logs));
    }
  }
  return out;
}

async function schedulingContext(kube: KubeClient, findings: PodFinding[], signal?: AbortSignal): Promise<SchedulingContext> {
  const causes = findings.map((f) => schedulingCauses(f.message));
  const ctx: SchedulingContext = {};
  const reads: Array<Promise<void>> = [];
  if (causes.some((c) => c.insufficient.length)) {
    reads.push(bestEffort(clusterNodes(kube, signal)).then((r) => void (r && r.nodes.length && (ctx.nodes = r.nodes))));
  }
  if (causes.some((c) => c.selector)) {
    reads.push(
      bestEffort(kube.list<Node>(RESOURCES.nodes, undefined, undefined, signal)).then((l) => {
        if (l) ctx.nodeLabels = new Map(l.items.map((n) => [n.metadata.name ?? '', n.metadata.labels ?? {}]));
      }),
    );
  }
  const claims = new Set(
    findings
      .filter((_, i) => causes[i]!.unboundPvc)
      .flatMap((f) => (f.pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []))),
  );
  if (claims.size) {
    ctx.claims = new Map();
    const namespace = findings[0]!.pod.metadata.namespace;
    for (const claim of claims) {
      reads.push(
        kube.get<KubeObject & { status?: { phase?: string } }>(RESOURCES.persistentvolumeclaims, claim, namespace, signal).then(
          (pvc) => void ctx.claims!.set(claim, pvc.status?.phase ?? 'Pending'),
          (err: unknown) => void ctx.claims!.set(claim, err instanceof KubeApiError && err.status === 404 ? undefined : 'unknown'),
        ),
      );
    }
  }
  await Promise.all(reads);
  return ctx;
}

async function lastLines(kube: KubeClient, f: PodFinding, signal?: AbortSignal): Promise<string[] | undefined> {
  const path = kube.path(RESOURCES.pods, f.pod.metadata.namespace, f.pod.metadata.name, 'log');
  const text = await bestEffort(
    kube.text(path, { query: { container: f.container, tailLines: CRASH_LOG_LINES, previous: f.previous ? 'true' : undefined }, signal }),
  );
  if (!text) return undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
}

async function kueueBlocker(
  kube: KubeClient,
  namespace: string,
  uid: string | undefined,
  name: string,
  queue: string,
  signal?: AbortSignal,
): Promise<Blocker | undefined> {
  let items: Workload[];
  try {
    // Kueue labels a job's Workload with the job's uid and makes the job its owner.
    const byUid = uid
      ? (await kube.list<Workload & KubeObject>(RESOURCES.workloads, namespace, { labelSelector: `kueue.x-k8s.io/job-uid=${uid}` }, signal)).items
      : [];
    items = byUid.length
      ? byUid
      : (await kube.list<Workload & KubeObject>(RESOURCES.workloads, namespace, undefined, signal)).items.filter((w) =>
          w.metadata.ownerReferences?.some((o) => o.kind === 'TrainJob' && o.name === name),
        );
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) {
      return {
        reason: 'queue_unavailable',
        message: `the job names queue ${queue} (label ${LABEL_QUEUE_NAME}) but Kueue's Workload API is not served here`,
        hint: 'without Kueue nothing admits it: drop the queue, or install Kueue',
      };
    }
    if (err instanceof KubeApiError && err.status === 403)
      return {
        reason: 'queued',
        message: `queue ${queue}: Kueue's Workloads are hidden from you (RBAC)`,
        hint: 'ask an admin for read access to workloads.kueue.x-k8s.io to see why it waits',
      };
    throw err;
  }
  const workload = items.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))[0];
  const position =
    workload && !isAdmitted(workload)
      ? await queuePosition(kube, namespace, workload.spec?.queueName ?? queue, workload.metadata.name ?? '', signal)
      : undefined;
  return queueBlocker(queue, workload, position);
}

function isAdmitted(w: Workload): boolean {
  return w.status?.conditions?.some((c) => c.type === 'Admitted' && c.status === 'True') ?? false;
}

/** Positions from Kueue's visibility API, where it is served and readable. */
async function queuePosition(
  kube: KubeClient,
  namespace: string,
  localQueue: string,
  workload: string,
  signal?: AbortSignal,
): Promise<QueuePosition | undefined> {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(localQueue)) return undefined;
  const summary = await bestEffort(
    kube.json<{ items?: Array<{ metadata?: { name?: string }; positionInLocalQueue?: number; positionInClusterQueue?: number }> }>(
      'GET',
      kube.path(RESOURCES.localqueueVisibility, namespace, localQueue, 'pendingworkloads'),
      { signal },
    ),
  );
  const item = summary?.items?.find((i) => i.metadata?.name === workload);
  return item ? { localQueue: item.positionInLocalQueue, clusterQueue: item.positionInClusterQueue } : undefined;
}

/** The answer, or undefined when the API server refuses or lacks it (never hides a cancel). */
async function bestEffort<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof KubeApiError && err.reason === 'Aborted') throw err;
    return undefined;
  }
}
