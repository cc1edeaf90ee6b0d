/**
 * Run parameters checked against the pipeline's declared root inputs before the API server sees
 * them, with the server's own rules (docs/wire/pipelines.md#run-parameters): a required input must
 * be given, a value must have the declared type and be one of its literals, and nothing undeclared
 * may be passed. Values are never coerced: "3" for a number is refused with the fix.
 */
import { PipelinesError } from './errors.js';
import type { ParameterType, RootParameter } from './package.js';

const TYPE_NAMES: Partial<Record<ParameterType, string>> = {
  NUMBER_DOUBLE: 'a number',
  NUMBER_INTEGER: 'a number',
  STRING: 'a string',
  BOOLEAN: 'true or false',
  LIST: 'a JSON list',
  STRUCT: 'a JSON object',
};

function hasType(type: ParameterType, v: unknown): boolean {
  switch (type) {
    case 'NUMBER_DOUBLE':
    case 'NUMBER_INTEGER':
      return typeof v === 'number' && Number.isFinite(v);
    case 'STRING':
      return typeof v === 'string';
    case 'BOOLEAN':
      return typeof v === 'boolean';
    case 'LIST':
      return Array.isArray(v);
    case 'STRUCT':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return false;
  }
}

/** What is wrong with `given` for these inputs; empty when the API server would accept it. */
export function parameterProblems(declared: readonly RootParameter[], given: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const byName = new Map(declared.map((p) => [p.name, p]));
  const extra = Object.keys(given).filter((k) => !byName.has(k));
  if (extra.length) problems.push(`not inputs of this pipeline: ${extra.join(', ')} (inputs: ${declared.map((p) => p.name).join(', ') || 'none'})`);
  for (const p of declared) {
    if (!(p.name in given)) {
      if (!p.optional && p.default === undefined) problems.push(`${p.name} is required (${TYPE_NAMES[p.type] ?? p.type})`);
      continue;
    }
    const v = given[p.name];
    if (!TYPE_NAMES[p.type]) {
      problems.push(`${p.name} has type ${p.type}, which a run cannot set`);
      continue;
    }
    if (!hasType(p.type, v)) {
      const hint =
        typeof v === 'string' &&
        (p.type.startsWith('NUMBER') ? Number.isFinite(Number(v)) && v.trim() !== '' : p.type === 'BOOLEAN' && /^(true|false)$/i.test(v))
          ? ` (pass ${v.trim().toLowerCase()} without quotes)`
          : '';
      problems.push(`${p.name} must be ${TYPE_NAMES[p.type]}, got ${JSON.stringify(v)}${hint}`);
      continue;
    }
    if (p.literals && !p.literals.some((l) => JSON.stringify(l) === JSON.stringify(v)))
      problems.push(`${p.name} must be one of ${p.literals.map((l) => JSON.stringify(l)).join(', ')}`);
  }
  return problems;
}

export function checkParameters(declared: readonly RootParameter[], given: Record<string, unknown>, pipeline: string): void {
  const problems = parameterProblems(declared, given);
  if (problems.length) {
    throw new PipelinesError(
      'invalid_parameters',
      `parameters do not fit pipeline ${pipeline}: ${problems.join('; ')}`,
      'get_pipeline shows its inputs with types and defaults; pass params with those names and types',
      0,
      'params',
    );
  }
}
