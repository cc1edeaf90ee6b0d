/** submit_spark_job: a SparkApplication, the SDK's body by default (docs/wire/spark.md). */
import { z } from 'zod';
import { buildSparkApplication } from '../../kubeflow/spark/build.js';
import { JOB_NAME_PREFIX, SPARK_APPLICATIONS } from '../../kubeflow/spark/constants.js';
import type { SparkAppType, SparkApplication } from '../../kubeflow/spark/types.js';
import { defineMutation } from '../contract.js';
import { forDisplay, renderChecks } from '../render.js';
import { env, KEYS_ONLY, verdict } from '../schemas.js';
import { commonOptions, commonRequest, createTarget, createValidation, executorArgs, executorsFact, serviceAccountCheck, sparkResources } from './create.js';

const uris = z.array(z.string().min(1).max(2000)).max(100).optional();

const input = z.object({
  main_file: z.string().min(1).max(2000).describe('URI of the .py, .jar or .R'),
  main_class: z.string().min(1).max(500).optional(),
  arguments: z.array(z.string().max(4000)).max(256).optional(),
  ...executorArgs,
  env,
  options: z
    .object({
      ...commonOptions,
      driver_resources: sparkResources.optional(),
      deps: z
        .object({ jars: uris, py_files: uris, files: uris, archives: uris, packages: uris, exclude_packages: uris, repositories: uris })
        .strict()
        .optional(),
    })
    .strict()
    .optional()
    .meta({
      description:
        'image, spark_version, driver_resources, service_account, dynamic_allocation {min_executors, max_executors}, deps {jars, py_files, packages}, labels',
      [KEYS_ONLY]: true,
    }),
  ...createTarget,
});

const output = z.object({
  status: z.enum(['preview', 'submitted']),
  name: z.string(),
  sparkapplication: z.record(z.string(), z.unknown()),
  ...verdict,
});

interface State {
  app: SparkApplication;
}

export const submitSparkJob = defineMutation({
  name: 'submit_spark_job',
  module: 'spark',
  category: 'training',
  risk: 'write',
  title: 'Submit Spark job',
  description: 'Run a PySpark, JVM (.jar + main_class) or R app as a SparkApplication: a driver and num_executors executors.',
  input,
  output,
  mutation: {
    verb: 'create',
    async plan(a, ctx) {
      const client = ctx.spark();
      const namespace = ctx.namespace;
      const d = a.options?.deps;
      const app = buildSparkApplication({
        ...commonRequest(a, JOB_NAME_PREFIX, namespace, ctx.caller),
        mainApplicationFile: a.main_file,
        type: appType(a.main_file, a.main_class),
        mainClass: a.main_class,
        arguments: a.arguments,
        env: a.env,
        driverResources: a.options?.driver_resources,
        deps: d && {
          jars: d.jars,
          pyFiles: d.py_files,
          files: d.files,
          archives: d.archives,
          packages: d.packages,
          excludePackages: d.exclude_packages,
          repositories: d.repositories,
        },
      });
      const name = app.metadata.name!;
      const spec = app.spec;
      const checks = [await serviceAccountCheck(client, namespace, spec.driver.serviceAccount!, ctx.signal)];
      const cores = (spec.driver.cores ?? 1) + (spec.executor.instances ?? spec.dynamicAllocation?.minExecutors ?? 0) * (spec.executor.cores ?? 1);
      return {
        summary: `Create SparkApplication ${name} in ${namespace}: ${spec.type} ${a.main_file}`,
        facts: [
          ['namespace', namespace],
          ['application', `${spec.type} ${a.main_file}${spec.mainClass ? ` (${spec.mainClass})` : ''}`],
          ['executors', executorsFact(spec)],
          ['driver', `${spec.driver.cores} core(s), ${spec.driver.memory}, service account ${spec.driver.serviceAccount}`],
          ['image', `${spec.image} (Spark ${spec.sparkVersion})`],
        ],
        checks,
        pin: { name },
        object: app,
        // Requests known before the operator adds memory overhead: the object and the cores.
        validate: createValidation(SPARK_APPLICATIONS, () => client.submit(app, { dryRun: true, signal: ctx.signal }), [['requests.cpu', cores]]),
        state: { app } satisfies State,
      };
    },
    async apply(plan, ctx) {
      const accepted = await ctx.spark().submit(plan.state.app, { signal: ctx.signal });
      const name = plan.state.app.metadata.name!;
      return {
        status: 'submitted' as const,
        name,
        sparkapplication: forDisplay(accepted),
        checks: plan.checks,
        ready: true,
        next: `Submitted. Follow it with get_spark_status(name="${name}", wait_for="Completed", logs=50).`,
      };
    },
    preview: (plan, v) => ({ name: plan.state.app.metadata.name!, sparkapplication: forDisplay(v.accepted ?? plan.object) }),
  },
  render: (o) =>
    [
      o.status === 'preview' ? `PREVIEW (nothing created) — SparkApplication ${o.name}` : `SUBMITTED — SparkApplication ${o.name}`,
      'checks:',
      renderChecks(o.checks),
      `sparkapplication: ${JSON.stringify(o.sparkapplication)}`,
      o.next,
    ].join('\n'),
});

/**
 * The application type from the file: the SDK always sends Python, so a .jar or .R file it submits
 * cannot run. Python for .py and anything unknown (the SDK's value), R for .R, Java for a .jar or
 * when a main class is given (Java and Scala submit the same way).
 */
export function appType(file: string, mainClass: string | undefined): SparkAppType {
  const ext = /\.([A-Za-z]+)(?:[?#].*)?$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'r') return 'R';
  if (ext === 'jar' || (mainClass && ext !== 'py')) return 'Java';
  return 'Python';
}
