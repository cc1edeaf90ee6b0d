import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTrainingCode, type PyCheckOptions } from '../../src/kubeflow/python/check.js';

const PY_FRAGMENTS = [
  'def ',
  'train',
  '(',
  ')',
  ':',
  '\n',
  '    ',
  '\t',
  'lr',
  '=',
  '1e-3',
  ',',
  '*',
  '**',
  '/',
  'return',
  'yield',
  'async ',
  'await ',
  'lambda',
  '"',
  "'",
  '"""',
  "f'{",
  '}',
  '{',
  '[',
  ']',
  '#',
  '\\',
  '\r\n',
  'if ',
  'else',
  'match ',
  'case ',
  ':=',
  '@',
  '.',
  '5.',
  '0x',
  '\u00a0',
  '“',
  '\0',
  '\ufeff',
  'é',
  '😀',
  'print ',
  'with ',
  ' as ',
  'for ',
  ' in ',
];

async function checkInvariants(source: string, funcArgs?: Record<string, unknown>, parser: PyCheckOptions['parser'] = 'lezer'): Promise<void> {
  const r = await checkTrainingCode(source, { parser, ...(funcArgs ? { funcArgs } : {}) });
  expect(typeof r.ok).toBe('boolean');
  expect(r.ok).toBe(r.problems.length === 0);
  expect(Array.isArray(r.functions)).toBe(true);
  for (const p of [...r.problems, ...r.warnings]) {
    expect(typeof p.message).toBe('string');
    expect(p.hint.length).toBeGreaterThan(0);
    if (p.line !== undefined) expect(p.line).toBeGreaterThanOrEqual(1);
    if (p.column !== undefined) expect(p.column).toBeGreaterThanOrEqual(1);
  }
  if (r.ok) expect(r.entry).toBeDefined();
}

// Most runs use the lezer fallback (fast); a smaller share asks CPython (a process per source).
describe('checkTrainingCode never throws', () => {
  it('on arbitrary strings (unicode, NUL, lone surrogates)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), (s) => checkInvariants(s)),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), (s) => checkInvariants(s, undefined, 'auto')),
      { numRuns: 25 },
    );
  });

  it('on python-like fragment soup', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...PY_FRAGMENTS), { maxLength: 80 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.integer()), (parts, args) =>
        checkInvariants(parts.join(''), args),
      ),
      { numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...PY_FRAGMENTS), { maxLength: 80 }), (parts) => checkInvariants(parts.join(''), { lr: 1 }, 'auto')),
      { numRuns: 25 },
    );
  });

  it('on valid code with a random edit', async () => {
    const base = 'import os\n\ndef train(lr=0.1, *, epochs: int = 3):\n    for i in range(epochs):\n        print(f"{i}: {lr!r:>8}")\n    return {"lr": lr}\n';
    await fc.assert(
      fc.asyncProperty(fc.nat(base.length), fc.nat(4), fc.constantFrom(...PY_FRAGMENTS, ''), (at, del, ins) =>
        checkInvariants(base.slice(0, at) + ins + base.slice(at + del), { lr: 1 }),
      ),
      { numRuns: 400 },
    );
  });

  it('on huge and deeply nested inputs, on both paths', async () => {
    const inputs = [
      '('.repeat(5000),
      '['.repeat(150) + ']'.repeat(150),
      "f'{".repeat(400),
      'x = ' + '-'.repeat(20000) + '1\n',
      'def train():\n' + '    x = 1\n'.repeat(20000),
      '\0'.repeat(10000),
      '\ud800'.repeat(1000) + 'def train(): pass',
      'if x:\n' + Array.from({ length: 90 }, (_, i) => ' '.repeat(i + 1) + 'if x:\n').join('') + ' '.repeat(92) + 'pass\n',
      'a'.repeat(200_000),
    ];
    for (const parser of ['lezer', 'auto'] as const) for (const s of inputs) await checkInvariants(s, undefined, parser);
    await checkInvariants(null as unknown as string);
  });
});
