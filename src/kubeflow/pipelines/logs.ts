/**
 * Logs of a run's tasks, read from Kubernetes as the caller (docs/wire/pipelines.md#task-logs):
 * the run's pods carry `pipeline/runid=<run id>`, user code runs in the `system-container-impl`
 * pod of each task, in container `main`. A task is matched by the pod the run reports for it,
 * else by the Argo node name (`<workflow>.<…>.<task>`) on the pod.
 */
import { RESOURCES, type KubeClient } from '../../kube/client.js';
import { readPodLog } from '../trainer/backends/kubernetes/logs.js';
import { PipelinesError } from './errors.js';
import type { Run } from './types.js';

const RUN_ID_LABEL = 'pipeline/runid';
const NODE_NAME_ANNOTATION = 'workflows.argoproj.io/node-name';
const MAIN_CONTAINER = 'main';
const IMPL_TEMPLATE = 'system-container-impl';

interface Pod {
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string>; creationTimestamp?: string };
  spec?: { containers?: Array<{ name: string }> };
  status?: { phase?: string };
}

interface TaskPod {
  task: string;
  pod: string;
  phase?: string;
}

/** The user-code pods of a run, one per task (the newest when a task was retried). */
async function taskPods(kube: KubeClient, namespace: string, run: Run, signal?: AbortSignal): Promise<TaskPod[]> {
  const list = await kube.list<Pod & { apiVersion?: string; kind?: string }>(
    RESOURCES.pods,
    namespace,
    { labelSelector: `${RUN_ID_LABEL}=${run.run_id}` },
    signal,
  );
  const pods = (list.items as unknown as Pod[]).filter((p) => (p.spec?.containers ?? []).some((c) => c.name === MAIN_CONTAINER));
  const impl = pods.filter((p) => p.metadata.name.includes(IMPL_TEMPLATE));
  const candidates = impl.length ? impl : pods;
  const reported = new Map<string, string>();
  for (const t of run.run_details?.task_details ?? []) {
    const pod = t.pod_name || t.child_tasks?.find((c) => c.pod_name && candidates.some((p) => p.metadata.name === c.pod_name))?.pod_name;
    if (pod && t.display_name) reported.set(pod, t.display_name);
  }
  const byTask = new Map<string, Pod>();
  for (const p of candidates.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))) {
    const node = p.metadata.annotations?.[NODE_NAME_ANNOTATION];
    const task =
      reported.get(p.metadata.name) ??
      (node
        ? node
            .split('.')
            .pop()!
            .replace(/\(\d+\)$/, '')
        : p.metadata.name);
    byTask.set(task, p);
  }
  return [...byTask.entries()].map(([task, p]) => ({ task, pod: p.metadata.name, ...(p.status?.phase ? { phase: p.status.phase } : {}) }));
}

export async function taskLogs(
  kube: KubeClient,
  namespace: string,
  run: Run,
  opts: { task?: string; tail: number; signal?: AbortSignal },
): Promise<{ task: string; pod: string; lines: string[]; truncated: boolean; tasks: string[] }> {
  const pods = await taskPods(kube, namespace, run, opts.signal);
  const tasks = pods.map((p) => p.task);
  if (!pods.length) {
    throw new PipelinesError(
      'not_found',
      `run ${run.run_id} has no task pods in namespace ${namespace} (yet, or they were garbage-collected)`,
      'wait until a task starts (get_pipeline_run shows task states); pods of finished runs may have been removed by the cluster',
      404,
      'task',
    );
  }
  // Without a task: the one that failed, else the latest that ran.
  const failed = run.run_details?.task_details?.find((t) => t.state === 'FAILED' && tasks.includes(t.display_name ?? ''))?.display_name;
  const pick = opts.task ? pods.find((p) => p.task === opts.task) : (pods.find((p) => p.task === failed) ?? pods[pods.length - 1]);
  if (!pick) throw new PipelinesError('not_found', `run ${run.run_id} has no task '${opts.task}'`, `tasks with pods: ${tasks.join(', ')}`, 404, 'task');
  if (pick.phase === 'Pending')
    throw new PipelinesError(
      'wrong_state',
      `task ${pick.task} of run ${run.run_id} has not started yet (pod ${pick.pod} is Pending)`,
      'wait, then call again',
      0,
      'task',
    );
  const { lines, truncated } = await readPodLog(kube, namespace, pick.pod, MAIN_CONTAINER, { tail: opts.tail, signal: opts.signal });
  return { task: pick.task, pod: pick.pod, lines, truncated, tasks };
}
