/**
 * "Would CPython compile this?" — combines the tokenizer pass (tokens.ts), lezer's parse
 * (parse.ts) and the tree rules (rules.ts) into the first syntax error, worded for a model to fix.
 *
 * Precedence follows CPython: tokenizer errors, parser errors and parser-level rule errors
 * compete by position (earliest wins; an unclosed bracket counts at its opening bracket, as
 * CPython reports it there); compiler-level errors (e.g. `'return' outside function`) only count
 * when nothing else was found.
 */
import { parseModule, type Chunk } from './parse.js';
import { checkTree } from './rules.js';
import { isKeyword, type LineIndex } from './text.js';
import { tokenize, type Token } from './tokens.js';

export interface SyntaxIssue {
  /** offset in the analysed text */
  pos: number;
  message: string;
  hint: string;
}

export interface Analysis {
  tokens: Token[];
  /** the module parsed by lezer, in top-level chunks (see parse.ts) */
  chunks: Chunk[];
  error?: SyntaxIssue;
}

const COMPOUND = new Set(['if', 'elif', 'else', 'while', 'for', 'with', 'def', 'class', 'try', 'except', 'finally']);
const EXPR_END = (text: string, t: Token): boolean =>
  (t.kind === 'name' && !isKeyword(text.slice(t.from, t.to))) ||
  t.kind === 'number' ||
  t.kind === 'string' ||
  (t.kind === 'op' && ')]}'.includes(text.slice(t.from, t.to)));
const EXPR_START = (text: string, t: Token, prev: Token): boolean =>
  (t.kind === 'name' && !isKeyword(text.slice(t.from, t.to))) || t.kind === 'number' || (t.kind === 'string' && prev.kind !== 'string');

export function analyse(text: string, lines: LineIndex): Analysis {
  const lex = tokenize(text, lines);
  const parsed = parseModule(text, lex.tokens, lex.patches);
  const rules = parsed.chunks
    .flatMap((c, i) => checkTree(c, i === 0))
    .filter((r) => !parsed.unreliable.some(([a, b]) => r.pos >= a && r.pos <= b));

  type Candidate = SyntaxIssue & { rank: number };
  const candidates: Candidate[] = [];
  const nul = text.indexOf('\0');
  if (nul >= 0) candidates.push({ pos: nul, rank: 0, message: 'source code string cannot contain null bytes', hint: 'Remove the NUL (U+0000) characters from the source.' });
  if (lex.error) candidates.push({ pos: lex.error.pos, rank: 0, message: lex.error.message, hint: lex.error.hint });
  if (parsed.firstError !== undefined) {
    const lezerPos = parsed.firstError;
    // lezer often notices a tokenizer-level problem (e.g. a missing indented block) one token
    // early; when no code lies between the two positions, the tokenizer's wording is the better one
    const described = describeParseError(text, lex.tokens, lezerPos, lines);
    // CPython's tokenizer reports its error when the parser asks for the offending token, which is
    // often right after the spot where lezer already gave up (e.g. lezer stops at the end of a
    // line, CPython reports the stray ')' or the bad indentation on the next one). An unexpected
    // indent is a parser error in CPython, so it only wins after a line that looks complete.
    const before = lex.tokens.filter((t) => t.to <= lezerPos && t.kind !== 'newline' && t.kind !== 'indent' && t.kind !== 'dedent').pop();
    const lineLooksComplete = before !== undefined && EXPR_END(text, before) && described.message !== "expected ':'";
    const lexFirst =
      lex.error !== undefined &&
      (lex.error.kind !== 'indent' || lineLooksComplete) &&
      lex.error.pos >= lezerPos &&
      !lex.tokens.some((t) => t.from >= lezerPos && t.from < lex.error!.pos && (t.kind === 'name' || t.kind === 'number' || t.kind === 'string' || t.kind === 'op'));
    if (!lexFirst) candidates.push({ ...described, rank: 2 });
  }
  for (const r of rules) if (r.level === 'parse') candidates.push({ pos: r.pos, rank: 1, message: r.message, hint: r.hint });
  if (candidates.length === 0) {
    for (const r of rules) if (r.level === 'compile') candidates.push({ pos: r.pos, rank: 1, message: r.message, hint: r.hint });
  }
  candidates.sort((a, b) => a.pos - b.pos || a.rank - b.rank);
  const best = candidates[0];
  return { tokens: lex.tokens, chunks: parsed.chunks, error: best ? { pos: best.pos, message: best.message, hint: best.hint } : undefined };
}

/** Words lezer's error at `pos` the way CPython would, where a better wording is known. */
function describeParseError(text: string, tokens: Token[], pos: number, lines: LineIndex): SyntaxIssue {
  const real = tokens.filter((t) => t.kind !== 'indent' && t.kind !== 'dedent');
  const tt = (t: Token | undefined): string => (t ? text.slice(t.from, t.to) : '');
  let at = real.findIndex((t) => t.to > pos || (t.from >= pos && t.kind !== 'newline'));
  if (at < 0) at = real.length - 1;
  // the logical line containing the error token
  let lineStart = at;
  while (lineStart > 0 && real[lineStart - 1]!.kind !== 'newline') lineStart--;
  let lineEnd = at;
  while (lineEnd < real.length - 1 && real[lineEnd]!.kind !== 'newline' && real[lineEnd]!.kind !== 'eof') lineEnd++;
  const line = real.slice(lineStart, lineEnd); // without its NEWLINE
  const first = line[0];
  const firstText = tt(first);

  // notebook magics
  if (first && first.kind === 'op' && (firstText === '%' || firstText === '%%') && line[1]?.kind === 'name') {
    return {
      pos: first.from,
      message: `invalid syntax: '${firstText}${tt(line[1])}' is an IPython/notebook magic, not Python`,
      hint: 'Remove the line: list pip packages in packages_to_install instead of %pip, and use plain Python for the rest.',
    };
  }
  // Python 2 print/exec statements
  if (first && first.kind === 'name' && (firstText === 'print' || firstText === 'exec') && line[1]) {
    const second = line[1];
    const st = tt(second);
    if (second.kind === 'string' || second.kind === 'number' || (second.kind === 'name' && !isKeyword(st))) {
      return {
        pos: first.from,
        message: `Missing parentheses in call to '${firstText}'. Did you mean ${firstText}(...)?`,
        hint: `This is Python 2 syntax; in Python 3 write ${firstText}(${text.slice(second.from, line[line.length - 1]!.to).slice(0, 40)}).`,
      };
    }
  }
  // a clause keyword that does not continue a block
  if (first && first.kind === 'name' && ['else', 'elif', 'except', 'finally'].includes(firstText) && at <= lineStart + 1) {
    return {
      pos: first.from,
      message: `invalid syntax: '${firstText}' does not continue an if/for/while/try statement`,
      hint: `Indent '${firstText}' exactly like the statement it belongs to, and make sure that statement's body is complete.`,
    };
  }
  // keyword used as a name (`lambda = 0.1`, `def f(class=1)`)
  for (const i of [at, at - 1]) {
    const t = real[i];
    if (!t || i < lineStart || t.kind !== 'name') continue;
    const w = tt(t);
    if (!isKeyword(w) || ['True', 'False', 'None'].includes(w)) continue;
    const next = tt(real[i + 1]);
    const prev = i > lineStart ? tt(real[i - 1]) : '';
    const assigned = i === lineStart && (next === '=' || next === ',');
    const asParam = (prev === '(' || prev === ',') && ['=', ',', ')', ':'].includes(next);
    if (assigned || asParam) {
      return {
        pos: t.from,
        message: `invalid syntax: '${w}' is a reserved keyword and cannot be used as a name`,
        hint: `Rename it, e.g. '${w}_' (a common convention for names that clash with keywords).`,
      };
    }
  }
  // missing ':' after a compound statement header
  let head = first;
  let headText = firstText;
  if (headText === 'async' && line[1]) {
    head = line[1];
    headText = tt(head);
  }
  if (head && head.kind === 'name' && COMPOUND.has(headText) && !hasTopLevelColon(text, line)) {
    const last = line[line.length - 1]!;
    return { pos: last.to, message: "expected ':'", hint: `Add ':' at the end of the '${headText}' line (line ${lines.line(head.from)}).` };
  }
  // two expressions side by side inside brackets: a missing comma
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const t = line[i]!;
    const s = tt(t);
    if (i > 0 && depth > 0 && line[i - 1]!.to <= pos + 1 && EXPR_END(text, line[i - 1]!) && EXPR_START(text, t, line[i - 1]!)) {
      return {
        pos: line[i - 1]!.from,
        message: 'invalid syntax. Perhaps you forgot a comma?',
        hint: `Separate '${tt(line[i - 1])}' and '${s}' with a comma (or an operator).`,
      };
    }
    if (t.kind === 'op' && '([{'.includes(s)) depth++;
    else if (t.kind === 'op' && ')]}'.includes(s)) depth--;
    if (t.from > pos) break;
  }
  const tok = real[at];
  let trimmedEnd = text.length;
  while (trimmedEnd > 0 && /\s/.test(text[trimmedEnd - 1]!)) trimmedEnd--;
  if (!tok || tok.kind === 'eof' || pos >= trimmedEnd) {
    return { pos: Math.min(pos, trimmedEnd), message: 'invalid syntax: unexpected end of the source', hint: 'The source ends in the middle of a statement; complete it (or remove the unfinished last line).' };
  }
  if (tok.kind === 'newline') {
    return { pos: tok.from, message: 'invalid syntax: the statement is incomplete at the end of the line', hint: 'Complete the expression on this line (a missing operand, closing part or value?).' };
  }
  return {
    pos: tok.from > pos && /^[ \t]*$/.test(text.slice(pos, tok.from)) ? tok.from : pos,
    message: `invalid syntax near '${tt(tok).slice(0, 30)}'`,
    hint: 'Check this spot for a typo, a missing operator, comma or bracket, or Python 2-only syntax; the code must be valid Python 3.',
  };
}

function hasTopLevelColon(text: string, line: Token[]): boolean {
  let depth = 0;
  for (const t of line) {
    const s = text.slice(t.from, t.to);
    if (t.kind !== 'op') continue;
    if ('([{'.includes(s)) depth++;
    else if (')]}'.includes(s)) depth--;
    else if (s === ':' && depth === 0) return true;
  }
  return false;
}
