/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902), with kube-apiserver error mapping. */
import { badRequest, internalError, type ApiError } from './errors.js';
import { clone } from './meta.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** The JSON patch test op failed: the apiserver answers 422 (handled by the caller). */
export class JsonPatchTestFailed extends Error {}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw badRequest(`invalid JSON pointer: ${JSON.stringify(p)}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function missing(op: string, path: string): ApiError {
  return internalError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
}

function resolveParent(doc: unknown, tokens: string[], op: string, path: string): { parent: any; last: string } {
  let cur: any = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw missing(op, path);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw missing(op, path);
  return { parent: cur, last: tokens[tokens.length - 1]! };
}

function readAt(doc: unknown, path: string, op: string): unknown {
  let cur: any = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    else cur = undefined;
    if (cur === undefined) throw missing(op, path);
  }
  return cur;
}

function arrayIndex(arr: unknown[], t: string, forInsert: boolean, op: string, path: string): number {
  if (forInsert && t === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(t)) throw missing(op, path);
  const i = Number(t);
  if (i > arr.length || (!forInsert && i === arr.length)) throw missing(op, path);
  return i;
}

function addAt(doc: unknown, path: string, value: unknown, op = 'add'): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return clone(value);
  const { parent, last } = resolveParent(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, op, path), 0, clone(value));
  else parent[last] = clone(value);
  return doc;
}

function removeAt(doc: unknown, path: string, op = 'remove'): unknown {
  const tokens = parsePointer(path);
  const { parent, last } = resolveParent(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false, op, path), 1);
  else {
    if (!Object.prototype.hasOwnProperty.call(parent, last)) throw missing(op, path);
    delete parent[last];
  }
  return doc;
}

export function parseJsonPatch(body: unknown): JsonPatchOp[] {
  if (!Array.isArray(body)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  for (const op of body) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw badRequest('the server rejected our request due to an error in our request');
  }
  return body as JsonPatchOp[];
}

export function applyJsonPatch(target: unknown, ops: JsonPatchOp[]): unknown {
  let doc = clone(target);
  for (const o of ops) {
    switch (o.op) {
      case 'add':
        doc = addAt(doc, o.path, o.value);
        break;
      case 'remove':
        doc = removeAt(doc, o.path);
        break;
      case 'replace':
        readAt(doc, o.path, 'replace');
        doc = addAt(parsePointer(o.path).length ? removeAt(doc, o.path, 'replace') : doc, o.path, o.value, 'replace');
        break;
      case 'move': {
        const v = readAt(doc, o.from ?? '', 'move');
        doc = addAt(removeAt(doc, o.from ?? '', 'move'), o.path, v, 'move');
        break;
      }
      case 'copy':
        doc = addAt(doc, o.path, readAt(doc, o.from ?? '', 'copy'), 'copy');
        break;
      case 'test': {
        let v: unknown;
        try {
          v = readAt(doc, o.path, 'test');
        } catch {
          throw new JsonPatchTestFailed(`testing value ${o.path} failed: test failed`);
        }
        if (JSON.stringify(canonical(v)) !== JSON.stringify(canonical(o.value))) throw new JsonPatchTestFailed(`testing value ${o.path} failed: test failed`);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${o.op}`);
    }
  }
  return doc;
}

/** Key-order-independent form for deep equality in the test op. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}
