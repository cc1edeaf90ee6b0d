/** delete_spark: a Spark job (SparkApplication) or a Connect session (SparkConnect), with what they run. */
import { z } from 'zod';
import { SPARK_APPLICATIONS, SPARK_CONNECTS } from '../../kubeflow/spark/constants.js';
import { deletionTool } from '../deletion.js';
import { confirmed, namespace } from '../schemas.js';
import { session, sparkName } from './views.js';

export const deleteSpark = deletionTool({
  name: 'delete_spark',
  module: 'spark',
  title: 'Delete Spark job or session',
  description: 'Delete a Spark job with its driver and executor pods (and their logs), or with session=true stop a Connect session.',
  input: z.object({ name: sparkName, session, namespace, confirmed }),
  async find(a, ctx) {
    const client = ctx.spark();
    const ns = ctx.namespace;
    const current = a.session ? await client.getSession(ns, a.name, ctx.signal) : await client.getJob(ns, a.name, ctx.signal);
    const rt = a.session ? SPARK_CONNECTS : SPARK_APPLICATIONS;
    return {
      kind: rt.kind,
      what: a.session ? 'session' : 'job',
      created: current.created,
      annotations: current.annotations,
      state: current.state || 'NEW',
      deletes: a.session
        ? 'the SparkConnect, its server pod, service and executors; connected clients lose the session'
        : 'the SparkApplication, its driver and executor pods and their logs',
      access: { resource: rt.plural, group: rt.group },
      remove: (dryRun) =>
        a.session ? client.deleteSession(ns, a.name, { dryRun, signal: ctx.signal }) : client.deleteJob(ns, a.name, { dryRun, signal: ctx.signal }),
      after: `Deleted Spark ${a.session ? 'session' : 'job'} ${a.name}; its pods go with it (owner references).`,
    };
  },
});
