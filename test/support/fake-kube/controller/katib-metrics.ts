/**
 * What a trial's training prints and what Katib's StdOut collector makes of it: per metric two
 * epochs converging to `metricValue(params)`, the `metrics-logger-and-collector` sidecar that echoes
 * the output klog-style and reports, and the observation {min, max, latest} the Trial records.
 */
import type { KatibOptions } from '../types.js';

export const METRICS_SIDECAR = 'metrics-logger-and-collector';

export interface ObservedMetric {
  name: string;
  min: string;
  max: string;
  latest: string;
}

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/** Per metric (objective first): the values printed, oldest first; undefined when the objective has none. */
export function metricSeries(trial: any, metricValue: KatibOptions['metricValue']): Map<string, string[]> | undefined {
  const objective = trial.spec?.objective ?? {};
  const names: string[] = [objective.objectiveMetricName, ...(objective.additionalMetricNames ?? [])].filter(Boolean);
  const parameters: Record<string, string> = {};
  for (const a of trial.spec?.parameterAssignments ?? []) parameters[a.name] = a.value;
  const direction = objective.type === 'maximize' ? 'maximize' : 'minimize';
  const out = new Map<string, string[]>();
  for (const metric of names) {
    const v = metricValue({ trial: trial.metadata.name, metric, objectiveMetric: objective.objectiveMetricName, direction, parameters });
    if (v === undefined || !Number.isFinite(v)) {
      if (metric === objective.objectiveMetricName) return undefined;
      continue;
    }
    const d = Math.max(0.1, Math.abs(v) * 0.5);
    out.set(metric, [fmt(direction === 'minimize' ? v + d : v - d), fmt(v)]);
  }
  return out;
}

export function observe(series: Map<string, string[]>): ObservedMetric[] {
  return [...series].map(([name, values]) => {
    const nums = values.map(Number);
    return { name, min: fmt(Math.min(...nums)), max: fmt(Math.max(...nums)), latest: values[values.length - 1]! };
  });
}

/** The trainer container's output: one `epoch=<n> <metric>=<value> ...` line per epoch. */
export function trainingLines(series: Map<string, string[]> | undefined, outcome: 'Complete' | 'Failed'): string[] {
  const epochs = series ? Math.max(0, ...[...series.values()].map((v) => v.length)) : 0;
  const lines = ['[rank 0] Starting training'];
  for (let i = 0; i < epochs; i++) lines.push(`epoch=${i + 1} ${[...series!].map(([m, v]) => `${m}=${v[i] ?? v[v.length - 1]}`).join(' ')}`);
  if (outcome === 'Failed')
    lines.push('Traceback (most recent call last):', '  File "train.py", line 42, in <module>', 'RuntimeError: simulated training failure');
  else lines.push('[rank 0] Training completed');
  return lines;
}

function klog(line: string, src = 'main.go:143'): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `I${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000      14 ${src}] ${line}`;
}

/** The collector sidecar's output (file-metricscollector): the training lines, then the report. */
export function sidecarLines(trial: string, training: string[], observed: ObservedMetric[] | undefined): string[] {
  return [
    klog(`Trial Name: ${trial}`, 'main.go:400'),
    ...training.map((l) => klog(l)),
    klog(`Metrics reported. : ${observed ? observed.map((m) => `${m.name}=${m.latest}`).join(' ') : 'unavailable'}`, 'main.go:459'),
  ];
}

/** The container Katib's pod webhook injects into the primary pod. */
export function sidecarContainer(trial: any): any {
  const objective = trial.spec?.objective ?? {};
  const metrics = [objective.objectiveMetricName, ...(objective.additionalMetricNames ?? [])].join(';');
  return {
    name: METRICS_SIDECAR,
    image: 'ghcr.io/kubeflow/katib/file-metrics-collector:v0.19.0',
    args: [
      '-t',
      trial.metadata.name,
      '-m',
      metrics,
      '-o-type',
      objective.type ?? 'minimize',
      '-s-db',
      'katib-db-manager.kubeflow:6789',
      '-path',
      '/var/log/katib/metrics.log',
      '-format',
      'TEXT',
    ],
    resources: { limits: { cpu: '500m', 'ephemeral-storage': '5Gi', memory: '100Mi' }, requests: { cpu: '50m', 'ephemeral-storage': '500Mi', memory: '10Mi' } },
  };
}
