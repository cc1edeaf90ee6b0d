/**
 * The fallback when no CPython can be asked, and the outline of code CPython rejected: lezer's
 * Python grammar (public API only: `parser.parse`, tree nodes, `⚠` error nodes). It is an editor
 * grammar, error-tolerant and not exactly CPython's (it rejects some valid code, e.g. `5.`, a
 * bare `yield` value, parenthesized context managers), so its errors are reported as warnings,
 * never as refusals (check.ts).
 */
import { parser } from '@lezer/python';
import type { Outline, ParseError, PyParamKind, SigParam, Where } from './outline.js';
import { LineIndex } from './text.js';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const kids = (n: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
};

export function lezerParse(text: string, entry: string): { error?: ParseError; outline: Outline } {
  const tree = parser.parse(text);
  const lines = new LineIndex(text);
  const at = (pos: number): Where => ({ line: lines.line(pos), column: lines.column(pos) });
  let firstError: number | undefined;
  tree.iterate({
    enter(n) {
      if (firstError === undefined && n.type.isError) firstError = n.from;
      return firstError === undefined;
    },
  });
  const src = (n: SyntaxNode): string => text.slice(n.from, n.to);
  const nameOf = (n: SyntaxNode): string | undefined => {
    const v = kids(n).find((k) => k.name === 'VariableName');
    return v ? src(v).normalize('NFKC') : undefined;
  };

  const top = kids(tree.topNode);
  const defs = top
    .map((k) => (k.name === 'DecoratedStatement' ? kids(k).find((c) => c.name === 'FunctionDefinition') : k))
    .filter((k): k is SyntaxNode => k?.name === 'FunctionDefinition');
  const outline: Outline = { functions: [...new Set(defs.map(nameOf).filter((n): n is string => n !== undefined))] };
  const fn = [...defs].reverse().find((d) => nameOf(d) === entry);
  if (fn) {
    const paramList = kids(fn).find((k) => k.name === 'ParamList');
    outline.entry = {
      ...at(fn.from),
      isAsync: kids(fn)[0]?.name === 'async',
      isGenerator: isGenerator(fn),
      params: paramList && !hasError(paramList) ? params(paramList, text) : undefined,
    };
  }
  for (const k of top) {
    for (const s of k.name === 'StatementGroup' ? kids(k) : [k]) {
      const what = binds(s, entry, src, nameOf);
      if (what) outline.other = { ...at(s.from), what };
    }
  }
  outline.nestedIn = nestedIn(tree.topNode, undefined, entry, nameOf);
  return { error: firstError === undefined ? undefined : { ...at(firstError), message: 'invalid syntax' }, outline };
}

function hasError(node: SyntaxNode): boolean {
  let found = false;
  node.toTree().iterate({ enter: (n) => !(found ||= n.type.isError) });
  return found;
}

/** The parameters of a `ParamList`. lezer keeps no node for the `/` marker: an empty item is it. */
function params(paramList: SyntaxNode, text: string): SigParam[] {
  const items: Array<{ nodes: SyntaxNode[]; from: number; to: number }> = [];
  let cur: SyntaxNode[] = [];
  let from = paramList.from;
  for (const k of kids(paramList)) {
    if (k.name === '(') from = k.to;
    else if (k.name === ',' || k.name === ')') {
      items.push({ nodes: cur, from, to: k.from });
      cur = [];
      from = k.to;
    } else if (k.name !== 'Comment') cur.push(k);
  }
  const out: SigParam[] = [];
  let kind: PyParamKind = 'positional_or_keyword';
  const positional: SigParam[] = [];
  for (const { nodes, from: a, to: b } of items) {
    const first = nodes[0];
    if (!first) {
      const bare = text.slice(a, b).replace(/#[^\n\r]*/g, '');
      if (bare.trim() === '/') for (const p of positional) p.kind = 'positional_only';
      continue;
    }
    const name = nodes.find((n) => n.name === 'VariableName');
    const written = text.slice(first.from, nodes[nodes.length - 1]!.to).replace(/\s+/g, ' ');
    if (first.name === '*' || first.name === '**') {
      if (first.name === '*') kind = 'keyword_only';
      if (name)
        out.push({
          name: text.slice(name.from, name.to).normalize('NFKC'),
          kind: first.name === '*' ? 'var_positional' : 'var_keyword',
          hasDefault: false,
          text: written,
        });
    } else if (first.name === 'VariableName') {
      const p: SigParam = {
        name: text.slice(first.from, first.to).normalize('NFKC'),
        kind,
        hasDefault: nodes.some((n) => n.name === 'AssignOp'),
        text: written,
      };
      out.push(p);
      if (kind === 'positional_or_keyword') positional.push(p);
    }
  }
  return out;
}

/** True when the function's own body (not nested defs, lambdas or classes) contains yield. */
function isGenerator(fn: SyntaxNode): boolean {
  const todo = kids(fn).filter((k) => k.name === 'Body');
  while (todo.length) {
    for (const k of kids(todo.pop()!)) {
      if (k.name === 'FunctionDefinition' || k.name === 'ClassDefinition' || k.name === 'LambdaExpression') continue;
      if (k.name === 'YieldExpression' || k.name === 'YieldStatement') return true;
      todo.push(k);
    }
  }
  return false;
}

/** What a top-level statement binds `name` to, if it does: a class, an assignment or an import. */
function binds(s: SyntaxNode, name: string, src: (n: SyntaxNode) => string, nameOf: (n: SyntaxNode) => string | undefined): string | undefined {
  const node = s.name === 'DecoratedStatement' ? kids(s).find((c) => c.name === 'ClassDefinition') : s;
  if (node?.name === 'ClassDefinition' && nameOf(node) === name) return 'a class';
  const ks = node ? kids(node) : [];
  if (node?.name === 'AssignStatement') {
    const end = ks.findIndex((c) => c.name === 'AssignOp' || c.name === 'TypeDef');
    if (ks.slice(0, end < 0 ? ks.length : end).some((c) => c.name === 'VariableName' && src(c) === name)) return 'a variable assigned with =';
  }
  if (node?.name === 'ImportStatement') {
    const imp = ks.findIndex((c) => c.name === 'import');
    for (let i = Math.max(0, imp) + 1; i < ks.length; i++) {
      if (ks[i]!.name !== 'VariableName' || src(ks[i]!) !== name) continue;
      const prev = ks[i - 1]?.name;
      const next = ks[i + 1]?.name;
      if (prev === 'as' || (next !== 'as' && prev !== '.')) return 'an imported name'; // `import a.b` binds a
    }
  }
  return undefined;
}

const BLOCKS: Record<string, string> = {
  IfStatement: 'an if block',
  TryStatement: 'a try block',
  WithStatement: 'a with block',
  ForStatement: 'a for loop',
  WhileStatement: 'a while loop',
};

function nestedIn(node: SyntaxNode, owner: string | undefined, name: string, nameOf: (n: SyntaxNode) => string | undefined): string | undefined {
  for (const k of kids(node)) {
    if (k.name === 'FunctionDefinition' && owner && nameOf(k) === name) return owner;
    const inner =
      k.name === 'FunctionDefinition'
        ? `function '${nameOf(k) ?? '?'}'`
        : k.name === 'ClassDefinition'
          ? `class '${nameOf(k) ?? '?'}'`
          : (owner ?? BLOCKS[k.name]);
    const found = nestedIn(k, inner, name, nameOf);
    if (found) return found;
  }
  return undefined;
}
