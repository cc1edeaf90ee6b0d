/**
 * Function signatures from lezer `ParamList` nodes, and the binding check for
 * `entry(**func_args)`.
 */
import { children, type SyntaxNode } from './parse.js';
import { isKeyword, isPythonIdentifier } from './text.js';

export type PyParamKind = 'positional_only' | 'positional_or_keyword' | 'var_positional' | 'keyword_only' | 'var_keyword';

export interface PyParam {
  name: string;
  kind: PyParamKind;
  hasDefault: boolean;
}

/** One comma-separated item of a parameter list. */
export interface ParamSegment {
  kind: 'slash' | 'star' | 'dstar' | 'regular' | 'other';
  /** parameter name (for `*`/`**` with a name, and regular parameters) */
  name?: string;
  hasDefault: boolean;
  /** source range of the item */
  from: number;
  to: number;
  /** the item as written (comments dropped, line breaks collapsed) */
  text: string;
}

/**
 * Splits a `ParamList` (of a `def` or of a `lambda`) into its items. lezer does not keep the `/`
 * token in the tree, so an item with no nodes whose text is `/` is the positional-only marker.
 */
export function paramSegments(paramList: SyntaxNode, text: string): ParamSegment[] {
  const kids = children(paramList);
  const out: ParamSegment[] = [];
  let segStart = paramList.from;
  let cur: SyntaxNode[] = [];
  const flush = (end: number): void => {
    out.push(makeSegment(cur, segStart, end, text));
    cur = [];
  };
  for (const k of kids) {
    if (k.name === '(') {
      segStart = k.to;
      continue;
    }
    if (k.name === ')') {
      flush(k.from);
      segStart = -1;
      continue;
    }
    if (k.name === ',') {
      flush(k.from);
      segStart = k.to;
      continue;
    }
    cur.push(k);
  }
  if (segStart >= 0) flush(cur.length ? cur[cur.length - 1]!.to : paramList.to);
  // drop the empty item after a trailing comma (and the single empty item of `()`)
  return out.filter((s) => s.kind !== 'other' || s.text !== '');
}

function makeSegment(nodes: SyntaxNode[], from: number, to: number, text: string): ParamSegment {
  if (nodes.length === 0) {
    const raw = text.slice(Math.max(0, from), Math.max(from, to)).replace(/#[^\n\r]*/g, '').trim();
    return { kind: raw === '/' ? 'slash' : 'other', hasDefault: false, from: Math.max(0, from), to, text: raw };
  }
  const first = nodes[0]!;
  const segFrom = first.from;
  const segTo = nodes[nodes.length - 1]!.to;
  const written = renderRange(nodes, text);
  const nameAfter = (i: number): string | undefined => (nodes[i]?.name === 'VariableName' ? text.slice(nodes[i]!.from, nodes[i]!.to) : undefined);
  if (first.name === '*') return { kind: 'star', name: nameAfter(1), hasDefault: false, from: segFrom, to: segTo, text: written };
  if (first.name === '**') return { kind: 'dstar', name: nameAfter(1), hasDefault: false, from: segFrom, to: segTo, text: written };
  if (first.name === 'VariableName') {
    const hasDefault = nodes.some((n) => n.name === 'AssignOp');
    return { kind: 'regular', name: text.slice(first.from, first.to), hasDefault, from: segFrom, to: segTo, text: written };
  }
  return { kind: 'other', hasDefault: false, from: segFrom, to: segTo, text: written };
}

/** Source text spanned by `nodes`, without comments, with line breaks and indentation collapsed. */
function renderRange(nodes: SyntaxNode[], text: string): string {
  const from = nodes[0]!.from;
  // comments between the nodes are siblings of them; cut the gaps' comments out
  let s = '';
  let pos = from;
  for (const n of nodes) {
    s += text.slice(pos, n.from).replace(/#[^\n\r]*/g, '');
    s += text.slice(n.from, n.to);
    pos = n.to;
  }
  return s.replace(/[ \t]*(?:\\?\r?\n|\r)[ \t\r\n\\]*/g, ' ').trim();
}

/** The parameters as Python's `inspect.Parameter` kinds. */
export function toPyParams(segments: ParamSegment[]): PyParam[] {
  const hasSlash = segments.some((s) => s.kind === 'slash');
  let beforeSlash = hasSlash;
  let afterStar = false;
  const out: PyParam[] = [];
  for (const s of segments) {
    switch (s.kind) {
      case 'slash':
        beforeSlash = false;
        break;
      case 'star':
        afterStar = true;
        if (s.name) out.push({ name: norm(s.name), kind: 'var_positional', hasDefault: false });
        break;
      case 'dstar':
        if (s.name) out.push({ name: norm(s.name), kind: 'var_keyword', hasDefault: false });
        break;
      case 'regular':
        out.push({
          name: norm(s.name!),
          kind: beforeSlash ? 'positional_only' : afterStar ? 'keyword_only' : 'positional_or_keyword',
          hasDefault: s.hasDefault,
        });
        break;
      default:
        break;
    }
  }
  return out;
}

function norm(name: string): string {
  // Python NFKC-normalizes identifiers in source; dict keys are matched against the normalized name
  return name.normalize('NFKC');
}

/** The signature as written, e.g. `train(lr, epochs=3, *, batch_size)` (long ones are shortened). */
export function renderSignature(name: string, segments: ParamSegment[]): string {
  const full = `${name}(${segments.map((s) => s.text).join(', ')})`;
  if (full.length <= 160) return full;
  const short = segments.map((s) => {
    switch (s.kind) {
      case 'slash':
        return '/';
      case 'star':
        return s.name ? `*${s.name}` : '*';
      case 'dstar':
        return `**${s.name ?? ''}`;
      case 'regular':
        return s.hasDefault ? `${s.name}=…` : s.name!;
      default:
        return '…';
    }
  });
  return `${name}(${short.join(', ')})`;
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
      hint: `Pass func_args as an object such as {${params.filter((p) => p.kind === 'positional_or_keyword' || p.kind === 'keyword_only').slice(0, 3).map((p) => `"${p.name}": ...`).join(', ')}}.`,
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
        const s = closest(k, accepted.filter((a) => !has(a)));
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
  const missing = params.filter(
    (p) => (p.kind === 'positional_or_keyword' || p.kind === 'keyword_only') && !p.hasDefault && !has(p.name),
  );
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
export function closest(word: string, candidates: string[]): string | undefined {
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
