/**
 * Search spaces (docs/wire/optimizer.md#parameters): JSON-friendly inputs → Katib ParameterSpecs (all numbers as strings, the SDK's
 * `str()` rendering), plus the grid arithmetic Katib's grid suggestion uses.
 *
 *   uniform(min, max[, step | points]) → double, distribution uniform (the SDK's Search.uniform)
 *   logUniform(min, max)               → double, distribution logUniform (Search.loguniform)
 *   int(min, max[, step])              → int
 *   categorical(values)                → categorical, values as strings (Search.choice)
 *   discrete(numbers)                  → discrete, values as strings
 */
import { pythonStr } from '../trainer/pythonLiteral.js';
import { INERT_WORD } from '../trainer/script.js';
import { OptimizerError } from './errors.js';
import type { ParameterSpec } from './types.js';

export type Search =
  | { type: 'uniform'; min: number; max: number; step?: number; points?: number }
  | { type: 'logUniform'; min: number; max: number }
  | { type: 'int'; min: number; max: number; step?: number }
  | { type: 'categorical'; values: Array<string | number | boolean> }
  | { type: 'discrete'; values: number[] };

/** Constructors mirroring the SDK's `Search` helpers. */
export const search = {
  uniform: (min: number, max: number, opts: { step?: number; points?: number } = {}): Search => ({ type: 'uniform', min, max, ...opts }),
  logUniform: (min: number, max: number): Search => ({ type: 'logUniform', min, max }),
  int: (min: number, max: number, step?: number): Search => ({ type: 'int', min, max, ...(step === undefined ? {} : { step }) }),
  categorical: (values: Array<string | number | boolean>): Search => ({ type: 'categorical', values }),
  discrete: (values: number[]): Search => ({ type: 'discrete', values }),
};

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Parameter names become Python keyword arguments and env-var suffixes: identifiers only. */
function checkParameterName(name: string): void {
  if (!PARAM_NAME.test(name)) {
    throw new OptimizerError(
      'invalid_search_space',
      `parameter name '${name}' is not a Python identifier of at most 63 characters`,
      'name parameters like function arguments, e.g. "lr", "batch_size"',
      `searchSpace.${name}`,
    );
  }
}

/** Katib ParameterSpec for one search-space entry. */
export function parameterSpec(name: string, s: Search): ParameterSpec {
  checkParameterName(name);
  const field = `searchSpace.${name}`;
  const bad = (why: string, hint: string, sub?: string): OptimizerError =>
    new OptimizerError('invalid_search_space', `parameter '${name}': ${why}`, hint, sub ? `${field}.${sub}` : field);
  switch (s.type) {
    case 'uniform':
    case 'logUniform': {
      finite(s.min, bad, 'min');
      finite(s.max, bad, 'max');
      if (!(s.min < s.max)) throw bad(`min (${s.min}) must be less than max (${s.max})`, 'swap or widen the bounds', 'min');
      if (s.type === 'logUniform') {
        if (s.min <= 0)
          throw bad(`logUniform needs min > 0, got ${s.min}`, 'use a positive lower bound such as 1e-5, or uniform for ranges that include 0', 'min');
        return { name, parameterType: 'double', feasibleSpace: { min: num(s.min), max: num(s.max), distribution: 'logUniform' } };
      }
      const step = uniformStep(s, bad);
      return {
        name,
        parameterType: 'double',
        feasibleSpace: { min: num(s.min), max: num(s.max), ...(step === undefined ? {} : { step: num(step) }), distribution: 'uniform' },
      };
    }
    case 'int': {
      for (const k of ['min', 'max'] as const) {
        if (!Number.isSafeInteger(s[k]))
          throw bad(`${k} must be an integer, got ${s[k]}`, 'use whole numbers for int parameters, or uniform for real values', k);
      }
      if (!(s.min < s.max)) throw bad(`min (${s.min}) must be less than max (${s.max})`, 'swap or widen the bounds', 'min');
      if (s.step !== undefined && !(Number.isSafeInteger(s.step) && s.step >= 1 && s.step <= s.max - s.min)) {
        throw bad(`step must be a whole number between 1 and max - min, got ${s.step}`, 'use e.g. step 1 or 2, or leave it out (1)', 'step');
      }
      return { name, parameterType: 'int', feasibleSpace: { min: num(s.min), max: num(s.max), ...(s.step === undefined ? {} : { step: num(s.step) }) } };
    }
    case 'categorical': {
      const list = listOf(s.values, bad, (v) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)));
      if (list.some((v) => v === '')) throw bad('categorical values must not be empty strings', 'remove the empty value', 'values');
      // Katib pastes the chosen value as raw text into the trial template's JSON, and the trial's
      // bash and Python read it from there: only inert words stay what they are in all three.
      const unsafe = list.filter((v) => !INERT_WORD.test(v));
      if (unsafe.length > 0) {
        throw bad(
          `categorical value(s) ${unsafe.map((v) => JSON.stringify(v)).join(', ')} cannot be passed through Katib safely: Katib pastes values as raw text into the trial's JSON and shell script`,
          'use values made of letters, digits and _ @ % + = : , . / - (e.g. "adamw", "google/flan-t5-small"), and map them to other values inside your function if needed',
          'values',
        );
      }
      return { name, parameterType: 'categorical', feasibleSpace: { list } };
    }
    case 'discrete': {
      const list = listOf(s.values, bad, (v) => typeof v === 'number' && Number.isFinite(v));
      return { name, parameterType: 'discrete', feasibleSpace: { list } };
    }
    default:
      throw bad(`unknown search type '${String((s as { type?: unknown }).type)}'`, 'use uniform, logUniform, int, categorical or discrete', 'type');
  }
}

type Bad = (why: string, hint: string, sub?: string) => OptimizerError;

function finite(v: unknown, bad: Bad, k: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${k} must be a finite number, got ${String(v)}`, `pass ${k} as a number`, k);
}

/** `step` as given, or derived from `points` (evenly spaced values including both bounds). */
function uniformStep(s: Extract<Search, { type: 'uniform' }>, bad: Bad): number | undefined {
  if (s.step !== undefined && s.points !== undefined) throw bad('give either step or points, not both', 'keep one of them', 'points');
  if (s.points !== undefined) {
    if (!(Number.isSafeInteger(s.points) && s.points >= 2 && s.points <= 10_000)) {
      throw bad(`points must be a whole number between 2 and 10000, got ${s.points}`, 'e.g. points 5 tries min, max and three values between', 'points');
    }
    return (s.max - s.min) / (s.points - 1);
  }
  if (s.step !== undefined && !(Number.isFinite(s.step) && s.step > 0 && s.step <= s.max - s.min)) {
    throw bad(`step must be positive and at most max - min, got ${s.step}`, 'use a step that divides the range, e.g. (max - min) / 4', 'step');
  }
  return s.step;
}

function listOf(values: unknown, bad: Bad, ok: (v: unknown) => boolean): string[] {
  if (!Array.isArray(values) || values.length === 0) throw bad('values must be a non-empty list', 'list the values to try', 'values');
  if (values.length > 1000) throw bad(`at most 1000 values are supported, got ${values.length}`, 'narrow the list', 'values');
  const bads = values.filter((v) => !ok(v));
  if (bads.length > 0)
    throw bad(`unsupported value(s): ${bads.map((v) => JSON.stringify(v)).join(', ')}`, 'use strings, numbers or booleans (discrete: numbers only)', 'values');
  const list = values.map((v) => num(v as string | number | boolean));
  const dup = list.find((v, i) => list.indexOf(v) !== i);
  if (dup !== undefined) throw bad(`value '${dup}' is listed twice (Katib keeps the list as a set)`, 'remove the duplicate', 'values');
  return list;
}

/** The SDK's `str(v)`: Python ints stay ints, floats use repr (1e-05), True/False capitalised. */
function num(v: string | number | boolean): string {
  return pythonStr(v);
}

// ---------------------------------------------------------------------------------------------
// Grid

/**
 * How many values Katib's grid suggestion tries for one parameter, or a reason it cannot.
 * Doubles follow numpy's `arange(min, max + step, step)` with the last value dropped when it
 * exceeds max (Katib's convert_to_combinations); ints are `range(min, max + 1, step or 1)`.
 */
export function gridSize(p: ParameterSpec): number | { problem: string } {
  const fs = p.feasibleSpace;
  switch (p.parameterType) {
    case 'categorical':
    case 'discrete':
      return fs.list?.length ?? 0;
    case 'int': {
      const step = fs.step ? Number(fs.step) : 1;
      return Math.floor((Number(fs.max) - Number(fs.min)) / step) + 1;
    }
    case 'double': {
      if (!fs.step) return { problem: `double parameter '${p.name}' has no step` };
      const min = Number(fs.min);
      const max = Number(fs.max);
      const step = Number(fs.step);
      let n = Math.max(0, Math.ceil((max + step - min) / step));
      if (n > 0 && min + (n - 1) * step > max) n -= 1;
      return n;
    }
  }
}

/** Number of grid combinations (product of per-parameter sizes). */
export function gridCombinations(params: ParameterSpec[]): number {
  let total = 1;
  for (const p of params) {
    const n = gridSize(p);
    if (typeof n !== 'number') throw new Error(n.problem);
    total *= n;
  }
  return total;
}
