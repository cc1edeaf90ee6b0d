/**
 * Schema fragments shared by tools. Descriptions are short on purpose: they are paid for on every
 * agent turn. Names follow KEP-936 / the Python reference server (snake_case).
 */
import { z } from 'zod';

/**
 * Marks a nested object of rarely used knobs: tools/list shows it as one object whose description
 * names the keys, instead of a full sub-schema (the server still validates every key strictly).
 */
export const KEYS_ONLY = 'x-keys-only';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const namespace = z.string().regex(DNS_LABEL, 'must be a Kubernetes namespace name (lowercase letters, digits, -)').max(63).optional();

/** A TrainJob name (RFC 1035 label, as the TrainJob CRD requires). */
export const jobName = z
  .string()
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must start with a lowercase letter and contain only lowercase letters, digits and -')
  .max(63);

/** A job's step: node-<i>, dataset-initializer or model-initializer (default node-0). */
export const stepName = z
  .string()
  .regex(/^(node-\d+|dataset-initializer|model-initializer)$/, 'must be node-<i>, dataset-initializer or model-initializer')
  .default('node-0');

/** false (default): preview, nothing changes; true: act. The server instructions explain it once. */
export const confirmed = z.boolean().default(false);

export const numNodes = z.int().min(1).max(1024).optional();

/** A Kueue LocalQueue of the namespace (a label value and object name). */
export const queue = z.string().regex(DNS_LABEL, 'must be a LocalQueue name (lowercase letters, digits, -)').max(63).optional();

/**
 * Resource names a node request may use (see src/kubeflow/trainer/resources.ts for the mapping):
 * the standard ones (any case), a MIG profile, or an extended resource `<domain>/<name>`.
 */
const STANDARD_RESOURCES = ['cpu', 'memory', 'gpu', 'storage', 'ephemeral-storage'];
const EXTENDED_RESOURCE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const isResourceName = (k: string) =>
  STANDARD_RESOURCES.includes(k.toLowerCase()) || /^mig-[a-z0-9][-a-z0-9.]*$/i.test(k) || (k.length <= 253 && EXTENDED_RESOURCE.test(k));

/**
 * Per-node resources, SDK style: {"gpu": 1, "cpu": 4, "memory": "32Gi"}. Unknown keys are refused.
 * The server instructions name the keys once for every training tool.
 */
export const resources = z
  .record(z.string().min(1), z.union([z.string().min(1), z.number().positive()]))
  .superRefine((r, ctx) => {
    for (const k of Object.keys(r)) {
      if (!isResourceName(k)) {
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `unknown resource '${k.slice(0, 60)}'; use ${STANDARD_RESOURCES.join(', ')}, mig-<profile> or an extended resource such as nvidia.com/gpu`,
        });
      }
    }
  })
  .optional();

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Plain environment variables. Credentials never go here: pass a Secret name instead. */
export const env = z.record(z.string().regex(ENV_NAME, 'must be a valid environment variable name'), z.string()).optional();

/** A check a preview ran: ok=true passed, false failed, null could not be checked. */
export const check = z.object({ check: z.string(), ok: z.boolean().nullable(), detail: z.string() });
export type Check = z.infer<typeof check>;

/** A mutation's output ends with the checks, whether all passed (a preview: applying should succeed), and the next step. */
export const verdict = { checks: z.array(check), ready: z.boolean(), next: z.string() };

/** How a bounded wait ended: the awaited status, another final one, its time, or the object's deletion. */
export const waitOutcome = z.enum(['reached', 'ended', 'timed_out', 'deleted']);
export type WaitOutcome = z.infer<typeof waitOutcome>;

/** How a wait ended, from its result: deleted, reached, else `ended` when the object is in another final state, else timed out. */
export const waitOutcomeOf = (r: { deleted?: unknown; reached: boolean }, ended: boolean): WaitOutcome =>
  r.deleted ? 'deleted' : r.reached ? 'reached' : ended ? 'ended' : 'timed_out';

const WAIT_HEADS: Record<WaitOutcome, string> = { reached: 'REACHED', ended: 'ENDED', timed_out: 'NOT YET', deleted: 'DELETED' };

/** The first line of a wait's result: "REACHED after 12s". */
export const waitHead = (outcome: WaitOutcome, seconds: number): string => `${WAIT_HEADS[outcome]} after ${seconds}s`;
