/**
 * The runtimes this machine offers, as synthetic ClusterTrainingRuntime objects so the shared
 * conversion (runtime.ts) and every runtime tool work unchanged:
 *
 * - `torch-distributed` (framework torch): torchrun when torch is importable; without torch it is
 *   still listed and runs single-node jobs with plain python, so the default runtime always works
 *   (a listing note says what multi-node needs).
 * - `python` (framework python): one plain Python process.
 */
import { LABEL_ANCESTOR, LABEL_FRAMEWORK, NODE, ANCESTOR_TRAINER } from '../../constants.js';
import { RuntimeNotFoundError } from '../../errors.js';
import { runtimeFromObject } from '../../runtime.js';
import { TRAINER_API_VERSION, type Runtime, type TrainingRuntimeObject } from '../../types.js';
import type { RuntimeListing } from '../../backend.js';
import type { PythonInfo } from './python.js';

/** Image shown for local runtimes (the SDK's local backend says the same). */
const LOCAL_IMAGE = 'local';

const DEFINITIONS = [
  {
    name: 'torch-distributed',
    framework: 'torch',
    mlPolicy: { numNodes: 1, torch: { numProcPerNode: 'auto' } },
    description: 'torchrun on this machine (plain python for one node when torch is missing)',
  },
  { name: 'python', framework: 'python', mlPolicy: { numNodes: 1 }, description: 'one Python process on this machine' },
] as const;

export const LOCAL_RUNTIME_NAMES: readonly string[] = DEFINITIONS.map((d) => d.name);

export function localRuntimeObject(name: string, python?: PythonInfo): TrainingRuntimeObject | undefined {
  const def = DEFINITIONS.find((d) => d.name === name);
  if (!def) return undefined;
  return {
    apiVersion: TRAINER_API_VERSION,
    kind: 'ClusterTrainingRuntime',
    metadata: {
      name: def.name,
      labels: { [LABEL_FRAMEWORK]: def.framework },
      annotations: {
        'kubeflow-mcp/description': def.description,
        ...(python ? { 'kubeflow-mcp/python': `${python.executable} (Python ${python.version}${python.torch ? ', torch importable' : ', no torch'})` } : {}),
      },
    },
    spec: {
      mlPolicy: structuredClone(def.mlPolicy),
      template: {
        spec: {
          replicatedJobs: [
            {
              name: NODE,
              replicas: 1,
              template: {
                metadata: { labels: { [LABEL_ANCESTOR]: ANCESTOR_TRAINER } },
                spec: { template: { spec: { containers: [{ name: NODE, image: LOCAL_IMAGE, resources: { limits: { cpu: '1' } } }] } } },
              },
            },
          ],
        },
      },
    },
  };
}

export function localRuntime(name: string, python?: PythonInfo): Runtime {
  const obj = localRuntimeObject(name, python);
  if (!obj) throw new RuntimeNotFoundError(name, LOCAL_RUNTIME_NAMES);
  const runtime = runtimeFromObject(obj);
  // Shown by get_runtime: what runs here, not the cluster's bash/heredoc entry point.
  const py = python?.executable ?? 'python3';
  runtime.trainer.command =
    name === 'torch-distributed' && python?.torch
      ? [py, '-m', 'torch.distributed.run', '--standalone', '--nnodes=1', '--nproc_per_node={num_nodes}', '{func_file}']
      : [py, '{func_file}'];
  return runtime;
}

/** `python` is undefined when the interpreter could not be run; the notes then say why. */
export function localRuntimeListing(python: PythonInfo | undefined, pythonProblem?: string): RuntimeListing {
  const notes = [
    `local backend: runtimes run as processes on this machine with ${python ? `${python.executable} (Python ${python.version})` : 'no usable Python'}`,
  ];
  if (pythonProblem) notes.push(pythonProblem);
  if (python && !python.torch) {
    notes.push('torch is not importable: torch-distributed runs single-node jobs with plain python; num_nodes > 1 needs torch installed for that Python');
  }
  return { runtimes: LOCAL_RUNTIME_NAMES.map((n) => localRuntime(n, python)), skipped: [], notes };
}
