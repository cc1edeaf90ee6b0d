/**
 * customProperties ↔ plain values, typed both ways (docs/wire/hub.md#custom-properties).
 *
 * Writing: string → MetadataStringValue, boolean → MetadataBoolValue, integers with at most nine
 * digits → MetadataIntValue (sent as a string: the schema's int_value pattern allows at most nine
 * digits, within int32), every other finite number → MetadataDoubleValue (so 3000000000 is a
 * double, exact up to 2^53). JSON cannot tell 1.0 from 1: both are ints. null/undefined values are
 * skipped (the SDK skips None); NaN/Infinity are refused.
 *
 * Reading: the four plain kinds become string/number/boolean (an int_value outside the safe
 * integer range stays a string: v0.3.x servers documented int64); struct and proto values are
 * left out and their names reported, as the SDK drops them.
 */
import { HubError } from './errors.js';
import type { CustomProperties, MetadataValue, PropertyValue } from './types.js';

const MAX_INT_DIGITS = 999_999_999;

export function encodeProperties(values: Record<string, PropertyValue | null | undefined>, field = 'metadata'): CustomProperties {
  const out: CustomProperties = {};
  for (const [key, v] of Object.entries(values)) {
    if (v === null || v === undefined) continue;
    if (key === '') throw new HubError('invalid_argument', 'a metadata key is empty', 'name every metadata entry', 0, field);
    out[key] = encodeValue(v, `${field}.${key}`);
  }
  return out;
}

function encodeValue(v: PropertyValue, field: string): MetadataValue {
  switch (typeof v) {
    case 'string':
      return { metadataType: 'MetadataStringValue', string_value: v };
    case 'boolean':
      return { metadataType: 'MetadataBoolValue', bool_value: v };
    case 'number':
      if (!Number.isFinite(v))
        throw new HubError('invalid_argument', `${field} is ${v}, which the registry cannot store`, 'pass a finite number, or the value as a string', 0, field);
      if (Number.isInteger(v) && Math.abs(v) <= MAX_INT_DIGITS) return { metadataType: 'MetadataIntValue', int_value: String(v === 0 ? 0 : v) };
      return { metadataType: 'MetadataDoubleValue', double_value: v };
    default:
      throw new HubError(
        'invalid_argument',
        `${field} must be a string, number or boolean`,
        'flatten nested values into separate keys, or pass them as JSON strings',
        0,
        field,
      );
  }
}

export function decodeProperties(custom: CustomProperties | undefined): { properties: Record<string, PropertyValue>; dropped: string[] } {
  const properties: Record<string, PropertyValue> = {};
  const dropped: string[] = [];
  for (const [key, v] of Object.entries(custom ?? {})) {
    switch (v?.metadataType) {
      case 'MetadataStringValue':
        properties[key] = v.string_value;
        break;
      case 'MetadataIntValue': {
        const n = Number(v.int_value);
        properties[key] = Number.isSafeInteger(n) ? n : v.int_value;
        break;
      }
      case 'MetadataDoubleValue':
        properties[key] = v.double_value;
        break;
      case 'MetadataBoolValue':
        properties[key] = v.bool_value;
        break;
      default:
        dropped.push(key);
    }
  }
  return { properties, dropped };
}
