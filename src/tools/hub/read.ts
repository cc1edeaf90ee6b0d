/** Reading the Model Registry: models, versions, artifacts. */
import { z } from 'zod';
import { defineTool } from '../contract.js';
import { age, fields, table } from '../render.js';
import { namespace } from '../schemas.js';
import { artifact, artifactOut, model, modelOut, props, version, versionOut } from './views.js';

const page = { page_size: z.int().min(1).max(1000).default(50), page_token: z.string().optional() };
const modelName = z.string().min(1).max(255);
const versionName = z.string().min(1).max(255);

export const listModels = defineTool({
  name: 'list_models',
  module: 'hub',
  category: 'discovery',
  risk: 'read',
  title: 'List models',
  description: 'Registered models in the Model Registry, oldest first; paged via page_token.',
  input: z.object({ ...page, namespace }),
  output: z.object({ models: z.array(model), next_page_token: z.string().optional() }),
  async run(a, ctx) {
    const p = await ctx.registry().listModels({ pageSize: a.page_size, nextPageToken: a.page_token, signal: ctx.signal });
    return { models: p.items.map(modelOut), next_page_token: p.nextPageToken };
  },
  render: (o) =>
    [table(['MODEL', 'STATE', 'OWNER', 'AGE'], o.models.map((m) => [m.name, m.state, m.owner, age(m.created)]), 'No registered models.'), o.next_page_token ? `More: page_token="${o.next_page_token}".` : '']
      .filter(Boolean)
      .join('\n'),
});

export const getModel = defineTool({
  name: 'get_model',
  module: 'hub',
  category: 'discovery',
  risk: 'read',
  title: 'Get model',
  description: 'A registered model by name.',
  input: z.object({ name: modelName, namespace }),
  output: model,
  run: async (a, ctx) => modelOut(await ctx.registry().getModel(a.name, { signal: ctx.signal })),
  render: (m) => fields([['model', `${m.name} (id ${m.id})`], ['state', m.state], ['owner', m.owner], ['description', m.description], ['properties', props(m.properties)]]),
});

export const listModelVersions = defineTool({
  name: 'list_model_versions',
  module: 'hub',
  category: 'discovery',
  risk: 'read',
  title: 'List model versions',
  description: "A registered model's versions, oldest first; paged.",
  input: z.object({ name: modelName, ...page, namespace }),
  output: z.object({ versions: z.array(version), next_page_token: z.string().optional() }),
  async run(a, ctx) {
    const p = await ctx.registry().listModelVersions(a.name, { pageSize: a.page_size, nextPageToken: a.page_token, signal: ctx.signal });
    return { versions: p.items.map(versionOut), next_page_token: p.nextPageToken };
  },
  render: (o) =>
    [table(['VERSION', 'STATE', 'AUTHOR', 'AGE'], o.versions.map((v) => [v.name, v.state, v.author, age(v.created)]), 'No versions.'), o.next_page_token ? `More: page_token="${o.next_page_token}".` : '']
      .filter(Boolean)
      .join('\n'),
});

export const getModelVersion = defineTool({
  name: 'get_model_version',
  module: 'hub',
  category: 'discovery',
  risk: 'read',
  title: 'Get model version',
  description: 'One version of a registered model.',
  input: z.object({ name: modelName, version: versionName, namespace }),
  output: version,
  run: async (a, ctx) => versionOut(await ctx.registry().getModelVersion(a.name, a.version, { signal: ctx.signal })),
  render: (v) => fields([['version', `${v.name} (id ${v.id})`], ['state', v.state], ['author', v.author], ['description', v.description], ['properties', props(v.properties)]]),
});

export const getModelArtifact = defineTool({
  name: 'get_model_artifact',
  module: 'hub',
  category: 'discovery',
  risk: 'read',
  title: 'Get model artifact',
  description: "Where a model version's files are (URI, format, storage credentials reference).",
  input: z.object({ name: modelName, version: versionName, namespace }),
  output: artifact,
  run: async (a, ctx) => artifactOut(await ctx.registry().getModelArtifact(a.name, a.version, { signal: ctx.signal })),
  render: (x) => fields([['artifact', x.id], ['uri', x.uri], ['format', x.format], ['state', x.state], ['storage', x.storage ? props(x.storage) : undefined], ['properties', props(x.properties)]]),
});
