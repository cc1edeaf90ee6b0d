/**
 * Structural-schema handling for the Trainer CRDs, as apiextensions-apiserver does it: prune
 * unknown fields (reported as warnings), drop nulls in non-nullable fields, apply defaults, then
 * validate with the openAPIV3Schema. Schemas come from the v2.3.0 CRD fixtures and are compiled
 * lazily once per process (compiling the runtime CRD takes a few hundred ms).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { fmtValue, type FieldError } from './errors.js';

export const TRAINER_FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/kubeflow-api/trainer/v2.3.0/', import.meta.url));
export const SPARK_CRDS_DIR = fileURLToPath(new URL('../../fixtures/kubeflow-api/spark-operator/v2.4.0/crds/', import.meta.url));

const CRD_FILES: Record<string, string> = {
  TrainJob: `${TRAINER_FIXTURES_DIR}crds/trainer.kubeflow.org_trainjobs.yaml`,
  TrainingRuntime: `${TRAINER_FIXTURES_DIR}crds/trainer.kubeflow.org_trainingruntimes.yaml`,
  ClusterTrainingRuntime: `${TRAINER_FIXTURES_DIR}crds/trainer.kubeflow.org_clustertrainingruntimes.yaml`,
  SparkApplication: `${SPARK_CRDS_DIR}sparkoperator.k8s.io_sparkapplications.yaml`,
  SparkConnect: `${SPARK_CRDS_DIR}sparkoperator.k8s.io_sparkconnects.yaml`,
};

interface CompiledSchema {
  schema: any;
  validate: ValidateFunction;
}

const compiled = new Map<string, CompiledSchema>();
let ajv: Ajv | undefined;

export function hasCrdSchema(kind: string): boolean {
  return kind in CRD_FILES;
}

function schemaFor(kind: string): CompiledSchema {
  let c = compiled.get(kind);
  if (c) return c;
  const file = CRD_FILES[kind];
  if (!file) throw new Error(`no CRD schema for ${kind}`);
  const text = readFileSync(file, 'utf8');
  const crd = parseAllDocuments(text)
    .map((d) => d.toJS())
    .find((d) => d?.kind === 'CustomResourceDefinition');
  const schema = crd.spec.versions[0].schema.openAPIV3Schema;
  // strict:false makes ajv ignore the x-kubernetes-* extensions; formats (int32, date-time,
  // quantity…) are not enforced by the apiserver either except through patterns. Skipping code
  // optimisation halves the compile time of these large schemas; validation speed is irrelevant here.
  ajv ??= new Ajv({ strict: false, allErrors: true, useDefaults: true, validateFormats: false, code: { optimize: false } });
  c = { schema, validate: ajv.compile(schema) };
  compiled.set(kind, c);
  return c;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Remove fields the schema does not declare; returns their paths (for `unknown field` warnings). */
function prune(value: any, schema: any, path: string, pruned: string[], isRoot = false): void {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => prune(v, schema.items, `${path}[${i}]`, pruned));
    return;
  }
  if (!isObject(value)) return;
  const props: Record<string, any> | undefined = schema.properties;
  const extra = schema.additionalProperties;
  for (const k of Object.keys(value)) {
    const child = `${path}${path ? '.' : ''}${k}`;
    // The root keeps apiVersion/kind/metadata; metadata is ObjectMeta, validated elsewhere.
    if (isRoot && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
    const sub = props?.[k] ?? (isObject(extra) ? extra : undefined);
    if (!sub && extra !== true) {
      if (props || extra === false || schema.type === 'object') {
        pruned.push(child);
        delete value[k];
      }
      continue;
    }
    // Nulls in non-nullable fields are dropped (and then defaulted), as apiextensions does.
    if (value[k] === null && sub && !sub.nullable) {
      delete value[k];
      continue;
    }
    if (sub) prune(value[k], sub, isObject(extra) && !props?.[k] ? `${path}[${k}]` : child, pruned);
  }
}

/** Convert an ajv instancePath to a Kubernetes field path (`spec.trainer.env[0].name`, `limits[nvidia.com/gpu]`). */
function fieldPath(root: any, instancePath: string): { field: string; value: unknown } {
  let schema = root;
  let field = '';
  const tokens = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const t of tokens) {
    if (schema?.properties?.[t]) {
      field += field ? `.${t}` : t;
      schema = schema.properties[t];
    } else if (schema?.items) {
      field += `[${t}]`;
      schema = schema.items;
    } else {
      field += `[${t}]`;
      schema = isObject(schema?.additionalProperties) ? schema.additionalProperties : undefined;
    }
  }
  return { field: field || '<nil>', value: undefined };
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function valueAt(obj: any, instancePath: string): unknown {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc: any, k) => (acc == null ? undefined : acc[k]), obj);
}

function toFieldError(root: any, obj: any, e: ErrorObject): FieldError | undefined {
  const p: any = e.params;
  if (e.keyword === 'required') {
    const base = fieldPath(root, e.instancePath).field;
    return { type: 'FieldValueRequired', field: base === '<nil>' ? p.missingProperty : `${base}.${p.missingProperty}` };
  }
  const { field } = fieldPath(root, e.instancePath);
  const v = valueAt(obj, e.instancePath);
  switch (e.keyword) {
    case 'type': {
      const actual = jsonType(v);
      return {
        type: 'FieldValueTypeInvalid',
        field,
        value: JSON.stringify(actual),
        detail: `${field} in body must be of type ${Array.isArray(p.type) ? p.type.join(',') : p.type}: ${JSON.stringify(actual)}`,
      };
    }
    case 'enum':
      return {
        type: 'FieldValueNotSupported',
        field,
        value: fmtValue(v),
        detail: `supported values: ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`,
      };
    case 'maxLength':
      return { type: 'FieldValueTooLong', field, detail: `may not be more than ${p.limit} bytes` };
    case 'maxItems':
      return { type: 'FieldValueTooMany', field, value: String((v as unknown[]).length), detail: `must have at most ${p.limit} items` };
    case 'minLength':
      return { type: 'FieldValueInvalid', field, value: fmtValue(v), detail: `${field} in body should be at least ${p.limit} chars long` };
    case 'minItems':
      return { type: 'FieldValueInvalid', field, value: fmtValue((v as unknown[]).length), detail: `${field} in body should have at least ${p.limit} items` };
    case 'minimum':
      return { type: 'FieldValueInvalid', field, value: fmtValue(v), detail: `${field} in body should be greater than or equal to ${p.limit}` };
    case 'maximum':
      return { type: 'FieldValueInvalid', field, value: fmtValue(v), detail: `${field} in body should be less than or equal to ${p.limit}` };
    case 'pattern':
      return { type: 'FieldValueInvalid', field, value: fmtValue(v), detail: `${field} in body should match '${p.pattern}'` };
    case 'minProperties':
      return {
        type: 'FieldValueInvalid',
        field,
        value: fmtValue(Object.keys(v ?? {}).length),
        detail: `${field} in body should have at least ${p.limit} properties`,
      };
    case 'anyOf':
    case 'oneOf':
      return undefined; // the branch errors carry the useful message
    default:
      return { type: 'FieldValueInvalid', field, value: fmtValue(v), detail: e.message ?? 'invalid' };
  }
}

export interface SchemaResult {
  /** The object after pruning and defaulting. */
  object: any;
  errors: FieldError[];
  /** Paths of pruned unknown fields. */
  unknownFields: string[];
}

export function applyCrdSchema(kind: string, input: any): SchemaResult {
  const { schema, validate } = schemaFor(kind);
  const obj = structuredClone(input);
  const unknownFields: string[] = [];
  prune(obj, schema, '', unknownFields, true);
  validate(obj);
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const raw = validate.errors ?? [];
  // For int-or-string (anyOf integer|string + pattern) ajv reports one error per branch; keep the
  // branch errors only when no more specific error exists for the same value.
  const specificAt = new Set(raw.filter((e) => !e.schemaPath.includes('/anyOf/')).map((e) => e.instancePath));
  for (const e of raw) {
    if (e.schemaPath.includes('/anyOf/') && specificAt.has(e.instancePath)) continue;
    const fe = toFieldError(schema, obj, e);
    if (!fe) continue;
    const k = `${fe.type}|${fe.field}|${fe.detail ?? ''}`;
    if (!seen.has(k)) {
      seen.add(k);
      errors.push(fe);
    }
  }
  return { object: obj, errors, unknownFields };
}
