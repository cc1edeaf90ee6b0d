/**
 * Contract-test helper: validates objects against Katib's v1beta1 swagger (Swagger 2.0
 * `definitions`, test/fixtures/kubeflow-api/katib/v0.19.0/v1beta1-swagger.json). Katib's CRDs are
 * schemaless, so this is the only field-level schema there is. Objects are closed wherever the
 * swagger lists properties: the API server would keep an unknown field and Katib's Go decoder
 * would silently drop it, which is exactly the bug this check is for. Kubernetes types the swagger
 * only references (ObjectMeta, Time, Unstructured, ...) get permissive stand-ins.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const KATIB_SWAGGER = fileURLToPath(new URL('../fixtures/kubeflow-api/katib/v0.19.0/v1beta1-swagger.json', import.meta.url));

type Schema = Record<string, unknown>;

/** Referenced but not defined in Katib's swagger (they live in the Kubernetes OpenAPI). */
const EXTERNAL: Record<string, Schema> = {
  'v1.ObjectMeta': {
    type: 'object',
    properties: {
      name: { type: 'string' },
      generateName: { type: 'string' },
      namespace: { type: 'string' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
  'v1.ListMeta': { type: 'object' },
  'v1.Time': { type: 'string', format: 'date-time' },
  'v1.Container': { type: 'object' },
  'v1.HTTPGetAction': { type: 'object' },
  'v1.unstructured.Unstructured': { type: 'object' },
};
/** Stand-ins stay open: the API server adds uid, resourceVersion, managedFields, ... */
const OPEN = new Set(Object.keys(EXTERNAL));

export interface SchemaProblem {
  /** Dotted path, e.g. "spec.maxTrialCount" ("" for the root). */
  path: string;
  keyword: string;
  message: string;
  value: unknown;
}

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function close(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(close);
  if (!node || typeof node !== 'object') return node;
  const src = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (k.startsWith('x-kubernetes-') || k === 'default') continue;
    // Under `properties` the keys are field names, not keywords.
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([f, s]) => [f, close(s)])) : close(v);
  }
  if (src.properties && src.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function validatorFor(definition: string): ValidateFunction {
  let v = validators.get(definition);
  if (v) return v;
  if (!ajv) {
    const swagger = JSON.parse(readFileSync(KATIB_SWAGGER, 'utf8')) as { definitions: Record<string, Schema> };
    const definitions: Record<string, unknown> = {};
    for (const [name, s] of Object.entries(swagger.definitions)) definitions[name] = close(s);
    for (const [name, s] of Object.entries(EXTERNAL)) definitions[name] = OPEN.has(name) ? s : close(s);
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
    ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
    ajv.addSchema({ $id: 'katib', definitions });
  }
  v = ajv.compile({ $ref: `katib#/definitions/${definition}` });
  validators.set(definition, v);
  return v;
}

/** Every schema problem of `obj` as a `definition` (default v1beta1.Experiment); empty when valid. */
export function schemaProblems(obj: unknown, definition = 'v1beta1.Experiment'): SchemaProblem[] {
  const validate = validatorFor(definition);
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => {
    const segments = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let path = segments
      .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
      .join('')
      .replace(/^\./, '');
    let message = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty?: string }).additionalProperty);
      path = path ? `${path}.${extra}` : extra;
      message = `unknown field "${extra}"`;
    }
    const value = segments.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
    return { path, keyword: e.keyword, message, value };
  });
}

/** `<path> <message>` for every schema problem of an Experiment; empty when valid. */
export function validateExperiment(obj: unknown): string[] {
  return schemaProblems(obj).map((p) => `${p.path || '/'} ${p.message}`);
}
