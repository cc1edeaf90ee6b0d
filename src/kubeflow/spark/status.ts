/**
 * Spark's own application states, reported as they are (docs/wire/spark.md#states). The SDK folds
 * them into four (Created, Running, Completed, Failed): a retry pending, an invalidated spec or an
 * unknown driver become "Failed", a suspended app "Running". We keep the operator's `state`, say
 * what it means in `status` without those folds, and give the SDK's value beside it for parity.
 */
import { SPARK_CONNECT_PORT } from './constants.js';
import type { SparkApplication, SparkConnect } from './types.js';

export const JOB_STATUSES = ['Created', 'Running', 'Failing', 'Retrying', 'Suspended', 'Completed', 'Failed', 'Unknown'] as const;
export type SparkJobStatus = (typeof JOB_STATUSES)[number];
export type SdkJobStatus = 'Created' | 'Running' | 'Completed' | 'Failed';

/** Operator state -> what it means. */
const MEANING: Record<string, SparkJobStatus> = {
  '': 'Created',
  SUBMITTED: 'Created',
  RUNNING: 'Running',
  SUCCEEDING: 'Running', // the driver exited 0; the operator is about to mark it COMPLETED
  FAILING: 'Failing', // the driver failed; FAILED next, or PENDING_RERUN when retries remain
  PENDING_RERUN: 'Retrying',
  INVALIDATING: 'Retrying', // the spec changed: the operator resubmits it
  SUSPENDING: 'Suspended',
  SUSPENDED: 'Suspended',
  RESUMING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  SUBMISSION_FAILED: 'Failed',
  UNKNOWN: 'Unknown',
};

/** SparkJobStatus.from_operator_state of SDK 0.5.0, kept for parity. */
const SDK: Record<string, SdkJobStatus> = {
  '': 'Created',
  SUBMITTED: 'Created',
  RUNNING: 'Running',
  SUCCEEDING: 'Running',
  SUSPENDING: 'Running',
  SUSPENDED: 'Running',
  RESUMING: 'Running',
  COMPLETED: 'Completed',
};

export function operatorState(app: Pick<SparkApplication, 'status'>): string {
  return (app.status?.applicationState?.state ?? '').toUpperCase();
}

export function jobStatus(state: string): SparkJobStatus {
  return MEANING[state] ?? 'Unknown';
}

export function sdkStatus(state: string): SdkJobStatus {
  return SDK[state] ?? 'Failed';
}

/** Only COMPLETED and FAILED are final; SUBMISSION_FAILED ends a wait too (the operator's next step is FAILED or a resubmission we should not sit through). */
export function isFinal(state: string): boolean {
  return state === 'COMPLETED' || state === 'FAILED' || state === 'SUBMISSION_FAILED';
}

/** The driver pod: spec.driver.podName, else the sparkConf override, else `<app>-driver` (the operator's rule). */
export function driverPodName(app: SparkApplication): string {
  return (
    app.status?.driverInfo?.podName || app.spec?.driver?.podName || app.spec?.sparkConf?.['spark.kubernetes.driver.pod.name'] || `${app.metadata.name}-driver`
  );
}

export const SESSION_STATES = ['Provisioning', 'Ready', 'NotReady', 'Failed'] as const;
export type SparkSessionState = (typeof SESSION_STATES)[number];

/** The operator writes Ready or NotReady; nothing yet is Provisioning (the SDK's reading too). */
export function sessionState(s: Pick<SparkConnect, 'status'>): SparkSessionState {
  const st = s.status?.state ?? '';
  return st === 'Ready' || st === 'NotReady' || st === 'Failed' ? st : 'Provisioning';
}

/** How to reach a session's Connect server: in the cluster, and from outside through a port-forward. */
export function sessionAddress(s: SparkConnect): { inCluster?: string; portForward?: string; local?: string } {
  const svc = s.status?.server?.serviceName;
  const ns = s.metadata.namespace ?? '';
  if (!svc) return {};
  return {
    inCluster: `sc://${svc}.${ns}.svc.cluster.local:${SPARK_CONNECT_PORT}`,
    portForward: `kubectl port-forward -n ${ns} svc/${svc} ${SPARK_CONNECT_PORT}:${SPARK_CONNECT_PORT}`,
    local: `sc://localhost:${SPARK_CONNECT_PORT}`,
  };
}
