/**
 * get_runtime_packages as the SDK does it: run a tiny CustomTrainer job on the runtime that prints
 * the Python version, `pip list` and `nvidia-smi`, read node-0's log, and always delete the job.
 *
 * Unlike the SDK's, the probe job cannot outlive a server killed mid-wait: it carries a label and
 * an activeDeadlineSeconds (the Trainer controller fails it, and stops its pods, past the wait plus
 * a margin), and each start-up sweeps labelled probe jobs older than their deadline.
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../../../kube/client.js';
import type { KubeList } from '../../../../kube/types.js';
import type { TrainJob } from '../../types.js';
import type { TrainerBackend } from '../../backend.js';
import { TrainerError } from '../../errors.js';
import { generateJobName } from '../../names.js';

/** Our own probe function (the SDK's does the same three things). */
const PROBE_SOURCE = `def print_runtime_info():
    import shutil
    import subprocess
    import sys

    print("Python:", sys.version)
    subprocess.run([sys.executable, "-m", "pip", "list"], check=False)
    if shutil.which("nvidia-smi"):
        subprocess.run(["nvidia-smi"], check=False)
`;

/** Marks probe jobs, so that a later start-up can find the ones a killed server left behind. */
export const PROBE_LABEL = 'kubeflow-mcp/probe';
export const PROBE_LABEL_VALUE = 'runtime-packages';
/** Time past the wait for reading logs and deleting the job before the deadline ends it anyway. */
const DEADLINE_MARGIN_SECONDS = 60;

export async function runtimePackages(
  backend: TrainerBackend,
  kube: KubeClient,
  namespace: string,
  runtimeName: string,
  opts: { timeoutSeconds: number; signal?: AbortSignal; onProgress?: (message: string) => void },
): Promise<{ runtime: string; job: string; output: string[] }> {
  const runtime = await backend.getRuntime(namespace, runtimeName, opts.signal);
  const prepared = await backend.prepare(
    namespace,
    {
      runtime: runtimeName,
      name: generateJobName(),
      labels: { [PROBE_LABEL]: PROBE_LABEL_VALUE },
      activeDeadlineSeconds: opts.timeoutSeconds + DEADLINE_MARGIN_SECONDS,
      trainer: {
        kind: 'custom',
        funcSource: PROBE_SOURCE,
        funcName: 'print_runtime_info',
        numNodes: 1,
        // Like the SDK: one CPU, unless the runtime is a GPU runtime (then its own request stands).
        resourcesPerNode: runtime.trainer.device === 'gpu' ? undefined : { cpu: 1 },
      },
    },
    opts.signal,
  );
  const cmd = prepared.object.spec.trainer?.command;
  if (cmd?.[0] === 'mpirun' && prepared.object.spec.trainer) {
    // A single process is enough to print the environment; the SDK does the same.
    prepared.object.spec.trainer.command = ['mpirun', '-np', '1', ...cmd.slice(3)];
  }
  const name = prepared.name;
  opts.onProgress?.(`created temporary TrainJob ${name} on ${runtimeName}`);
  await backend.submit(prepared, { dryRun: false, signal: opts.signal });
  // Always clean up, even when cancelled (no signal). A failed delete never hides why the probe
  // failed: the original error is the one reported, and the deadline ends the job anyway.
  const cleanup = () =>
    kube.delete(RESOURCES.trainjobs, namespace, name).catch((err: unknown) => {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    });
  let result: { runtime: string; job: string; output: string[] };
  try {
    const res = await backend.waitFor(namespace, name, {
      statuses: ['Complete'],
      timeoutSeconds: opts.timeoutSeconds,
      signal: opts.signal,
      onChange: (j) => opts.onProgress?.(`${name}: ${j.status}`),
    });
    const logs = await backend.logs(namespace, name, { step: 'node-0', tail: 1000, signal: opts.signal }).catch(() => undefined);
    if (!res.reached) {
      const tail = logs?.lines.slice(-20).join('\n') ?? '(no logs)';
      throw new TrainerError(
        'probe_failed',
        res.job.status === 'Failed'
          ? `the probe job ${name} failed on ${runtimeName}:\n${tail}`
          : `the probe job ${name} did not finish within ${opts.timeoutSeconds}s (status ${res.job.status})`,
        res.job.status === 'Failed'
          ? 'The runtime image may lack python/pip; check get_runtime for its image.'
          : 'Pods may be waiting for resources or image pulls; raise timeout_seconds, or check get_cluster_resources.',
      );
    }
    result = { runtime: runtimeName, job: name, output: logs?.lines ?? [] };
  } catch (err) {
    await cleanup().catch((cleanupErr: unknown) =>
      opts.onProgress?.(
        `could not delete ${name} (${(cleanupErr as Error).message}); its deadline ends it within ${prepared.object.spec.activeDeadlineSeconds}s of its start`,
      ),
    );
    throw err;
  }
  await cleanup();
  return result;
}

/**
 * Deletes probe jobs a killed server left behind: labelled ones older than their own deadline,
 * in every namespace the server may list (else its default namespace). Never throws: a sweep that
 * cannot run changes nothing. Returns the names deleted.
 */
export async function sweepProbeJobs(kube: KubeClient, defaultNamespace: string, now = Date.now()): Promise<string[]> {
  const query = { labelSelector: `${PROBE_LABEL}=${PROBE_LABEL_VALUE}` };
  let list: KubeList<TrainJob>;
  try {
    list = await kube.list<TrainJob>(RESOURCES.trainjobs, undefined, query);
  } catch {
    try {
      list = await kube.list<TrainJob>(RESOURCES.trainjobs, defaultNamespace, query);
    } catch {
      return [];
    }
  }
  const deleted: string[] = [];
  for (const job of list.items) {
    const { name, namespace, creationTimestamp } = job.metadata;
    const deadline = job.spec.activeDeadlineSeconds;
    if (!name || !namespace || !creationTimestamp || !deadline || Date.parse(creationTimestamp) + deadline * 1000 > now) continue;
    try {
      await kube.delete(RESOURCES.trainjobs, namespace, name);
      deleted.push(`${namespace}/${name}`);
    } catch {
      // gone already, or not ours to delete: leave it
    }
  }
  return deleted;
}
