/**
 * The operations the hub client uses, by operationId, with the Go server's behaviour: find
 * endpoints need name+parentResourceId or externalId (400 otherwise, 404 when nothing matches),
 * names are unique per model (versions) and per version (artifacts) → 409, upsert answers 201 on
 * create and 200 on update, PATCH changes only what is sent. Messages follow the server's wording.
 */
import { RegistryError, RegistryStore, type Entity } from './store.js';

interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
}

export type Handler = (store: RegistryStore, call: Call) => { status: number; body: unknown };

const ok = (body: unknown, status = 200) => ({ status, body });
const opt = (q: URLSearchParams, k: string): string | undefined => q.get(k) ?? undefined;
const zero = (v: string | undefined) => v ?? '';

function listQuery(q: URLSearchParams) {
  if (q.get('filterQuery')) throw new RegistryError(500, 'fake-registry does not implement filterQuery');
  return { pageSize: opt(q, 'pageSize'), orderBy: opt(q, 'orderBy'), sortOrder: opt(q, 'sortOrder'), nextPageToken: opt(q, 'nextPageToken') };
}

function must(map: Map<string, Entity>, id: string, what: string): Entity {
  const e = map.get(id);
  if (!e) throw new RegistryError(404, `${what} with id ${id} not found: not found`);
  return e;
}

function base(store: RegistryStore, id: string, body: any): Entity {
  const now = store.now();
  return { id, customProperties: {}, ...body, createTimeSinceEpoch: now, lastUpdateTimeSinceEpoch: now };
}

function patch(store: RegistryStore, e: Entity, body: any): Entity {
  for (const [k, v] of Object.entries(body ?? {})) if (v !== undefined) e[k] = v;
  e.lastUpdateTimeSinceEpoch = store.now();
  return e;
}

// ---------------------------------------------------------------------------------------------
// Registered models

function createModel(store: RegistryStore, body: any): Entity {
  if ([...store.models.values()].some((m) => m.name === body.name))
    throw new RegistryError(409, `registered model with name ${body.name} already exists: conflict`);
  const m = base(store, store.nextContextId(), { state: 'LIVE', ...body });
  store.models.set(m.id, m);
  return m;
}

function findModel(store: RegistryStore, q: URLSearchParams): Entity {
  const name = opt(q, 'name');
  const externalId = opt(q, 'externalId');
  if (name === undefined && externalId === undefined) throw new RegistryError(400, 'invalid parameters call, supply either name or externalId: bad request');
  const found = [...store.models.values()].filter((m) => (name === undefined || m.name === name) && (externalId === undefined || m.externalId === externalId));
  if (found.length !== 1)
    throw new RegistryError(
      404,
      `${found.length ? 'multiple' : 'no'} registered models found for name=${zero(name)}, externalId=${zero(externalId)}: not found`,
    );
  return found[0]!;
}

// ---------------------------------------------------------------------------------------------
// Model versions

function createVersion(store: RegistryStore, body: any): Entity {
  const model = store.models.get(String(body.registeredModelId));
  if (!model) throw new RegistryError(404, `registered model with id ${body.registeredModelId} not found: not found`);
  if ([...store.versions.values()].some((v) => v.registeredModelId === model.id && v.name === body.name)) {
    throw new RegistryError(409, `model version with name ${body.name} already exists: conflict`);
  }
  const v = base(store, store.nextContextId(), { state: 'LIVE', ...body });
  store.versions.set(v.id, v);
  return v;
}

function findVersion(store: RegistryStore, q: URLSearchParams): Entity {
  const name = opt(q, 'name');
  const parent = opt(q, 'parentResourceId');
  const externalId = opt(q, 'externalId');
  if ((name === undefined || parent === undefined) && externalId === undefined) {
    throw new RegistryError(400, 'invalid parameters call, supply either (name and parentResourceId), or externalId: bad request');
  }
  const found = [...store.versions.values()].filter(
    (v) =>
      (name === undefined || v.name === name) &&
      (parent === undefined || v.registeredModelId === parent) &&
      (externalId === undefined || v.externalId === externalId),
  );
  if (found.length !== 1) {
    throw new RegistryError(
      404,
      `${found.length ? 'multiple' : 'no'} model versions found for name=${zero(name)}, parentResourceId=${zero(parent)}, externalId=${zero(externalId)}: not found`,
    );
  }
  return found[0]!;
}

// ---------------------------------------------------------------------------------------------
// Artifacts

const SUPPORTED_ARTIFACTS = new Set(['model-artifact', 'doc-artifact']);

function artifactsOf(store: RegistryStore, versionId: string): Entity[] {
  return [...store.artifacts.values()].filter((a) => store.links.get(a.id)?.has(versionId));
}

function upsertArtifact(store: RegistryStore, versionId: string, body: any): { status: number; body: Entity } {
  must(store.versions, versionId, 'model version');
  if (!SUPPORTED_ARTIFACTS.has(body.artifactType))
    throw new RegistryError(400, `fake-registry supports model-artifact and doc-artifact only, got ${body.artifactType}`);
  if (body.id !== undefined) {
    const existing = must(store.artifacts, String(body.id), 'artifact');
    if (existing.artifactType !== body.artifactType)
      throw new RegistryError(400, `mismatched types, artifact with id ${body.id} is not a ${body.artifactType}: bad request`);
    const { id: _id, ...rest } = body;
    patch(store, existing, rest);
    store.links.get(existing.id)!.add(versionId);
    return { status: 200, body: existing };
  }
  if (body.name !== undefined && artifactsOf(store, versionId).some((a) => a.name === body.name && a.artifactType === body.artifactType)) {
    throw new RegistryError(409, `${body.artifactType === 'model-artifact' ? 'model' : 'doc'} artifact with name ${body.name} already exists: conflict`);
  }
  const a = base(store, store.nextArtifactId(), { state: 'UNKNOWN', ...body });
  store.artifacts.set(a.id, a);
  store.links.set(a.id, new Set([versionId]));
  return { status: 201, body: a };
}

function createArtifact(store: RegistryStore, body: any): Entity {
  const a = base(store, store.nextArtifactId(), { artifactType: 'model-artifact', state: 'UNKNOWN', ...body });
  store.artifacts.set(a.id, a);
  store.links.set(a.id, new Set());
  return a;
}

function findModelArtifact(store: RegistryStore, q: URLSearchParams): Entity {
  const name = opt(q, 'name');
  const parent = opt(q, 'parentResourceId');
  const externalId = opt(q, 'externalId');
  if ((name === undefined || parent === undefined) && externalId === undefined) {
    throw new RegistryError(400, 'invalid parameters call, supply either (artifactName and parentResourceId), or externalId: bad request');
  }
  const found = [...store.artifacts.values()].filter(
    (a) =>
      a.artifactType === 'model-artifact' &&
      (name === undefined || a.name === name) &&
      (parent === undefined || store.links.get(a.id)?.has(parent)) &&
      (externalId === undefined || a.externalId === externalId),
  );
  if (found.length !== 1) {
    throw new RegistryError(
      404,
      `${found.length ? 'multiple' : 'no'} model-artifact artifacts found for name=${zero(name)}, parentResourceId=${zero(parent)}, externalId=${zero(externalId)}: not found`,
    );
  }
  return found[0]!;
}

function byName(items: Entity[], q: URLSearchParams): Entity[] {
  const name = opt(q, 'name');
  const externalId = opt(q, 'externalId');
  const type = opt(q, 'artifactType');
  return items.filter(
    (e) =>
      (name === undefined || e.name === name) && (externalId === undefined || e.externalId === externalId) && (type === undefined || e.artifactType === type),
  );
}

// ---------------------------------------------------------------------------------------------

export const HANDLERS: Record<string, Handler> = {
  getRegisteredModels: (s, c) => ok(s.list([...s.models.values()], listQuery(c.query))),
  createRegisteredModel: (s, c) => ok(createModel(s, c.body), 201),
  getRegisteredModel: (s, c) => ok(must(s.models, c.params.registeredmodelId!, 'registered model')),
  updateRegisteredModel: (s, c) => ok(patch(s, must(s.models, c.params.registeredmodelId!, 'registered model'), c.body)),
  findRegisteredModel: (s, c) => ok(findModel(s, c.query)),
  getRegisteredModelVersions: (s, c) => {
    const id = must(s.models, c.params.registeredmodelId!, 'registered model').id;
    return ok(
      s.list(
        byName(
          [...s.versions.values()].filter((v) => v.registeredModelId === id),
          c.query,
        ),
        listQuery(c.query),
      ),
    );
  },
  createRegisteredModelVersion: (s, c) => ok(createVersion(s, { ...c.body, registeredModelId: c.params.registeredmodelId }), 201),
  getModelVersions: (s, c) => ok(s.list([...s.versions.values()], listQuery(c.query))),
  createModelVersion: (s, c) => ok(createVersion(s, c.body), 201),
  getModelVersion: (s, c) => ok(must(s.versions, c.params.modelversionId!, 'model version')),
  updateModelVersion: (s, c) => ok(patch(s, must(s.versions, c.params.modelversionId!, 'model version'), c.body)),
  findModelVersion: (s, c) => ok(findVersion(s, c.query)),
  getModelVersionArtifacts: (s, c) => {
    const id = must(s.versions, c.params.modelversionId!, 'model version').id;
    return ok(s.list(byName(artifactsOf(s, id), c.query), listQuery(c.query)));
  },
  upsertModelVersionArtifact: (s, c) => upsertArtifact(s, c.params.modelversionId!, c.body),
  getModelArtifacts: (s, c) =>
    ok(
      s.list(
        [...s.artifacts.values()].filter((a) => a.artifactType === 'model-artifact'),
        listQuery(c.query),
      ),
    ),
  createModelArtifact: (s, c) => ok(createArtifact(s, c.body), 201),
  getModelArtifact: (s, c) => {
    const a = must(s.artifacts, c.params.modelartifactId!, 'model artifact');
    if (a.artifactType !== 'model-artifact') throw new RegistryError(404, `model artifact with id ${a.id} not found: not found`);
    return ok(a);
  },
  updateModelArtifact: (s, c) => ok(patch(s, must(s.artifacts, c.params.modelartifactId!, 'model artifact'), c.body)),
  findModelArtifact: (s, c) => ok(findModelArtifact(s, c.query)),
};
