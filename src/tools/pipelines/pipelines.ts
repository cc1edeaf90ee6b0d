/** Pipelines and their versions: list, get with the root inputs, upload a compiled package. */
import { z } from 'zod';
import { PipelinesError } from '../../kubeflow/pipelines/errors.js';
import { parametersOfSpec, parsePackage } from '../../kubeflow/pipelines/package.js';
import type { Pipeline, PipelineVersion } from '../../kubeflow/pipelines/types.js';
import { defineMutation, defineTool } from '../contract.js';
import { age, fields, renderChecks } from '../render.js';
import { check, confirmed, namespace } from '../schemas.js';
import {
  creatorTags,
  localStamp,
  ownedByTags,
  page,
  pageOf,
  pageOut,
  parameter,
  parameterOut,
  pipelineRow,
  ref,
  renderPage,
  renderParameters,
  versionRow,
} from './views.js';

const row = z.object({
  id: z.string(),
  name: z.string(),
  created: z.string().optional(),
  description: z.string().optional(),
  namespace: z.string().optional(),
});

export const listPipelines = defineTool({
  name: 'list_pipelines',
  module: 'pipelines',
  category: 'discovery',
  risk: 'read',
  title: 'List pipelines',
  description: 'Uploaded pipelines, newest first; with pipeline, its versions.',
  input: z.object({ pipeline: ref.optional(), ...page, namespace }),
  output: z.object({ of: z.enum(['pipelines', 'versions']), items: z.array(row), ...pageOut }),
  async run(a, ctx) {
    const kfp = ctx.pipelines();
    const ns = ctx.namespace;
    const opts = { pageSize: a.page_size, pageToken: a.page_token, signal: ctx.signal };
    if (!a.pipeline) return pageOf('pipelines' as const, await kfp.listPipelines(ns, opts), pipelineRow);
    const p = await kfp.findPipeline(ns, a.pipeline, ctx.signal);
    return pageOf('versions' as const, await kfp.listVersions(ns, p.pipeline_id!, opts), versionRow);
  },
  render: (o) =>
    renderPage(
      o,
      [o.of === 'versions' ? 'VERSION ID' : 'PIPELINE ID', 'NAME', 'AGE'],
      o.items.map((r) => [r.id, r.name, age(r.created)]),
    ),
});

export const getPipeline = defineTool({
  name: 'get_pipeline',
  module: 'pipelines',
  category: 'discovery',
  risk: 'read',
  title: 'Get pipeline',
  description: 'A pipeline version (default newest) with the inputs a run takes.',
  input: z.object({ pipeline: ref.describe('name or id'), version: ref.optional(), namespace }),
  output: z.object({ pipeline: row, version: row, parameters: z.array(parameter), tasks: z.number() }),
  async run(a, ctx) {
    const kfp = ctx.pipelines();
    const p = await kfp.findPipeline(ctx.namespace, a.pipeline, ctx.signal);
    const v = await kfp.findVersion(ctx.namespace, p.pipeline_id!, a.version, ctx.signal);
    const spec = (v.pipeline_spec && 'pipeline_spec' in v.pipeline_spec ? v.pipeline_spec.pipeline_spec : v.pipeline_spec) as
      { root?: { dag?: { tasks?: object } } } | undefined;
    return {
      pipeline: pipelineRow(p),
      version: versionRow(v),
      parameters: parametersOfSpec(v.pipeline_spec).map(parameterOut),
      tasks: Object.keys(spec?.root?.dag?.tasks ?? {}).length,
    };
  },
  render: (o) =>
    [
      fields([
        ['pipeline', `${o.pipeline.name} (${o.pipeline.id})`],
        ['version', `${o.version.name} (${o.version.id})`],
        ['description', o.pipeline.description],
        ['tasks', o.tasks],
      ]),
      renderParameters(o.parameters),
    ].join('\n'),
});

export const uploadPipeline = defineMutation({
  name: 'upload_pipeline',
  module: 'pipelines',
  category: 'training',
  risk: 'write',
  title: 'Upload pipeline',
  description: 'Upload compiled pipeline YAML (never Python): a new pipeline, or a new version of an existing one.',
  input: z.object({
    package: z.string().min(1).describe('compiled YAML text'),
    name: ref.optional(),
    version: ref.optional(),
    description: z.string().max(10_000).optional(),
    namespace,
    confirmed,
  }),
  output: z.object({
    status: z.enum(['preview', 'uploaded']),
    pipeline: row.optional(),
    version: row.optional(),
    parameters: z.array(parameter),
    /** A preview's checks. */
    checks: z.array(check).optional(),
    next: z.string(),
  }),
  mutation: {
    verb: 'upload',
    async plan(a, ctx) {
      const pkg = parsePackage(a.package);
      const kfp = ctx.pipelines();
      const ns = ctx.namespace;
      const name = a.name ?? pkg.name;
      let existing: Pipeline | undefined;
      try {
        existing = await kfp.findPipeline(ns, name, ctx.signal);
      } catch (err) {
        if (!(err instanceof PipelinesError && err.code === 'not_found')) throw err;
      }
      // The SDK names a new version after the local time, and a new pipeline's first version after the pipeline.
      const version = a.version ?? (existing ? localStamp() : name);
      const parameters = pkg.parameters.map(parameterOut);
      return {
        summary: existing
          ? `Upload version ${version} of pipeline ${name} in ${ns || 'KFP'}`
          : `Upload new pipeline ${name} (version ${version}) in ${ns || 'KFP'}`,
        facts: [
          ['pipeline', existing ? `${name} (${existing.pipeline_id}, exists)` : `${name} (new)`],
          ['version', version],
          ['namespace', ns],
          ['inputs', parameters.map((p) => `${p.name}: ${p.type}`).join(', ') || 'none'],
          ['tasks', pkg.tasks],
        ],
        checks: [
          {
            check: 'package',
            ok: true,
            detail: `valid IR (schemaVersion 2.1.0, pipeline ${pkg.name}${pkg.platformSpec ? ', with a Kubernetes platform spec' : ''})`,
          },
        ],
        ...(existing ? { existing: ownedByTags(name, existing.tags) } : {}),
        pin: { version },
        object: { name, version, description: a.description, package: a.package },
        state: { name, version, existingId: existing?.pipeline_id, parameters, pkg: a.package, description: a.description },
      };
    },
    async apply(plan, ctx) {
      const { name, version, existingId, parameters, pkg, description } = plan.state;
      const kfp = ctx.pipelines();
      const ns = ctx.namespace;
      const tags = creatorTags(ctx.caller);
      let p: Pipeline, v: PipelineVersion;
      if (existingId) {
        v = await kfp.uploadVersion(ns, existingId, pkg, { name: version, description, tags, signal: ctx.signal });
        p = await kfp.findPipeline(ns, existingId, ctx.signal);
      } else {
        p = await kfp.uploadPipeline(ns, pkg, { name, description, tags, signal: ctx.signal });
        v = await kfp.findVersion(ns, p.pipeline_id!, undefined, ctx.signal);
        if ((v.display_name || v.name) !== version) v = await kfp.renameVersion(ns, p.pipeline_id!, v.pipeline_version_id!, version, ctx.signal);
      }
      return {
        status: 'uploaded' as const,
        pipeline: pipelineRow(p),
        version: versionRow(v),
        parameters,
        next: `run_pipeline(pipeline="${name}"${existingId ? `, version="${version}"` : ''}) starts a run.`,
      };
    },
    preview: (plan) => ({ parameters: plan.state.parameters }),
  },
  render: (o) =>
    [
      o.status === 'preview' ? 'PREVIEW (nothing uploaded)' : `UPLOADED ${o.pipeline?.name} version ${o.version?.name} (${o.version?.id})`,
      renderParameters(o.parameters),
      o.checks ? renderChecks(o.checks) : '',
      o.next,
    ]
      .filter(Boolean)
      .join('\n'),
});
