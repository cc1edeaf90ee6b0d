/**
 * Why a job is not running: what Kubernetes, the kubelet and Kueue wrote about its pods and its
 * Workload, each turned into a blocker with a hint. Pure: the backend reads the objects
 * (backends/kubernetes/diagnose.ts) and this module reads their fields, as the scheduler, the
 * kubelet and Kueue write them:
 *  - pod condition PodScheduled=False, reason Unschedulable, message "0/3 nodes are available:
 *    3 Insufficient nvidia.com/gpu. preemption: ...", "... didn't match Pod's node
 *    affinity/selector", "... had untolerated taint {k: v}", "... unbound immediate
 *    PersistentVolumeClaims";
 *  - container waiting reasons ErrImagePull / ImagePullBackOff / InvalidImageName,
 *    CrashLoopBackOff, CreateContainerConfigError; terminated (or lastState terminated) OOMKilled;
 *  - Kueue Workload conditions QuotaReserved / Admitted / Evicted with their reasons.
 */
import type { Condition, ContainerStatus, Pod } from '../../kube/types.js';
import { parseQuantity } from '../../kube/quantity.js';
import type { NodeSummary } from './backend.js';
import { LABEL_QUEUE_NAME } from './constants.js';

export interface Blocker {
  /** What holds it: unschedulable, insufficient_resources, node_selector, taint, pvc_unbound, image_pull, crash_loop, oom_killed, container_failed, config_error, suspended, queued, inadmissible, evicted, queue_unavailable. */
  reason: string;
  /** The step (node-0, dataset-initializer, ...) it concerns, when it is about a pod. */
  step?: string;
  message: string;
  hint: string;
  /** The container's last log lines (crashes, OOM kills). */
  logs?: string[];
}

/** What a pod's status asks the backend to read before the blockers can be told. */
export interface PodFinding {
  step: string;
  pod: Pod;
  kind: 'unschedulable' | 'image_pull' | 'crash_loop' | 'oom_killed' | 'container_failed' | 'config_error';
  message: string;
  container?: string;
  /** The crashed run is the previous one (the container restarted since). */
  previous?: boolean;
  exitCode?: number;
}

const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
const CONFIG = new Set(['CreateContainerConfigError', 'CreateContainerError']);

/** Findings of one pod (at most one per container, plus one for scheduling). */
export function podFindings(step: string, pod: Pod): PodFinding[] {
  const out: PodFinding[] = [];
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (pod.status?.phase === 'Pending' && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    out.push({ step, pod, kind: 'unschedulable', message: scheduled.message ?? 'no node fits the pod' });
  }
  const statuses: ContainerStatus[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    const waiting = cs.state?.waiting;
    const terminated = cs.state?.terminated;
    const last = cs.lastState?.terminated;
    const base = { step, pod, container: cs.name };
    if (waiting?.reason && IMAGE_PULL.has(waiting.reason))
      out.push({ ...base, kind: 'image_pull', message: `${waiting.reason}: ${waiting.message ?? 'the image cannot be pulled'}` });
    else if (waiting?.reason && CONFIG.has(waiting.reason))
      out.push({ ...base, kind: 'config_error', message: `${waiting.reason}: ${waiting.message ?? ''}`.trim() });
    else if (terminated?.reason === 'OOMKilled')
      out.push({
        ...base,
        kind: 'oom_killed',
        message: `container ${cs.name} was OOMKilled (exit ${terminated.exitCode ?? 137})`,
        exitCode: terminated.exitCode,
      });
    else if (waiting?.reason === 'CrashLoopBackOff' && last?.reason === 'OOMKilled')
      out.push({
        ...base,
        kind: 'oom_killed',
        previous: true,
        message: `container ${cs.name} was OOMKilled (exit ${last.exitCode ?? 137}) and restarted ${cs.restartCount ?? 0} time(s); now CrashLoopBackOff`,
        exitCode: last.exitCode,
      });
    else if (waiting?.reason === 'CrashLoopBackOff')
      out.push({
        ...base,
        kind: 'crash_loop',
        previous: true,
        message: `CrashLoopBackOff: container ${cs.name} exited ${last?.exitCode ?? '?'}${last?.reason ? ` (${last.reason})` : ''}, restarted ${cs.restartCount ?? 0} time(s)`,
        exitCode: last?.exitCode,
      });
    else if (terminated && terminated.exitCode !== undefined && terminated.exitCode !== 0)
      out.push({
        ...base,
        kind: 'container_failed',
        message: `container ${cs.name} exited ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`,
        exitCode: terminated.exitCode,
      });
  }
  return out;
}

/** What the scheduler's Unschedulable message says, by cause. */
export interface SchedulingCauses {
  insufficient: string[];
  selector: boolean;
  taints: string[];
  unboundPvc: boolean;
}

export function schedulingCauses(message: string): SchedulingCauses {
  // The scheduler appends "preemption: ..." about victims; only the part before it says why.
  const why = message.split(/\bpreemption:/)[0] ?? message;
  return {
    insufficient: [...new Set([...why.matchAll(/Insufficient ([\w./-]*\w)/g)].map((m) => m[1]!))],
    selector: /didn't match Pod's node affinity\/selector|didn't match node selector/.test(why),
    taints: [...new Set([...why.matchAll(/untolerated taint\(?s?\)? ?\{([^}]*)\}/g)].map((m) => m[1]!.trim()))],
    unboundPvc: /unbound immediate PersistentVolumeClaims/.test(why),
  };
}

/** What a pod asks for of one resource (all containers; limits stand in for missing requests). */
function podRequest(pod: Pod, resource: string): number {
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) {
    const v = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
    if (v !== undefined) sum += parseQuantity(v) || 0;
  }
  return sum;
}

/** "gpu-a 2 of 8, gpu-b 0 of 8" for one resource, free = allocatable - requested per node. */
export function freePerNode(nodes: NodeSummary[], resource: string): string {
  const rows = nodes.flatMap((n) => {
    if (resource === 'cpu') return [`${n.name} ${round(n.cpu.allocatable - n.cpu.requested)} of ${n.cpu.allocatable}`];
    if (resource === 'memory') return [`${n.name} ${round(n.memoryGiB.allocatable - n.memoryGiB.requested)}Gi of ${n.memoryGiB.allocatable}Gi`];
    const g = n.gpus.find((x) => x.resource === resource);
    return g ? [`${n.name} ${Math.max(0, g.allocatable - g.requested)} of ${g.allocatable}${n.ready && n.schedulable ? '' : ' (not schedulable)'}`] : [];
  });
  return rows.length ? rows.join(', ') : `no node offers ${resource}`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface SchedulingContext {
  /** Nodes with allocatable and requested resources (absent when they cannot be read). */
  nodes?: NodeSummary[];
  /** Labels of each node, for node selector mismatches. */
  nodeLabels?: Map<string, Record<string, string>>;
  /** Phase of each PersistentVolumeClaim the pod mounts (absent = not found). */
  claims?: Map<string, string | undefined>;
}

/** The blockers an Unschedulable pod stands for, with what is free where. */
export function schedulingBlockers(f: PodFinding, ctx: SchedulingContext): Blocker[] {
  const causes = schedulingCauses(f.message);
  const out: Blocker[] = [];
  for (const resource of causes.insufficient) {
    const asks = podRequest(f.pod, resource);
    const free = ctx.nodes ? freePerNode(ctx.nodes, resource) : 'free capacity per node is hidden from you (RBAC)';
    out.push({
      reason: 'insufficient_resources',
      step: f.step,
      message: `not enough ${resource}: the pod asks for ${asks || '?'}; free per node: ${free}`,
      hint: isGpu(resource)
        ? 'wait for GPUs to free up, ask for fewer per node (more nodes, or qlora), or delete finished jobs holding them (list_training_jobs)'
        : `ask for less ${resource} per node (resources), or wait for capacity`,
    });
  }
  if (causes.selector) {
    const selector = f.pod.spec?.nodeSelector ?? {};
    const wanted = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
    const matching = ctx.nodeLabels
      ? [...ctx.nodeLabels.entries()].filter(([, labels]) => Object.entries(selector).every(([k, v]) => labels[k] === v)).map(([n]) => n)
      : undefined;
    out.push({
      reason: 'node_selector',
      step: f.step,
      message: `no node matches the pod's node selector${wanted.length ? ` ${wanted.join(', ')}` : ' / affinity'}${matching ? ` (${matching.length} node(s) match)` : ''}`,
      hint: 'label nodes to match, or use a runtime whose pod template selects nodes that exist (get_runtime shows it)',
    });
  }
  if (causes.taints.length) {
    out.push({
      reason: 'taint',
      step: f.step,
      message: `nodes have taints the pod does not tolerate: ${causes.taints.map((t) => `{${t}}`).join(', ')}`,
      hint: "the runtime's pod template needs tolerations for these taints (ask the platform admin), or use nodes without them",
    });
  }
  if (causes.unboundPvc) {
    const pending = [...(ctx.claims ?? new Map()).entries()].filter(([, phase]) => phase !== 'Bound');
    out.push({
      reason: 'pvc_unbound',
      step: f.step,
      message: pending.length
        ? `PersistentVolumeClaim ${pending.map(([n, phase]) => `${n} (${phase ?? 'not found'})`).join(', ')} not bound`
        : 'a PersistentVolumeClaim of the pod is not bound',
      hint: "the claim needs a matching PersistentVolume or a StorageClass that provisions one; get_training_events shows the provisioner's errors",
    });
  }
  if (out.length === 0) out.push({ reason: 'unschedulable', step: f.step, message: f.message, hint: "see get_training_events for the scheduler's events" });
  return out;
}

function isGpu(resource: string): boolean {
  return /gpu|tpu|neuron|gaudi|ascend|mig-/i.test(resource);
}

/** The blocker of a container finding (not scheduling), with its last log lines when read. */
export function containerBlocker(f: PodFinding, image: string | undefined, logs: string[] | undefined): Blocker {
  const withLogs = logs?.length ? { logs } : {};
  switch (f.kind) {
    case 'image_pull':
      return {
        reason: 'image_pull',
        step: f.step,
        message: f.message,
        hint: `check the image name and tag${image ? ` (${image})` : ''}; a private registry needs an imagePullSecret in the runtime's pod template`,
      };
    case 'config_error':
      return {
        reason: 'config_error',
        step: f.step,
        message: f.message,
        hint: 'a Secret or ConfigMap the container uses is missing or lacks the key: create it in the namespace',
      };
    case 'oom_killed':
      return {
        reason: 'oom_killed',
        step: f.step,
        message: f.message,
        hint: 'raise memory in resources per node, or lower batch size / sequence length (estimate_resources)',
        ...withLogs,
      };
    case 'crash_loop':
      return {
        reason: 'crash_loop',
        step: f.step,
        message: f.message,
        hint: 'the training code fails at start: see the log lines; fix and submit again',
        ...withLogs,
      };
    default:
      return { reason: 'container_failed', step: f.step, message: f.message, hint: 'see the log lines (get_training_logs for more)', ...withLogs };
  }
}

/** Kueue's Workload as the blockers read it (kueue.x-k8s.io/v1beta1). */
export interface Workload {
  metadata: { name?: string; namespace?: string; creationTimestamp?: string };
  spec?: { queueName?: string; priority?: number; active?: boolean };
  status?: { conditions?: Condition[]; admission?: { clusterQueue?: string } };
}

export interface QueuePosition {
  localQueue?: number;
  clusterQueue?: number;
}

/**
 * Kueue's view of the job: undefined when its Workload is admitted (Kueue then unsuspends the
 * job, and the pods tell the rest). `workload` undefined = Kueue has not made one (yet).
 */
export function queueBlocker(queue: string, workload: Workload | undefined, position?: QueuePosition): Blocker | undefined {
  if (!workload) {
    return {
      reason: 'queued',
      message: `queue ${queue} (label ${LABEL_QUEUE_NAME}): Kueue has not created a Workload for the job yet`,
      hint: 'Kueue creates one within seconds when it manages this namespace; if none appears, the queue label is ignored and the job stays suspended: ask the admin whether Kueue is set up here',
    };
  }
  const conds = workload.status?.conditions ?? [];
  const cond = (type: string) => conds.find((c) => c.type === type);
  const where = `queue ${workload.spec?.queueName ?? queue}${workload.status?.admission?.clusterQueue ? ` (ClusterQueue ${workload.status.admission.clusterQueue})` : ''}`;
  if (workload.spec?.active === false)
    return {
      reason: 'inadmissible',
      message: `${where}: the Workload ${workload.metadata.name} is deactivated (spec.active=false)`,
      hint: 'an admin deactivated it or Kueue did after too many evictions; it must be reactivated',
    };
  const evicted = cond('Evicted');
  const admitted = cond('Admitted');
  if (admitted?.status === 'True' && evicted?.status !== 'True') return undefined;
  if (evicted?.status === 'True') {
    return {
      reason: 'evicted',
      message: `${where}: evicted (${evicted.reason ?? 'Evicted'}): ${evicted.message ?? ''}`.trim(),
      hint:
        evicted.reason === 'Preempted'
          ? 'a higher-priority workload took the quota; it is requeued and runs when quota frees up'
          : 'Kueue requeues it; see the message',
    };
  }
  const reserved = cond('QuotaReserved');
  const pos =
    position && (position.localQueue !== undefined || position.clusterQueue !== undefined)
      ? `; position ${[position.localQueue !== undefined ? `${position.localQueue + 1} in ${workload.spec?.queueName ?? queue}` : '', position.clusterQueue !== undefined ? `${position.clusterQueue + 1} in its ClusterQueue` : ''].filter(Boolean).join(', ')}`
      : '';
  if (reserved?.status === 'True') {
    return {
      reason: 'queued',
      message: `${where}: quota reserved, waiting for admission checks${pos}`,
      hint: admitted?.message ?? 'Kueue admits it once its admission checks pass',
    };
  }
  const inadmissible = reserved?.reason === 'Inadmissible';
  return {
    reason: inadmissible ? 'inadmissible' : 'queued',
    message: `${where}: not admitted${reserved?.message ? ` — ${reserved.message}` : ''}${pos}`,
    hint: inadmissible
      ? 'the queue cannot admit it as it is: check the queue name (LocalQueue in this namespace) and that its ClusterQueue is active and offers these resources'
      : 'waiting for quota: it starts when earlier workloads finish; ask for fewer resources to fit sooner',
  };
}

/** The suspended job's blocker when Kueue does not own the suspension. */
export function suspendedBlocker(name: string): Blocker {
  return { reason: 'suspended', message: 'the job is suspended (spec.suspend=true): no pods run', hint: `resume_training_job(name="${name}") to start it` };
}

/** Kueue's LocalQueue as the pre-flight reads it. */
export interface LocalQueue {
  metadata: { name?: string };
  spec?: { clusterQueue?: string };
  status?: { conditions?: Condition[]; pendingWorkloads?: number; admittedWorkloads?: number };
}

/**
 * Whether a LocalQueue can admit a job now: it must exist (undefined = not found) and be Active
 * (Kueue sets Active=False with ClusterQueueDoesNotExist / ClusterQueueIsInactive when its
 * ClusterQueue cannot admit). ok null: it can, but others wait ahead.
 */
export function queueCheck(name: string, lq: LocalQueue | undefined): { ok: boolean | null; detail: string } {
  if (!lq)
    return {
      ok: false,
      detail: `LocalQueue ${name} does not exist in this namespace: jobs sent to it stay suspended; pick an existing queue or leave queue out`,
    };
  const active = lq.status?.conditions?.find((c) => c.type === 'Active');
  const cq = lq.spec?.clusterQueue ? ` (ClusterQueue ${lq.spec.clusterQueue})` : '';
  if (active && active.status !== 'True')
    return { ok: false, detail: `LocalQueue ${name}${cq} is inactive: ${active.reason ?? ''}${active.message ? ` — ${active.message}` : ''}`.trim() };
  const pending = lq.status?.pendingWorkloads ?? 0;
  const load = `${pending} workload(s) pending, ${lq.status?.admittedWorkloads ?? 0} admitted`;
  return pending > 0
    ? { ok: null, detail: `LocalQueue ${name}${cq} is active; ${load}: a new job waits behind them` }
    : { ok: true, detail: `LocalQueue ${name}${cq} is active; ${load}` };
}
