/**
 * Text helpers for the static Python checks: Python's `textwrap.dedent`, and line/column
 * arithmetic with Python's universal newlines (`\n`, `\r\n` and a lone `\r` each end a line).
 */

/** Result of {@link dedent}: the dedented text plus what is needed to map offsets back. */
export interface Dedented {
  text: string;
  /** Maps an offset in `text` to the offset of the same character in the original source. */
  toOriginal(offset: number): number;
}

interface DedentLine {
  /** start of the line in the dedented text */
  out: number;
  /** start of the line in the original text */
  orig: number;
  /** number of characters removed from the start of the line */
  removed: number;
}

/**
 * Exactly Python's `textwrap.dedent` (which the Kubeflow SDK applies to the function source
 * before writing the training script): lines are split on `\n` only; lines made only of spaces
 * and tabs become empty; the longest common leading run of spaces/tabs of the other lines is
 * removed (a tab and a space are different characters, as in Python).
 */
export function dedent(source: string): Dedented {
  const lines = source.split('\n');
  let margin: string | null = null;
  for (const line of lines) {
    if (/^[ \t]*$/.test(line)) continue;
    const indent = /^[ \t]*/.exec(line)![0];
    if (margin === null) {
      margin = indent;
    } else if (indent.startsWith(margin)) {
      // keep the current margin
    } else if (margin.startsWith(indent)) {
      margin = indent;
    } else {
      let i = 0;
      while (i < margin.length && i < indent.length && margin[i] === indent[i]) i++;
      margin = margin.slice(0, i);
    }
  }
  const m = margin ?? '';
  const map: DedentLine[] = [];
  const outParts: string[] = [];
  let out = 0;
  let orig = 0;
  for (const line of lines) {
    let removed = 0;
    if (/^[ \t]+$/.test(line)) removed = line.length;
    else if (m && line.startsWith(m)) removed = m.length;
    const kept = line.slice(removed);
    map.push({ out, orig, removed });
    outParts.push(kept);
    out += kept.length + 1;
    orig += line.length + 1;
  }
  const text = outParts.join('\n');
  return {
    text,
    toOriginal(offset: number): number {
      const l = map[lastAtMost(map.length, (i) => map[i]!.out, offset)]!;
      return l.orig + l.removed + (offset - l.out);
    },
  };
}

/** The last index in 0..n-1 whose (ascending) key is <= x; 0 when none is. */
function lastAtMost(n: number, key: (i: number) => number, x: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (key(mid) <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Line starts of a text with universal newlines; positions are 1-based lines and columns. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line of an offset (an offset at a line break belongs to the line it ends). */
  line(offset: number): number {
    const o = Math.max(0, Math.min(offset, this.text.length));
    return lastAtMost(this.starts.length, (i) => this.starts[i]!, o) + 1;
  }

  /** Offset where a 1-based line starts. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))]!;
  }

  /** The text of a 1-based line without its line break. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    let end = start;
    while (end < this.text.length) {
      const c = this.text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    return this.text.slice(start, end);
  }

  /** 1-based column of an offset, counted in Unicode code points from the start of its line. */
  column(offset: number): number {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const start = this.lineStart(this.line(o));
    return Array.from(this.text.slice(start, o)).length + 1;
  }

  /** Offset of a 1-based line and column (code points), clamped to the line. */
  offset(line: number, column: number): number {
    const start = this.lineStart(line);
    const cps = Array.from(this.lineText(line)).slice(0, Math.max(0, column - 1));
    return start + cps.join('').length;
  }
}

/** A short, single-line excerpt of a source line for error messages. */
export function excerpt(lineText: string, max = 80): string {
  const t = lineText.trim();
  const cps = Array.from(t);
  return cps.length > max ? `${cps.slice(0, max - 1).join('')}…` : t;
}

const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

/**
 * Python's `str.isidentifier()` (XID_Start/XID_Continue). Keywords are identifiers too; use
 * {@link isKeyword} to exclude them.
 */
export function isPythonIdentifier(s: string): boolean {
  return IDENTIFIER.test(s);
}

const KEYWORDS = new Set(
  `False None True and as assert async await break class continue def del elif else except finally for from global if import in is
  lambda nonlocal not or pass raise return try while with yield`.split(/\s+/),
);

/** Hard keywords of Python 3 (soft keywords such as `match`, `case`, `type` are not included). */
export function isKeyword(s: string): boolean {
  return KEYWORDS.has(s);
}
