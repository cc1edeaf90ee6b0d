/**
 * What the checks need to know about a module, produced by either parser (cpython.ts from
 * CPython's `ast`, lezer.ts from @lezer/python's tree). Positions are 1-based lines and 1-based
 * columns in Unicode code points, in the text that was parsed (the dedented source).
 */
export type PyParamKind = 'positional_only' | 'positional_or_keyword' | 'var_positional' | 'keyword_only' | 'var_keyword';

export interface PyParam {
  name: string;
  kind: PyParamKind;
  hasDefault: boolean;
}

/** A parameter plus how to show it in a signature (`lr: float = 1e-3`, `*args`, `**kw`). */
export interface SigParam extends PyParam {
  text: string;
}

export interface Where {
  line: number;
  column: number;
}

export interface Outline {
  /** names of the top-level `def`s (sync and async), in source order, without duplicates */
  functions: string[];
  /** the last top-level `def` of the entry name */
  entry?: Where & { isAsync: boolean; isGenerator: boolean; /** absent when the parameter list did not parse */ params?: SigParam[] };
  /** the last top-level non-def binding of the entry name (class, assignment, import) */
  other?: Where & { what: string };
  /** where a nested `def` of the entry name lives, e.g. "function 'main'", "class 'Trainer'", "an if block" */
  nestedIn?: string;
}

/** A syntax error at a position, with the parser's own message. */
export interface ParseError extends Partial<Where> {
  message: string;
}
