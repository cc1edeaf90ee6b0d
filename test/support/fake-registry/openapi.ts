/**
 * The Model Registry OpenAPI 3.0.3 document (test/fixtures/kubeflow-api/model-registry/
 * model-registry.yaml) as validators for requests and responses. OpenAPI 3.0 schemas become
 * JSON Schema 2019-09 for ajv:
 *
 *  - `nullable: true` → the type (and enum) also admit null;
 *  - `discriminator` + `oneOf` (MetadataValue by metadataType, Artifact by artifactType) → the
 *    discriminator property is required and one of the mapping keys, and the matching mapping
 *    schema applies (if/then). Plain oneOf cannot decide here: ModelArtifact and DocArtifact
 *    accept each other's objects, their artifactType has no enum;
 *  - `readOnly` properties must not appear in requests;
 *  - string formats int32/int64 are decimal strings in range, `byte` is base64, `uri` has a scheme;
 *  - every request and response body is closed (`unevaluatedProperties: false` at the top, through
 *    allOf/$ref/if-then): the Go server decodes requests with DisallowUnknownFields, and a response
 *    field the document does not define is a bug of this fake.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const OPENAPI_FILE = fileURLToPath(new URL('../../fixtures/kubeflow-api/model-registry/model-registry.yaml', import.meta.url));
export const BASE_PATH = '/api/model_registry/v1alpha3';

type Schema = Record<string, any>;
type Mode = 'request' | 'response';

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  /** Path template under the base path, e.g. /registered_models/{registeredmodelId}. */
  template: string;
  operationId: string;
  regex: RegExp;
  pathParams: string[];
  parameters: Parameter[];
  requestSchema?: Schema;
  requestRequired: boolean;
  /** status → response body schema (undefined = no body). */
  responses: Record<string, Schema | undefined>;
}

const doc = parse(readFileSync(OPENAPI_FILE, 'utf8')) as Schema;

function resolve<T = Schema>(node: Schema): T {
  let n = node;
  while (n && typeof n.$ref === 'string') {
    const path = (n.$ref as string).replace(/^#\//, '').split('/');
    n = path.reduce<Schema>((o, k) => o[k], doc);
  }
  return n as T;
}

const INT_STRING = /^-?(0|[1-9][0-9]*)$/;

function convert(node: unknown, mode: Mode): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, mode));
  if (!node || typeof node !== 'object') return node;
  const src = node as Schema;
  if (src.readOnly === true && mode === 'request') return false;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (['example', 'examples', 'xml', 'externalDocs', 'discriminator', 'nullable', 'readOnly', 'writeOnly', 'deprecated'].includes(k)) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([f, s]) => [f, convert(s, mode)])) : convert(v, mode);
  }
  if (src.format && typeof src.format === 'string') {
    const t = src.type;
    if (t === 'string' && (src.format === 'int64' || src.format === 'int32')) out.format = `${src.format}-string`;
    else if (t === 'number' || t === 'integer') out.format = src.format;
  }
  if (src.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  if (src.discriminator && Array.isArray(src.oneOf)) {
    const prop: string = src.discriminator.propertyName;
    const mapping: Record<string, string> = src.discriminator.mapping ?? {};
    delete out.oneOf;
    out.type = 'object';
    out.required = [prop];
    out.properties = { [prop]: { enum: Object.keys(mapping) } };
    out.allOf = Object.entries(mapping).map(([value, ref]) => ({ if: { properties: { [prop]: { const: value } }, required: [prop] }, then: { $ref: ref } }));
  }
  return out;
}

function buildAjv(mode: Mode): Ajv2019 {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  const inRange = (bits: 32 | 64) => (s: string) =>
    INT_STRING.test(s) && (bits === 64 ? BigInt(s) >= -(2n ** 63n) && BigInt(s) < 2n ** 63n : Math.abs(Number(s)) <= 2 ** 31);
  ajv.addFormat('int64-string', { type: 'string', validate: inRange(64) });
  ajv.addFormat('int32-string', { type: 'string', validate: inRange(32) });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('uri', /^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/);
  ajv.addSchema({ $id: 'model-registry.json', components: { schemas: convert(doc.components.schemas, mode) } });
  return ajv;
}

const ajvs: Record<Mode, Ajv2019 | undefined> = { request: undefined, response: undefined };
const compiled = new Map<string, ValidateFunction>();

/** Validates a body against a (document) schema; returns problems, empty when valid. */
export function validateBody(schema: Schema, body: unknown, mode: Mode): string[] {
  const key = `${mode}:${JSON.stringify(schema)}`;
  let v = compiled.get(key);
  if (!v) {
    const ajv = (ajvs[mode] ??= buildAjv(mode));
    const ref = typeof schema.$ref === 'string' ? { $ref: `model-registry.json${schema.$ref}` } : convert(schema, mode);
    v = ajv.compile({ allOf: [ref], unevaluatedProperties: false });
    compiled.set(key, v);
  }
  if (v(body)) return [];
  const problems = (v.errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const where = e.instancePath || '/';
      if (e.keyword === 'unevaluatedProperties')
        return `${where} has unknown field '${String((e.params as { unevaluatedProperty?: string }).unevaluatedProperty)}'`;
      if (e.keyword === 'false schema') return `${where} is read-only (set by the server)`;
      return `${where} ${e.message ?? e.keyword}`;
    });
  return [...new Set(problems)];
}

/** Validates one parameter value (query/path values are strings) against its schema. */
export function validateParam(p: Parameter, value: string | undefined): string[] {
  if (value === undefined) return p.required ? [`${p.in} parameter '${p.name}' is required`] : [];
  return validateBody(resolve(p.schema), value, 'request').map((m) => `${p.in} parameter '${p.name}': ${m.replace(/^\/ /, '')}`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every operation of the document, with resolved parameters and body schemas. */
const OPERATIONS: Operation[] = (() => {
  const ops: Operation[] = [];
  for (const [fullPath, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    const template = fullPath.replace(BASE_PATH, '');
    const pathParams = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const regex = new RegExp(`^${escapeRegExp(template).replace(/\\\{\w+\\\}/g, '([^/]+)')}$`);
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
      const op = item[method] as Schema | undefined;
      if (!op) continue;
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Schema) => resolve<Parameter>(p));
      const body = op.requestBody ? resolve(op.requestBody) : undefined;
      const responses: Record<string, Schema | undefined> = {};
      for (const [status, r] of Object.entries(op.responses as Record<string, Schema>)) responses[status] = resolve(r).content?.['application/json']?.schema;
      ops.push({
        method: method.toUpperCase(),
        template,
        operationId: op.operationId,
        regex,
        pathParams,
        parameters,
        requestSchema: body?.content?.['application/json']?.schema,
        requestRequired: body?.required === true,
        responses,
      });
    }
  }
  return ops;
})();

export const ERROR_SCHEMA: Schema = { $ref: '#/components/schemas/Error' };

export function findOperation(method: string, path: string): { op: Operation; params: Record<string, string> } | { pathKnown: boolean } {
  let pathKnown = false;
  for (const op of OPERATIONS) {
    const m = op.regex.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (op.method !== method) continue;
    const params: Record<string, string> = {};
    op.pathParams.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
    return { op, params };
  }
  return { pathKnown };
}
