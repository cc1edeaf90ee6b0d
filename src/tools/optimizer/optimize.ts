import { z } from 'zod';
import { buildExperiment, type TrialTrainerInput } from '../../kubeflow/optimizer/experiment.js';
import { ALGORITHM_NAMES } from '../../kubeflow/optimizer/constants.js';
import { search, type Search } from '../../kubeflow/optimizer/search.js';
import { generateJobName } from '../../kubeflow/trainer/names.js';
import { targetPython } from '../../kubeflow/python/target.js';
import { codeChecks } from '../codeCheck.js';
import { defineMutation, ToolError } from '../contract.js';
import { withRuntime } from '../defaults.js';
import { creatorAnnotations } from '../ownership.js';
import { fields, forDisplay, kv, renderChecks } from '../render.js';
import { confirmed, jobName, KEYS_ONLY, namespace, verdict, type Check } from '../schemas.js';

/** One search-space entry as the agent writes it. */
const space = z
  .object({
    uniform: z.tuple([z.number(), z.number()]).optional(),
    log_uniform: z.tuple([z.number(), z.number()]).optional(),
    int: z.tuple([z.int(), z.int()]).optional(),
    step: z.number().positive().optional(),
    categorical: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
    discrete: z.array(z.number()).min(1).optional(),
  })
  .strict()
  .refine(
    (s) => ['uniform', 'log_uniform', 'int', 'categorical', 'discrete'].filter((k) => k in s).length === 1,
    'give exactly one of uniform, log_uniform, int, categorical, discrete',
  );

function toSearch(s: z.infer<typeof space>): Search {
  if (s.uniform) return search.uniform(s.uniform[0], s.uniform[1], s.step !== undefined ? { step: s.step } : {});
  if (s.log_uniform) return search.logUniform(s.log_uniform[0], s.log_uniform[1]);
  if (s.int) return search.int(s.int[0], s.int[1], s.step);
  if (s.categorical) return search.categorical(s.categorical);
  return search.discrete(s.discrete!);
}

export const optimize = defineMutation({
  name: 'optimize',
  module: 'optimizer',
  category: 'training',
  risk: 'write',
  title: 'Tune hyperparameters',
  description:
    'Hyperparameter search with Katib: trials run your training function (code) or image as TrainJobs with sampled parameters, which must print "<metric>=<value>" lines.',
  input: z.object({
    code: z.string().min(1).max(200_000).optional(),
    image: z.string().min(1).max(500).optional(),
    search_space: z
      .record(z.string(), space)
      .refine((r) => Object.keys(r).length > 0, 'give at least one parameter')
      .meta({ description: 'param -> {uniform|log_uniform|int: [min, max], step?} or {categorical|discrete: [...]}', [KEYS_ONLY]: true }),
    metric: z.string().default('loss'),
    direction: z.enum(['minimize', 'maximize']).default('minimize'),
    // No schema default: the server's (optimizer.default_algorithm) applies, not a fixed one.
    algorithm: z.enum(ALGORITHM_NAMES).optional(),
    max_trials: z.int().min(1).max(10_000).default(10),
    parallel_trials: z.int().min(1).max(1000).default(1),
    name: jobName.optional(),
    options: z
      .object({
        entry: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
          .default('train'),
        func_args: z.record(z.string(), z.unknown()).optional(),
        packages: z.array(z.string().min(1)).max(100).optional(),
        env: z.record(z.string(), z.string()).optional(),
        resources: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
        num_nodes: z.int().min(1).max(1024).optional(),
        runtime: z.string().min(1).optional(),
        command: z.array(z.string()).optional(),
        args: z.array(z.string()).optional(),
        goal: z.number().optional(),
        additional_metrics: z.array(z.string()).optional(),
        algorithm_settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
        max_failed_trials: z.int().min(0).optional(),
      })
      .strict()
      .optional()
      .meta({
        description:
          'entry, func_args, packages, env, resources, num_nodes, runtime, command, args, goal, additional_metrics, algorithm_settings, max_failed_trials',
        [KEYS_ONLY]: true,
      }),
    namespace,
    confirmed,
  }),
  output: z.object({
    status: z.enum(['preview', 'submitted']),
    experiment: z.object({ name: z.string(), namespace: z.string() }),
    body: z.record(z.string(), z.unknown()),
    notes: z.array(z.string()),
    ...verdict,
  }),
  mutation: {
    verb: 'create',
    async plan(a, ctx) {
      const o = a.options ?? { entry: 'train' };
      if (!a.code && !a.image) {
        throw new ToolError(
          'invalid_arguments',
          'Give code (a Python training function) or image (a training container).',
          'code runs entry(**func_args, **sampled parameters); an image gets the parameters as env KUBEFLOW_TRAINER_OPT_<NAME> or ${trialParameters.<name>} in options.command/args.',
        );
      }
      if (!a.code && (o.func_args || o.packages)) {
        throw new ToolError('invalid_arguments', 'options.func_args and options.packages apply to code, not to an image.', 'Pass code, or drop them.');
      }
      const namespace = ctx.namespace;
      const checks: Check[] = [];
      const paramNames = Object.keys(a.search_space);
      const runtime = await withRuntime(ctx, o.runtime, (r) => ctx.backend().getRuntime(namespace, r, ctx.signal));
      if (a.code) {
        // Sampled parameters arrive as keywords too: the function must accept them.
        const funcArgs = { ...o.func_args, ...Object.fromEntries(paramNames.map((p) => [p, 0])) };
        const opts = { entry: o.entry, funcArgs, targetPython: targetPython(runtime, a.image) };
        checks.push(...(await codeChecks(a.code, opts, (c) => `${o.entry}() accepts ${paramNames.join(', ')}; parsed by ${c.checkedBy}`)));
      }
      const trainer: TrialTrainerInput = a.code
        ? {
            kind: 'custom',
            funcSource: a.code,
            funcName: o.entry,
            funcArgs: o.func_args,
            packages: o.packages,
            env: o.env,
            resourcesPerNode: o.resources,
            numNodes: o.num_nodes,
            image: a.image,
          }
        : { kind: 'container', image: a.image!, command: o.command, args: o.args, env: o.env, resourcesPerNode: o.resources, numNodes: o.num_nodes };
      const name = a.name ?? generateJobName();
      const algorithm = a.algorithm ?? ctx.defaults.algorithm;
      const built = buildExperiment({
        name,
        namespace,
        trialTemplate: { trainer, runtime },
        searchSpace: Object.fromEntries(Object.entries(a.search_space).map(([k, v]) => [k, toSearch(v)])),
        objective: { metric: a.metric, direction: a.direction, goal: o.goal, additionalMetrics: o.additional_metrics },
        algorithm: { name: algorithm, settings: o.algorithm_settings },
        trials: { max: a.max_trials, parallel: a.parallel_trials, maxFailed: o.max_failed_trials },
      });
      const experiment = {
        ...built.experiment,
        metadata: { ...built.experiment.metadata, annotations: { ...built.experiment.metadata.annotations, ...creatorAnnotations(ctx.caller) } },
      };
      checks.push({ check: 'runtime', ok: true, detail: `${runtime.name} (${runtime.kind})` });
      const client = ctx.optimizer();
      const nodes = o.num_nodes ?? runtime.trainer.numNodes;
      return {
        summary: `Create Experiment ${name} in ${namespace}: up to ${a.max_trials} trial(s), ${a.parallel_trials} at a time`,
        facts: [
          ['namespace', namespace],
          ['objective', `${a.direction} ${a.metric}`],
          ['parameters', paramNames.join(', ')],
          ['algorithm', algorithm],
          ['trials', `${a.max_trials} (parallel ${a.parallel_trials}), each a TrainJob on ${runtime.name}, ${nodes || 1} node(s)`],
          ['resources/node', kv(o.resources) || 'runtime default'],
        ],
        checks,
        pin: { name },
        object: experiment,
        validate: {
          access: { verb: 'create', resource: 'experiments', group: 'kubeflow.org' },
          dryRun: async () => (await client.create(namespace, experiment, { dryRun: true, signal: ctx.signal })).accepted,
          by: 'the API server and Katib',
        },
        state: { experiment, notes: built.notes, ref: { name, namespace } },
      };
    },
    async apply(plan, ctx) {
      const { experiment, notes, ref } = plan.state;
      const res = await ctx.optimizer().create(ref.namespace, experiment, { signal: ctx.signal });
      return {
        status: 'submitted' as const,
        experiment: ref,
        body: forDisplay(res.accepted),
        notes,
        checks: plan.checks,
        ready: true,
        next: `Submitted. Follow with wait_for_optimization(name="${ref.name}"), then get_best_results.`,
      };
    },
    preview: (plan, v) => ({ experiment: plan.state.ref, body: forDisplay(v.accepted ?? plan.object), notes: plan.state.notes }),
  },
  render: (o) =>
    [
      o.status === 'preview' ? `PREVIEW (nothing created) — Experiment ${o.experiment.name}` : `SUBMITTED — Experiment ${o.experiment.name}`,
      fields([['namespace', o.experiment.namespace]]),
      ...o.notes.map((n) => `note: ${n}`),
      renderChecks(o.checks),
      `experiment: ${JSON.stringify(o.body)}`,
      o.next,
    ].join('\n'),
});
