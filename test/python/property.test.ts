import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTrainingCode } from '../../src/kubeflow/python/check.js';

const PY_FRAGMENTS = [
  'def ', 'train', '(', ')', ':', '\n', '    ', '\t', 'lr', '=', '1e-3', ',', '*', '**', '/', 'return', 'yield', 'async ',
  'await ', 'lambda', '"', "'", '"""', "f'{", '}', '{', '[', ']', '#', '\\', '\r\n', 'if ', 'else', 'match ', 'case ',
  ':=', '@', '.', '5.', '0x', '\u00a0', '“', '\0', '\ufeff', 'é', '😀', 'print ', 'with ', ' as ', 'for ', ' in ',
];

function checkInvariants(source: string, funcArgs?: Record<string, unknown>): void {
  const r = checkTrainingCode(source, funcArgs ? { funcArgs } : {});
  expect(typeof r.ok).toBe('boolean');
  expect(r.ok).toBe(r.problems.length === 0);
  expect(Array.isArray(r.functions)).toBe(true);
  for (const p of r.problems) {
    expect(typeof p.message).toBe('string');
    expect(p.hint.length).toBeGreaterThan(0);
    if (p.line !== undefined) expect(p.line).toBeGreaterThanOrEqual(1);
    if (p.column !== undefined) expect(p.column).toBeGreaterThanOrEqual(1);
  }
  if (r.ok) expect(r.entry).toBeDefined();
}

describe('checkTrainingCode never throws', () => {
  it('on arbitrary strings (unicode, NUL, lone surrogates)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => checkInvariants(s)),
      { numRuns: 300 },
    );
  });

  it('on python-like fragment soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PY_FRAGMENTS), { maxLength: 80 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.integer()), (parts, args) =>
        checkInvariants(parts.join(''), args),
      ),
      { numRuns: 400 },
    );
  });

  it('on valid code with a random edit', () => {
    const base = 'import os\n\ndef train(lr=0.1, *, epochs: int = 3):\n    for i in range(epochs):\n        print(f"{i}: {lr!r:>8}")\n    return {"lr": lr}\n';
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(4), fc.constantFrom(...PY_FRAGMENTS, ''), (at, del, ins) =>
        checkInvariants(base.slice(0, at) + ins + base.slice(at + del), { lr: 1 }),
      ),
      { numRuns: 400 },
    );
  });

  it('on huge and deeply nested inputs', () => {
    checkInvariants('('.repeat(5000));
    checkInvariants('['.repeat(150) + ']'.repeat(150));
    checkInvariants("f'{".repeat(400));
    checkInvariants('x = ' + '-'.repeat(20000) + '1\n');
    checkInvariants('def train():\n' + '    x = 1\n'.repeat(20000));
    checkInvariants('\0'.repeat(10000));
    checkInvariants('\ud800'.repeat(1000) + 'def train(): pass');
    checkInvariants('if x:\n' + Array.from({ length: 90 }, (_, i) => ' '.repeat(i + 1) + 'if x:\n').join('') + ' '.repeat(92) + 'pass\n');
    checkInvariants('a'.repeat(200_000));
    checkInvariants(null as unknown as string);
  });
});
