/**
 * The KFP v2beta1 swagger (test/fixtures/kubeflow-api/pipelines/v2beta1/kfp_api_single_file.swagger.json)
 * as validators for requests and responses. Swagger 2.0 definitions become JSON Schema for ajv:
 *
 *  - every object with properties is closed (`additionalProperties: false`): the API server parses
 *    request bodies with DiscardUnknown false, and a response field the swagger does not define is
 *    a bug of this fake;
 *  - `format: int64` strings (max_concurrency, interval_second, ...) also admit JSON integers, as
 *    protojson does and kfp.Client sends (docs/wire/pipelines.md#rest-conventions);
 *  - other formats (date-time) are checked as strings only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const SWAGGER_FILE = fileURLToPath(new URL('../../fixtures/kubeflow-api/pipelines/v2beta1/kfp_api_single_file.swagger.json', import.meta.url));

type Schema = Record<string, any>;

export interface Param {
  name: string;
  in: 'query' | 'path' | 'body' | 'formData';
  required?: boolean;
  type?: string;
  enum?: string[];
  schema?: Schema;
}

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  regex: RegExp;
  pathParams: string[];
  params: Param[];
  /** The 200 answer's schema. */
  ok?: Schema;
}

const doc = JSON.parse(readFileSync(SWAGGER_FILE, 'utf8')) as Schema;

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== 'object') return node;
  const src = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (['description', 'title', 'example', 'format', 'readOnly'].includes(k)) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([f, s]) => [f, convert(s)])) : convert(v);
  }
  // A $ref beside other keywords: swagger 2.0 ignores the siblings; keep only the reference.
  if (typeof out.$ref === 'string') return { $ref: out.$ref };
  if (src.type === 'string' && src.format === 'int64') return { anyOf: [{ type: 'string', pattern: '^-?[0-9]+$' }, { type: 'integer' }] };
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const definitions = convert(doc.definitions) as Schema;
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ $id: 'kfp', definitions });

const compiled = new Map<Schema, ValidateFunction>();
function validator(schema: Schema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    const s = convert(schema) as Schema;
    v = ajv.compile(JSON.parse(JSON.stringify(s).replace(/"#\/definitions\//g, '"kfp#/definitions/')));
    compiled.set(schema, v);
  }
  return v;
}

export function validate(schema: Schema, value: unknown): string[] {
  const v = validator(schema);
  if (v(value)) return [];
  return (v.errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : ''}`,
    );
}

export const definition = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

const OPERATIONS: Operation[] = Object.entries(doc.paths as Schema).flatMap(([template, ops]) =>
  Object.entries(ops as Schema).map(([method, op]) => {
    const pathParams: string[] = [];
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
      pathParams.push(name.replace(/\\/g, ''));
      return '([^/:]+)';
    });
    return {
      method: method.toUpperCase(),
      template,
      operationId: op.operationId,
      regex: new RegExp(`^${pattern}$`),
      pathParams,
      params: (op.parameters ?? []) as Param[],
      ok: op.responses?.['200']?.schema,
    };
  }),
);

export function findOperation(method: string, path: string): { op: Operation; params: Record<string, string> } | { pathKnown: boolean } {
  let pathKnown = false;
  for (const op of OPERATIONS) {
    const m = op.regex.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (op.method !== method) continue;
    return { op, params: Object.fromEntries(op.pathParams.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
  }
  return { pathKnown };
}

/** A query or path value against its declared type. */
export function paramProblems(p: Param, value: string | undefined): string[] {
  if (value === undefined) return p.required ? [`${p.in} parameter '${p.name}' is required`] : [];
  if (p.type === 'integer' && !/^-?[0-9]+$/.test(value)) return [`${p.name} must be an integer, got '${value}'`];
  if (p.type === 'boolean' && !/^(true|false|True|False|1|0)$/.test(value)) return [`${p.name} must be a boolean, got '${value}'`];
  if (p.enum && !p.enum.includes(value)) return [`${p.name} must be one of ${p.enum.join(', ')}, got '${value}'`];
  return [];
}
