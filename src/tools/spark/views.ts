/** How Spark jobs and sessions appear in tool outputs, and the inputs every spark tool shares. */
import { z } from 'zod';
import type { SparkJobSummary, SparkJobView, SparkSessionView } from '../../kubeflow/spark/client.js';
import { age, fields, kv, table } from '../render.js';
import { jobName } from '../schemas.js';

/** Which Spark resource a tool acts on: a batch job (SparkApplication, the default) or a Connect session (SparkConnect). */
export const session = z.boolean().default(false);
/** Spark names are DNS-1035 labels (the operator's webhook refuses others), like TrainJob names. */
export const sparkName = jobName;

const podState = z.object({ pod: z.string(), phase: z.string().optional(), detail: z.string().optional(), state: z.string().optional() });

export const jobSummaryOut = z.object({
  name: z.string(),
  state: z.string().describe("the operator's applicationState.state"),
  status: z.string(),
  sdk_status: z.string(),
  error: z.string().optional(),
  type: z.string(),
  main_file: z.string(),
  executors: z.string(),
  created: z.string(),
});

export const jobDetailOut = jobSummaryOut.extend({
  spark_app_id: z.string().optional(),
  attempts: z.object({ submission: z.number().optional(), execution: z.number().optional() }),
  terminated: z.string().optional(),
  web_ui: z.string().optional(),
  driver: podState,
  executor_pods: z.array(podState),
  events: z.array(z.object({ time: z.string(), type: z.string(), reason: z.string(), message: z.string() })),
});

export const sessionOut = z.object({
  name: z.string(),
  state: z.string(),
  reason: z.string().optional(),
  server_pod: z.string().optional(),
  service: z.string().optional(),
  executors: z.record(z.string(), z.number()),
  address: z.string().optional().describe('sc:// address inside the cluster'),
  port_forward: z.string().optional(),
  local_address: z.string().optional(),
  created: z.string(),
});

function executorsText(s: SparkJobSummary): string {
  if (s.dynamic) return `dynamic ${s.dynamic.min ?? 0}-${s.dynamic.max ?? '?'}${s.executors !== undefined ? ` (start ${s.executors})` : ''}`;
  return String(s.executors ?? 1);
}

export function jobSummaryView(s: SparkJobSummary): z.infer<typeof jobSummaryOut> {
  return {
    name: s.name,
    state: s.state || 'NEW',
    status: s.status,
    sdk_status: s.sdkStatus,
    error: s.error,
    type: s.type,
    main_file: s.mainFile,
    executors: executorsText(s),
    created: s.created,
  };
}

export function jobDetailView(v: SparkJobView): z.infer<typeof jobDetailOut> {
  return {
    ...jobSummaryView(v),
    spark_app_id: v.sparkAppId,
    attempts: { submission: v.submissionAttempts, execution: v.executionAttempts },
    terminated: v.terminated,
    web_ui: v.webUi,
    driver: v.driver,
    executor_pods: v.executorPods,
    events: v.events,
  };
}

export function sessionViewOut(s: SparkSessionView): z.infer<typeof sessionOut> {
  return {
    name: s.name,
    state: s.state,
    reason: s.reason,
    server_pod: s.serverPod,
    service: s.service,
    executors: s.executors,
    address: s.address.inCluster,
    port_forward: s.address.portForward,
    local_address: s.address.local,
    created: s.created,
  };
}

const pod = (p: z.infer<typeof podState>) => `${p.pod} ${p.state ?? p.phase ?? '-'}${p.detail ? ` (${p.detail})` : ''}`;

export function renderJob(j: z.infer<typeof jobDetailOut>): string {
  return [
    fields([
      ['spark job', j.name],
      ['state', `${j.state} (${j.status}; SDK: ${j.sdk_status})`],
      ['error', j.error],
      ['app', `${j.type} ${j.main_file}`],
      ['executors', j.executors],
      ['attempts', kv({ submission: j.attempts.submission, execution: j.attempts.execution })],
      ['driver', pod(j.driver)],
      ['web ui', j.web_ui],
      ['age', age(j.created)],
    ]),
    j.executor_pods.length
      ? table(
          ['EXECUTOR POD', 'STATE', 'PHASE', 'DETAIL'],
          j.executor_pods.map((p) => [p.pod, p.state, p.phase, p.detail]),
        )
      : 'executors: (no pods)',
    j.events.length
      ? table(
          ['TIME', 'TYPE', 'REASON', 'MESSAGE'],
          j.events.map((e) => [e.time, e.type, e.reason, e.message]),
        )
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function renderSession(s: z.infer<typeof sessionOut>): string {
  return fields([
    ['spark session', s.name],
    ['state', `${s.state}${s.reason ? ` (${s.reason})` : ''}`],
    ['address', s.address],
    ['from outside', s.port_forward ? `${s.port_forward}, then ${s.local_address}` : undefined],
    ['server pod', s.server_pod],
    ['executors', kv(s.executors)],
    ['age', age(s.created)],
  ]);
}
