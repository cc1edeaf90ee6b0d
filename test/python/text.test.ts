import { describe, expect, it } from 'vitest';
import { LineIndex, dedent, isPythonIdentifier } from '../../src/kubeflow/python/text.js';

describe('dedent (Python textwrap.dedent semantics)', () => {
  // expected values computed with CPython 3.11 textwrap.dedent
  const cases: Array<[string, string]> = [
    ['    a\n      b\n', 'a\n  b\n'],
    ['    a\n\n    b', 'a\n\nb'],
    ['  a\n    \n  b\n', 'a\n\nb\n'], // whitespace-only lines are emptied
    ['\ta\n    b\n', '\ta\n    b\n'], // tab and spaces have no common margin
    ['\t a\n\t b\n', 'a\nb\n'],
    ['a\n  b\n', 'a\n  b\n'],
    ['   \n', '\n'],
    ['  x\r\n  y\r\n', 'x\r\ny\r\n'],
  ];
  for (const [input, output] of cases) {
    it(JSON.stringify(input), () => {
      expect(dedent(input).text).toBe(output);
    });
  }

  it('maps offsets back to the original text', () => {
    const src = '    def f():\n        return 1\n';
    const d = dedent(src);
    const i = d.text.indexOf('return');
    expect(src.slice(d.toOriginal(i), d.toOriginal(i) + 6)).toBe('return');
  });
});

describe('LineIndex', () => {
  it('counts \\n, \\r\\n and lone \\r as line breaks and columns in code points', () => {
    const li = new LineIndex('a\r\nb\rc\n😀x');
    expect(li.line(0)).toBe(1);
    expect(li.line(3)).toBe(2);
    expect(li.line(5)).toBe(3);
    expect(li.line(7)).toBe(4);
    expect(li.column(9)).toBe(2); // after the emoji (two UTF-16 units)
    expect(li.lineText(4)).toBe('😀x');
  });
});

describe('isPythonIdentifier', () => {
  it('follows str.isidentifier()', () => {
    for (const ok of ['lr', '_x', 'café', 'π', '数据', 'class']) expect(isPythonIdentifier(ok)).toBe(true);
    for (const bad of ['', '2x', 'a-b', 'a b', '“x', '$a']) expect(isPythonIdentifier(bad)).toBe(false);
  });
});
