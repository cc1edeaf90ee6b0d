import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTrainingCode, type PyCheckOptions, type PyProblem } from '../../src/kubeflow/python/check.js';

/** A newer CPython than python3 on PATH, for the feature_version cases (skipped where absent). */
const PY312 = '/root/.pyenv/versions/3.12.1/bin/python3';

const codes = (ps: PyProblem[]): string[] => ps.map((p) => p.code);

/** Both parsers must outline the module the same way: CPython's ast, and lezer (the fallback). */
const PARSERS = ['auto', 'lezer'] as const;

describe.each(PARSERS)('checkTrainingCode (%s): entry function', (parser) => {
  const check = (src: string, o: PyCheckOptions = {}) => checkTrainingCode(src, { ...o, parser });
  it('accepts a plain train function and reports its signature', async () => {
    const r = await check('import torch\n\ndef train(lr, epochs=3, *, batch_size=8):\n    print(lr)\n', { funcArgs: { lr: 0.1 } });
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

  it('classifies every parameter kind', async () => {
    const r = await check('def main(a, b=1, /, c=2, *args, d, e=5, **kw):\n    pass\n', { entry: 'main', funcArgs: { d: 1 } });
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

  it('handles decorators, annotations, comments and multi-line signatures', async () => {
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
    const r = await check(src, { funcArgs: { epochs: 1, foo: 2 } });
    expect(r.entry?.line).toBe(4); // the `def` line, not the decorator's
    const bad = r.problems.find((p) => p.code === 'bad_arguments')!;
    expect(bad.message).toContain("'foo'");
    expect(bad.message).toContain('train(lr: float = 1e-3, epochs: int = 3, *, tags: list[str] | None = None)');
  });

  it('shows defaults as written, a # inside a string included', async () => {
    const r = await check('def train(tag="#1", /, *, lr: float = 0.1):\n    pass\n', { funcArgs: { x: 1 } });
    expect(r.problems[0]!.message).toContain('train(tag="#1", /, *, lr: float = 0.1) got unexpected keyword argument');
  });

  it('lists the functions found when the entry is missing', async () => {
    const r = await check('def main():\n    pass\n\nasync def helper():\n    pass\n', {});
    expect(codes(r.problems)).toEqual(['entry_missing']);
    expect(r.functions).toEqual(['main', 'helper']);
    expect(r.problems[0]!.hint).toContain("entry='main'");
    expect(r.problems[0]!.hint).toContain('functions found: main, helper');
  });

  it('does not count nested functions, methods or a class as the entry', async () => {
    const nested = await check('def outer():\n    def train():\n        pass\n', {});
    expect(codes(nested.problems)).toEqual(['entry_missing']);
    expect(nested.problems[0]!.hint).toContain("function 'outer'");
    const method = await check('class Trainer:\n    def train(self):\n        pass\n', {});
    expect(codes(method.problems)).toEqual(['entry_missing']);
    expect(method.problems[0]!.hint).toContain("class 'Trainer'");
    const cls = await check('class train:\n    pass\n', {});
    expect(codes(cls.problems)).toEqual(['entry_not_function']);
    expect(cls.problems[0]!.message).toContain('a class');
    const assigned = await check('def main(): pass\ntrain = main\n', {});
    expect(codes(assigned.problems)).toEqual(['entry_not_function']);
    expect(assigned.problems[0]!.line).toBe(2);
  });

  it('rejects async and generator entries', async () => {
    const a = await check('async def train():\n    pass\n', {});
    expect(codes(a.problems)).toEqual(['entry_not_function']);
    expect(a.entry?.isAsync).toBe(true);
    expect(a.problems[0]!.message).toContain('must not be async');
    expect(a.problems[0]!.hint).toContain('asyncio.run');
    const g = await check('def train():\n    for i in range(3):\n        yield i\n', {});
    expect(codes(g.problems)).toEqual(['entry_not_function']);
    expect(g.problems[0]!.message).toContain('generator');
    // yield inside a nested function or lambda does not make the entry a generator
    expect((await check('def train():\n    def gen():\n        yield 1\n    f = lambda: (yield)\n    list(gen())\n', {})).ok).toBe(true);
  });

  it('uses the last top-level definition, like Python', async () => {
    const r = await check('def train(a):\n    pass\n\ndef train(b=1):\n    pass\n', {});
    expect(r.ok).toBe(true);
    expect(r.entry?.params.map((p) => p.name)).toEqual(['b']);
    expect(r.functions).toEqual(['train']);
  });

  it('validates the entry name itself', async () => {
    const r = await check('def train(): pass\n', { entry: 'my-train' });
    expect(codes(r.problems)).toEqual(['entry_missing']);
    expect(r.problems[0]!.message).toContain('not a valid Python function name');
  });

  it('reports empty sources', async () => {
    for (const src of ['', '   \n\t\n', '# only a comment\n\n# another\n']) {
      const r = await check(src, {});
      expect(codes(r.problems)).toEqual(['empty_source']);
      expect(r.ok).toBe(false);
    }
  });
});

describe.each(PARSERS)('checkTrainingCode (%s): func_args binding', (parser) => {
  const check = (src: string, o: PyCheckOptions = {}) => checkTrainingCode(src, { ...o, parser });
  const src = 'def train(lr, epochs=3, *, batch_size):\n    pass\n';

  it('names unexpected keys, suggests close names and shows the signature', async () => {
    const r = await check(src, { funcArgs: { lr: 1, batch_size: 2, epoch: 3, zzz: 4 } });
    expect(codes(r.problems)).toEqual(['bad_arguments']);
    expect(r.problems[0]!.message).toBe("train(lr, epochs=3, *, batch_size) got unexpected keyword arguments 'epoch', 'zzz'");
    expect(r.problems[0]!.hint).toContain('epoch → epochs?');
    expect(r.problems[0]!.line).toBe(1);
  });

  it('names missing required parameters (also when func_args is absent)', async () => {
    const r = await check(src, { funcArgs: { epochs: 1 } });
    expect(r.problems.map((p) => p.message)).toEqual(["train(lr, epochs=3, *, batch_size) is missing required arguments 'lr', 'batch_size' in func_args"]);
    const none = await check(src, {});
    expect(none.problems[0]!.message).toContain('called as train()');
  });

  it('accepts any identifier key with **kwargs', async () => {
    expect((await check('def train(**cfg):\n    pass\n', { funcArgs: { a: 1, b_2: 2, é: 3 } })).ok).toBe(true);
    expect((await check('def train(lr, **cfg):\n    pass\n', { funcArgs: { lr: 1, extra: 2 } })).ok).toBe(true);
  });

  it('rejects keys that are not identifiers', async () => {
    const r = await check('def train(**cfg):\n    pass\n', { funcArgs: { 'learning-rate': 1, '2x': 2, ok: 3 } });
    expect(codes(r.problems)).toEqual(['bad_arguments']);
    expect(r.problems[0]!.message).toContain('"learning-rate", "2x"');
    expect(r.problems[0]!.hint).toContain('"learning_rate"');
  });

  it('rejects positional-only parameters passed by keyword', async () => {
    const r = await check('def train(a=1, /, b=2):\n    pass\n', { funcArgs: { a: 5 } });
    expect(codes(r.problems)).toEqual(['bad_arguments']);
    expect(r.problems[0]!.message).toContain("'a' is positional-only");
    // with **kwargs the key lands in kwargs instead: fine
    expect((await check('def train(a=1, /, **kw):\n    pass\n', { funcArgs: { a: 5 } })).ok).toBe(true);
  });

  it('flags required positional-only parameters that keywords can never fill', async () => {
    const r = await check('def train(a, /, **kw):\n    pass\n', { funcArgs: { a: 1 } });
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringContaining("required positional-only parameter 'a'")]);
  });

  it('treats *args names as not passable by keyword', async () => {
    const r = await check('def train(*args):\n    pass\n', { funcArgs: { args: [1] } });
    expect(r.problems[0]!.message).toContain("unexpected keyword argument 'args'");
  });

  it('does not treat inherited object properties as given', async () => {
    const r = await check('def train(constructor, toString):\n    pass\n', { funcArgs: {} });
    expect(r.problems[0]!.message).toContain("'constructor', 'toString'");
  });

  it('rejects func_args that are not an object', async () => {
    const r = await check(src, { funcArgs: [1, 2] as unknown as Record<string, unknown> });
    expect(codes(r.problems)).toEqual(['bad_arguments']);
    expect(r.problems[0]!.message).toContain('JSON object');
  });
});

describe('checkTrainingCode: syntax errors with the entry (CPython)', () => {
  it('dedents uniformly indented source and reports positions in the original text', async () => {
    const src = '    def train(lr):\n        x = (1,\n    \n        return x\n';
    const r = await checkTrainingCode(src, { funcArgs: { lr: 1 } });
    const p = r.problems.find((q) => q.code === 'syntax_error')!;
    expect(p.message).toContain("'(' was never closed");
    expect(p.line).toBe(2);
    expect(p.column).toBe(13); // the '(' in the original, indented text (1-based)
    const ok = await checkTrainingCode('\t\tdef train():\n\t\t\treturn 1\n', {});
    expect(ok.ok).toBe(true);
    expect(ok.entry?.line).toBe(1);
  });

  it('reports a syntax error and still checks a well-formed entry signature', async () => {
    const r = await checkTrainingCode('def train(lr):\n    print "hi"\n', { funcArgs: { lr: 1, x: 2 } });
    expect(codes(r.problems)).toEqual(['syntax_error', 'bad_arguments']);
    expect(r.problems[0]).toMatchObject({ line: 2, column: 5 });
    expect(r.problems[0]!.message).toContain("Missing parentheses in call to 'print'");
    expect(r.problems[0]!.message).toContain('print "hi"');
  });

  it('does not claim the entry is missing when its own definition is broken', async () => {
    const r = await checkTrainingCode('def train(lr)\n    pass\n', {});
    // the parameter list itself parsed, so the missing argument is still reported
    expect(codes(r.problems)).toEqual(['syntax_error', 'bad_arguments']);
    expect(codes((await checkTrainingCode('def train(lr\n    pass\n', {})).problems)).toEqual(['syntax_error']);
    expect(r.problems[0]!.message).toContain("expected ':'");
  });
});

describe('checkTrainingCode: syntax errors as CPython reports them', () => {
  // [name, source, line, column, part of CPython 3.11's message]
  const cases: Array<[string, string, number, number, string]> = [
    ['smart quotes', 'def train():\n    print(“hi”)\n', 2, 11, "invalid character '“' (U+201C)"],
    ['missing comma', 'def train():\n    xs = [1, 2 3]\n', 2, 14, 'Perhaps you forgot a comma?'],
    ['Windows path escape', 'def train():\n    p = "C:\\Users\\me"\n', 2, 22, 'truncated \\UXXXXXXXX escape'],
    ['tab/space mix', 'def train():\n\tx = 1\n        y = 2\n', 3, 1, 'inconsistent use of tabs and spaces'],
    ['missing indented block', 'def train():\nreturn 1\n', 2, 1, 'expected an indented block after function definition on line 1'],
    ['incomplete statement', 'def train():\n    x = 1 +\n    return x\n', 2, 12, 'invalid syntax'],
    ['non-ASCII before the error', 'def train():\n    é = "ü" +* 1\n', 2, 14, 'invalid syntax'],
    ['lone carriage returns', 'def train():\r    x = = 1\r', 2, 9, 'invalid syntax'],
  ];
  for (const [name, src, line, column, text] of cases) {
    it(name, async () => {
      const p = (await checkTrainingCode(src, {})).problems.find((q) => q.code === 'syntax_error');
      expect(p, 'expected a syntax error').toBeDefined();
      expect({ line: p!.line, column: p!.column }).toEqual({ line, column });
      expect(p!.message).toContain(text);
      expect(p!.hint).toContain(`line ${line}, column ${column}`);
    });
  }

  it('points notebook magics and shell lines at packages', async () => {
    for (const src of ['%pip install torch\ndef train():\n    pass\n', 'def train():\n    !nvidia-smi\n']) {
      const p = (await checkTrainingCode(src, {})).problems.find((q) => q.code === 'syntax_error');
      expect(p?.hint).toContain('notebook magic or shell line');
    }
  });

  it('accepts modern syntax (3.10/3.11) that lezer rejects', async () => {
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
      '',
      '@registry[0].hook',
      'def helper():',
      '    value = (yield)',
      '    s = rf"\\{{literal}}"',
      '    return value',
    ].join('\n');
    const r = await checkTrainingCode(src, { entry: 'train' });
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.checkedBy).toMatch(/^Python 3\.\d+ /);
  });

  it('handles modules with many top-level statements and very long expressions', async () => {
    const many = Array.from({ length: 1500 }, (_, i) => `x${i} = ${i}\n\n# comment ${i}\n`).join('') + 'def train():\n    pass\n';
    expect((await checkTrainingCode(many, {})).ok).toBe(true);
    const long = 'def train():\n    return (' + Array.from({ length: 1200 }, (_, i) => `${i} * x`).join(' +\n        ') + ')\n';
    expect((await checkTrainingCode(long, {})).ok).toBe(true);
    const broken = many.replace('x1400 = 1400', 'x1400 = = 1400');
    const p = (await checkTrainingCode(broken, {})).problems.find((q) => q.code === 'syntax_error');
    expect(p?.line).toBe(1400 * 3 + 1);
  });

  it('never runs the code, not even module-level statements', async () => {
    const marker = path.join(tmpdir(), `kubeflow-mcp-never-run-${process.pid}`);
    const src = `import os\nos.system(${JSON.stringify(`touch ${marker}`)})\nopen(${JSON.stringify(marker)}, "w")\ndef train():\n    pass\n`;
    expect((await checkTrainingCode(src, {})).ok).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('falls back to lezer when the interpreter cannot be started, and only warns', async () => {
    const r = await checkTrainingCode('def train():\n    x = = 1\n', { python: '/nonexistent/python3' });
    expect(r.ok).toBe(true);
    expect(r.checkedBy).toContain('lezer');
    expect(r.checkedBy).toContain('could not be started');
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'syntax_unverified', line: 2, column: 9 })]);
  });

  it('starts the interpreter by its real path, asked once: a shim on PATH is not run for every check', async () => {
    // A stand-in for a pyenv/asdf shim: a shell script that counts its runs and execs python3.
    const dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-shim-'));
    const runs = path.join(dir, 'runs');
    const shim = path.join(dir, 'python3');
    writeFileSync(shim, `#!/bin/sh\necho run >> '${runs}'\nexec python3 "$@"\n`, { mode: 0o755 });
    for (const n of [1, 2, 3]) {
      const r = await checkTrainingCode(`def train():\n    return ${n}\n`, { python: shim });
      expect(r.checkedBy).toMatch(/^Python 3\.\d+ /);
    }
    const bad = await checkTrainingCode('def train(:\n', { python: shim });
    expect(bad.problems.map((p) => p.code)).toEqual(['syntax_error']);
    expect(readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
  });

  it('falls back to lezer when CPython itself gives up (too deeply nested)', async () => {
    const r = await checkTrainingCode('def train():\n    return ' + '-'.repeat(20000) + '1\n', {});
    expect(r.checkedBy).toContain('could not parse it');
    expect(r.ok).toBe(true);
  });
});

describe('checkTrainingCode: the target Python version', () => {
  const typeAlias = 'type Vector = list[float]\ndef train():\n    pass\n';
  const exceptGroup = 'def train():\n    try:\n        pass\n    except* OSError:\n        pass\n';
  const py314 = [
    ['unparenthesized except (PEP 758)', 'def train():\n    try:\n        pass\n    except ValueError, TypeError:\n        pass\n', 4],
    ['t-string (PEP 750)', 'def train(name="x"):\n    s = t"hello {name}"\n', 2],
  ] as const;

  for (const [name, src, line] of py314) {
    it(`does not refuse 3.14 syntax for a 3.14 target when the server's Python is older: ${name}`, async () => {
      const r = await checkTrainingCode(src, { targetPython: '3.14' });
      expect(r.ok).toBe(true);
      expect(r.checkedBy).toMatch(/^Python 3\.1[0-3] for the runtime's Python 3\.14$/);
      expect(r.warnings).toEqual([expect.objectContaining({ code: 'syntax_unverified', line })]);
      expect(r.warnings[0]!.message).toContain('newer than Python');
      expect(r.entry?.name).toBe('train'); // the outline comes from lezer then
    });
    it(`refuses it when the target is the server's Python or older: ${name}`, async () => {
      for (const targetPython of [undefined, '3.11']) {
        const r = await checkTrainingCode(src, { targetPython });
        expect(codes(r.problems)).toEqual(['syntax_error']);
        expect(r.problems[0]!.line).toBe(line);
      }
    });
  }

  it('flags the 3.12 type statement for 3.10 and 3.11 targets, and except* for 3.10', async () => {
    for (const targetPython of ['3.10', '3.11']) {
      expect(codes((await checkTrainingCode(typeAlias, { targetPython })).problems)).toEqual(['syntax_error']);
    }
    expect(codes((await checkTrainingCode(exceptGroup, { targetPython: '3.10' })).problems)).toEqual(['syntax_error']);
    expect((await checkTrainingCode(exceptGroup, { targetPython: '3.11' })).ok).toBe(true);
  });

  it('names the annotation a runtime declares its Python with when the target is unknown', async () => {
    const r = await checkTrainingCode(typeAlias, {});
    expect(r.checkedBy).toContain("runtime's Python version is unknown");
    expect(r.problems[0]!.hint).toContain('kubeflow-mcp/python-version');
  });

  it.skipIf(!existsSync(PY312))('with a newer interpreter, feature_version refuses what it gates and no more', async () => {
    const older = await checkTrainingCode(typeAlias, { targetPython: '3.11', python: PY312 });
    expect(older.problems.map((p) => p.message)).toEqual([expect.stringContaining('only supported in Python 3.12 and greater')]);
    expect((await checkTrainingCode(typeAlias, { targetPython: '3.12', python: PY312 })).ok).toBe(true);
    // PEP 701 f-strings are not gated by feature_version: accepted for a 3.11 target (documented gap)
    expect((await checkTrainingCode('def train(d={}):\n    return f"{d["a"]}"\n', { targetPython: '3.11', python: PY312 })).ok).toBe(true);
  });
});
