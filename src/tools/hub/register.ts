import { z } from 'zod';
import { HubError } from '../../kubeflow/hub/errors.js';
import { modelUriFromTrainJob, type ModelUriResult } from '../../kubeflow/hub/modelUri.js';
import { defineMutation, ToolError } from '../contract.js';
import { fields, renderChecks } from '../render.js';
import { check, confirmed, jobName, KEYS_ONLY, namespace } from '../schemas.js';
import { artifact, artifactOut, model, modelOut, props, version, versionOut } from './views.js';

export const registerModel = defineMutation({
  name: 'register_model',
  module: 'hub',
  category: 'training',
  risk: 'write',
  title: 'Register model',
  description:
    'Register a model version (and the model if new) in the Model Registry, from a URI or a finished TrainJob. Safe to repeat; a failure leaves nothing half-registered.',
  input: z.object({
    name: z.string().min(1).max(255),
    version: z.string().min(1).max(255),
    uri: z
      .string()
      .regex(/^[a-z][a-z0-9+.-]*:\/\/.+/, 'must be a URI such as s3://bucket/path, pvc://claim/path or hf://org/name')
      .optional(),
    train_job: jobName.optional().describe('finished TrainJob: source of uri and lineage'),
    options: z
      .object({
        format: z.string().min(1).optional(),
        format_version: z.string().min(1).optional(),
        description: z.string().max(10_000).optional(),
        metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
        storage_secret: z.string().optional(),
      })
      .strict()
      .optional()
      .meta({ description: 'format, format_version, description, metadata, storage_secret', [KEYS_ONLY]: true }),
    namespace,
    confirmed,
  }),
  output: z.object({
    status: z.enum(['preview', 'registered', 'already_registered', 'completed']),
    uri: z.string(),
    model: model.optional(),
    version: version.optional(),
    artifact: artifact.optional(),
    notes: z.array(z.string()),
    /** A preview's checks. */
    checks: z.array(check).optional(),
    next: z.string().optional(),
  }),
  mutation: {
    verb: 'register',
    async plan(a, ctx) {
      const registry = ctx.registry();
      const notes: string[] = [];
      const metadata: Record<string, string | number | boolean> = { ...a.options?.metadata };
      let uri = a.uri;
      if (a.train_job) {
        const backend = ctx.backend();
        const job = await backend.getJob(ctx.namespace, a.train_job, ctx.signal);
        if (job.status !== 'Complete')
          throw new ToolError(
            'job_not_complete',
            `TrainJob ${a.train_job} is ${job.status}, not Complete.`,
            'Register after it completes (wait_for_training), or pass uri explicitly.',
          );
        Object.assign(metadata, { trainjob: `${ctx.namespace}/${a.train_job}`, runtime: job.runtime.name });
        if (!uri) {
          const trainJob = await backend.getJobObject?.(ctx.namespace, a.train_job, ctx.signal);
          const raw = (await backend.getRuntimeObject(ctx.namespace, job.runtime.name, ctx.signal).catch(() => undefined)) as Parameters<
            typeof modelUriFromTrainJob
          >[1];
          const derived: ModelUriResult = trainJob
            ? modelUriFromTrainJob(trainJob, raw)
            : { reason: 'this backend does not keep the model output in a place the registry can reference' };
          if (derived.uri === undefined)
            throw new ToolError(
              'model_uri_unknown',
              `Cannot tell where TrainJob ${a.train_job} wrote its model: ${derived.reason}`,
              'Pass uri (where your training code saved the model, e.g. s3://bucket/models/run-1).',
            );
          uri = derived.uri;
          notes.push(`uri from ${a.train_job}: ${derived.basis}`, ...derived.caveats);
        }
      }
      if (!uri)
        throw new ToolError(
          'invalid_arguments',
          'Give uri (where the model files are) or train_job (a finished TrainJob).',
          'e.g. uri="s3://bucket/models/qwen-lora" or train_job="a3f9c1b2d4e5".',
        );
      const opts = {
        version: a.version,
        modelFormatName: a.options?.format,
        modelFormatVersion: a.options?.format_version,
        description: a.options?.description,
        metadata,
        author: ctx.caller.user,
        owner: ctx.caller.user,
        storage: a.options?.storage_secret ? { key: a.options.storage_secret } : undefined,
      };
      return {
        summary: `Register ${a.name} version ${a.version} from ${uri}`,
        facts: [
          ['model', a.name],
          ['version', a.version],
          ['uri', uri],
          ['metadata', props(metadata) || '(none)'],
        ],
        checks: [],
        object: opts,
        validate: {
          // Previews only: registering is idempotent, so the confirmed call need not ask first.
          dryRun: () =>
            registry.getModelVersion(a.name, a.version, { signal: ctx.signal }).then(
              (v) => `version ${a.version} of ${a.name} already exists (${v.state}): registering again is a no-op if the uri matches, a conflict otherwise`,
              (err: unknown) => {
                if (err instanceof HubError && err.code === 'not_found') return `${a.name} ${a.version} is new`;
                throw err;
              },
            ),
          by: 'the Model Registry',
        },
        state: { name: a.name, uri, opts, notes, metadata: `metadata: ${props(metadata) || '(none)'}` },
      };
    },
    async apply(plan, ctx) {
      const { name, uri, opts, notes } = plan.state;
      const r = await ctx.registry().registerModel(name, uri, { ...opts, signal: ctx.signal });
      return {
        status: r.outcome,
        uri,
        model: modelOut(r.model),
        version: versionOut(r.version),
        artifact: artifactOut(r.artifact),
        notes: [...notes, ...r.notes],
      };
    },
    preview: (plan, v) => ({
      uri: plan.state.uri,
      notes: [...plan.state.notes, ...(typeof v.accepted === 'string' ? [v.accepted] : []), plan.state.metadata],
    }),
  },
  render: (o) =>
    [
      o.status === 'preview' ? `PREVIEW (nothing registered) — ${o.uri}` : `${o.status.toUpperCase()}: ${o.model?.name} ${o.version?.name}`,
      fields([
        ['uri', o.uri],
        ['artifact', o.artifact?.id],
      ]),
      ...o.notes.map((n) => `note: ${n}`),
      o.checks ? renderChecks(o.checks) : '',
      o.next ?? '',
    ]
      .filter(Boolean)
      .join('\n'),
});
