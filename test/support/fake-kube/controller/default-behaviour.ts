/** Default log output and outcome of simulated training containers. */
import type { ControllerLogContext } from '../types.js';

export const FAIL_LABEL = 'fake.kubeflow.org/fail';

export function defaultOutcome(trainJob: any): 'Complete' | 'Failed' {
  return trainJob?.metadata?.labels?.[FAIL_LABEL] === 'true' ? 'Failed' : 'Complete';
}

const envValue = (c: any, name: string): string | undefined => c?.env?.find((e: any) => e.name === name)?.value;

export function defaultLogs({ pod, container, outcome }: ControllerLogContext): string[] {
  const c = (pod.spec?.containers ?? []).find((x: any) => x.name === container);
  const argv = [...(c?.command ?? []), ...(c?.args ?? [])].join(' ');
  if (container === 'dataset-initializer' || container === 'model-initializer') {
    const what = container === 'dataset-initializer' ? 'dataset' : 'model';
    const uri = envValue(c, 'STORAGE_URI') ?? '<unset>';
    return [`Starting ${what} initialization`, `Downloading ${what} from ${uri}`, `${what[0]!.toUpperCase()}${what.slice(1)} initialization completed`];
  }
  if (argv.includes('sshd')) return ['Server listening on 0.0.0.0 port 2222.', 'Server listening on :: port 2222.'];
  if (/pip["',\s]+list/.test(argv)) {
    return [
      '3.11.9 (main, Apr  6 2024, 17:59:24) [GCC 11.4.0]',
      'Package                  Version',
      '------------------------ ----------',
      'numpy                    2.1.3',
      'pip                      24.0',
      'setuptools               69.5.1',
      'torch                    2.7.1',
      'transformers             4.46.3',
      'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.',
    ];
  }
  const rank = pod.metadata?.labels?.['batch.kubernetes.io/job-completion-index'] ?? '0';
  const lines = [`[rank ${rank}] Starting training`, 'epoch=1 loss=0.9000', 'epoch=2 loss=0.6000', 'epoch=3 loss=0.4000'];
  if (outcome === 'Failed') {
    lines.push('Traceback (most recent call last):', '  File "train.py", line 42, in <module>', 'RuntimeError: simulated training failure');
  } else {
    lines.push(`[rank ${rank}] Training completed`);
  }
  return lines;
}
