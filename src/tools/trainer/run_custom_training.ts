import { z } from 'zod';
import { targetPython } from '../../kubeflow/python/target.js';
import { codeChecks } from '../codeCheck.js';
import { env, numNodes, resources } from '../schemas.js';
import { jobArgs, trainingTool } from './submission.js';

const input = z.object({
  code: z.string().min(1).max(200_000).describe('Python defining entry'),
  entry: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Python identifier')
    .default('train'),
  func_args: z.record(z.string(), z.unknown()).optional(),
  packages: z.array(z.string().min(1).max(200)).max(100).optional(),
  pip_index_urls: z.array(z.url()).max(10).optional(),
  num_nodes: numNodes,
  resources,
  env,
  runtime: z.string().min(1).max(253).optional(),
  image: z.string().min(1).max(500).optional(),
  ...jobArgs,
});

export const runCustomTraining = trainingTool({
  name: 'run_custom_training',
  title: 'Run custom training',
  description: 'Run a Python function as entry(**func_args) on N nodes (torchrun on torch runtimes); checked statically, never run here.',
  input,
  toRequest: async (a) => ({
    trainer: {
      kind: 'custom',
      funcSource: a.code,
      funcName: a.entry,
      funcArgs: a.func_args,
      packages: a.packages,
      pipIndexUrls: a.pip_index_urls,
      numNodes: a.num_nodes,
      resourcesPerNode: a.resources,
      env: a.env,
      image: a.image,
    },
    // The runtime (or the image) says which Python runs the code.
    checkWith: (runtime) =>
      codeChecks(
        a.code,
        { entry: a.entry, funcArgs: a.func_args, targetPython: targetPython(a.image ? undefined : runtime, a.image) },
        (c) => `${a.entry}(${c.entry?.params.map((p) => p.name).join(', ') ?? ''}) parsed by ${c.checkedBy}; arguments match`,
      ),
  }),
});
