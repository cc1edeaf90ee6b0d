/** delete_spark: a Spark job (SparkApplication) or a Connect session (SparkConnect), with what they run. */
import { z } from 'zod';
import { SPARK_APPLICATIONS, SPARK_CONNECTS } from '../../kubeflow/spark/constants.js';
import { defineMutation } from '../contract.js';
import { renderChecks } from '../render.js';
import { check, confirmed, namespace } from '../schemas.js';
import { session, sparkName } from './views.js';

export const deleteSpark = defineMutation({
  name: 'delete_spark',
  module: 'spark',
  category: 'lifecycle',
  risk: 'destructive',
  title: 'Delete Spark job or session',
  description: 'Delete a Spark job with its driver and executor pods (and their logs), or with session=true stop a Connect session.',
  input: z.object({ name: sparkName, session, namespace, confirmed }),
  output: z.object({ status: z.enum(['preview', 'done']), name: z.string(), checks: z.array(check), ready: z.boolean(), next: z.string() }),
  mutation: {
    verb: 'delete',
    async plan(a, ctx) {
      const client = ctx.spark();
      const ns = ctx.namespace;
      const isJob = !a.session;
      const what = isJob ? 'job' : 'session';
      const current = isJob ? await client.getJob(ns, a.name, ctx.signal) : await client.getSession(ns, a.name, ctx.signal);
      const rt = isJob ? SPARK_APPLICATIONS : SPARK_CONNECTS;
      return {
        summary: `Delete ${rt.kind} ${a.name} in ${ns}`,
        // Bound to this object (name, namespace, creation); its state moves meanwhile.
        facts: [
          [what, a.name],
          ['namespace', ns],
          ['created', current.created],
          [
            'deletes',
            isJob
              ? 'the SparkApplication, its driver and executor pods and their logs'
              : 'the SparkConnect, its server pod, service and executors; connected clients lose the session',
          ],
        ],
        checks: [{ check: what, ok: true, detail: `${a.name} is ${current.state || 'NEW'}` }],
        existing: { name: a.name, annotations: current.annotations },
        validate: {
          access: { verb: 'delete', resource: rt.plural, group: rt.group },
          dryRun: () =>
            isJob ? client.deleteJob(ns, a.name, { dryRun: true, signal: ctx.signal }) : client.deleteSession(ns, a.name, { dryRun: true, signal: ctx.signal }),
          by: 'the API server',
        },
        state: { what, name: a.name, namespace: ns },
      };
    },
    async apply(plan, ctx) {
      const { what, name, namespace: ns } = plan.state;
      const client = ctx.spark();
      await (what === 'job' ? client.deleteJob(ns, name, { signal: ctx.signal }) : client.deleteSession(ns, name, { signal: ctx.signal }));
      return { status: 'done' as const, name, checks: [], ready: true, next: `Deleted Spark ${what} ${name}; its pods go with it (owner references).` };
    },
    preview: (plan) => ({ name: plan.state.name }),
  },
  render: (o) =>
    [o.status === 'preview' ? `PREVIEW (nothing changed) — delete ${o.name}` : `DELETED ${o.name}`, renderChecks(o.checks), o.next].filter(Boolean).join('\n'),
});
