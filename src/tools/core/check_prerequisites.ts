import { z } from 'zod';
import { estimateResources } from '../../kubeflow/planning/estimate.js';
import type { ClusterResources } from '../../kubeflow/trainer/backend.js';
import { queueCheck } from '../../kubeflow/trainer/blockers.js';
import { matchTorchtuneRuntime } from '../../kubeflow/trainer/modelMatch.js';
import type { Runtime } from '../../kubeflow/trainer/types.js';
import type { ToolContext } from '../context.js';
import { defineTool } from '../contract.js';
import { withRuntime } from '../defaults.js';
import { toToolError } from '../errors.js';
import { renderChecks } from '../render.js';
import { check, namespace, queue, type Check } from '../schemas.js';
import { gpuFit, runtimeGpusPerNode } from '../trainer/gpuFit.js';
import { estimateInput } from './estimate_resources.js';

export const checkPrerequisites = defineTool({
  name: 'check_prerequisites',
  module: 'core',
  category: 'planning',
  risk: 'read',
  title: 'Pre-flight checks',
  description: "Pre-flight: cluster, RBAC, runtime (or the model's torchtune one), free GPUs per node, memory fit, Kueue queue.",
  input: z.object({
    model: estimateInput.model,
    peft_method: estimateInput.peft_method,
    runtime: z.string().min(1).max(253).optional(),
    num_nodes: estimateInput.num_nodes,
    gpus_per_node: z.int().min(0).max(64).optional(),
    queue,
    namespace,
  }),
  output: z.object({ ready: z.boolean(), checks: z.array(check), next: z.string() }),
  async run(a, ctx) {
    const checks: Check[] = [];
    let namespace: string;
    try {
      namespace = ctx.namespace;
    } catch (err) {
      const te = toToolError(err);
      return {
        ready: false,
        checks: [{ check: 'namespace', ok: false, detail: `${te.message} ${te.hint}` }],
        next: 'Pick an allowed namespace and check again.',
      };
    }
    const backend = ctx.backend();
    let cluster: ClusterResources | undefined;
    try {
      cluster = await backend.clusterResources(namespace, ctx.signal);
      checks.push({ check: 'cluster', ok: true, detail: backend.describe() });
    } catch (err) {
      const te = toToolError(err);
      checks.push({ check: 'cluster', ok: false, detail: `${te.message} — ${te.hint}` });
      return { ready: false, checks, next: 'Fix cluster access first; nothing else can be checked.' };
    }

    const access = await backend.canI(namespace, 'create', 'trainjobs', 'trainer.kubeflow.org', ctx.signal).catch(() => undefined);
    checks.push(
      access === undefined
        ? { check: 'namespace', ok: null, detail: `could not ask the API server whether you may create TrainJobs in ${namespace}` }
        : {
            check: 'namespace',
            ok: access.allowed,
            detail: access.allowed
              ? `you may create TrainJobs in ${namespace}`
              : `you may not create TrainJobs in ${namespace}${access.reason ? ` (${access.reason})` : ''}`,
          },
    );

    const runtime = await runtimeCheck(ctx, namespace, a.runtime, a.model, checks);

    const estimate = a.model ? estimateResources({ model: a.model, peftMethod: a.peft_method, numNodes: a.num_nodes }) : undefined;
    // GPUs each node needs: as asked, else as estimated, else what the runtime requests.
    const perNode = a.gpus_per_node ?? estimate?.recommended?.perNode ?? (runtime ? runtimeGpusPerNode(runtime) : 0);
    checks.push(gpuFit(cluster, a.num_nodes, perNode) ?? { check: 'gpus', ok: true, detail: 'no GPUs requested' });
    if (estimate) checks.push(memoryCheck(cluster, estimate.perGpuGb, estimate.confidence));
    if (a.queue) checks.push(await kueueCheck(ctx, namespace, a.queue));

    const ready = checks.every((c) => c.ok !== false);
    const failed = checks.filter((c) => c.ok === false).map((c) => c.check);
    return {
      ready,
      checks,
      next: ready
        ? 'Pre-flight passed (unknowns noted). Preview the job with the training tool (confirmed=false) and show it to the user.'
        : `Fix: ${failed.join(', ')}. Then check again.`,
    };
  },
  render: (o) => [o.ready ? 'READY' : 'NOT READY', renderChecks(o.checks), o.next].join('\n'),
});

async function runtimeCheck(
  ctx: ToolContext,
  namespace: string,
  name: string | undefined,
  model: string | undefined,
  checks: Check[],
): Promise<Runtime | undefined> {
  const backend = ctx.backend();
  try {
    if (!name && model) {
      const { runtimes } = await backend.listRuntimes(namespace, ctx.signal);
      const match = matchTorchtuneRuntime(model, runtimes);
      checks.push(
        match
          ? { check: 'runtime', ok: true, detail: `${match.name} fits ${model} (fine_tune)` }
          : {
              check: 'runtime',
              ok: null,
              detail: `no torchtune runtime is built for ${model}: fine_tune cannot run it; run_custom_training with your own code can (default runtime ${ctx.defaults.runtime.name})`,
            },
      );
      return match;
    }
    const runtime = await withRuntime(ctx, name, (r) => backend.getRuntime(namespace, r, ctx.signal));
    checks.push({ check: 'runtime', ok: true, detail: `${runtime.name} (${runtime.kind}, ${runtime.trainer.framework})` });
    return runtime;
  } catch (err) {
    const te = toToolError(err);
    checks.push({ check: 'runtime', ok: false, detail: `${te.message} — ${te.hint}` });
    return undefined;
  }
}

async function kueueCheck(ctx: ToolContext, namespace: string, name: string): Promise<Check> {
  const backend = ctx.backend();
  if (!backend.localQueue)
    return { check: 'queue', ok: null, detail: `Kueue queues are a cluster feature; the ${backend.kind} backend runs jobs in its own queue` };
  try {
    return { check: 'queue', ...queueCheck(name, await backend.localQueue(namespace, name, ctx.signal)) };
  } catch (err) {
    const te = toToolError(err);
    return {
      check: 'queue',
      ok: te.code === 'not_found' ? false : null,
      detail:
        te.code === 'not_found'
          ? "Kueue's LocalQueue API is not served here: a queue cannot admit the job; leave queue out"
          : `cannot read LocalQueue ${name}: ${te.message}`,
    };
  }
}

function memoryCheck(cluster: ClusterResources, perGpuGb: number, confidence: string): Check {
  const mems = cluster.nodes.flatMap((n) => n.gpus.map((g) => g.memoryGb)).filter((m): m is number => typeof m === 'number');
  if (mems.length === 0)
    return { check: 'memory', ok: null, detail: `needs ~${perGpuGb} GB per GPU (${confidence} confidence); GPU memory of this cluster is unknown` };
  const best = Math.max(...mems);
  return perGpuGb <= best * 0.9
    ? { check: 'memory', ok: true, detail: `~${perGpuGb} GB per GPU fits the ${best} GB GPUs (${confidence} confidence)` }
    : {
        check: 'memory',
        ok: false,
        detail: `~${perGpuGb} GB per GPU exceeds the largest GPUs here (${best} GB): use qlora, a smaller batch or sequence length, or more GPUs (full fine-tune shards)`,
      };
}
