/**
 * A Python 3 tokenizer for static checks, modelled on what CPython's tokenizer accepts and rejects
 * (not a port of it). It produces the token stream with INDENT/DEDENT/NEWLINE structure and stops
 * at the first error CPython's tokenizer (or its indentation logic) would report: unterminated
 * strings, unmatched or unclosed brackets, bad indentation, inconsistent tabs/spaces, invalid
 * characters and malformed numbers. f-strings follow Python 3.12 (PEP 701) rules, so nested
 * quotes of the same kind, comments and line breaks inside replacement fields are accepted.
 */
import { LineIndex, codePointName, firstInvalidIdentifierChar, isPrintable, isPythonIdentifier } from './text.js';

export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'eof';

export interface Token {
  kind: TokenKind;
  from: number;
  to: number;
  /** For bracket tokens: index of the matching bracket token, when it exists. */
  pair?: number;
}

export interface LexError {
  /** offset (in the tokenized text) the error refers to */
  pos: number;
  message: string;
  hint: string;
  /** the kind of error, to pick wording and precedence */
  kind: 'indent' | 'dedent' | 'block' | 'tab' | 'token' | 'unclosed' | 'eof';
}

export interface LezerPatch {
  pos: number;
  ch: string;
}

export interface LexResult {
  tokens: Token[];
  /**
   * Single-character rewrites that make the text acceptable to lezer without changing its
   * meaning for a syntax check (see parse.ts): the '.' of `5.` floats, a backslash before an
   * f-string brace, a line continuation followed by a blank line.
   */
  patches: LezerPatch[];
  error?: LexError;
}

/** CPython's limits: nesting of brackets and of f-strings. */
const MAX_PAREN_DEPTH = 200;
const MAX_FSTRING_DEPTH = 150;

const OPERATORS_3 = ['**=', '//=', '>>=', '<<=', '...'];
const OPERATORS_2 = ['->', ':=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];
const OPERATORS_1 = '+-*/%@&|^~<>=.,:;()[]{}';
const OPEN = '([{';
const CLOSE = ')]}';
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf']);
const NUMBER_END_KEYWORDS = ['and', 'else', 'for', 'if', 'in', 'is', 'not', 'or'];

const BLOCK_KEYWORDS: Record<string, string> = {
  def: 'function definition',
  class: 'class definition',
  if: "'if' statement",
  elif: "'elif' statement",
  else: "'else' statement",
  for: "'for' statement",
  while: "'while' statement",
  with: "'with' statement",
  try: "'try' statement",
  except: "'except' statement",
  finally: "'finally' statement",
  match: "'match' statement",
  case: "'case' statement",
};

class LexFailure extends Error {
  constructor(readonly lexError: LexError) {
    super(lexError.message);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isNameChar(c: number): boolean {
  // CPython's tokenizer first collects every character >= 128 into the name and validates after.
  return isAsciiLetter(c) || isDigit(c) || c === 95 || c >= 128;
}
function isNameStart(c: number): boolean {
  return isAsciiLetter(c) || c === 95 || c >= 128;
}
function isLineBreak(c: number): boolean {
  return c === 10 || c === 13;
}

/** Tokenizes `text` (already dedented). Never throws. */
export function tokenize(text: string, lines: LineIndex = new LineIndex(text)): LexResult {
  const lx = new Lexer(text, lines);
  try {
    lx.run();
    return { tokens: lx.tokens, patches: lx.patches };
  } catch (e) {
    if (e instanceof LexFailure) return { tokens: lx.tokens, patches: lx.patches, error: e.lexError };
    if (e instanceof RangeError) {
      // Stack exhaustion on pathological nesting: report it rather than crash.
      return {
        tokens: lx.tokens,
        patches: lx.patches,
        error: { pos: lx.pos, kind: 'token', message: 'too many nested expressions', hint: 'Reduce the nesting depth of brackets and f-strings.' },
      };
    }
    throw e;
  }
}

class Lexer {
  readonly tokens: Token[] = [];
  readonly patches: LezerPatch[] = [];
  pos = 0;
  private readonly n: number;
  private readonly indents = [0];
  private readonly altIndents = [0];
  private readonly brackets: Array<{ ch: string; pos: number; index: number }> = [];
  /** index in `tokens` of the first token of the current logical line, or -1 */
  private lineFirst = -1;
  /** set when the previous logical line ended with ':' */
  private pendingBlock: { desc: string | null; line: number } | null = null;
  private fstringDepth = 0;

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
  ) {
    this.n = text.length;
  }

  private fail(pos: number, message: string, hint: string, kind: LexError['kind'] = 'token'): never {
    throw new LexFailure({ pos, message, hint, kind });
  }

  private code(p: number): number {
    return p < this.n ? this.text.charCodeAt(p) : -1;
  }

  private push(kind: TokenKind, from: number, to: number): number {
    if (this.lineFirst < 0 && kind !== 'indent' && kind !== 'dedent') this.lineFirst = this.tokens.length;
    this.tokens.push({ kind, from, to });
    return this.tokens.length - 1;
  }

  run(): void {
    let atLineStart = true;
    for (;;) {
      if (atLineStart && this.brackets.length === 0) this.indentation();
      atLineStart = false;
      // skip blanks between tokens
      let c = this.code(this.pos);
      while (c === 32 || c === 9 || c === 12) c = this.code(++this.pos);
      if (c < 0) {
        this.endOfInput();
        return;
      }
      if (c === 35) {
        // comment: up to the line break
        while (this.pos < this.n && !isLineBreak(this.code(this.pos))) this.pos++;
        continue;
      }
      if (isLineBreak(c)) {
        const len = c === 13 && this.code(this.pos + 1) === 10 ? 2 : 1;
        if (this.brackets.length === 0 && this.lineFirst >= 0) {
          this.push('newline', this.pos, this.pos + len);
          this.endLogicalLine();
        }
        this.pos += len;
        atLineStart = true;
        continue;
      }
      if (c === 92) {
        this.backslash();
        continue;
      }
      this.token(false);
    }
  }

  /**
   * Handles the indentation at the start of a physical line that starts a logical line (blank and
   * comment-only lines are left alone).
   */
  private indentation(): void {
    let col = 0;
    let alt = 0;
    let p = this.pos;
    for (;;) {
      const c = this.code(p);
      if (c === 32) {
        col++;
        alt++;
      } else if (c === 9) {
        col = (Math.floor(col / 8) + 1) * 8;
        alt++;
      } else if (c === 12) {
        col = 0;
        alt = 0;
      } else break;
      p++;
    }
    const c = this.code(p);
    if (c < 0 || c === 35 || isLineBreak(c)) {
      // blank line or comment-only line: no indentation processing
      this.pos = p;
      return;
    }
    const top = this.indents[this.indents.length - 1]!;
    const altTop = this.altIndents[this.altIndents.length - 1]!;
    const tabHint = 'Indent with spaces only (4 per level is the convention); do not mix tabs and spaces.';
    if (col === top) {
      if (alt !== altTop) this.fail(p, 'inconsistent use of tabs and spaces in indentation', tabHint, 'tab');
    } else if (col > top) {
      if (alt <= altTop) this.fail(p, 'inconsistent use of tabs and spaces in indentation', tabHint, 'tab');
      if (!this.pendingBlock) {
        this.fail(p, 'unexpected indent', 'Remove the extra indentation: only the body of a block (after a line ending with ":") is indented.', 'indent');
      }
      this.indents.push(col);
      this.altIndents.push(alt);
      this.tokens.push({ kind: 'indent', from: p, to: p });
    } else {
      while (this.indents.length > 1 && col < this.indents[this.indents.length - 1]!) {
        this.indents.pop();
        this.altIndents.pop();
        this.tokens.push({ kind: 'dedent', from: p, to: p });
      }
      if (col !== this.indents[this.indents.length - 1]!) {
        this.fail(p, 'unindent does not match any outer indentation level', 'Align this line with the indentation of an enclosing block.', 'dedent');
      }
      if (alt !== this.altIndents[this.altIndents.length - 1]!) {
        this.fail(p, 'inconsistent use of tabs and spaces in indentation', tabHint, 'tab');
      }
    }
    if (this.pendingBlock && col <= top) this.expectedBlock(p);
    this.pendingBlock = null;
    this.pos = p;
  }

  private expectedBlock(pos: number): never {
    const pb = this.pendingBlock!;
    const what = pb.desc ? ` after ${pb.desc} on line ${pb.line}` : '';
    this.fail(pos, `expected an indented block${what}`, 'Indent the body of the block (e.g. by 4 spaces), or put `pass` there if it should be empty.', 'block');
  }

  private endLogicalLine(): void {
    const first = this.lineFirst;
    this.lineFirst = -1;
    if (first < 0) return;
    const last = this.tokens[this.tokens.length - 2]; // before the NEWLINE just pushed
    if (!last || last.kind !== 'op' || this.text.slice(last.from, last.to) !== ':') return;
    const t0 = this.tokens[first]!;
    let word = t0.kind === 'name' ? this.text.slice(t0.from, t0.to) : '';
    if (word === 'async') {
      const t1 = this.tokens[first + 1];
      word = t1 && t1.kind === 'name' ? this.text.slice(t1.from, t1.to) : '';
    }
    this.pendingBlock = { desc: BLOCK_KEYWORDS[word] ?? null, line: this.lines.line(t0.from) };
  }

  private endOfInput(): void {
    if (this.brackets.length > 0) {
      const b = this.brackets[this.brackets.length - 1]!;
      this.fail(b.pos, `'${b.ch}' was never closed`, `Close the '${b.ch}' opened on line ${this.lines.line(b.pos)} with '${CLOSE[OPEN.indexOf(b.ch)]}'.`, 'unclosed');
    }
    if (this.lineFirst >= 0) {
      this.push('newline', this.n, this.n);
      this.endLogicalLine();
    }
    if (this.pendingBlock) {
      let end = this.n;
      while (end > 0 && /\s/.test(this.text[end - 1]!)) end--;
      this.expectedBlock(end);
    }
    while (this.indents.length > 1) {
      this.indents.pop();
      this.tokens.push({ kind: 'dedent', from: this.n, to: this.n });
    }
    this.tokens.push({ kind: 'eof', from: this.n, to: this.n });
  }

  private backslash(): void {
    const start = this.pos;
    const next = this.code(start + 1);
    if (isLineBreak(next)) {
      this.pos = start + 1 + (next === 13 && this.code(start + 2) === 10 ? 2 : 1);
      if (this.pos >= this.n) this.fail(start, 'unexpected EOF while parsing', 'Remove the trailing backslash (line continuation) at the end of the source.', 'eof');
      let q = this.pos;
      while (this.code(q) === 32 || this.code(q) === 9 || this.code(q) === 12) q++;
      // lezer would treat the blank line as skippable and run on into the next statement
      if (isLineBreak(this.code(q)) || q >= this.n) this.patches.push({ pos: start, ch: ' ' });
      return;
    }
    if (next < 0) this.fail(start, 'unexpected EOF while parsing', 'Remove the trailing backslash (line continuation) at the end of the source.', 'eof');
    this.fail(start + 1, 'unexpected character after line continuation character', 'A backslash outside a string must be the last character of its line.');
  }

  /** Scans one token at `this.pos` (not whitespace, comment, newline or backslash). */
  private token(inFString: boolean): void {
    const start = this.pos;
    const c = this.code(start);
    if (isNameStart(c)) {
      let p = start + 1;
      while (p < this.n && isNameChar(this.code(p))) p++;
      const word = this.text.slice(start, p);
      const q = this.code(p);
      if ((q === 39 || q === 34) && STRING_PREFIXES.has(word.toLowerCase())) {
        this.pos = p;
        this.string(start, word.toLowerCase());
        return;
      }
      this.checkName(word, start);
      this.pos = p;
      if (!inFString) this.push('name', start, p);
      return;
    }
    if (isDigit(c) || (c === 46 && isDigit(this.code(start + 1)))) {
      this.number(start);
      if (!inFString) this.push('number', start, this.pos);
      return;
    }
    if (c === 39 || c === 34) {
      this.string(start, '');
      return;
    }
    const ch = this.text[start]!;
    if (OPEN.includes(ch)) {
      if (this.brackets.length >= MAX_PAREN_DEPTH) this.fail(start, 'too many nested parentheses', 'Reduce the nesting depth of brackets.');
      const index = inFString ? -1 : this.push('op', start, start + 1);
      this.brackets.push({ ch, pos: start, index });
      this.pos = start + 1;
      return;
    }
    if (CLOSE.includes(ch)) {
      const open = this.brackets.pop();
      if (!open) this.fail(start, `unmatched '${ch}'`, `Remove the '${ch}' or add the matching opening bracket.`);
      const expected = CLOSE[OPEN.indexOf(open.ch)]!;
      if (expected !== ch) {
        const ol = this.lines.line(open.pos);
        const where = ol !== this.lines.line(start) ? ` on line ${ol}` : '';
        this.fail(start, `closing parenthesis '${ch}' does not match opening parenthesis '${open.ch}'${where}`, `Close the '${open.ch}' with '${expected}' first.`);
      }
      const index = inFString ? -1 : this.push('op', start, start + 1);
      if (index >= 0 && open.index >= 0) {
        this.tokens[index]!.pair = open.index;
        this.tokens[open.index]!.pair = index;
      }
      this.pos = start + 1;
      return;
    }
    for (const op of OPERATORS_3) {
      if (this.text.startsWith(op, start)) return this.op(start, op.length, inFString);
    }
    for (const op of OPERATORS_2) {
      if (this.text.startsWith(op, start)) return this.op(start, op.length, inFString);
    }
    if (this.text.startsWith('<>', start)) {
      this.fail(start, "invalid syntax: '<>' is not a Python 3 operator", "Use '!=' instead of '<>'.");
    }
    if (OPERATORS_1.includes(ch)) return this.op(start, 1, inFString);
    if (c === 0) this.fail(start, 'source code string cannot contain null bytes', 'Remove the NUL (U+0000) characters from the source.');
    if (c < 32 || c === 127) {
      this.fail(start, `invalid non-printable character ${codePointName(c)}`, 'Remove the control character from the source.');
    }
    if (c === 33 && this.lineFirst < 0 && !inFString) {
      this.fail(start, "invalid syntax: '!command' is IPython/notebook shell syntax, not Python", 'Remove the line: list pip packages in packages_to_install, and run commands with subprocess.run([...]).');
    }
    if (c === 33) this.fail(start, "invalid syntax: unexpected '!'", "Use 'not x' for negation and '!=' for inequality.");
    this.fail(start, `invalid syntax: unexpected character '${ch}'`, `Remove the '${ch}' (it has no meaning in Python outside strings and comments).`);
  }

  private op(start: number, len: number, inFString: boolean): void {
    if (!inFString) this.push('op', start, start + len);
    this.pos = start + len;
  }

  private checkName(word: string, start: number): void {
    if (isPythonIdentifier(word)) return;
    // CPython NFKC-normalizes identifiers; accept what is valid after normalization.
    if (isPythonIdentifier(word.normalize('NFKC'))) return;
    const bad = firstInvalidIdentifierChar(word);
    const cp = word.codePointAt(Math.max(0, bad))!;
    const ch = String.fromCodePoint(cp);
    const pos = start + Math.max(0, bad);
    const quoteLike = /[\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F\u2032\u2033\u00AB\u00BB]/u.test(ch);
    if (!isPrintable(ch)) {
      this.fail(pos, `invalid non-printable character ${codePointName(cp)}`, `Remove the invisible character ${codePointName(cp)} (often pasted from a web page or document); use a plain space if one is needed.`);
    }
    this.fail(
      pos,
      `invalid character '${ch}' (${codePointName(cp)})`,
      quoteLike
        ? `Replace the typographic quote '${ch}' with a plain ASCII quote (' or ").`
        : `Remove or replace '${ch}': identifiers may only use letters, digits and '_'.`,
    );
  }

  private number(start: number): void {
    let p = start;
    const c0 = this.code(p);
    const c1 = this.code(p + 1);
    const fail = (kind: string): never =>
      this.fail(start, `invalid ${kind} literal`, 'Write the number as a valid Python literal (digits may be separated by single underscores).');
    if (c0 === 48 && (c1 === 120 || c1 === 88 || c1 === 111 || c1 === 79 || c1 === 98 || c1 === 66)) {
      const lower = c1 | 32;
      const kind = lower === 120 ? 'hexadecimal' : lower === 111 ? 'octal' : 'binary';
      const ok = (c: number): boolean =>
        lower === 120 ? isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102) : lower === 111 ? c >= 48 && c <= 55 : c === 48 || c === 49;
      p += 2;
      let digits = 0;
      for (;;) {
        let c = this.code(p);
        if (c === 95) {
          c = this.code(p + 1);
          if (!ok(c)) fail(kind);
          p++;
        }
        if (!ok(c)) break;
        p++;
        digits++;
      }
      if (digits === 0) fail(kind);
      this.pos = p;
      this.verifyEnd(start, kind);
      return;
    }
    const digitsAt = (q: number): number => {
      // reads digit ("_"? digit)*; returns the end or fails on a bad underscore
      let r = q;
      if (!isDigit(this.code(r))) return r;
      r++;
      for (;;) {
        const c = this.code(r);
        if (c === 95) {
          if (!isDigit(this.code(r + 1))) fail('decimal');
          r += 2;
        } else if (isDigit(c)) r++;
        else return r;
      }
    };
    let isFloat = false;
    const intEnd = digitsAt(p);
    const intPart = this.text.slice(p, intEnd);
    p = intEnd;
    if (this.code(p) === 46) {
      isFloat = true;
      if (intPart.length > 0 && !isDigit(this.code(p + 1))) this.patches.push({ pos: p, ch: '0' });
      p = digitsAt(p + 1);
    }
    const e = this.code(p);
    if (e === 101 || e === 69) {
      let q = p + 1;
      const s = this.code(q);
      if (s === 43 || s === 45) q++;
      if (isDigit(this.code(q))) {
        isFloat = true;
        p = digitsAt(q);
      }
    }
    let imaginary = false;
    const j = this.code(p);
    if (j === 106 || j === 74) {
      imaginary = true;
      p++;
    }
    if (!isFloat && !imaginary && intPart.length > 1 && intPart[0] === '0' && /[1-9]/.test(intPart)) {
      this.fail(
        start,
        'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers',
        'Drop the leading zeros, or write 0o777 for an octal number.',
      );
    }
    this.pos = p;
    this.verifyEnd(start, imaginary ? 'imaginary' : 'decimal');
  }

  /** A number directly followed by a name character is an error, except before some keywords. */
  private verifyEnd(start: number, kind: string): void {
    const c = this.code(this.pos);
    if (!(isNameChar(c) || (kind !== 'decimal' && isDigit(c)))) return;
    for (const kw of NUMBER_END_KEYWORDS) {
      if (this.text.startsWith(kw, this.pos) && !isNameChar(this.code(this.pos + kw.length))) return;
    }
    this.fail(start, `invalid ${kind} literal`, 'Separate the number from the following name with a space or operator, and check its digits.');
  }

  private string(start: number, prefix: string): void {
    const quote = this.code(this.pos);
    const triple = this.code(this.pos + 1) === quote && this.code(this.pos + 2) === quote;
    this.pos += triple ? 3 : 1;
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    const fmt = prefix.includes('f');
    if (fmt) {
      if (this.fstringDepth >= MAX_FSTRING_DEPTH) this.fail(start, 'too many nested f-strings', 'Reduce the nesting of f-strings.');
      this.fstringDepth++;
      this.fstringBody(start, quote, triple, raw);
      this.fstringDepth--;
    } else {
      this.plainBody(start, quote, triple, bytes, raw);
    }
    if (this.fstringDepth === 0) this.push('string', start, this.pos);
  }

  private unterminated(start: number, triple: boolean, at: number): never {
    // at the end of the input, CPython counts the last line that has content
    let p = at;
    if (p >= this.n) {
      p = this.n;
      while (p > start && isLineBreak(this.code(p - 1))) p--;
    }
    const line = this.lines.line(p);
    this.fail(
      start,
      `unterminated ${triple ? 'triple-quoted ' : ''}string literal (detected at line ${line})`,
      triple
        ? 'Close the triple-quoted string with the same three quotes it was opened with.'
        : 'Close the string on the same line, or use a triple-quoted string for text spanning lines.',
    );
  }

  /** Consumes a quote if it ends the string; returns true when it does. */
  private closes(quote: number, triple: boolean): boolean {
    if (this.code(this.pos) !== quote) return false;
    if (!triple) {
      this.pos++;
      return true;
    }
    if (this.code(this.pos + 1) === quote && this.code(this.pos + 2) === quote) {
      this.pos += 3;
      return true;
    }
    return false;
  }

  private skipEscapedBreak(): void {
    // after a backslash: skip one character, treating \r\n as one
    const c = this.code(this.pos);
    this.pos += c === 13 && this.code(this.pos + 1) === 10 ? 2 : c < 0 ? 0 : c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }

  /** Validates the escape whose backslash is at `this.pos - 1` (non-raw literals only). */
  private checkEscape(bytes: boolean): void {
    const bs = this.pos - 1;
    const kind = this.text[this.pos];
    const need = kind === 'x' ? 2 : bytes ? 0 : kind === 'u' ? 4 : kind === 'U' ? 8 : 0;
    const hint =
      'Complete the escape, or write the backslash as \\\\ (or use a raw string r"..."); for Windows paths use forward slashes or a raw string.';
    if (need > 0) {
      const digits = this.text.slice(this.pos + 1, this.pos + 1 + need);
      if (!new RegExp(`^[0-9a-fA-F]{${need}}$`).test(digits)) {
        this.fail(bs, `invalid escape in ${bytes ? 'bytes' : 'string'} literal: truncated \\${kind}${'X'.repeat(need)} escape`, hint);
      }
      if (kind === 'U' && parseInt(digits, 16) > 0x10ffff) this.fail(bs, 'invalid escape in string literal: illegal Unicode character', hint);
    } else if (kind === 'N' && !bytes) {
      const m = /^\{[^}'"\r\n]+\}/.exec(this.text.slice(this.pos + 1, this.pos + 200));
      if (!m) this.fail(bs, 'invalid escape in string literal: malformed \\N character escape', 'Write \\N{UNICODE NAME}, or double the backslash for a literal "\\N".');
    }
  }

  private plainBody(start: number, quote: number, triple: boolean, bytes: boolean, raw: boolean): void {
    for (;;) {
      const c = this.code(this.pos);
      if (c < 0) this.unterminated(start, triple, this.n);
      if (c === 92) {
        this.pos++;
        if (this.pos >= this.n) this.unterminated(start, triple, this.n);
        if (!raw) this.checkEscape(bytes);
        this.skipEscapedBreak();
        continue;
      }
      if (this.closes(quote, triple)) return;
      if (isLineBreak(c) && !triple) this.unterminated(start, triple, this.pos);
      if (bytes && c >= 128) {
        this.fail(start, 'bytes can only contain ASCII literal characters', 'Use escapes such as \\xe9 in bytes literals, or a str literal (no b prefix).');
      }
      this.pos++;
    }
  }

  private fstringBody(start: number, quote: number, triple: boolean, raw: boolean): void {
    for (;;) {
      const c = this.code(this.pos);
      if (c < 0) this.unterminated(start, triple, this.n);
      if (c === 92) {
        this.pos++;
        if (this.pos >= this.n) this.unterminated(start, triple, this.n);
        if (!raw) this.checkEscape(false);
        if (!raw && this.code(this.pos) === 78 && this.code(this.pos + 1) === 123) {
          // \N{NAME}: the braces belong to the escape
          const close = this.text.indexOf('}', this.pos);
          this.pos = close < 0 ? this.pos + 1 : close + 1;
          continue;
        }
        const nx = this.code(this.pos);
        // a backslash never escapes the braces of a replacement field; in raw f-strings it only
        // keeps a quote, a backslash or a line break from being special
        if (nx === 123 || nx === 125) {
          this.patches.push({ pos: this.pos - 1, ch: ' ' });
          continue;
        }
        if (raw && nx !== quote && nx !== 92 && !isLineBreak(nx)) continue;
        this.skipEscapedBreak();
        continue;
      }
      if (this.closes(quote, triple)) return;
      if (isLineBreak(c) && !triple) this.unterminated(start, triple, this.pos);
      if (c === 123) {
        if (this.code(this.pos + 1) === 123) {
          this.pos += 2;
          continue;
        }
        this.pos++;
        this.replacementField(start, quote, triple);
        continue;
      }
      if (c === 125) {
        if (this.code(this.pos + 1) === 125) {
          this.pos += 2;
          continue;
        }
        this.fail(this.pos, "f-string: single '}' is not allowed", "Write '}}' for a literal '}' in an f-string.");
      }
      this.pos++;
    }
  }

  /** After the '{' of a replacement field; consumes up to and including its '}'. */
  private replacementField(start: number, quote: number, triple: boolean): void {
    const depth0 = this.brackets.length;
    const exprStart = this.pos;
    for (;;) {
      let c = this.code(this.pos);
      while (c === 32 || c === 9 || c === 12 || isLineBreak(c)) c = this.code(++this.pos);
      if (c < 0) this.unterminated(start, triple, this.n);
      if (c === 35) {
        while (this.pos < this.n && !isLineBreak(this.code(this.pos))) this.pos++;
        continue;
      }
      if (c === 92) {
        this.fail(this.pos, 'f-string expression part cannot include a backslash', 'Compute the value in a variable before the f-string.');
      }
      const atTop = this.brackets.length === depth0;
      if (atTop && c === 125) {
        if (this.text.slice(exprStart, this.pos).trim() === '') {
          this.fail(this.pos, 'f-string: empty expression not allowed', 'Put an expression between the braces, or write {{ }} for literal braces.');
        }
        this.pos++;
        return;
      }
      if (atTop && c === 33 && this.code(this.pos + 1) !== 61) {
        // conversion !r / !s / !a
        const conv = this.text[this.pos + 1] ?? '';
        if (!'rsa'.includes(conv) || conv === '') {
          this.fail(this.pos + 1, "f-string: invalid conversion character: expected 's', 'r', or 'a'", 'Use !r, !s or !a after the expression.');
        }
        this.pos += 2;
        const after = this.code(this.pos);
        if (after === 58) {
          this.pos++;
          this.formatSpec(start, quote, triple);
          return;
        }
        if (after !== 125) this.fail(this.pos, "f-string: expecting '}'", "Close the replacement field with '}'.");
        this.pos++;
        return;
      }
      if (atTop && c === 58) {
        if (this.text.slice(exprStart, this.pos).trim() === '') {
          this.fail(this.pos, 'f-string: empty expression not allowed', 'Put an expression between the braces.');
        }
        this.pos++;
        this.formatSpec(start, quote, triple);
        return;
      }
      if (CLOSE.includes(String.fromCharCode(c)) && atTop) {
        this.fail(this.pos, `f-string: unmatched '${String.fromCharCode(c)}'`, 'Balance the brackets inside the replacement field.');
      }
      this.token(true);
    }
  }

  /** After the ':' of a format spec; consumes up to and including the closing '}'. */
  private formatSpec(start: number, quote: number, triple: boolean): void {
    for (;;) {
      const c = this.code(this.pos);
      if (c < 0) this.unterminated(start, triple, this.n);
      if (c === 125) {
        this.pos++;
        return;
      }
      if (c === 123) {
        this.pos++;
        this.replacementField(start, quote, triple);
        continue;
      }
      if (isLineBreak(c) && !triple) this.unterminated(start, triple, this.pos);
      if (c === quote && (!triple || (this.code(this.pos + 1) === quote && this.code(this.pos + 2) === quote))) {
        this.fail(this.pos, "f-string: expecting '}'", "Close the replacement field with '}' before the end of the string.");
      }
      this.pos++;
    }
  }
}

/** Text of a token. */
export function tokenText(text: string, t: Token): string {
  return text.slice(t.from, t.to);
}
