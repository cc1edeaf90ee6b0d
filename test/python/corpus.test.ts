/**
 * The static syntax check against what CPython's compile() says about a corpus of snippets
 * (recorded in cpython-corpus.ts by test/python/gen/corpus.py; python3 is not needed here).
 */
import { describe, expect, it } from 'vitest';
import { checkTrainingCode } from '../../src/kubeflow/python/check.js';
import { CORPUS } from './cpython-corpus.js';

/** Cases where our wording deliberately differs from CPython's (same line, still an error). */
const MESSAGE_DIFFERS = new Set([
  'def_paren_colon', // we report the '(' that is never closed; CPython says "invalid syntax"
  'assign_literal', // CPython adds "here. Maybe you meant '==' ...", our hint says it
  'assign_call',
  'dict_missing_value', // lezer's "invalid syntax near '}'"
  'unterminated_fstring', // 3.12 semantics: the quote starts a nested string
]);

function syntaxProblem(source: string) {
  return checkTrainingCode(source, { entry: 'not_checked_here' }).problems.find((p) => p.code === 'syntax_error');
}

describe('CPython corpus', () => {
  it('has a reasonable size and mix', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(CORPUS.filter((c) => (c.py312Valid ?? c.cpython.valid) === true).length).toBeGreaterThanOrEqual(30);
    expect(CORPUS.filter((c) => (c.py312Valid ?? c.cpython.valid) === false).length).toBeGreaterThanOrEqual(30);
  });

  for (const c of CORPUS) {
    const valid = c.py312Valid ?? c.cpython.valid;
    it(`${c.name}: ${valid ? 'valid' : `invalid at line ${c.cpython.line ?? '?'}`}`, () => {
      const p = syntaxProblem(c.source);
      if (valid) {
        expect(p, p?.message).toBeUndefined();
        return;
      }
      expect(p, 'CPython rejects this snippet').toBeDefined();
      if (c.cpython.line != null) expect(p!.line).toBe(c.cpython.line);
      expect(p!.column).toBeGreaterThanOrEqual(1);
      expect(p!.hint.length).toBeGreaterThan(10);
      if (!MESSAGE_DIFFERS.has(c.name)) expect(p!.message.startsWith(c.cpython.message ?? '')).toBe(true);
      // the message quotes the offending line
      const lineText = c.source.split(/\r\n|\r|\n/)[p!.line! - 1]!.trim();
      if (lineText) expect(p!.message).toContain(lineText.slice(0, 20));
    });
  }
});
