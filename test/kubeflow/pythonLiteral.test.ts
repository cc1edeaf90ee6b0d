import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireValidationError } from '../../src/kubeflow/trainer/errors.js';
import { pythonFloatStr, pythonRepr, pythonStr } from '../../src/kubeflow/trainer/pythonLiteral.js';
import { PYTHON_LITERAL_CASES } from './pythonLiteral.cases.js';

describe('pythonRepr / pythonStr match CPython', () => {
  it.each(PYTHON_LITERAL_CASES)('%s', (json, repr, str) => {
    const value: unknown = JSON.parse(json);
    expect(pythonRepr(value)).toBe(repr);
    expect(pythonStr(value)).toBe(str);
  });

  it('renders the SDK documentation example', () => {
    expect(pythonRepr({ lr: 0.01, epochs: 3, flag: true, x: null })).toBe("{'lr': 0.01, 'epochs': 3, 'flag': True, 'x': None}");
  });

  it('renders bigint exactly and float-typed fields as floats', () => {
    expect(pythonRepr(12345678901234567890n)).toBe('12345678901234567890');
    expect(pythonFloatStr(0)).toBe('0.0');
    expect(pythonFloatStr(1)).toBe('1.0');
    expect(pythonFloatStr(0.1)).toBe('0.1');
    expect(pythonFloatStr(1e-5)).toBe('1e-05');
    expect(pythonFloatStr(-0)).toBe('-0.0');
  });

  it('refuses values without a Python literal', () => {
    for (const bad of [NaN, Infinity, -Infinity, undefined, () => 1, { a: [1, NaN] }]) {
      expect(() => pythonRepr(bad)).toThrow(WireValidationError);
    }
  });

  it('float repr: exponent form exactly when the decimal exponent is < -4 or >= 16', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), (x) => {
        fc.pre(!Number.isSafeInteger(x) && x !== 0);
        const r = pythonRepr(x);
        // Round trip is exact, and the notation follows CPython's rule.
        expect(Number(r)).toBe(x);
        const e = Number(Math.abs(x).toExponential().split('e')[1]);
        expect(r.includes('e')).toBe(e < -4 || e >= 16);
        if (!r.includes('e')) expect(r).toMatch(/^-?\d+\.\d+$/);
        else expect(r).toMatch(/^-?\d(\.\d+)?e[+-]\d{2,3}$/);
      }),
    );
  });

  it('string repr round-trips through a Python-literal reader for printable ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (s) => {
        const r = pythonRepr(s);
        const q = r[0]!;
        expect(r.endsWith(q)).toBe(true);
        const body = r
          .slice(1, -1)
          .replace(/\\(x[0-9a-f]{2}|.)/g, (_, e: string) =>
            e.startsWith('x') && e.length === 3
              ? String.fromCharCode(parseInt(e.slice(1), 16))
              : (({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[e] ?? e),
          );
        expect(body).toBe(s);
      }),
    );
  });
});
