import { describe, expect, it } from 'vitest';
import { checkTrainingCode, type PyProblem } from '../../src/kubeflow/python/check.js';

const codes = (ps: PyProblem[]): string[] => ps.map((p) => p.code);

describe('checkTrainingCode: entry function', () => {
  it('accepts a plain train function and reports its signature', () => {
    const r = checkTrainingCode('import torch\n\ndef train(lr, epochs=3, *, batch_size=8):\n    print(lr)\n', { funcArgs: { lr: 0.1 } });
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.functions).toEqual(['train']);
    expect(r.entry).toEqual({
      name: 'train',
      line: 3,
      isAsync: false,
      params: [
        { name: 'lr', kind: 'positional_or_keyword', hasDefault: false },
        { name: 'epochs', kind: 'positional_or_keyword', hasDefault: true },
        { name: 'batch_size', kind: 'keyword_only', hasDefault: true },
      ],
    });
  });

  it('classifies every parameter kind', () => {
    const r = checkTrainingCode('def main(a, b=1, /, c=2, *args, d, e=5, **kw):\n    pass\n', { entry: 'main', funcArgs: { d: 1 } });
    // `a` is positional-only without a default: main(**func_args) can never fill it
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringContaining("required positional-only parameter 'a'")]);
    expect(r.entry!.params.map((p) => `${p.name}:${p.kind}:${p.hasDefault}`)).toEqual([
      'a:positional_only:false',
      'b:positional_only:true',
      'c:positional_or_keyword:true',
      'args:var_positional:false',
      'd:keyword_only:false',
      'e:keyword_only:true',
      'kw:var_keyword:false',
    ]);
  });

  it('handles decorators, annotations, comments and multi-line signatures', () => {
    const src = [
      'import functools',
      '',
      '@functools.wraps(print)',
      'def train(',
      '    lr: float = 1e-3,  # learning rate',
      '    epochs: int = 3,',
      '    *,',
      '    tags: list[str] | None = None,',
      ') -> dict[str, float]:',
      '    """Train."""',
      '    return {}',
    ].join('\n');
    const r = checkTrainingCode(src, { funcArgs: { epochs: 1, foo: 2 } });
    expect(r.entry?.line).toBe(4); // the `def` line, not the decorator's
    const bad = r.problems.find((p) => p.code === 'bad_arguments')!;
    expect(bad.message).toContain("'foo'");
    expect(bad.message).toContain('train(lr: float = 1e-3, epochs: int = 3, *, tags: list[str] | None = None)');
  });

  it('dedents uniformly indented source and reports positions in the original text', () => {
    const src = '    def train(lr):\n        x = (1,\n    \n        return x\n';
    const r = checkTrainingCode(src, { funcArgs: { lr: 1 } });
    const p = r.problems.find((q) => q.code === 'syntax_error')!;
    expect(p.message).toContain("'(' was never closed");
    expect(p.line).toBe(2);
    expect(p.column).toBe(13); // the '(' in the original, indented text (1-based)
    const ok = checkTrainingCode('\t\tdef train():\n\t\t\treturn 1\n', {});
    expect(ok.ok).toBe(true);
    expect(ok.entry?.line).toBe(1);
  });

  it('lists the functions found when the entry is missing', () => {
    const r = checkTrainingCode('def main():\n    pass\n\nasync def helper():\n    pass\n', {});
    expect(codes(r.problems)).toEqual(['entry_missing']);
    expect(r.functions).toEqual(['main', 'helper']);
    expect(r.problems[0]!.hint).toContain("entry='main'");
    expect(r.problems[0]!.hint).toContain('functions found: main, helper');
  });

  it('does not count nested functions, methods or a class as the entry', () => {
    const nested = checkTrainingCode('def outer():\n    def train():\n        pass\n', {});
    expect(codes(nested.problems)).toEqual(['entry_missing']);
    expect(nested.problems[0]!.hint).toContain("function 'outer'");
    const method = checkTrainingCode('class Trainer:\n    def train(self):\n        pass\n', {});
    expect(codes(method.problems)).toEqual(['entry_missing']);
    expect(method.problems[0]!.hint).toContain("class 'Trainer'");
    const cls = checkTrainingCode('class train:\n    pass\n', {});
    expect(codes(cls.problems)).toEqual(['entry_not_function']);
    expect(cls.problems[0]!.message).toContain('a class');
    const assigned = checkTrainingCode('def main(): pass\ntrain = main\n', {});
    expect(codes(assigned.problems)).toEqual(['entry_not_function']);
    expect(assigned.problems[0]!.line).toBe(2);
  });

  it('rejects async and generator entries', () => {
    const a = checkTrainingCode('async def train():\n    pass\n', {});
    expect(codes(a.problems)).toEqual(['entry_not_function']);
    expect(a.entry?.isAsync).toBe(true);
    expect(a.problems[0]!.message).toContain('must not be async');
    expect(a.problems[0]!.hint).toContain('asyncio.run');
    const g = checkTrainingCode('def train():\n    for i in range(3):\n        yield i\n', {});
    expect(codes(g.problems)).toEqual(['entry_not_function']);
    expect(g.problems[0]!.message).toContain('generator');
    // yield inside a nested function or lambda does not make the entry a generator
    expect(checkTrainingCode('def train():\n    def gen():\n        yield 1\n    f = lambda: (yield)\n    list(gen())\n', {}).ok).toBe(true);
  });

  it('uses the last top-level definition, like Python', () => {
    const r = checkTrainingCode('def train(a):\n    pass\n\ndef train(b=1):\n    pass\n', {});
    expect(r.ok).toBe(true);
    expect(r.entry?.params.map((p) => p.name)).toEqual(['b']);
    expect(r.functions).toEqual(['train']);
  });

  it('validates the entry name itself', () => {
    const r = checkTrainingCode('def train(): pass\n', { entry: 'my-train' });
    expect(codes(r.problems)).toEqual(['entry_missing']);
    expect(r.problems[0]!.message).toContain('not a valid Python function name');
  });

  it('reports empty sources', () => {
    for (const src of ['', '   \n\t\n', '# only a comment\n\n# another\n']) {
      const r = checkTrainingCode(src, {});
      expect(codes(r.problems)).toEqual(['empty_source']);
      expect(r.ok).toBe(false);
    }
  });

  it('reports a syntax error and still checks a well-formed entry signature', () => {
    const r = checkTrainingCode('def train(lr):\n    print "hi"\n', { funcArgs: { lr: 1, x: 2 } });
    expect(codes(r.problems)).toEqual(['syntax_error', 'bad_arguments']);
    expect(r.problems[0]).toMatchObject({ line: 2, column: 5 });
    expect(r.problems[0]!.message).toContain("Missing parentheses in call to 'print'");
    expect(r.problems[0]!.message).toContain('print "hi"');
  });

  it('does not claim the entry is missing when its own definition is broken', () => {
    const r = checkTrainingCode('def train(lr)\n    pass\n', {});
    // the parameter list itself parsed, so the missing argument is still reported
    expect(codes(r.problems)).toEqual(['syntax_error', 'bad_arguments']);
    expect(codes(checkTrainingCode('def train(lr\n    pass\n', {}).problems)).toEqual(['syntax_error']);
    expect(r.problems[0]!.message).toContain("expected ':'");
  });
});

describe('checkTrainingCode: func_args binding', () => {
  const src = 'def train(lr, epochs=3, *, batch_size):\n    pass\n';

  it('names unexpected keys, suggests close names and shows the signature', () => {
    const r = checkTrainingCode(src, { funcArgs: { lr: 1, batch_size: 2, epoch: 3, zzz: 4 } });
    expect(codes(r.problems)).toEqual(['bad_arguments']);
    expect(r.problems[0]!.message).toBe("train(lr, epochs=3, *, batch_size) got unexpected keyword arguments 'epoch', 'zzz'");
    expect(r.problems[0]!.hint).toContain('epoch → epochs?');
    expect(r.problems[0]!.line).toBe(1);
  });

  it('names missing required parameters (also when func_args is absent)', () => {
    const r = checkTrainingCode(src, { funcArgs: { epochs: 1 } });
    expect(r.problems.map((p) => p.message)).toEqual([
      "train(lr, epochs=3, *, batch_size) is missing required arguments 'lr', 'batch_size' in func_args",
    ]);
    const none = checkTrainingCode(src, {});
    expect(none.problems[0]!.message).toContain('called as train()');
  });

  it('accepts any identifier key with **kwargs', () => {
    expect(checkTrainingCode('def train(**cfg):\n    pass\n', { funcArgs: { a: 1, b_2: 2, é: 3 } }).ok).toBe(true);
    expect(checkTrainingCode('def train(lr, **cfg):\n    pass\n', { funcArgs: { lr: 1, extra: 2 } }).ok).toBe(true);
  });

  it('rejects keys that are not identifiers', () => {
    const r = checkTrainingCode('def train(**cfg):\n    pass\n', { funcArgs: { 'learning-rate': 1, '2x': 2, ok: 3 } });
    expect(codes(r.problems)).toEqual(['bad_arguments']);
    expect(r.problems[0]!.message).toContain('"learning-rate", "2x"');
    expect(r.problems[0]!.hint).toContain('"learning_rate"');
  });

  it('rejects positional-only parameters passed by keyword', () => {
    const r = checkTrainingCode('def train(a=1, /, b=2):\n    pass\n', { funcArgs: { a: 5 } });
    expect(codes(r.problems)).toEqual(['bad_arguments']);
    expect(r.problems[0]!.message).toContain("'a' is positional-only");
    // with **kwargs the key lands in kwargs instead: fine
    expect(checkTrainingCode('def train(a=1, /, **kw):\n    pass\n', { funcArgs: { a: 5 } }).ok).toBe(true);
  });

  it('flags required positional-only parameters that keywords can never fill', () => {
    const r = checkTrainingCode('def train(a, /, **kw):\n    pass\n', { funcArgs: { a: 1 } });
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringContaining("required positional-only parameter 'a'")]);
  });

  it('treats *args names as not passable by keyword', () => {
    const r = checkTrainingCode('def train(*args):\n    pass\n', { funcArgs: { args: [1] } });
    expect(r.problems[0]!.message).toContain("unexpected keyword argument 'args'");
  });

  it('does not treat inherited object properties as given', () => {
    const r = checkTrainingCode('def train(constructor, toString):\n    pass\n', { funcArgs: {} });
    expect(r.problems[0]!.message).toContain("'constructor', 'toString'");
  });

  it('rejects func_args that are not an object', () => {
    const r = checkTrainingCode(src, { funcArgs: [1, 2] as unknown as Record<string, unknown> });
    expect(codes(r.problems)).toEqual(['bad_arguments']);
    expect(r.problems[0]!.message).toContain('JSON object');
  });
});

describe('checkTrainingCode: syntax messages a model can act on', () => {
  const cases: Array<[string, string, number, string]> = [
    ['smart quotes', 'def train():\n    print(“hi”)\n', 2, "invalid character '“' (U+201C)"],
    ['keyword as a parameter name', 'def train(lambda=0.1):\n    pass\n', 1, "'lambda' is a reserved keyword"],
    ['missing comma', 'def train():\n    xs = [1, 2 3]\n', 2, 'Perhaps you forgot a comma?'],
    ['Windows path escape', 'def train():\n    p = "C:\\Users\\me"\n', 2, 'truncated \\UXXXXXXXX escape'],
    ['tab/space mix', 'def train():\n\tx = 1\n        y = 2\n', 3, 'inconsistent use of tabs and spaces'],
    ['missing indented block', 'def train():\nreturn 1\n', 2, 'expected an indented block after function definition on line 1'],
    ['else without if', 'def train():\n    x = 1\n    else:\n        pass\n', 3, "'else' does not continue"],
    ['incomplete statement', 'def train():\n    x = 1 +\n    return x\n', 2, 'incomplete'],
    ['notebook magic', '%pip install torch\ndef train():\n    pass\n', 1, 'IPython/notebook magic'],
    ['notebook shell escape', 'def train():\n    !nvidia-smi\n', 2, 'IPython/notebook shell syntax'],
  ];
  for (const [name, src, line, text] of cases) {
    it(name, () => {
      const p = checkTrainingCode(src, {}).problems.find((q) => q.code === 'syntax_error');
      expect(p, 'expected a syntax error').toBeDefined();
      expect(p!.line).toBe(line);
      expect(p!.message).toContain(text);
      expect(p!.hint).not.toBe('');
    });
  }

  it('accepts modern syntax lezer does not know natively', () => {
    const src = [
      'def train():',
      '    x = 5. + 1.e3 + 2.j',
      '    with (open("a") as f, open("b") as g,):',
      '        pass',
      '    with ctx() as self.attr:',
      '        pass',
      '    pairs = [(a, b) for a, *b in rows]',
      '    y = lambda a, /, b: a',
      '    match x, y:',
      '        case {}:',
      '            pass',
      '        case Point():',
      '            pass',
      '    z = yield',
      '',
      '@registry[0].hook',
      'def helper():',
      '    value = (yield)',
      '    s = rf"\\{{literal}}"',
      '    return value',
    ].join('\n');
    const r = checkTrainingCode(src, { entry: 'helper' });
    expect(r.problems.filter((p) => p.code === 'syntax_error')).toEqual([]);
  });

  it('handles modules with many top-level statements and very long expressions', () => {
    const many = Array.from({ length: 1500 }, (_, i) => `x${i} = ${i}\n\n# comment ${i}\n`).join('') + 'def train():\n    pass\n';
    expect(checkTrainingCode(many, {}).ok).toBe(true);
    const long = 'def train():\n    return (' + Array.from({ length: 1200 }, (_, i) => `${i} * x`).join(' +\n        ') + ')\n';
    expect(checkTrainingCode(long, {}).ok).toBe(true);
    const broken = many.replace('x1400 = 1400', 'x1400 = = 1400');
    const p = checkTrainingCode(broken, {}).problems.find((q) => q.code === 'syntax_error');
    expect(p?.line).toBe(1400 * 3 + 1);
  });
});
