/** REST verbs on stored resources: get, list, create, update, patch, delete, deletecollection. */
import { admit } from './admission.js';
import type { ApiRequest, ServerState } from './context.js';
import { badRequest, conflict, invalid, methodNotAllowed, notFound, pathNotFound, STALE_OBJECT, successStatus, unsupportedMediaType } from './errors.js';
import { orphanDependents } from './gc.js';
import { sendJson, mediaType, warningHeaders } from './http-util.js';
import { generateName } from './meta.js';
import { applyJsonPatch, JsonPatchTestFailed, mergePatch, parseJsonPatch } from './patch.js';
import { apiVersionOf, findByResource, type ResourceType } from './registry.js';
import { isEmptyFilter, matches, parseFilter } from './selectors.js';
import { toTable, wantsTable } from './table.js';

const NAMESPACES = findByResource('', 'v1', 'namespaces')!;

const namespaceLabels =
  (state: ServerState) =>
  (ns: string): Record<string, string> | undefined =>
    state.store.get(NAMESPACES, undefined, ns)?.metadata?.labels;

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasStatus = (t: ResourceType): boolean => t.subresources.includes('status');

function dryRunOf(req: ApiRequest, body?: any): boolean {
  const values = [...req.query.getAll('dryRun'), ...(Array.isArray(body?.dryRun) ? body.dryRun : [])];
  for (const v of values) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  return values.length > 0;
}

function requireNamespaceScope(req: ApiRequest): void {
  // Namespaced objects can only be addressed inside a namespace; cluster ones never are.
  if (req.t.namespaced !== (req.info.namespace !== undefined)) throw pathNotFound();
}

function objectBody(req: ApiRequest): Record<string, any> {
  if (!isObject(req.body)) throw badRequest('the object provided is unrecognized: request body must be a JSON or YAML object');
  return structuredClone(req.body);
}

function checkTypeMeta(t: ResourceType, obj: any): void {
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(t))
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(t)})`);
  if (obj.kind !== undefined && obj.kind !== t.kind) throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${t.kind})`);
}

function checkNameAndNamespace(req: ApiRequest, obj: any): void {
  const ns = req.info.namespace;
  if (ns !== undefined && obj.metadata.namespace !== undefined && obj.metadata.namespace !== ns)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (req.info.name !== undefined && obj.metadata.name !== req.info.name)
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${req.info.name})`);
}

function mustGet(state: ServerState, req: ApiRequest): any {
  const o = state.store.get(req.t, req.info.namespace, req.info.name!);
  if (!o) throw notFound(req.t, req.info.name!);
  return o;
}

// ---------------------------------------------------------------------------------------------

export function handleGet(state: ServerState, req: ApiRequest): void {
  requireNamespaceScope(req);
  if (req.info.subresource !== undefined && req.info.subresource !== 'status') throw methodNotAllowed();
  const obj = mustGet(state, req);
  if (wantsTable(req.raw.headers.accept))
    return sendJson(req.res, 200, toTable(req.t, [obj], { resourceVersion: obj.metadata.resourceVersion }, req.query.get('includeObject')));
  sendJson(req.res, 200, obj);
}

interface ContinueToken {
  rv: number;
  start: string;
}

const listKey = (o: any): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function decodeContinue(raw: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof t.rv === 'number' && typeof t.start === 'string') return t;
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export function handleList(state: ServerState, req: ApiRequest): void {
  if (!req.t.namespaced && req.info.namespace !== undefined) throw pathNotFound();
  const q = req.query;
  const filter = parseFilter(req.t, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
  // Stored objects, not copies: only the page is serialised, at once (sendJson).
  let items = state.store.scan(req.t, req.info.namespace).filter((o) => matches(req.t, filter, o));
  let listRv = state.store.resourceVersion;
  const cont = q.get('continue');
  if (cont) {
    const tok = decodeContinue(cont);
    listRv = tok.rv;
    items = items.filter((o) => listKey(o) > tok.start);
  }
  const limit = Number(q.get('limit') ?? '0');
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  // resourceVersion=0 lists are served from the watch cache, which ignores limit.
  if (Number.isInteger(limit) && limit > 0 && q.get('resourceVersion') !== '0' && items.length > limit) {
    const rest = items.length - limit;
    items = items.slice(0, limit);
    metadata.continue = Buffer.from(JSON.stringify({ rv: listRv, start: listKey(items[items.length - 1]) })).toString('base64url');
    if (isEmptyFilter(filter)) metadata.remainingItemCount = rest;
  }
  if (wantsTable(req.raw.headers.accept)) return sendJson(req.res, 200, toTable(req.t, items, metadata, q.get('includeObject')));
  sendJson(req.res, 200, { kind: `${req.t.kind}List`, apiVersion: apiVersionOf(req.t), metadata, items });
}

/** Fields the server owns on create (clients echoing an object back must not carry them over). */
function resetServerFields(t: ResourceType, obj: any): void {
  for (const f of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation', 'managedFields', 'selfLink']) delete obj.metadata[f];
  if (t.custom && hasStatus(t)) delete obj.status;
  if (t.kind === 'Namespace') obj.status = { phase: 'Active' };
  if (t.kind === 'Pod') obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
  if (t.kind === 'Namespace') obj.spec = { finalizers: ['kubernetes'], ...(obj.spec ?? {}) };
}

export function handleCreate(state: ServerState, req: ApiRequest): void {
  if (req.info.name !== undefined || req.info.subresource !== undefined) throw methodNotAllowed();
  if (req.t.namespaced && req.info.namespace === undefined) throw methodNotAllowed();
  if (!req.t.namespaced && req.info.namespace !== undefined) throw pathNotFound();
  const obj = objectBody(req);
  checkTypeMeta(req.t, obj);
  obj.metadata = isObject(obj.metadata) ? obj.metadata : {};
  checkNameAndNamespace(req, obj);
  if (req.info.namespace !== undefined) obj.metadata.namespace = req.info.namespace;
  if (!obj.metadata.name && typeof obj.metadata.generateName === 'string' && obj.metadata.generateName)
    obj.metadata.name = generateName(obj.metadata.generateName);
  const dryRun = dryRunOf(req);
  if (req.t.namespaced && !state.store.get(NAMESPACES, undefined, req.info.namespace!)) throw notFound(NAMESPACES, req.info.namespace!);
  resetServerFields(req.t, obj);
  const { object, warnings } = admit(req.t, obj, undefined, {
    crdValidation: state.crdValidation,
    fieldValidation: req.query.get('fieldValidation') ?? undefined,
    namespaceLabels: namespaceLabels(state),
  });
  const created = state.store.create(req.t, object, { dryRun });
  sendJson(req.res, 201, created, warningHeaders(warnings));
}

/** Shared tail of PUT and PATCH: subresource semantics, admission, optimistic concurrency. */
function writeUpdate(state: ServerState, req: ApiRequest, old: any, next: any, expectedRv: string | undefined, dryRun: boolean): void {
  let obj = next;
  if (req.info.subresource === 'status') {
    // The status endpoint only ever changes status.
    obj = structuredClone(old);
    if (next.status === undefined) delete obj.status;
    else obj.status = next.status;
  } else if (hasStatus(req.t)) {
    // The main endpoint ignores status changes when a status subresource exists.
    if (old.status === undefined) delete obj.status;
    else obj.status = old.status;
  }
  const { object, warnings } = admit(req.t, obj, old, {
    crdValidation: state.crdValidation,
    fieldValidation: req.query.get('fieldValidation') ?? undefined,
    namespaceLabels: namespaceLabels(state),
  });
  const opts: { dryRun: boolean; expectedRv?: string } = { dryRun };
  if (expectedRv !== undefined) opts.expectedRv = expectedRv;
  const updated = state.store.update(req.t, object, opts);
  sendJson(req.res, 200, updated, warningHeaders(warnings));
}

function checkWritableSubresource(req: ApiRequest): void {
  if (req.info.name === undefined) throw methodNotAllowed();
  if (req.info.subresource !== undefined && (req.info.subresource !== 'status' || !hasStatus(req.t))) throw methodNotAllowed();
}

export function handleUpdate(state: ServerState, req: ApiRequest): void {
  checkWritableSubresource(req);
  requireNamespaceScope(req);
  const obj = objectBody(req);
  checkTypeMeta(req.t, obj);
  obj.metadata = isObject(obj.metadata) ? obj.metadata : {};
  checkNameAndNamespace(req, obj);
  if (req.info.namespace !== undefined) obj.metadata.namespace = req.info.namespace;
  const dryRun = dryRunOf(req);
  const old = mustGet(state, req);
  const rv: unknown = obj.metadata.resourceVersion;
  if ((rv === undefined || rv === '') && req.t.custom)
    throw invalid(req.t, req.info.name!, [
      { type: 'FieldValueInvalid', field: 'metadata.resourceVersion', value: '0', detail: 'must be specified for an update' },
    ]);
  if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw conflict(req.t, req.info.name!, STALE_OBJECT);
  writeUpdate(state, req, old, obj, typeof rv === 'string' && rv !== '' ? rv : undefined, dryRun);
}

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

export function handlePatch(state: ServerState, req: ApiRequest): void {
  checkWritableSubresource(req);
  requireNamespaceScope(req);
  const mt = mediaType(req.contentType);
  const strategicOk = !req.t.custom || state.smpOnCustomResources;
  const accepted = strategicOk ? [JSON_PATCH, MERGE, STRATEGIC, APPLY] : [JSON_PATCH, MERGE, APPLY];
  if (!accepted.includes(mt)) throw unsupportedMediaType(accepted);
  const dryRun = dryRunOf(req);
  const existing = state.store.get(req.t, req.info.namespace, req.info.name!);
  if (mt === APPLY) return serverSideApply(state, req, existing, dryRun);
  if (!existing) throw notFound(req.t, req.info.name!);
  let patched: any;
  if (mt === JSON_PATCH) {
    try {
      patched = applyJsonPatch(existing, parseJsonPatch(req.body));
    } catch (e) {
      if (e instanceof JsonPatchTestFailed) {
        throw invalid({ ...req.t, group: '', kind: '' }, '', [
          { type: 'FieldValueInvalid', field: 'patch', value: JSON.stringify(JSON.stringify(req.body)), detail: e.message },
        ]);
      }
      throw e;
    }
  } else {
    if (!isObject(req.body)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
    patched = mergePatch(existing, req.body);
  }
  if (!isObject(patched) || !isObject(patched.metadata)) throw badRequest('the patched object is not a valid object');
  checkNameAndNamespace(req, patched);
  const rv = patched.metadata.resourceVersion;
  if (rv !== undefined && rv !== existing.metadata.resourceVersion) throw conflict(req.t, req.info.name!, STALE_OBJECT);
  patched.metadata.resourceVersion = existing.metadata.resourceVersion;
  writeUpdate(state, req, existing, patched, existing.metadata.resourceVersion, dryRun);
}

/** Minimal server-side apply: merge the applied configuration, creating the object if needed. */
function serverSideApply(state: ServerState, req: ApiRequest, existing: any, dryRun: boolean): void {
  if (!req.query.get('fieldManager'))
    throw invalid({ ...req.t, group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
      { type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' },
    ]);
  const obj = objectBody(req);
  checkTypeMeta(req.t, obj);
  obj.metadata = isObject(obj.metadata) ? obj.metadata : {};
  checkNameAndNamespace(req, obj);
  if (!existing) {
    const created = { ...obj, metadata: { ...obj.metadata, name: req.info.name } };
    if (req.info.namespace !== undefined) created.metadata.namespace = req.info.namespace;
    if (req.t.namespaced && !state.store.get(NAMESPACES, undefined, req.info.namespace!)) throw notFound(NAMESPACES, req.info.namespace!);
    resetServerFields(req.t, created);
    const { object, warnings } = admit(req.t, created, undefined, { crdValidation: state.crdValidation, namespaceLabels: namespaceLabels(state) });
    sendJson(req.res, 201, state.store.create(req.t, object, { dryRun }), warningHeaders(warnings));
    return;
  }
  const patched = mergePatch(existing, obj) as any;
  patched.metadata.resourceVersion = existing.metadata.resourceVersion;
  writeUpdate(state, req, existing, patched, existing.metadata.resourceVersion, dryRun);
}

function deleteOptions(req: ApiRequest): Record<string, any> {
  const body = isObject(req.body) ? req.body : {};
  const propagation = req.query.get('propagationPolicy') ?? body.propagationPolicy;
  if (propagation !== undefined && !['Orphan', 'Background', 'Foreground'].includes(propagation))
    throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(propagation)}: supported values: "Foreground", "Background", "Orphan"`);
  const orphan = propagation === 'Orphan' || (propagation === undefined && body.orphanDependents === true);
  return { orphan, preconditions: isObject(body.preconditions) ? body.preconditions : {}, dryRun: dryRunOf(req, body) };
}

/** Real registries return the deleted object for these; others answer with a Success Status. */
const returnsObject = (t: ResourceType): boolean => t.custom || t.kind === 'Pod' || t.kind === 'Namespace' || t.kind === 'Node';

function deleteOne(state: ServerState, t: ResourceType, obj: any, opts: Record<string, any>): any {
  const name = obj.metadata.name;
  const pre = opts.preconditions;
  if (pre.uid !== undefined && pre.uid !== obj.metadata.uid)
    throw conflict(t, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata.resourceVersion)
    throw conflict(
      t,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${obj.metadata.resourceVersion}`,
    );
  if (opts.dryRun) return obj;
  if (opts.orphan) orphanDependents(state.store, obj.metadata.uid);
  return state.store.delete(t, obj.metadata.namespace, name);
}

export function handleDelete(state: ServerState, req: ApiRequest): void {
  if (req.info.subresource !== undefined) throw methodNotAllowed();
  requireNamespaceScope(req);
  const opts = deleteOptions(req);
  const deleted = deleteOne(state, req.t, mustGet(state, req), opts);
  if (returnsObject(req.t)) {
    sendJson(req.res, 200, deleted);
    return;
  }
  const details: Record<string, string> = { name: deleted.metadata.name };
  if (req.t.group) details.group = req.t.group;
  details.kind = req.t.resource;
  details.uid = deleted.metadata.uid;
  sendJson(req.res, 200, successStatus(details));
}

export function handleDeleteCollection(state: ServerState, req: ApiRequest): void {
  if (req.t.namespaced && req.info.namespace === undefined) throw methodNotAllowed();
  if (!req.t.namespaced && req.info.namespace !== undefined) throw pathNotFound();
  const opts = deleteOptions(req);
  const q = req.query;
  const filter = parseFilter(req.t, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
  const items = state.store
    .list(req.t, req.info.namespace)
    .filter((o) => matches(req.t, filter, o))
    .map((o) => deleteOne(state, req.t, o, opts));
  sendJson(req.res, 200, {
    kind: `${req.t.kind}List`,
    apiVersion: apiVersionOf(req.t),
    metadata: { resourceVersion: String(state.store.resourceVersion) },
    items,
  });
}
