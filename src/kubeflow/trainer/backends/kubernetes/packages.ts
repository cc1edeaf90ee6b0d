/**
 * get_runtime_packages as the SDK does it: run a tiny CustomTrainer job on the runtime that prints
 * the Python version, `pip list` and `nvidia-smi`, read node-0's log, and always delete the job.
 */
import { KubeApiError, RESOURCES, type KubeClient } from '../../../../kube/client.js';
import type { TrainerBackend } from '../../backend.js';
import { TrainerError } from '../../errors.js';
import { generateJobName } from '../../names.js';

/** Our own probe function (the SDK's does the same three things). */
export const PROBE_SOURCE = `def print_runtime_info():
    import shutil
    import subprocess
    import sys

    print("Python:", sys.version)
    subprocess.run([sys.executable, "-m", "pip", "list"], check=False)
    if shutil.which("nvidia-smi"):
        subprocess.run(["nvidia-smi"], check=False)
`;

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
        res.job.status === 'Failed' ? `the probe job ${name} failed on ${runtimeName}:\n${tail}` : `the probe job ${name} did not finish within ${opts.timeoutSeconds}s (status ${res.job.status})`,
        res.job.status === 'Failed' ? 'The runtime image may lack python/pip; check get_runtime for its image.' : 'Pods may be waiting for resources or image pulls; raise timeout_seconds, or check get_cluster_resources.',
      );
    }
    return { runtime: runtimeName, job: name, output: logs?.lines ?? [] };
  } finally {
    // Always clean up, even when cancelled: use a fresh signal.
    await kube.delete(RESOURCES.trainjobs, namespace, name).catch((err: unknown) => {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    });
  }
}
