/**
 * JSON values rendered as Python source literals, byte-equal to CPython's `repr()` / `str()`.
 *
 * The SDK writes `func(**<repr of func_args>)` into the CustomTrainer script and `str()` values into
 * TorchTune args, so our output must match CPython exactly (quote choice, escapes, float format).
 *
 * Number rule: a JSON value cannot tell `1` from `1.0`, so every safe integer (|n| < 2^53) renders
 * as a Python int, which is what `json.loads` gives for integer literals; any other finite number
 * renders as a float with CPython's repr (shortest round-trip digits; exponent form when the
 * decimal exponent is < -4 or >= 16). Consequences, deliberately: `-0` → `0` (JS cannot tell `-0`
 * from `-0.0`; `0 == -0.0` in Python), and integral values beyond 2^53 (not exactly representable
 * anyway) → float repr such as `1e+16`. `bigint` renders as an exact Python int.
 *
 * Object key order follows JavaScript's property order, which puts integer-like keys ("1", "2")
 * first; all other keys keep insertion order like a Python dict.
 */
import { WireValidationError } from './errors.js';

/** Python `repr(value)`. Throws for values with no Python literal (NaN, ±Infinity, undefined, functions). */
export function pythonRepr(value: unknown): string {
  return repr(value, '$');
}

/** Python `str(value)`: strings verbatim, everything else as `repr`. */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

/** `str(float(x))`: for fields that are floats in the SDK (e.g. lora_dropout 0 → "0.0"). */
export function pythonFloatStr(x: number): string {
  if (!Number.isFinite(x)) throw notALiteral(x, '$');
  return floatRepr(x);
}

function repr(value: unknown, path: string): string {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw notALiteral(value, path);
      return Number.isSafeInteger(value) ? String(value) : floatRepr(value);
    case 'string':
      return stringRepr(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => repr(v, `${path}[${i}]`)).join(', ')}]`;
      const entries = Object.entries(value as Record<string, unknown>);
      return `{${entries.map(([k, v]) => `${stringRepr(k)}: ${repr(v, `${path}.${k}`)}`).join(', ')}}`;
    }
    default:
      throw notALiteral(value, path);
  }
}

function notALiteral(value: unknown, path: string): WireValidationError {
  const shown = typeof value === 'number' ? String(value) : typeof value;
  return new WireValidationError(
    'invalid_python_value',
    `value at ${path} (${shown}) has no Python literal form`,
    'pass only JSON values: strings, finite numbers, booleans, null, lists and objects',
  );
}

/** CPython float_repr: shortest round-trip digits, then 'r' formatting rules with ".0" added. */
function floatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument yields the shortest digits that round-trip, as CPython does.
  const [mantissa = '', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const decpt = exp + 1; // position of the decimal point relative to the digit string
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

// Python's str.isprintable() is false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (bar ' ').
const NON_PRINTABLE = /^[\p{C}\p{Z}]$/u;

/** CPython unicode_repr. */
function stringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f) out += ch;
    else if (!NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
