/**
 * The two-phase pattern shared by the training tools (KEP-936): confirmed=false builds the TrainJob,
 * has the API server dry-run it and returns a preview that changed nothing; confirmed=true submits.
 */
import { z } from 'zod';
import { KubeApiError } from '../../kube/client.js';
import type { TrainRequest } from '../../kubeflow/trainer/backend.js';
import type { ToolContext } from '../context.js';
import { toToolError } from '../errors.js';
import { fields, kv } from '../render.js';
import { check, type Check } from '../schemas.js';
import { creatorAnnotations } from '../../policy/ownership.js';
import { jobDemand, quotaCheck } from './quota.js';

export const submissionOutput = z.object({
  status: z.enum(['preview', 'submitted']),
  job: z.object({ name: z.string(), namespace: z.string(), runtime: z.string(), runtime_kind: z.string() }),
  /** The TrainJob (long strings such as the generated script are shortened). */
  trainjob: z.record(z.string(), z.unknown()),
  checks: z.array(check),
  /** Preview: every check passed, submitting should succeed. */
  ready: z.boolean(),
  next: z.string(),
});
export type SubmissionOutput = z.infer<typeof submissionOutput>;

export async function previewOrSubmit(
  ctx: ToolContext,
  tool: string,
  request: TrainRequest,
  confirmed: boolean,
  checks: Check[] = [],
): Promise<SubmissionOutput> {
  const backend = ctx.backend();
  const namespace = ctx.namespace;
  // Record who submitted it: ownership rules (own_jobs_only personas) rely on it.
  const prepared = await backend.prepare(namespace, { ...request, annotations: { ...request.annotations, ...creatorAnnotations(ctx.caller) } }, ctx.signal);
  const job = { name: prepared.name, namespace, runtime: prepared.runtime.name, runtime_kind: prepared.runtime.kind };
  const all: Check[] = [...checks, { check: 'runtime', ok: true, detail: `${prepared.runtime.name} (${prepared.runtime.kind}, ${prepared.runtime.trainer.framework})` }];

  if (confirmed) {
    const res = await backend.submit(prepared, { dryRun: false, signal: ctx.signal });
    return {
      status: 'submitted',
      job,
      trainjob: forDisplay(res.accepted),
      checks: all,
      ready: true,
      next: `Submitted. Follow it with wait_for_training(name="${job.name}") and get_training_logs(name="${job.name}").`,
    };
  }

  const [access, quota] = await Promise.all([
    backend.canI(namespace, 'create', 'trainjobs', 'trainer.kubeflow.org', ctx.signal).catch(() => undefined),
    backend.quota ? backend.quota(namespace, ctx.signal).catch(() => []) : Promise.resolve([]),
  ]);
  if (access) {
    all.push(
      access.allowed
        ? { check: 'rbac', ok: true, detail: `you may create TrainJobs in ${namespace}` }
        : { check: 'rbac', ok: false, detail: `you may not create trainjobs in namespace ${namespace}${access.reason ? ` (${access.reason})` : ''}: ask a cluster admin for a Role, or use a namespace you can write to` },
    );
  }
  const q = quotaCheck(quota, jobDemand(prepared.object, prepared.runtime.trainer.numNodes), namespace);
  if (q) all.push(q);

  let accepted: unknown = prepared.object;
  if (access?.allowed !== false) {
    try {
      accepted = (await backend.submit(prepared, { dryRun: true, signal: ctx.signal })).accepted;
      all.push({ check: 'dry-run', ok: true, detail: `accepted by ${backend.kind === 'kubernetes' ? 'the API server' : 'the backend'} (nothing created)` });
    } catch (err) {
      // Reachability problems are errors; a rejection is the preview's answer.
      if (err instanceof KubeApiError && (err.status === 0 || err.status === 504 || err.status === 499)) throw err;
      const te = toToolError(err);
      all.push({ check: 'dry-run', ok: false, detail: `${te.message} — ${te.hint}` });
    }
  }
  const ready = all.every((c) => c.ok !== false);
  return {
    status: 'preview',
    job,
    trainjob: forDisplay(accepted),
    checks: all,
    ready,
    next: ready
      ? `Nothing was created. Show this to the user; after they agree call ${tool} again with the same arguments, name="${job.name}" and confirmed=true.`
      : `Nothing was created. Fix the failed checks, then preview again.`,
  };
}

const MAX_STRING = 240;

/** The wire object without server bookkeeping, long strings shortened (the script can be many KB). */
export function forDisplay(obj: unknown): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}… [${v.length - MAX_STRING} more chars]` : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'managedFields' || k === 'uid' || k === 'resourceVersion' || k === 'generation' || k === 'creationTimestamp' || k === 'status') continue;
        out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(obj) as Record<string, unknown>;
}

export function renderSubmission(out: SubmissionOutput): string {
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
    ...out.checks.map((c) => `  ${c.ok === true ? 'ok  ' : c.ok === false ? 'FAIL' : '?   '} ${c.check}: ${c.detail}`),
    `trainjob: ${JSON.stringify(out.trainjob)}`,
    out.next,
  ];
  return lines.join('\n');
}
