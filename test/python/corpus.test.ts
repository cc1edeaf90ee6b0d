/**
 * The syntax check against what CPython's ast.parse says about a corpus of snippets (recorded in
 * cpython-corpus.ts by test/python/gen/corpus.py), on both paths: CPython (python3 on PATH) and
 * the lezer fallback.
 */
import { describe, expect, it } from 'vitest';
import { checkTrainingCode, type PyCheckOptions } from '../../src/kubeflow/python/check.js';
import { CORPUS, CPYTHON_VERSION } from './cpython-corpus.js';

/** Valid snippets lezer's grammar flags (warnings only): `5.`, bare `yield`, PEP 617/614 forms, `print [0]`. */
const LEZER_FLAGS_VALID = new Set(['numbers', 'yield_forms', 'paren_with', 'with_complex_target', 'decorator_expression', 'print_as_name', 'tstring_py314']);

const check = (source: string, opts: PyCheckOptions = {}) => checkTrainingCode(source, { entry: 'not_checked_here', ...opts });
const syntaxErrors = (r: Awaited<ReturnType<typeof check>>) => r.problems.filter((p) => p.code === 'syntax_error');

describe('CPython corpus', () => {
  it('has a reasonable size and mix', () => {
    expect(CORPUS.filter((c) => c.cpython.valid).length).toBeGreaterThanOrEqual(40);
    expect(CORPUS.filter((c) => !c.cpython.valid).length).toBeGreaterThanOrEqual(40);
    expect(CORPUS.filter((c) => c.py312Valid || c.py314Valid).length).toBeGreaterThanOrEqual(5);
  });

  describe('CPython path', () => {
    let sameVersion = false;
    for (const c of CORPUS) {
      it(`${c.name}: ${c.cpython.valid ? 'valid' : `invalid at ${c.cpython.line ?? '?'}:${c.cpython.column ?? '?'}`}`, async () => {
        const r = await check(c.source);
        sameVersion = r.checkedBy.startsWith(`Python ${CPYTHON_VERSION.split('.').slice(0, 2).join('.')} `);
        expect(r.checkedBy).toMatch(/^Python 3\.\d+ /);
        if (c.cpython.valid) {
          expect(syntaxErrors(r), 'a false rejection').toEqual([]);
          expect(r.warnings).toEqual([]);
          return;
        }
        const [p] = syntaxErrors(r);
        expect(p, 'CPython rejects this snippet').toBeDefined();
        // the generator's Python words and places it exactly so (other versions may differ)
        if (sameVersion && c.cpython.line != null) {
          expect({ line: p!.line, column: p!.column }).toEqual({ line: c.cpython.line, column: c.cpython.column });
          expect(p!.message.startsWith(c.cpython.message!)).toBe(true);
        }
        // a newer target Python whose syntax this is: not refused
        for (const [valid, targetPython] of [
          [c.py312Valid, '3.12'],
          [c.py314Valid, '3.14'],
        ] as const) {
          if (!valid) continue;
          const newer = await check(c.source, { targetPython });
          expect(syntaxErrors(newer), `a false rejection for Python ${targetPython}`).toEqual([]);
          expect(newer.warnings.map((w) => w.code)).toEqual(['syntax_unverified']);
        }
      });
    }
  });

  describe('lezer fallback', () => {
    it('never refuses, and warns on valid code only where its grammar is known to differ', async () => {
      const flagged: string[] = [];
      for (const c of CORPUS) {
        const r = await check(c.source, { parser: 'lezer' });
        expect(r.checkedBy).toContain('lezer');
        expect(syntaxErrors(r), c.name).toEqual([]);
        if (r.warnings.length && (c.cpython.valid || c.py312Valid || c.py314Valid)) flagged.push(c.name);
        for (const w of r.warnings) expect(w.line, c.name).toBeGreaterThanOrEqual(1);
      }
      expect(new Set(flagged)).toEqual(LEZER_FLAGS_VALID);
    });

    it('warns on a good share of the invalid snippets, on CPython’s line', async () => {
      let onLine = 0;
      const invalid = CORPUS.filter((c) => !c.cpython.valid && !c.py312Valid && !c.py314Valid);
      for (const c of invalid) {
        const [w] = (await check(c.source, { parser: 'lezer' })).warnings;
        if (w && w.line === c.cpython.line) onLine++;
      }
      // measured: 24 of the 46 warned, 19 on CPython's line (lezer is an editor grammar; most
      // tokenizer-level errors such as bad indentation or string prefixes pass it)
      expect(onLine).toBeGreaterThanOrEqual(19);
    });
  });
});
