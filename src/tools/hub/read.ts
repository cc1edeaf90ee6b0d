/** Reading the Model Registry: models, versions, artifacts. */
import { z } from 'zod';
import { defineTool, ToolError } from '../contract.js';
import type { Page, PageOptions } from '../../kubeflow/hub/types.js';
import { age, fields, table, type Cell } from '../render.js';
import { namespace } from '../schemas.js';
import { artifact, artifactOut, model, modelOut, props, renderNamed, version, versionOut } from './views.js';

const page = { page_size: z.int().min(1).max(1000).default(50), page_token: z.string().max(2000).optional() };
const pageOut = {
  offset: z.number().describe('items before this page'),
  total: z.number().optional().describe('all items, once the last page is reached'),
  next_page_token: z.string().optional(),
};

/**
 * Registry listings are newest first, paged by the registry itself (orderBy CREATE_TIME,
 * sortOrder DESC, its nextPageToken), so pages stay consistent as models are added. The registry
 * reports no total: our page token carries the offset ("<offset>.<registry token>") so each page
 * says where it starts, and the last page gives the total.
 */
function registryPage(token: string | undefined): { offset: number; nextPageToken?: string } {
  if (token === undefined) return { offset: 0 };
  const m = /^(\d{1,9})\.(.+)$/s.exec(token);
  if (!m)
    throw new ToolError(
      'invalid_page_token',
      'page_token is not one this listing gave out.',
      'Pass next_page_token from the previous page unchanged, or list again without page_token.',
    );
  return { offset: Number(m[1]), nextPageToken: m[2] };
}

const NEWEST_FIRST = { orderBy: 'CREATE_TIME', sortOrder: 'DESC' } as const;

/** One page of a listing (`list` asks the registry), with where it starts and, on the last page, the total. */
async function listPage<T, R>(
  a: { page_size: number; page_token?: string },
  list: (q: PageOptions & typeof NEWEST_FIRST) => Promise<Page<T>>,
  out: (item: T) => R,
) {
  const { offset, nextPageToken } = registryPage(a.page_token);
  const p = await list({ pageSize: a.page_size, nextPageToken, ...NEWEST_FIRST });
  const end = offset + p.items.length;
  return { items: p.items.map(out), ...(p.nextPageToken ? { offset, next_page_token: `${end}.${p.nextPageToken}` } : { offset, total: end }) };
}

function renderPage<R>(o: { offset: number; total?: number; next_page_token?: string }, items: R[], noun: string, headers: string[], row: (r: R) => Cell[]) {
  const end = o.offset + items.length;
  return [
    items.length ? `${o.offset + 1}–${end} of ${o.total ?? `more than ${end}`} ${noun}, newest first.` : o.offset ? `No more ${noun}.` : `No ${noun}.`,
    items.length ? table(headers, items.map(row)) : '',
    o.next_page_token ? `More: page_token="${o.next_page_token}".` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
const modelName = z.string().min(1).max(255);
const versionName = z.string().min(1).max(255);

export const listModels = defineTool({
  name: 'list_models',
  module: 'hub',
  category: 'discovery',
  risk: 'read',
  title: 'List models',
  description: 'Registered models in the Model Registry, newest first; paged via page_token.',
  input: z.object({ ...page, namespace }),
  output: z.object({ models: z.array(model), ...pageOut }),
  async run(a, ctx) {
    const { items, ...at } = await listPage(a, (q) => ctx.registry().listModels({ ...q, signal: ctx.signal }), modelOut);
    return { models: items, ...at };
  },
  render: (o) => renderPage(o, o.models, 'registered models', ['MODEL', 'STATE', 'OWNER', 'AGE'], (m) => [m.name, m.state, m.owner, age(m.created)]),
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
  render: (m) => renderNamed('model', m, ['owner', m.owner]),
});

export const listModelVersions = defineTool({
  name: 'list_model_versions',
  module: 'hub',
  category: 'discovery',
  risk: 'read',
  title: 'List model versions',
  description: "A registered model's versions, newest first; paged.",
  input: z.object({ name: modelName, ...page, namespace }),
  output: z.object({ versions: z.array(version), ...pageOut }),
  async run(a, ctx) {
    const { items, ...at } = await listPage(a, (q) => ctx.registry().listModelVersions(a.name, { ...q, signal: ctx.signal }), versionOut);
    return { versions: items, ...at };
  },
  render: (o) => renderPage(o, o.versions, 'versions', ['VERSION', 'STATE', 'AUTHOR', 'AGE'], (v) => [v.name, v.state, v.author, age(v.created)]),
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
  render: (v) => renderNamed('version', v, ['author', v.author]),
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
  render: (x) =>
    fields([
      ['artifact', x.id],
      ['uri', x.uri],
      ['format', x.format],
      ['state', x.state],
      ['storage', x.storage ? props(x.storage) : undefined],
      ['properties', props(x.properties)],
    ]),
});
