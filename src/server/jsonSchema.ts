/**
 * JSON Schemas for tools/list, generated from the zod specs and trimmed: every token in tools/list
 * is paid by the agent on every turn. Trimming never loosens input validation (the server validates
 * with zod), and output schemas stay true (shallower, never stricter) so clients can validate.
 */
import { z } from 'zod';

type Json = Record<string, unknown>;

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** Input schema: full depth; drops noise keys zod emits that carry no meaning for a model. */
export function inputJsonSchema(schema: z.ZodType): Json {
  return trim(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json, Infinity, true);
}

/** Output schema: property names and types down to `depth` levels; deeper values are left open. */
export function outputJsonSchema(schema: z.ZodType, depth = 2): Json {
  return trim(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Json, depth, false);
}

function trim(node: Json, depth: number, keepDocs: boolean): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    switch (k) {
      case '$schema':
      case 'propertyNames':
        continue;
      case 'additionalProperties':
        if (v === false) continue; // the server rejects unknown keys itself, with a clearer message
        if (typeof v === 'object' && v) {
          if (depth > 1) out[k] = trim(v as Json, depth - 1, keepDocs);
        } else out[k] = v;
        continue;
      case 'minimum':
        if (v === -SAFE_INT) continue;
        out[k] = v;
        continue;
      case 'maximum':
        if (v === SAFE_INT) continue;
        out[k] = v;
        continue;
      case 'required':
        if (keepDocs) out[k] = v; // outputs: optional everywhere keeps the schema true and short
        continue;
      case 'description':
      case 'default':
      case 'examples':
        if (keepDocs) out[k] = v;
        continue;
      case 'properties': {
        if (depth <= 1) continue;
        const props: Json = {};
        for (const [pk, pv] of Object.entries(v as Json)) props[pk] = trim(pv as Json, depth - 1, keepDocs);
        out[k] = props;
        continue;
      }
      case 'items':
        if (depth > 1) out[k] = trim(v as Json, depth - 1, keepDocs);
        continue;
      case 'anyOf':
      case 'oneOf': {
        const alts = (v as Json[]).map((a) => trim(a, depth, keepDocs));
        // A nullable scalar reads better as a type list.
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
