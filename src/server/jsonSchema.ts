/**
 * JSON Schemas for tools/list, generated from the zod specs and trimmed: every token in tools/list
 * is paid by the agent on every turn. What a model needs to form a call stays (types, enums,
 * defaults, descriptions, required; a type its enum or default already shows is left out);
 * validation detail (patterns, lengths, bounds) goes, because the
 * server validates with the full zod schema anyway and answers violations with an actionable error.
 */
import { z } from 'zod';
import { KEYS_ONLY } from '../tools/schemas.js';

type Json = Record<string, unknown>;

/** Keywords that only constrain values; the server enforces them, the model does not need them. */
const VALIDATION_ONLY = new Set([
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'format',
  'minProperties',
  'maxProperties',
]);

/** Input schema: full depth; drops noise keys zod emits that carry no meaning for a model. */
export function inputJsonSchema(schema: z.ZodType): Json {
  return trim(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

/**
 * Output schema: the result's top-level field names, each left open. It is true for every result
 * (clients validate against it) and tells the model which fields to expect; the types and nesting
 * are in the result itself, so repeating them here would cost context on every turn for nothing.
 */
export function outputJsonSchema(schema: z.ZodObject): Json {
  return { type: 'object', properties: Object.fromEntries(Object.keys(schema.shape).map((k) => [k, {}])) };
}

/** The JSON Schema type a default value shows by itself (an integer reads as one). */
function typeOfDefault(d: unknown): string | undefined {
  if (typeof d === 'string') return 'string';
  if (typeof d === 'boolean') return 'boolean';
  if (typeof d === 'number') return Number.isInteger(d) ? 'integer' : 'number';
  return undefined;
}

function trim(node: Json): Json {
  if (node[KEYS_ONLY]) return { type: 'object', ...(node.description ? { description: node.description } : {}) };
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (VALIDATION_ONLY.has(k) || k === '$schema' || k === 'propertyNames') continue;
    switch (k) {
      case 'additionalProperties':
        // false: the server rejects unknown keys itself, with a clearer message. Map value types
        // (env, resources) are in the parameter's description where they matter.
        continue;
      case 'properties':
        out[k] = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, trim(pv as Json)]));
        continue;
      case 'default':
        // An optional boolean is false when absent; saying so costs tokens on every tool.
        if (!(v === false && node.type === 'boolean')) out[k] = v;
        continue;
      case 'items':
        out[k] = trim(v as Json);
        continue;
      case 'type':
        // An enum of strings, or a default of the type, says the type by its values.
        if (v === 'string' && Array.isArray(node.enum) && node.enum.every((e) => typeof e === 'string')) continue;
        if (typeOfDefault(node.default) === v && !(v === 'boolean' && node.default === false)) continue;
        out[k] = v;
        continue;
      case 'anyOf':
      case 'oneOf': {
        const alts = (v as Json[]).map(trim);
        // Alternatives that differ only in type read better as a type list.
        const types = alts.map((a) => (Object.keys(a).length === 1 && typeof a.type === 'string' ? a.type : undefined));
        if (types.every((t) => t !== undefined)) out.type = types;
        else out[k] = alts;
        continue;
      }
      default:
        out[k] = v;
    }
  }
  return out;
}
