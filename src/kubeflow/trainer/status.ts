/**
 * TrainJob steps and status, as the SDK derives them (docs/wire/trainer.md#steps and
 * docs/wire/trainer.md#job-status), with two deliberate differences (see docs/wire-decisions.md):
 *  - `Suspended` is reported while spec.suspend is true or the latest Suspended condition is True;
 *  - a resumed job (Suspended=False present) is derived from its pods like a job without
 *    conditions, instead of staying `Created` until it finishes.
 * A Complete/Failed condition with status True always wins.
 */
import type { Container, Pod } from '../../kube/types.js';
import {
  DATASET_INITIALIZER,
  LABEL_REPLICATED_JOB_NAME,
  LABEL_JOB_COMPLETION_INDEX,
  LAUNCHER,
  MODEL_INITIALIZER,
  NODE,
  TORCH_ENV_NUM_PROC_PER_NODE,
} from './constants.js';
import { containerDevice, isDigits } from './devices.js';
import type { JobStatus, Runtime, Step, TrainJob, TrainJobView } from './types.js';

const INITIALIZERS = new Set([DATASET_INITIALIZER, MODEL_INITIALIZER]);

/**
 * Steps from the job's pods (listed with podSelector()). Newest pod first; one step per key
 * (replicated job for initializers, `<rjob>-<index>` for launcher/node), so restarted pods do not
 * show twice. Pods the SDK would choke on (no replicated-job label, no index, no matching
 * container) are ignored rather than failing the whole view.
 */
export function stepsFromPods(pods: Pod[], runtime: Pick<Runtime, 'entry'> | undefined): Step[] {
  const sorted = [...pods].sort((a, b) => compareDesc(timeOf(a), timeOf(b)));
  const seen = new Set<string>();
  const steps: Step[] = [];
  const isMpi = runtime?.entry === 'mpi';

  for (const pod of sorted) {
    const podName = pod.metadata?.name;
    const role = pod.metadata?.labels?.[LABEL_REPLICATED_JOB_NAME];
    const containers = pod.spec?.containers ?? [];
    if (!podName || !role) continue;
    const phase = pod.status?.phase ?? null;

    if (INITIALIZERS.has(role)) {
      if (seen.has(role)) continue;
      const c = containers.find((x) => INITIALIZERS.has(x.name));
      if (!c) continue;
      seen.add(role);
      steps.push({ name: c.name, status: phase, podName, ...containerDevice(c.resources) });
    } else if (role === NODE || role === LAUNCHER) {
      const indexText = pod.metadata?.labels?.[LABEL_JOB_COMPLETION_INDEX];
      if (indexText === undefined || !isDigits(indexText)) continue;
      const key = `${role}-${indexText}`;
      if (seen.has(key)) continue;
      const c = containers.find((x) => x.name === NODE);
      if (!c) continue;
      seen.add(key);
      const index = Number(indexText);
      // MPI: the launcher is node-0, so worker pods shift by one.
      const stepIndex = isMpi && role !== LAUNCHER ? index + 1 : index;
      const step: Step = { name: `${NODE}-${stepIndex}`, status: phase, podName, ...containerDevice(c.resources) };
      const nproc = procsPerNode(c);
      if (nproc !== undefined) step.deviceCount = nproc;
      steps.push(step);
    }
  }
  return steps;
}

function compareDesc(a: number, b: number): number {
  return a === b ? 0 : a > b ? -1 : 1;
}

function timeOf(pod: Pod): number {
  const t = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? -Infinity : t;
}

function procsPerNode(c: Container): string | undefined {
  let found: string | undefined;
  for (const e of c.env ?? []) if (e.name === TORCH_ENV_NUM_PROC_PER_NODE && e.value && isDigits(e.value)) found = e.value;
  return found;
}

/** Job status from conditions, suspension and node steps. */
export function deriveStatus(trainJob: Pick<TrainJob, 'spec' | 'status'>, steps: Step[], numNodes: number): JobStatus {
  const conditions = trainJob.status?.conditions ?? [];
  let terminal: JobStatus | undefined;
  let suspended: boolean | undefined;
  for (const c of conditions) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') terminal = c.type;
    if (c.type === 'Suspended') suspended = c.status === 'True';
  }
  if (terminal) return terminal;
  if (trainJob.spec?.suspend === true || suspended === true) return 'Suspended';
  const running = steps.filter((s) => s.name.startsWith(NODE) && (s.status === 'Running' || s.status === 'Succeeded')).length;
  return running === numNodes ? 'Running' : 'Created';
}

/** The view tools show for one TrainJob; `runtime` is the resolved runtime when it could be read. */
export function trainJobView(trainJob: TrainJob, pods: Pod[], runtime: Runtime | undefined): TrainJobView {
  const numNodes = trainJob.spec.trainer?.numNodes || runtime?.trainer.numNodes || 1;
  const steps = stepsFromPods(pods, runtime);
  return {
    name: trainJob.metadata.name ?? '',
    namespace: trainJob.metadata.namespace ?? '',
    runtime: { name: trainJob.spec.runtimeRef.name, kind: trainJob.spec.runtimeRef.kind ?? 'ClusterTrainingRuntime' },
    status: deriveStatus(trainJob, steps, numNodes),
    numNodes,
    creationTimestamp: trainJob.metadata.creationTimestamp ?? '',
    steps,
    conditions: trainJob.status?.conditions ?? [],
    ...(trainJob.status?.trainerStatus ? { trainerStatus: trainJob.status.trainerStatus } : {}),
    labels: trainJob.metadata.labels ?? {},
    annotations: trainJob.metadata.annotations ?? {},
  };
}
