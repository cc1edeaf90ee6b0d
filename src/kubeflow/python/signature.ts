/**
 * The entry's signature as text, and the binding check for `entry(**func_args)`.
 */
import type { PyParam, SigParam } from './outline.js';
import { isKeyword, isPythonIdentifier } from './text.js';

/** The signature, e.g. `train(lr, epochs=3, *, batch_size)` (long ones are shortened). */
export function renderSignature(name: string, params: SigParam[]): string {
  const render = (text: (p: SigParam) => string): string => {
    const parts: string[] = [];
    params.forEach((p, i) => {
      if (p.kind === 'keyword_only' && !params.slice(0, i).some((q) => q.kind === 'var_positional' || q.kind === 'keyword_only')) parts.push('*');
      parts.push(text(p));
      if (p.kind === 'positional_only' && params[i + 1]?.kind !== 'positional_only') parts.push('/');
    });
    return `${name}(${parts.join(', ')})`;
  };
  const full = render((p) => p.text);
  const star = (p: SigParam): string => (p.kind === 'var_positional' ? '*' : p.kind === 'var_keyword' ? '**' : '');
  return full.length <= 160 ? full : render((p) => `${star(p)}${p.name}${p.hasDefault ? '=…' : ''}`);
}

// ---------------------------------------------------------------------------------------------
// Binding check for entry(**func_args)

export interface BindingIssue {
  kind: 'not_object' | 'invalid_keys' | 'positional_only' | 'unexpected' | 'missing' | 'unsatisfiable';
  keys: string[];
  message: string;
  hint: string;
}

/**
 * Checks that `entry(**funcArgs)` binds to `params` the way Python would. `funcArgs` undefined
 * means the entry is called with no arguments (`entry()`), as the Kubeflow SDK does.
 */
export function checkBinding(signature: string, params: PyParam[], funcArgs: unknown): BindingIssue[] {
  const issues: BindingIssue[] = [];
  if (funcArgs !== undefined && (funcArgs === null || typeof funcArgs !== 'object' || Array.isArray(funcArgs))) {
    issues.push({
      kind: 'not_object',
      keys: [],
      message: `func_args must be a JSON object mapping parameter names to values (got ${funcArgs === null ? 'null' : Array.isArray(funcArgs) ? 'an array' : typeof funcArgs}); it is passed as ${signature.split('(')[0]}(**func_args)`,
      hint: `Pass func_args as an object such as {${params
        .filter((p) => p.kind === 'positional_or_keyword' || p.kind === 'keyword_only')
        .slice(0, 3)
        .map((p) => `"${p.name}": ...`)
        .join(', ')}}.`,
    });
    return issues;
  }
  const args = (funcArgs ?? {}) as Record<string, unknown>;
  const keys = Object.keys(args);
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(args, k);
  const byName = new Map(params.map((p) => [p.name, p]));
  const varKw = params.find((p) => p.kind === 'var_keyword');
  const accepted = params.filter((p) => p.kind === 'positional_or_keyword' || p.kind === 'keyword_only').map((p) => p.name);
  const acceptedText = accepted.length ? accepted.join(', ') : '(none)';
  const entryName = signature.split('(')[0]!;

  const invalid = keys.filter((k) => !isPythonIdentifier(k));
  if (invalid.length) {
    issues.push({
      kind: 'invalid_keys',
      keys: invalid,
      message: `func_args keys must be Python identifiers; invalid: ${invalid.map((k) => JSON.stringify(k)).join(', ')} (signature: ${signature})`,
      hint:
        `Rename them to identifiers (letters, digits, '_', not starting with a digit), e.g. ${invalid.map((k) => `"${suggestIdentifier(k)}"`).join(', ')}` +
        (varKw ? ` (${entryName} receives extra keys through **${varKw.name})` : `, matching parameters of ${entryName}: ${acceptedText}`) +
        '.',
    });
  }
  const valid = keys.filter((k) => isPythonIdentifier(k));
  const posOnly = valid.filter((k) => byName.get(k)?.kind === 'positional_only');
  if (posOnly.length && !varKw) {
    issues.push({
      kind: 'positional_only',
      keys: posOnly,
      message: `${list(posOnly)} ${posOnly.length > 1 ? 'are' : 'is'} positional-only in ${signature} and cannot be passed by keyword (func_args are passed as ${entryName}(**func_args))`,
      hint: `Move the '/' in the signature before ${list(posOnly)} (or remove it), or drop ${posOnly.length > 1 ? 'these keys' : 'this key'} from func_args.`,
    });
  }
  const unexpected = varKw
    ? []
    : valid.filter((k) => {
        const p = byName.get(k);
        return !p || p.kind === 'var_positional' || p.kind === 'var_keyword';
      });
  if (unexpected.length) {
    const suggestions = unexpected
      .map((k) => {
        const s = closest(
          k,
          accepted.filter((a) => !has(a)),
        );
        return s ? `${k} → ${s}?` : null;
      })
      .filter((s): s is string => s !== null);
    issues.push({
      kind: 'unexpected',
      keys: unexpected,
      message: `${signature} got unexpected keyword argument${unexpected.length > 1 ? 's' : ''} ${list(unexpected)}`,
      hint:
        `Use only parameter names of ${entryName}: ${acceptedText}` +
        (suggestions.length ? ` (did you mean: ${suggestions.join(', ')})` : '') +
        `; or add **kwargs to the signature to accept extra keys.`,
    });
  }
  const missing = params.filter((p) => (p.kind === 'positional_or_keyword' || p.kind === 'keyword_only') && !p.hasDefault && !has(p.name));
  if (missing.length) {
    const names = missing.map((p) => p.name);
    issues.push({
      kind: 'missing',
      keys: names,
      message: `${signature} is missing required argument${names.length > 1 ? 's' : ''} ${list(names)} in func_args${funcArgs === undefined ? ' (no func_args given, so it is called as ' + entryName + '())' : ''}`,
      hint: `Add ${names.map((n) => `"${n}"`).join(', ')} to func_args, or give ${names.length > 1 ? 'those parameters' : 'that parameter'} a default value in the signature.`,
    });
  }
  const unsatisfiable = params.filter((p) => p.kind === 'positional_only' && !p.hasDefault).map((p) => p.name);
  if (unsatisfiable.length) {
    issues.push({
      kind: 'unsatisfiable',
      keys: unsatisfiable,
      message: `${signature} has required positional-only parameter${unsatisfiable.length > 1 ? 's' : ''} ${list(unsatisfiable)}, which can never be given: the entry is called as ${entryName}(**func_args), by keyword only`,
      hint: `Remove the '/' from the signature (or give ${list(unsatisfiable)} a default) and pass ${unsatisfiable.length > 1 ? 'them' : 'it'} in func_args.`,
    });
  }
  return issues;
}

function list(names: string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

function suggestIdentifier(k: string): string {
  let s = k.replace(/[^\p{XID_Continue}]+/gu, '_').replace(/^_+|_+$/g, '');
  if (!s || !/^[\p{XID_Start}_]/u.test(s)) s = `_${s}`;
  if (isKeyword(s)) s = `${s}_`;
  return s;
}

/** The closest name by edit distance (case-insensitive), if reasonably close. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestD <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10 || a.length > 64 || b.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
