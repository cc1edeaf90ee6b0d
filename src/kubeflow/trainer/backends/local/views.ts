/**
 * JobRecord -> TrainJobView, shaped as the Kubernetes backend shapes it: one step per node
 * ('node-0'..'node-N-1', the torchrun ranks; all share the job's process group, so `pod` is the
 * group's `pid:<n>`), and Complete / Failed / Suspended conditions as the Trainer controller
 * sets them.
 */
import type { Condition, KubeEvent } from '../../../../kube/types.js';
import { NODE } from '../../constants.js';
import type { JobStatus, Step, TrainJobView } from '../../types.js';
import type { DamagedRecordError } from './errors.js';
import { lifecycleEvent } from './events.js';
import { MAX_HISTORY, type JobRecord } from './records.js';

function statusOf(record: JobRecord): JobStatus {
  switch (record.phase) {
    case 'Succeeded':
      return 'Complete';
    case 'Failed':
      return 'Failed';
    case 'Running':
      return record.suspended ? 'Suspended' : 'Running';
    default:
      return record.suspended ? 'Suspended' : 'Created';
  }
}

/** Pod-phase-like status of every node step. A stopped (suspended) process reports 'Suspended'. */
function stepStatus(record: JobRecord): string {
  switch (record.phase) {
    case 'Succeeded':
      return 'Succeeded';
    case 'Failed':
      return 'Failed';
    case 'Running':
      return record.suspended ? 'Suspended' : 'Running';
    default:
      return 'Pending';
  }
}

function podName(record: JobRecord): string {
  return record.process ? `pid:${record.process.pid}` : '';
}

export function jobView(record: JobRecord): TrainJobView {
  const status = stepStatus(record);
  const steps: Step[] = Array.from({ length: record.numNodes }, (_, i) => ({
    name: `${NODE}-${i}`,
    status,
    podName: podName(record),
    device: record.device,
    deviceCount: record.deviceCount,
  }));
  return {
    name: record.name,
    namespace: record.namespace,
    runtime: record.runtime,
    status: statusOf(record),
    numNodes: record.numNodes,
    creationTimestamp: record.createdAt,
    steps,
    conditions: record.conditions,
    labels: record.labels,
    ...(record.annotations ? { annotations: record.annotations } : {}),
  };
}

/** A job whose status record cannot be read: listed as Unknown, with the file and the way out. */
export function damagedView(err: DamagedRecordError): TrainJobView {
  return {
    name: err.jobName,
    namespace: err.namespace,
    runtime: { name: 'unknown', kind: 'ClusterTrainingRuntime' },
    status: 'Unknown',
    numNodes: 0,
    creationTimestamp: '',
    steps: [],
    conditions: [
      {
        type: 'RecordDamaged',
        status: 'True',
        reason: 'RecordDamaged',
        message: `${err.message}. To fix: ${err.hint}`,
        lastTransitionTime: new Date().toISOString(),
      },
    ],
    labels: {},
  };
}

/** The only event shown for a job whose events file cannot be read. */
export function damagedEvents(err: DamagedRecordError): KubeEvent[] {
  return [lifecycleEvent({ namespace: err.namespace, name: err.jobName, uid: '' }, 'RecordDamaged', `${err.message}. To fix: ${err.hint}`, 'Warning')];
}

/** metav1 SetStatusCondition: one condition per type; the transition time moves only on change. */
export function setCondition(conditions: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'>, now = new Date()): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = existing && existing.status === next.status ? existing.lastTransitionTime : now.toISOString();
  const updated = { ...next, lastTransitionTime };
  return existing ? conditions.map((c) => (c.type === next.type ? updated : c)) : [...conditions, updated];
}

/** Appends to the bounded status history when the status changed. */
export function withHistory(record: JobRecord, detail?: string, now = new Date()): JobRecord {
  const status = statusOf(record);
  const last = record.history[record.history.length - 1];
  if (last?.status === status) return record;
  return { ...record, history: [...record.history, { time: now.toISOString(), status, ...(detail ? { detail } : {}) }].slice(-MAX_HISTORY) };
}
