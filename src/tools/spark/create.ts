/** What the two create tools (submit_spark_job, create_spark_session) share: arguments, the name, the checks. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Identity } from '../../auth/identity.js';
import type { SparkClient } from '../../kubeflow/spark/client.js';
import { creatorAnnotations } from '../ownership.js';
import { confirmed, namespace, type Check } from '../schemas.js';
import { sparkName } from './views.js';

/** Executor/server resources: cpu and memory only (anything else is refused with the reason). */
export const sparkResources = z.partialRecord(z.enum(['cpu', 'memory']), z.union([z.string().min(1).max(40), z.number().positive()]));

export const executorArgs = {
  num_executors: z.int().min(0).max(10_000).optional(),
  executor_resources: sparkResources.optional().describe('cpu, memory per executor'),
  spark_conf: z.record(z.string().min(1).max(200), z.string().max(4000)).optional(),
};

/** The options both take; each adds its own (driver or server resources, deps). */
export const commonOptions = {
  image: z.string().min(1).max(500).optional(),
  spark_version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'must be a Spark version like 4.0.4')
    .optional(),
  service_account: sparkName.optional(),
  dynamic_allocation: z
    .object({
      min_executors: z.int().min(0).max(10_000).optional(),
      max_executors: z.int().min(1).max(10_000),
      initial_executors: z.int().min(0).max(10_000).optional(),
    })
    .strict()
    .optional(),
  labels: z.record(z.string().min(1).max(317), z.string().max(63)).optional(),
};

/** The created object's name (generated when left out), its namespace, and the confirmation. */
export const createTarget = { name: sparkName.optional(), namespace, confirmed };

type Common = z.output<z.ZodObject<typeof executorArgs>> & { options?: z.output<z.ZodObject<typeof commonOptions>> };

/** The wire builders' fields from the common arguments, named the SDK's way (its prefix and 8 hex digits) when the call gives no name. */
export function commonRequest(a: Common & { name?: string }, prefix: string, namespace: string, caller: Identity) {
  const o = a.options ?? {};
  const d = o.dynamic_allocation;
  return {
    name: a.name ?? `${prefix}-${randomBytes(4).toString('hex')}`,
    namespace,
    numExecutors: a.num_executors,
    executorResources: a.executor_resources,
    sparkConf: a.spark_conf,
    image: o.image,
    sparkVersion: o.spark_version,
    serviceAccount: o.service_account,
    dynamicAllocation: d && { minExecutors: d.min_executors, maxExecutors: d.max_executors, initialExecutors: d.initial_executors },
    labels: o.labels,
    // Who created it: ownership rules (own_jobs_only personas) rely on it.
    annotations: creatorAnnotations(caller),
  };
}

/** The preview's executors fact of a SparkApplication or SparkConnect spec. */
export function executorsFact(spec: {
  dynamicAllocation?: { minExecutors?: number; maxExecutors?: number };
  executor: { instances?: number; cores?: number; memory?: string };
}): string {
  const d = spec.dynamicAllocation;
  const count = d ? `dynamic ${d.minExecutors ?? 0}-${d.maxExecutors}` : String(spec.executor.instances);
  return `${count} x ${spec.executor.cores} core(s), ${spec.executor.memory}`;
}

/** What a preview asks the API server: may the caller create it, does the quota allow it (the object, plus `demand`), does a dry-run accept it. */
export function createValidation(rt: { plural: string; group: string }, dryRun: () => Promise<unknown>, demand: Array<[string, number]> = []) {
  return {
    access: { verb: 'create', resource: rt.plural, group: rt.group },
    demand: new Map([[`count/${rt.plural}.${rt.group}`, 1], ...demand]),
    dryRun,
    by: 'the API server',
  };
}

/** The driver (a session's server) creates the executor pods, so its service account must exist and hold pod rights. */
export async function serviceAccountCheck(client: SparkClient, namespace: string, sa: string, signal: AbortSignal): Promise<Check> {
  const exists = await client.serviceAccountExists(namespace, sa, signal);
  if (exists === undefined) return { check: 'service-account', ok: null, detail: `cannot read service accounts in ${namespace} to check that ${sa} exists` };
  return exists
    ? { check: 'service-account', ok: true, detail: `${sa} exists in ${namespace}` }
    : {
        check: 'service-account',
        ok: false,
        detail: `service account ${sa} does not exist in ${namespace}: the Spark Operator chart creates it only in its spark.jobNamespaces; use one of those namespaces, pass options.service_account, or ask an admin to add ${namespace} to spark.jobNamespaces`,
      };
}
