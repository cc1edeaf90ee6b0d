/**
 * The training tools (fine_tune, run_custom_training, run_container_training), one mutation: the
 * plan builds the TrainJob (the backend resolves the runtime: the call's, else the server's
 * default), the checks ask the backend to dry-run it, apply submits it.
 */
import { z } from 'zod';
import type { PreparedJob, TrainRequest } from '../../kubeflow/trainer/backend.js';
import { LABEL_QUEUE_NAME } from '../../kubeflow/trainer/constants.js';
import type { Runtime } from '../../kubeflow/trainer/types.js';
import type { ToolContext } from '../context.js';
import { defineMutation, type AnyToolSpec, type ToolSpec } from '../contract.js';
import { withRuntime } from '../defaults.js';
import { creatorAnnotations } from '../ownership.js';
import { jobDemand } from '../quota.js';
import { fields, forDisplay, kv, renderChecks } from '../render.js';
import { confirmed, jobName, namespace, queue, verdict, type Check } from '../schemas.js';
import { gpuFitCheck } from './gpuFit.js';

const submissionOutput = z.object({
  status: z.enum(['preview', 'submitted']),
  job: z.object({ name: z.string(), namespace: z.string(), runtime: z.string(), runtime_kind: z.string() }),
  /** The TrainJob (long strings such as the generated script are shortened). */
  trainjob: z.record(z.string(), z.unknown()),
  ...verdict,
});
type SubmissionOutput = z.infer<typeof submissionOutput>;

/** The arguments every training tool ends with: the job's name (generated when left out), its Kueue queue, where, and the confirmation. */
export const jobArgs = { name: jobName.optional(), queue, namespace, confirmed };

/**
 * A training tool: its arguments become a TrainRequest (the call's runtime, name and queue, and
 * what `toRequest` builds). `checkWith` runs once the runtime is resolved, for checks that depend
 * on it (the Python version the code will run on), so the runtime is read once.
 */
export function trainingTool<I extends z.ZodObject & z.ZodType<{ runtime?: string; name?: string; queue?: string }>>({
  toRequest,
  ...spec
}: Pick<ToolSpec<I>, 'name' | 'title' | 'description' | 'input'> & {
  toRequest: (
    args: z.output<I>,
    ctx: ToolContext,
  ) => Promise<Pick<TrainRequest, 'trainer' | 'initializer' | 'runtime'> & { checkWith?: (runtime: Runtime) => Promise<Check[]> }>;
}): AnyToolSpec {
  return defineMutation({
    ...spec,
    module: 'trainer',
    category: 'training',
    risk: 'write',
    output: submissionOutput,
    mutation: {
      verb: 'create',
      async plan(args, ctx) {
        const backend = ctx.backend();
        const namespace = ctx.namespace;
        const { checkWith, ...own } = await toRequest(args, ctx);
        const request: TrainRequest = { runtime: args.runtime, name: args.name, queue: args.queue, ...own };
        // Record who submitted it: ownership rules (own_jobs_only personas) rely on it.
        const prepared = await withRuntime(ctx, request.runtime, (runtime) =>
          backend.prepare(namespace, { ...request, runtime, annotations: { ...request.annotations, ...creatorAnnotations(ctx.caller) } }, ctx.signal),
        );
        const { runtime, object } = prepared;
        const gpus = await gpuFitCheck(backend, namespace, object, runtime, ctx.signal);
        const checks = [...(checkWith ? await checkWith(runtime) : []), ...(gpus ? [gpus] : [])];
        const trainer = object.spec.trainer;
        const runtimeText = `${runtime.name} (${runtime.kind}, ${runtime.trainer.framework})`;
        return {
          summary: `Create TrainJob ${prepared.name} in ${namespace} on ${runtime.name}`,
          facts: [
            ['namespace', namespace],
            ['runtime', runtimeText],
            ['nodes', trainer?.numNodes ?? `runtime default (${runtime.trainer.numNodes || 1})`],
            ['resources/node', kv(trainer?.resourcesPerNode?.limits) || 'runtime default'],
            ['image', trainer?.image],
            ['queue', object.metadata.labels?.[LABEL_QUEUE_NAME]],
          ],
          checks: [...checks, { check: 'runtime', ok: true, detail: runtimeText }],
          pin: { name: prepared.name },
          object,
          validate: {
            access: { verb: 'create', resource: 'trainjobs', group: 'trainer.kubeflow.org' },
            demand: jobDemand(object, runtime.trainer.numNodes),
            dryRun: async () => (await backend.submit(prepared, { dryRun: true, signal: ctx.signal })).accepted,
            by: backend.validatedBy,
          },
          state: prepared,
        };
      },
      async apply(plan, ctx) {
        const res = await ctx.backend().submit(plan.state, { dryRun: false, signal: ctx.signal });
        const name = plan.state.name;
        return {
          status: 'submitted' as const,
          job: jobRef(plan.state),
          trainjob: forDisplay(res.accepted),
          checks: plan.checks,
          ready: true,
          next: `Submitted. Follow it with wait_for_training(name="${name}") and get_training_logs(name="${name}").`,
        };
      },
      preview: (plan, v) => ({ job: jobRef(plan.state), trainjob: forDisplay(v.accepted ?? plan.object) }),
    },
    render: renderSubmission,
  });
}

function jobRef(p: PreparedJob): SubmissionOutput['job'] {
  return { name: p.name, namespace: p.namespace, runtime: p.runtime.name, runtime_kind: p.runtime.kind };
}

function renderSubmission(out: SubmissionOutput): string {
  const spec = (out.trainjob.spec ?? {}) as Record<string, unknown>;
  const trainer = (spec.trainer ?? {}) as Record<string, unknown>;
  const res = (trainer.resourcesPerNode as { limits?: Record<string, unknown> } | undefined)?.limits;
  const head = out.status === 'preview' ? `PREVIEW (nothing created) — TrainJob ${out.job.name}` : `SUBMITTED — TrainJob ${out.job.name}`;
  const lines = [
    head,
    fields([
      ['namespace', out.job.namespace],
      ['runtime', `${out.job.runtime} (${out.job.runtime_kind})`],
      ['nodes', (trainer.numNodes as number | undefined) ?? 'runtime default'],
      ['resources/node', kv(res) || 'runtime default'],
      ['image', trainer.image as string | undefined],
    ]),
    'checks:',
    renderChecks(out.checks),
    `trainjob: ${JSON.stringify(out.trainjob)}`,
    out.next,
  ];
  return lines.join('\n');
}
