/** create_spark_session: a SparkConnect server, waited for until Ready, returned with its sc:// address. */
import { z } from 'zod';
import { buildSparkConnect } from '../../kubeflow/spark/build.js';
import { SESSION_NAME_PREFIX, SPARK_CONNECTS } from '../../kubeflow/spark/constants.js';
import { defineMutation } from '../contract.js';
import { forDisplay, renderChecks } from '../render.js';
import { KEYS_ONLY, verdict, type Check } from '../schemas.js';
import { commonOptions, commonRequest, createTarget, createValidation, executorArgs, executorsFact, serviceAccountCheck, sparkResources } from './create.js';
import { renderSession, sessionOut, sessionViewOut } from './views.js';

const input = z.object({
  ...executorArgs,
  options: z
    .object({ ...commonOptions, server_resources: sparkResources.optional() })
    .strict()
    .optional()
    .meta({ description: 'image, spark_version, server_resources, service_account, dynamic_allocation, labels', [KEYS_ONLY]: true }),
  wait_seconds: z.int().min(0).max(300).default(60),
  ...createTarget,
});

const output = z.object({
  status: z.enum(['preview', 'created']),
  name: z.string(),
  session: sessionOut.optional(),
  sparkconnect: z.record(z.string(), z.unknown()),
  ...verdict,
});

export const createSparkSession = defineMutation({
  name: 'create_spark_session',
  module: 'spark',
  category: 'training',
  risk: 'write',
  title: 'Create Spark Connect session',
  description: 'Start a Spark Connect server for interactive PySpark; waits until Ready and returns its sc:// address (and a port-forward from outside).',
  input,
  output,
  mutation: {
    verb: 'create',
    async plan(a, ctx) {
      const client = ctx.spark();
      const namespace = ctx.namespace;
      const session = buildSparkConnect({ ...commonRequest(a, SESSION_NAME_PREFIX, namespace, ctx.caller), serverResources: a.options?.server_resources });
      const name = session.metadata.name!;
      const sa = a.options?.service_account;
      const checks: Check[] = [
        sa
          ? await serviceAccountCheck(client, namespace, sa, ctx.signal)
          : {
              check: 'service-account',
              ok: null,
              detail: `the server runs as the namespace's default service account, which needs rights to create executor pods; pass options.service_account (e.g. spark-operator-spark) if it lacks them`,
            },
        { check: 'operator', ok: null, detail: 'sessions without an executor template need Spark Operator v2.5.0 or later (v2.4.0 fails to start the server)' },
      ];
      const spec = session.spec;
      return {
        summary: `Create SparkConnect ${name} in ${namespace} with ${spec.executor.instances} executor(s)`,
        facts: [
          ['namespace', namespace],
          ['executors', executorsFact(spec)],
          ['server', `${spec.server.cores} core(s), ${spec.server.memory}${sa ? `, service account ${sa}` : ''}`],
          ['image', `${spec.image} (Spark ${spec.sparkVersion})`],
        ],
        checks,
        pin: { name },
        object: session,
        validate: createValidation(SPARK_CONNECTS, () => client.createSession(session, { dryRun: true, signal: ctx.signal })),
        state: { session, wait: a.wait_seconds },
      };
    },
    async apply(plan, ctx) {
      const client = ctx.spark();
      const { session, wait } = plan.state;
      const name = session.metadata.name!;
      const namespace = session.metadata.namespace!;
      const accepted = await client.createSession(session, { signal: ctx.signal });
      const order = { Provisioning: 0, NotReady: 1, Ready: 2, Failed: 2 } as const;
      const res =
        wait > 0
          ? await client.waitForSession(namespace, name, {
              timeoutSeconds: wait,
              signal: ctx.signal,
              onChange: (s) => void ctx.progress(order[s.state], 2, `${name}: ${s.state}`),
            })
          : { view: await client.getSession(namespace, name, ctx.signal), reached: false, deleted: false, waitedSeconds: 0 };
      const view = res.view && sessionViewOut(res.view);
      const next = res.reached
        ? `Ready. Connect a PySpark client to ${view?.address} from inside the cluster, or run \`${view?.port_forward}\` and use ${view?.local_address}. Delete it with delete_spark(name="${name}", session=true) when done.`
        : res.deleted
          ? `The session was deleted while starting.`
          : `Created, but not Ready after ${res.waitedSeconds}s (${view?.state ?? 'unknown'}${view?.reason ? `: ${view.reason}` : ''}). Wait with get_spark_status(name="${name}", session=true, wait_for="Ready", logs=100); if you no longer want it, delete_spark(name="${name}", session=true) so it does not keep its pods.`;
      return { status: 'created' as const, name, session: view, sparkconnect: forDisplay(accepted), checks: plan.checks, ready: res.reached, next };
    },
    preview: (plan, v) => ({ name: plan.state.session.metadata.name!, sparkconnect: forDisplay(v.accepted ?? plan.object) }),
  },
  render: (o) =>
    [
      o.status === 'preview' ? `PREVIEW (nothing created) — SparkConnect ${o.name}` : `CREATED — SparkConnect ${o.name}${o.ready ? ' (Ready)' : ''}`,
      o.session ? renderSession(o.session) : '',
      'checks:',
      renderChecks(o.checks),
      o.status === 'preview' ? `sparkconnect: ${JSON.stringify(o.sparkconnect)}` : '',
      o.next,
    ]
      .filter(Boolean)
      .join('\n'),
});
