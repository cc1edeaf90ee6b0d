/**
 * A namespace of many TrainJobs in known states, written straight into the test API server's
 * store (no controller): names in no relation to creation order, one second apart, and a fixed mix
 * of statuses (conditions, suspension, and node pods for Running). For listing tests and benches.
 */
import { createHash } from 'node:crypto';
import type { FakeKube } from './fake-kube/index.js';

type SeedStatus = 'Complete' | 'Failed' | 'Suspended' | 'Running' | 'Created';

/** Per 20 jobs: 2 Complete, 2 Failed, 1 Suspended, 1 Running, 14 Created. */
const MIX: SeedStatus[] = ['Complete', 'Complete', 'Failed', 'Failed', 'Suspended', 'Running', ...Array<SeedStatus>(14).fill('Created')];

export interface SeededJob {
  name: string;
  created: string;
  status: SeedStatus;
  runtime: string;
}

/** SDK-like job names (a letter, then 11 of [a-z0-9]) that do not sort in creation order. */
export function seedName(i: number): string {
  const h = createHash('sha256').update(String(i)).digest('hex');
  return `${String.fromCharCode(97 + (parseInt(h.slice(0, 2), 16) % 26))}${BigInt(`0x${h.slice(2, 18)}`)
    .toString(36)
    .padStart(11, '0')
    .slice(0, 11)}`;
}

export function seedJobs(kube: FakeKube, namespace: string, count: number, opts: { start?: Date; runtimeOf?: (i: number) => string } = {}): SeededJob[] {
  const start = (opts.start ?? new Date(Date.now() - count * 1000 - 60_000)).getTime();
  const out: SeededJob[] = [];
  for (let i = 0; i < count; i++) {
    const name = seedName(i);
    const created = new Date(start + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const status = MIX[i % MIX.length]!;
    const runtime = opts.runtimeOf?.(i) ?? 'torch-distributed';
    const conditions =
      status === 'Complete' || status === 'Failed'
        ? [
            {
              type: status,
              status: 'True',
              reason: status === 'Complete' ? 'JobSetCompleted' : 'JobSetFailed',
              message: `jobset ${status.toLowerCase()}`,
              lastTransitionTime: created,
            },
          ]
        : [];
    kube.store.create({
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name, namespace, creationTimestamp: created, labels: { team: i % 2 ? 'nlp' : 'vision' } },
      spec: {
        runtimeRef: { name: runtime, kind: 'ClusterTrainingRuntime', apiGroup: 'trainer.kubeflow.org' },
        trainer: { numNodes: 1 },
        ...(status === 'Suspended' ? { suspend: true } : {}),
      },
      ...(conditions.length ? { status: { conditions } } : {}),
    });
    if (status === 'Running' || status === 'Created') {
      kube.store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-node-0-0-abcde`,
          namespace,
          creationTimestamp: created,
          labels: { 'jobset.sigs.k8s.io/jobset-name': name, 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'batch.kubernetes.io/job-completion-index': '0' },
        },
        spec: { containers: [{ name: 'node', image: 'pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime' }] },
        status: { phase: status === 'Running' ? 'Running' : 'Pending' },
      });
    }
    out.push({ name, created, status, runtime });
  }
  return out;
}

/** The seeded jobs newest first (the order list_training_jobs promises). */
export function newestFirst(jobs: SeededJob[]): SeededJob[] {
  return [...jobs].sort((a, b) => (a.created === b.created ? a.name.localeCompare(b.name) : a.created < b.created ? 1 : -1));
}
