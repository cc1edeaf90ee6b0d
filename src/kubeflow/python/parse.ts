/**
 * Parsing with @lezer/python, adapted to be strict enough for "would CPython compile this?".
 *
 * Lezer's grammar is made for editors: it is error-tolerant (errors become `⚠` nodes) and a bit
 * more permissive or stricter than CPython in a few places. This module:
 *  - disables lezer's Python 2 `print x` statement (so `print "x"` is an error and `print = f`
 *    is not);
 *  - rewrites, without changing any offset, the few valid constructs lezer's grammar lacks
 *    (`5.` floats, parenthesized context managers, non-name `with ... as` targets, PEP 614
 *    decorator expressions, positional-only markers in lambdas);
 *  - finds the first error node, ignoring the one lezer reports after a bare `yield`.
 */
import { parser as baseParser } from '@lezer/python';
import { isKeyword } from './text.js';
import type { LezerPatch, Token } from './tokens.js';

type LezerParser = typeof baseParser;
/** lezer's Tree and SyntaxNode (derived here so that only @lezer/python is imported directly) */
export type Tree = ReturnType<LezerParser['parse']>;
export type SyntaxNode = Tree['topNode'];

function hasError(tree: Tree): boolean {
  let found = false;
  tree.iterate({
    enter(n) {
      if (n.type.isError) found = true;
      return !found;
    },
  });
  return found;
}

function hasNode(tree: Tree, name: string): boolean {
  let found = false;
  tree.iterate({
    enter(n) {
      if (n.name === name) found = true;
      return !found;
    },
  });
  return found;
}

/** The parser with the legacy-print tokenizer replaced by one that never fires (verified). */
function buildParser(): { parser: LezerParser; legacyPrint: boolean } {
  try {
    const tokenizers = (baseParser as unknown as { tokenizers?: unknown[] }).tokenizers;
    const legacy = tokenizers?.[0] as { constructor: new (fn: () => void) => unknown; token?: unknown } | undefined;
    if (legacy && typeof legacy.token === 'function') {
      const noop = new legacy.constructor(() => {});
      const configured = baseParser.configure({ tokenizers: [{ from: legacy, to: noop }] } as unknown as Parameters<LezerParser['configure']>[0]);
      const ok =
        !hasError(configured.parse('print = 1\nprint [0]\n')) &&
        hasError(configured.parse('print "x"\n')) &&
        !hasNode(configured.parse('print "x"\n'), 'PrintStatement') &&
        !hasError(configured.parse('if x:\n    y = f"{a!r}"\n'));
      if (ok) return { parser: configured, legacyPrint: false };
    }
  } catch {
    // fall through to the unmodified parser
  }
  return { parser: baseParser, legacyPrint: true };
}

const built = buildParser();
const parser = built.parser;
/** True when lezer's Python 2 print statement could not be disabled (PrintStatement nodes may appear). */
export const LEGACY_PRINT_ACTIVE = built.legacyPrint;

/**
 * A top-level slice of the module parsed on its own. lezer force-reduces (and so reports bogus
 * errors) after a few hundred large reductions that share a start position, which happens in
 * modules with hundreds of top-level statements; parsing at most {@link CHUNK_STATEMENTS}
 * top-level statements at a time avoids that. Node positions are relative to `offset`.
 */
export interface Chunk {
  tree: Tree;
  /** offset of the chunk in the module text */
  offset: number;
  /** the chunk's text (unpatched) */
  text: string;
}

export interface ParsedModule {
  chunks: Chunk[];
  /** Offset (in the module text) of the first syntax error lezer reports, if any. */
  firstError?: number;
  /** Ranges of logical lines too long for lezer to judge (see {@link longLines}). */
  unreliable: Array<[number, number]>;
}

const CHUNK_STATEMENTS = 100;

/** Parses `text` (dedented source) given its tokens (possibly partial after a lexer error). */
export function parseModule(text: string, tokens: Token[], patches: LezerPatch[] = []): ParsedModule {
  const patched = patchForLezer(text, tokens, patches);
  const yieldEnds = bareYieldEnds(text, tokens);
  const unreliable = longLines(tokens);
  const inUnreliable = (pos: number): boolean => unreliable.some(([a, b]) => pos >= a && pos <= b);
  const bounds = chunkBounds(tokens, text);
  const chunks: Chunk[] = [];
  let firstError: number | undefined;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    const tree = parser.parse(patched.slice(from, to));
    chunks.push({ tree, offset: from, text: text.slice(from, to) });
    if (firstError !== undefined) continue;
    tree.iterate({
      enter(n) {
        if (firstError !== undefined) return false;
        const abs = n.from + from;
        if (n.type.isError) {
          if ((n.from === n.to && yieldEnds.has(abs)) || inUnreliable(abs)) return false;
          firstError = abs;
          return false;
        }
        if (LEGACY_PRINT_ACTIVE && n.name === 'PrintStatement') {
          firstError = abs;
          return false;
        }
        return true;
      },
    });
  }
  return { chunks, firstError, unreliable };
}

/**
 * Chunk boundaries: about every CHUNK_STATEMENTS top-level statements, at the start of a line
 * that begins a new top-level statement (not after a decorator or a block header, not before an
 * else/elif/except/finally clause).
 */
function chunkBounds(tokens: Token[], text: string): number[] {
  const bounds = [0];
  const tt = (t: Token | undefined): string => (t ? text.slice(t.from, t.to) : '');
  let depth = 0;
  let count = 0;
  let lineStart = true;
  let curFirst: Token | undefined;
  let prevFirst: Token | undefined;
  let prevLast: Token | undefined;
  let prevNewlineEnd = 0;
  let last: Token | undefined;
  for (const t of tokens) {
    if (t.kind === 'indent') depth++;
    else if (t.kind === 'dedent') depth--;
    else if (t.kind === 'newline') {
      lineStart = true;
      prevFirst = curFirst;
      prevLast = last;
      prevNewlineEnd = t.to;
    } else if (t.kind !== 'eof') {
      if (lineStart) {
        curFirst = t;
        if (depth === 0) {
          count++;
          const blocked =
            tt(prevFirst) === '@' || tt(prevLast) === ':' || (t.kind === 'name' && ['else', 'elif', 'except', 'finally'].includes(tt(t)));
          if (count > CHUNK_STATEMENTS && !blocked) {
            bounds.push(prevNewlineEnd);
            count = 1;
          }
        }
      }
      lineStart = false;
      last = t;
    }
  }
  bounds.push(text.length);
  return [...new Set(bounds)].sort((a, b) => a - b);
}

/**
 * Logical lines with so many tokens that lezer's guard against deep left-associative trees may
 * cut them (e.g. a polynomial with hundreds of terms): lezer errors inside them are not trusted.
 */
function longLines(tokens: Token[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  let count = 0;
  for (const t of tokens) {
    if (t.kind === 'indent' || t.kind === 'dedent') continue;
    if (start < 0) {
      start = t.from;
      count = 0;
    }
    count++;
    if (t.kind === 'newline' || t.kind === 'eof') {
      if (count >= 500 && t.from - start >= 2000) out.push([start, t.to]);
      start = -1;
    }
  }
  return out;
}

/** Ends of `yield` keywords that have no value and are followed by `)`, `;` or the line end. */
function bareYieldEnds(text: string, tokens: Token[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'name' || text.slice(t.from, t.to) !== 'yield') continue;
    const nx = tokens[i + 1]!;
    const nt = text.slice(nx.from, nx.to);
    if (nx.kind === 'newline' || nx.kind === 'eof' || (nx.kind === 'op' && (nt === ')' || nt === ';'))) out.add(t.to);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Offset-preserving rewrites for lezer

interface Line {
  /** indexes into tokens, without the NEWLINE, INDENT and DEDENT tokens */
  toks: number[];
}

function logicalLines(tokens: Token[]): Line[] {
  const lines: Line[] = [];
  let cur: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const k = tokens[i]!.kind;
    if (k === 'indent' || k === 'dedent') continue;
    if (k === 'newline' || k === 'eof') {
      if (cur.length) lines.push({ toks: cur });
      cur = [];
      continue;
    }
    cur.push(i);
  }
  if (cur.length) lines.push({ toks: cur });
  return lines;
}

class Patcher {
  private chars: string[];
  changed = false;

  constructor(
    readonly text: string,
    readonly tokens: Token[],
  ) {
    this.chars = [];
  }

  isExprEnd(i: number): boolean {
    const t = this.tokens[i];
    if (!t) return false;
    if (t.kind === 'name') return !isKeyword(this.t(i)) || ['None', 'True', 'False'].includes(this.t(i));
    return t.kind === 'string' || t.kind === 'number' || (t.kind === 'op' && ')]}'.includes(this.t(i)));
  }

  t(i: number): string {
    const tok = this.tokens[i];
    return tok ? this.text.slice(tok.from, tok.to) : '';
  }

  isOp(i: number, op: string): boolean {
    return this.tokens[i]?.kind === 'op' && this.t(i) === op;
  }

  isName(i: number, name?: string): boolean {
    return this.tokens[i]?.kind === 'name' && (name === undefined || this.t(i) === name);
  }

  set(pos: number, ch: string): void {
    if (!this.changed) {
      this.chars = this.text.split('');
      this.changed = true;
    }
    // keep UTF-16 length: only ever replace BMP units with a single unit
    this.chars[pos] = ch;
  }

  fill(from: number, to: number, ch: string | ((c: string) => string)): void {
    for (let p = from; p < to; p++) this.set(p, typeof ch === 'string' ? ch : ch(this.text[p]!));
  }

  result(): string {
    return this.changed ? this.chars.join('') : this.text;
  }
}

/** Rewrites valid Python that lezer's grammar rejects into same-length text it accepts. */
export function patchForLezer(text: string, tokens: Token[], patches: LezerPatch[] = []): string {
  const p = new Patcher(text, tokens);
  // found by the tokenizer: `5.` floats, backslashes before f-string braces, `\` + blank line
  for (const x of patches) p.set(x.pos, x.ch);
  const lines = logicalLines(tokens);
  for (let li = 0; li < lines.length; li++) {
    const toks = lines[li]!.toks;
    const first = toks[0]!;
    if (p.isOp(first, '@')) patchDecorator(p, toks, lines[li + 1]);
    let w = 0;
    if (p.isName(toks[0]!, 'async')) w = 1;
    if (p.isName(toks[w]!, 'with')) patchWith(p, toks, w + 1);
    if (p.isName(first, 'case') && p.isOp(toks[toks.length - 1]!, ':')) patchCase(p, toks);
    if (p.isName(first, 'match') && p.isOp(toks[toks.length - 1]!, ':') && toks.length > 2) {
      // tuple subjects, `match x, y:` -> `match x+ y:` (lezer takes a single expression)
      for (const i of topLevel(p, toks.slice(1, -1))) {
        if (!p.isOp(i, ',')) continue;
        p.set(p.tokens[i]!.from, p.isOp(i + 1, ':') ? ' ' : '+');
      }
    }
  }
  const lineStarts = new Set(lines.map((l) => l.toks[0]!));
  for (let i = 0; i < tokens.length; i++) {
    if (p.isName(i, 'lambda')) patchLambda(p, i);
    // PEP 646 `*args: *Ts`
    if (p.isOp(i, '*') && p.isName(i + 1) && p.isOp(i + 2, ':') && p.isOp(i + 3, '*') && (p.isOp(i - 1, '(') || p.isOp(i - 1, ','))) {
      p.set(tokens[i + 3]!.from, ' ');
    }
    // starred targets in comprehensions: `[x for a, *b in c]` (lezer only allows them in for statements)
    if (p.isName(i, 'for') && !lineStarts.has(i) && !(p.isName(i - 1, 'async') && lineStarts.has(i - 1))) {
      for (let j = i + 1; j < tokens.length; j++) {
        const tok = tokens[j]!;
        if (tok.kind === 'newline' || tok.kind === 'eof' || p.isName(j, 'in')) break;
        if (tok.kind === 'op' && tok.pair !== undefined && tok.pair > j && '([{'.includes(p.t(j))) {
          j = tok.pair;
          continue;
        }
        if (p.isOp(j, '*')) p.set(tok.from, ' ');
      }
    }
    // PEP 646 unpacking in subscripts: `Generic[*Ts]`, `tuple[int, *Ts]`
    if (p.isOp(i, '[') && p.isExprEnd(i - 1) && tokens[i]!.pair !== undefined) {
      const close = tokens[i]!.pair!;
      for (let j = i + 1; j < close; j++) {
        const tok = tokens[j]!;
        if (tok.kind === 'op' && tok.pair !== undefined && tok.pair > j && '([{'.includes(p.t(j))) {
          j = tok.pair;
          continue;
        }
        if (p.isOp(j, '*') && (j === i + 1 || p.isOp(j - 1, ','))) p.set(tok.from, ' ');
      }
    }
  }
  return p.result();
}

/** `lambda a, /, b,: ...` -> `lambda a,    b : ...` (no `/` nor trailing comma in lezer's lambdas) */
function patchLambda(p: Patcher, i: number): void {
  const tokens = p.tokens;
  for (let j = i + 1; j < tokens.length; j++) {
    const tok = tokens[j]!;
    if (tok.kind === 'newline' || tok.kind === 'eof' || p.isOp(j, ':')) break;
    if (tok.kind === 'op' && tok.pair !== undefined && tok.pair > j && '([{'.includes(p.t(j))) {
      j = tok.pair;
      continue;
    }
    if (p.isOp(j, ',') && p.isOp(j + 1, ':')) {
      p.set(tok.from, ' ');
      continue;
    }
    if (!p.isOp(j, '/')) continue;
    if (p.isOp(j + 1, ',') && p.isOp(j + 2, ':') && p.isOp(j - 1, ',')) {
      p.fill(tokens[j - 1]!.from, tokens[j + 1]!.to, ' ');
      j++;
    } else if (p.isOp(j + 1, ',')) {
      p.fill(tok.from, tokens[j + 1]!.to, ' ');
      j++;
    } else if (p.isOp(j - 1, ',')) {
      p.fill(tokens[j - 1]!.from, tok.to, ' ');
    }
  }
}

/** Empty mapping/sequence/class patterns, which lezer's grammar lacks: `case {}:`, `case Foo():`. */
function patchCase(p: Patcher, toks: number[]): void {
  const tokens = p.tokens;
  for (let k = 1; k < toks.length; k++) {
    const i = toks[k]!;
    const tok = tokens[i]!;
    if (tok.kind !== 'op' || tok.pair !== i + 1 || !'([{'.includes(p.t(i))) continue;
    const close = tokens[i + 1]!;
    if (p.t(i) === '(' && p.isName(i - 1) && k > 1) {
      p.fill(tok.from, close.to, ' '); // `Foo()` -> `Foo  ` (a capture pattern for lezer)
    } else {
      p.set(tok.from, '_');
      p.fill(tok.to, close.to, ' '); // `{}` -> `_ `
    }
  }
}

function patchDecorator(p: Patcher, toks: number[], next: Line | undefined): void {
  // lezer accepts `@dotted.name` optionally followed by one call
  let i = 1;
  let simple = p.isName(toks[i]!);
  if (simple) {
    i++;
    while (p.isOp(toks[i]!, '.') && p.isName(toks[i + 1]!)) i += 2;
    if (i < toks.length && p.isOp(toks[i]!, '(')) {
      const close = p.tokens[toks[i]!]!.pair;
      simple = close !== undefined && close === toks[toks.length - 1];
    } else simple = i === toks.length;
  }
  if (simple || toks.length < 2 || !next) return;
  // only patch what can be an expression: no top-level ':', ';' or assignment operators
  for (const i of topLevel(p, toks.slice(1))) {
    const s = p.t(i);
    if (p.tokens[i]!.kind === 'op' && (s === ':' || s === ';' || s === ':=' || (s.endsWith('=') && !['==', '!=', '<=', '>='].includes(s)))) return;
  }
  const nf = next.toks[0]!;
  if (!(p.isOp(nf, '@') || p.isName(nf, 'def') || p.isName(nf, 'class') || p.isName(nf, 'async'))) return;
  const at = p.tokens[toks[0]!]!;
  const expr = p.tokens[toks[1]!]!;
  if (!/^[ \t]*$/.test(p.text.slice(at.to, expr.from))) return;
  // `@expr` -> `_expr`: the decorator becomes an expression statement lezer can check
  p.fill(at.from, expr.from, '_');
}

function patchWith(p: Patcher, toks: number[], k: number): void {
  const tokens = p.tokens;
  let items: number[] = toks.slice(k);
  const open = toks[k];
  if (open !== undefined && p.isOp(open, '(')) {
    const close = tokens[open]!.pair;
    const afterIdx = close !== undefined ? toks.indexOf(close) : -1;
    if (close !== undefined && afterIdx >= 0 && p.isOp(toks[afterIdx + 1]!, ':')) {
      const inner = toks.slice(1 + toks.indexOf(open), afterIdx);
      if (topLevel(p, inner).some((i) => p.isName(i, 'as'))) {
        // `with (a as b, c as d,):` -> `with  a as b, c as d  :` on one line
        const top = topLevel(p, inner);
        let prevEnd = tokens[open]!.from;
        for (const i of top) {
          p.fill(prevEnd, tokens[i]!.from, ' ');
          const t = tokens[i]!;
          prevEnd = t.pair !== undefined && '([{'.includes(p.t(i)) ? tokens[t.pair]!.to : t.to;
        }
        p.fill(prevEnd, tokens[close]!.to, ' ');
        const lastTop = top[top.length - 1];
        if (lastTop !== undefined && p.isOp(lastTop, ',')) p.fill(tokens[lastTop]!.from, tokens[lastTop]!.to, ' ');
        items = inner;
      }
    }
  }
  // targets of `as`: lezer only accepts a plain name
  const top = topLevel(p, items);
  let start = 0;
  for (let i = 0; i <= top.length; i++) {
    const idx = top[i];
    const end = idx === undefined || p.isOp(idx, ',') || p.isOp(idx, ':');
    if (!end) continue;
    const item = top.slice(start, i);
    start = i + 1;
    const as = item.findIndex((t) => p.isName(t, 'as'));
    if (as < 0 || as + 1 >= item.length) {
      if (idx !== undefined && p.isOp(idx, ':')) break;
      continue;
    }
    const firstT = item[as + 1]!;
    const lastTopT = item[item.length - 1]!;
    const lastTok = tokens[lastTopT]!;
    const lastT = lastTok.pair !== undefined && '([{'.includes(p.t(lastTopT)) ? lastTok.pair : lastTopT;
    if (firstT === lastT && p.isName(firstT)) {
      if (idx !== undefined && p.isOp(idx, ':')) break;
      continue;
    }
    if (targetEnd(p, firstT, lastT) === lastT + 1) p.fill(tokens[firstT]!.from, tokens[lastT]!.to, '_');
    if (idx !== undefined && p.isOp(idx, ':')) break;
  }
}

/** The tokens of `range` that are not inside a bracket pair opened within the range. */
function topLevel(p: Patcher, range: number[]): number[] {
  const out: number[] = [];
  if (range.length === 0) return out;
  const last = range[range.length - 1]!;
  for (let i = range[0]!; i <= last; i++) {
    const t = p.tokens[i]!;
    if (t.kind === 'indent' || t.kind === 'dedent' || t.kind === 'newline') continue;
    out.push(i);
    if (t.kind === 'op' && t.pair !== undefined && t.pair > i && '([{'.includes(p.t(i))) i = t.pair;
  }
  return out;
}

/**
 * Recognizes a conservative assignment target starting at token `i`: names, attribute and
 * subscript chains, and parenthesized/bracketed lists of those (with `*`). Returns the index after
 * it, or -1.
 */
function targetEnd(p: Patcher, i: number, limit: number): number {
  const tokens = p.tokens;
  const list = (a: number, b: number): boolean => {
    // tokens a..b-1 form `target (, target)* ,?` or nothing
    let j = a;
    while (j < b) {
      if (p.isOp(j, '*')) j++;
      const e = targetEnd(p, j, b - 1);
      if (e < 0) return false;
      j = e;
      if (j < b) {
        if (!p.isOp(j, ',')) return false;
        j++;
      }
    }
    return true;
  };
  if (i > limit) return -1;
  if (p.isOp(i, '(') || p.isOp(i, '[')) {
    const close = tokens[i]!.pair;
    if (close === undefined || close > limit) return -1;
    return list(i + 1, close) ? close + 1 : -1;
  }
  if (!p.isName(i) || isKeyword(p.t(i))) return -1;
  let j = i + 1;
  let lastCall = false;
  for (;;) {
    if (j > limit) break;
    if (p.isOp(j, '.') && p.isName(j + 1) && j + 1 <= limit) {
      j += 2;
      lastCall = false;
      continue;
    }
    if (p.isOp(j, '[') || p.isOp(j, '(')) {
      const close = tokens[j]!.pair;
      if (close === undefined || close > limit) return -1;
      lastCall = p.isOp(j, '(');
      j = close + 1;
      continue;
    }
    break;
  }
  // a call can be part of a target chain (`f().x`), but cannot end it
  return lastCall ? -1 : j;
}

/** Iterates the direct children of a node (comments excluded). */
export function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}
