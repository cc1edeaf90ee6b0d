import { z } from 'zod';
import { checkTrainingCode } from '../../kubeflow/python/check.js';
import { targetPython } from '../../kubeflow/python/target.js';
import { defineMutation, ToolError } from '../contract.js';
import { confirmed, env, jobName, namespace, numNodes, queue, resources } from '../schemas.js';
import { renderSubmission, submission, submissionOutput } from './submission.js';

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
  name: jobName.optional(),
  queue,
  namespace,
  confirmed,
});

export const runCustomTraining = defineMutation({
  name: 'run_custom_training',
  module: 'trainer',
  category: 'training',
  risk: 'write',
  title: 'Run custom training',
  description: 'Run a Python function as entry(**func_args) on N nodes (torchrun on torch runtimes); checked statically, never run here.',
  input,
  output: submissionOutput,
  mutation: submission(async (a: z.output<typeof input>) => ({
    request: {
      runtime: a.runtime,
      name: a.name,
      queue: a.queue,
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
    },
    // The runtime (or the image) says which Python runs the code.
    async checkWith(runtime) {
      const checked = await checkTrainingCode(a.code, {
        entry: a.entry,
        funcArgs: a.func_args,
        targetPython: targetPython(a.image ? undefined : runtime, a.image),
      });
      if (!checked.ok) {
        const first = checked.problems[0]!;
        const where = first.line ? ` (line ${first.line}${first.column ? `, column ${first.column}` : ''})` : '';
        throw new ToolError(
          first.code === 'syntax_error' ? 'python_syntax_error' : `python_${first.code}`,
          `${first.message}${where}${
            checked.problems.length > 1
              ? ` (+${checked.problems.length - 1} more problem(s): ${checked.problems
                  .slice(1)
                  .map((p) => p.message)
                  .join('; ')})`
              : ''
          }`,
          first.hint,
        );
      }
      return [
        {
          check: 'code',
          ok: true,
          detail: `${a.entry}(${checked.entry?.params.map((p) => p.name).join(', ') ?? ''}) parsed by ${checked.checkedBy}; arguments match`,
        },
        ...checked.warnings.map((w) => ({ check: 'code syntax', ok: null, detail: `${w.message}. ${w.hint}` })),
      ];
    },
  })),
  render: renderSubmission,
});
