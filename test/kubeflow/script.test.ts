import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WireValidationError } from '../../src/kubeflow/trainer/errors.js';
import { buildCustomTrainerCommand, entryCommandTemplate, funcCode, pipInstallScript, pythonDedent, shellQuote } from '../../src/kubeflow/trainer/script.js';
import { MY_PY, SDK_GOLDEN } from './sdkGoldens.js';

describe('CustomTrainer command: byte-identical to SDK 0.5.0', () => {
  it('reproduces the SDK script for train(lr) defined in my.py', () => {
    const cmd = buildCustomTrainerCommand({ funcSource: MY_PY.train, funcName: 'train', funcArgs: { lr: 0.1 }, fileName: 'my.py', entry: 'torch' });
    expect(cmd).toEqual([
      'bash',
      '-c',
      '\nread -r -d \'\' SCRIPT << EOM\n\ndef train(lr):\n    print(lr)\n\ntrain(**{\'lr\': 0.1})\n\nEOM\nprintf "%s" "$SCRIPT" > "my.py"\ntorchrun "my.py"',
    ]);
    expect(cmd).toEqual(SDK_GOLDEN.torchBasic);
  });

  it('calls funcname() without arguments', () => {
    expect(buildCustomTrainerCommand({ funcSource: MY_PY.train, funcName: 'train', fileName: 'my.py', entry: 'torch' })).toEqual(SDK_GOLDEN.torchNoargs);
    expect(buildCustomTrainerCommand({ funcSource: MY_PY.train, funcName: 'train', funcArgs: null, fileName: 'my.py', entry: 'torch' })).toEqual(
      SDK_GOLDEN.torchNoargs,
    );
  });

  it('prefixes the pip installation script (quoting, extra index, f-string source untouched)', () => {
    const cmd = buildCustomTrainerCommand({
      funcSource: MY_PY.trainMany,
      funcName: 'train_many',
      funcArgs: { lr: 0.00001, epochs: 3, flag: true, name: "it's", path: '/data/x', extra: null },
      fileName: 'my.py',
      packages: ['numpy', 'transformers[torch]==4.44.0'],
      pipIndexUrls: ['https://pypi.org/simple', 'https://download.pytorch.org/whl/cu121'],
      entry: 'torch',
    });
    expect(cmd).toEqual(SDK_GOLDEN.torchPip);
  });

  it('MPI: mpirun prefix, script and pip log under the MPI home', () => {
    const cmd = buildCustomTrainerCommand({
      funcSource: MY_PY.train,
      funcName: 'train',
      funcArgs: { lr: 0.5 },
      fileName: 'my.py',
      packages: ['deepspeed'],
      pipIndexUrls: ['https://pypi.org/simple'],
      entry: 'mpi',
      mpiHome: '/home/mpiuser',
    });
    expect(cmd).toEqual(SDK_GOLDEN.mpiPip);
  });

  it('plain python entry; dedents an indented method with its decorator', () => {
    const cmd = buildCustomTrainerCommand({ funcSource: MY_PY.nested, funcName: 'nested', funcArgs: { x: [1, 2.5, 'a'] }, fileName: 'my.py', entry: 'python' });
    expect(cmd).toEqual(SDK_GOLDEN.pythonNested);
  });

  it('exposes the runtime entry templates with SDK placeholders', () => {
    expect(entryCommandTemplate('torchtune')).toEqual(['tune', 'run']);
    expect(entryCommandTemplate('mpi').slice(0, 5)).toEqual(['mpirun', '--hostfile', '/etc/mpi/hostfile', 'bash', '-c']);
    expect(entryCommandTemplate('torch')[2]).toBe(
      '\nread -r -d \'\' SCRIPT << EOM\n\n{func_code}\nEOM\nprintf "%s" "$SCRIPT" > "{func_file}"\ntorchrun "{func_file}"',
    );
  });

  it('normalises CRLF and a missing final newline as inspect.getsource would', () => {
    const crlf = buildCustomTrainerCommand({
      funcSource: 'def train(lr):\r\n    print(lr)',
      funcName: 'train',
      funcArgs: { lr: 0.1 },
      fileName: 'my.py',
      entry: 'torch',
    });
    expect(crlf).toEqual(SDK_GOLDEN.torchBasic);
  });

  it('placeholder-like text in the code is not substituted', () => {
    const cmd = buildCustomTrainerCommand({ funcSource: 'def train():\n    print("{func_file}")\n', funcName: 'train', entry: 'python' });
    expect(cmd[2]).toContain('print("{func_file}")');
    expect(cmd[2]).toContain('> "train.py"');
  });
});

describe('pip prefix pieces', () => {
  it('shlex.quote semantics', () => {
    expect(shellQuote('numpy')).toBe('numpy');
    expect(shellQuote('torch==2.1.0')).toBe('torch==2.1.0');
    expect(shellQuote('a@b%c+d=e:f,g./h-i_j')).toBe('a@b%c+d=e:f,g./h-i_j');
    expect(shellQuote('transformers[torch]')).toBe("'transformers[torch]'");
    expect(shellQuote('numpy>=1.0')).toBe("'numpy>=1.0'");
    expect(shellQuote("we'ird")).toBe(`'we'"'"'ird'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
  });

  it('matches the SDK prefix for quoted packages', () => {
    // From SDK 0.5.0 get_script_for_python_packages(['numpy', 'transformers[torch]', "requests; os_name == 'posix'"], [pypi, x.example]).
    const expected =
      '\nif ! [ -x "$(command -v pip)" ]; then\n    python -m ensurepip || python -m ensurepip --user || apt-get install python-pip\nfi\n\n\n' +
      "PACKAGES=(numpy 'transformers[torch]' 'requests; os_name == '\"'\"'posix'\"'\"'')\nPIP_OPTS=(--index-url https://pypi.org/simple --extra-index-url https://x.example/simple)\n" +
      'LOG_FILE="pip_install.log"\nrm -f "$LOG_FILE"\n\n' +
      'if PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1 python -m pip install --quiet \\\n    --no-warn-script-location "${PIP_OPTS[@]}" --user "${PACKAGES[@]}" >"$LOG_FILE" 2>&1; then\n' +
      '    echo "Successfully installed Python packages (user): ${PACKAGES[*]}"\n' +
      'elif PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1 python -m pip install --quiet \\\n    --no-warn-script-location "${PIP_OPTS[@]}" "${PACKAGES[@]}" >>"$LOG_FILE" 2>&1; then\n' +
      '    echo "Successfully installed Python packages (system-wide): ${PACKAGES[*]}"\n' +
      'else\n    echo "ERROR: Failed to install Python packages: ${PACKAGES[*]}" >&2\n    cat "$LOG_FILE" >&2\n    exit 1\nfi\n\n';
    expect(pipInstallScript(['numpy', 'transformers[torch]', "requests; os_name == 'posix'"], ['https://pypi.org/simple', 'https://x.example/simple'])).toBe(
      expected,
    );
  });

  it('refuses unusable package lists', () => {
    expect(() => pipInstallScript(['numpy\nrm -rf /'], ['https://pypi.org/simple'])).toThrow(WireValidationError);
    expect(() => pipInstallScript([' '], ['https://pypi.org/simple'])).toThrow(/packages\[0\]/);
    expect(() => pipInstallScript(['numpy'], [])).toThrow(/index URL/);
  });
});

describe('textwrap.dedent semantics', () => {
  it.each([
    ['  a\n  b\n', 'a\nb\n'],
    ['  a\n    b\n', 'a\n  b\n'],
    ['\ta\n\tb', 'a\nb'],
    ['  a\n\tb\n', '  a\n\tb\n'],
    ['    a\n  \n    b\n', 'a\n\nb\n'],
    ['  a\n \t\n  b', 'a\n\nb'],
    ['  \t a\n  \t b', 'a\nb'],
    ['  \t a\n  \tb', ' a\nb'],
    ['a\n  b', 'a\n  b'],
    ['', ''],
  ])('%j', (input, want) => {
    expect(pythonDedent(input)).toBe(want);
  });
});

describe('input checks', () => {
  const base = { funcSource: MY_PY.train, funcName: 'train', entry: 'torch' as const };
  it('rejects names that are not identifiers or not defined', () => {
    expect(() => funcCode({ ...base, funcName: 'train()' })).toThrow(/not a Python identifier/);
    expect(() => funcCode({ ...base, funcName: 'fit' })).toThrow(/does not define a top-level function 'fit'/);
    expect(() => funcCode({ funcSource: 'x = 1\n', funcName: 'train' })).toThrow(WireValidationError);
    expect(funcCode({ funcSource: 'async def train():\n    pass\n', funcName: 'train' })).toBe('async def train():\n    pass\n\ntrain()\n');
  });

  it('rejects func args that are not an object', () => {
    expect(() => funcCode({ ...base, funcArgs: [1, 2] as unknown as Record<string, unknown> })).toThrow(/funcArgs/);
  });

  it('a line that would end the SDK heredoc gets the guarded form instead of a refusal', () => {
    const src = 'def train():\n    s = """\nEOM\n"""\n';
    expect(buildCustomTrainerCommand({ ...base, funcSource: src })[2]).toContain("<< '~~~~~~~~'\n");
    expect(buildCustomTrainerCommand({ ...base, funcSource: 'def train():\n    s = """\nEOM \n"""\n' })[2]).toContain('<< EOM\n');
  });

  it('rejects file names that would break the shell line', () => {
    for (const bad of ['a"b.py', '$x.py', 'a b.py', '', '.', '..']) {
      expect(() => buildCustomTrainerCommand({ ...base, fileName: bad })).toThrow(/file name/);
    }
    expect(buildCustomTrainerCommand({ ...base, fileName: '/tmp/ipykernel_1/123.py' })[2]).toContain('> "123.py"');
  });
});

describe('guarded heredoc for code bash would alter (deliberate difference, docs/wire-decisions.md)', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'kubeflow-mcp-script-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs the emitted script with `cat` as the entry point; returns what Python would have run. */
  function runScript(script: string, entry: 'torchrun' | 'python'): { stdout: string; file: string } {
    const lines = script.split('\n');
    const last = lines.pop()!;
    expect(last.startsWith(`${entry} "`)).toBe(true);
    const fake = [...lines, last.replace(entry, 'cat')].join('\n');
    const stdout = execFileSync('bash', ['-c', fake], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/someone' },
    });
    const file = readFileSync(path.join(work, last.slice(entry.length + 2, -1)), 'utf8');
    return { stdout, file };
  }

  const tricky = [
    'def train(lr, note):',
    '    import re, os, subprocess',
    '    pat = re.compile("\\\\d+\\.\\d*")   # both "\\\\d" and "\\d" spellings',
    '    home = os.environ["HOME"]',
    '    print(f"$HOME is {home}, lr={lr!r}, cost=${lr * 100:.2f}")',
    "    print('single $PATH', \"double `date`\", r'raw \\n \\\\ \\$ \\`')",
    '    total = 1 + \\',
    '        2',
    '    cmd = `echo not python`' + ' if False else None',
    '    return pat, $(echo)' + ' if False else None',
    '',
  ].join('\n');

  it('bash writes the source exactly as given', () => {
    const input = { funcSource: tricky, funcName: 'train', funcArgs: { lr: 0.01, note: 'costs $5 \\ `x`' }, fileName: 'tricky.py', entry: 'torch' as const };
    const cmd = buildCustomTrainerCommand(input);
    expect(cmd[2]).toContain("IFS= read -r -d '' SCRIPT << '~~~~~~~~'\n");
    const want = `${tricky}\ntrain(**{'lr': 0.01, 'note': 'costs $5 \\\\ \`x\`'})\n`;
    expect(funcCode(input)).toBe(want);
    const { stdout, file } = runScript(cmd[2]!, 'torchrun');
    expect(file).toBe(want);
    expect(stdout).toBe(want);
  });

  it('the SDK form would have let bash rewrite it', () => {
    const src = 'def train():\n    print("$HOME", "\\\\d", `x`)\n';
    const sdkStyle = `\nread -r -d '' SCRIPT << EOM\n\n${funcCode({ funcSource: src, funcName: 'train' })}\nEOM\nprintf "%s" "$SCRIPT" > "sdk.py"\npython "sdk.py"`;
    const { file } = runScript(sdkStyle, 'python');
    expect(src).toContain('"\\\\d"');
    expect(file).toBe('def train():\n    print("/home/someone", "\\d", )\n\ntrain()');
    // With a ${...} expression that is not a shell parameter (an f-string format) bash fails outright.
    expect(runScript(sdkStyle.replace('$HOME', '${lr * 100:.2f}'), 'python').file).toBe('');
  });

  it('Katib placeholders the caller declares stay in the SDK form; bash leaves the substituted value alone', () => {
    const placeholder = '${trialParameters.lr}';
    const cmd = buildCustomTrainerCommand({
      funcSource: MY_PY.train,
      funcName: 'train',
      funcArgs: { lr: placeholder },
      fileName: 'my.py',
      entry: 'torch',
      substituted: [placeholder],
    });
    expect(cmd[2]).toContain("<< EOM\n\ndef train(lr):\n    print(lr)\n\ntrain(**{'lr': '${trialParameters.lr}'})\n\nEOM\n");
    // Katib substitutes the placeholder in the CR before the pod (and bash) ever runs.
    const substituted = cmd[2]!.replace(placeholder, '0.01');
    expect(runScript(substituted, 'torchrun').file).toBe("def train(lr):\n    print(lr)\n\ntrain(**{'lr': '0.01'})");
  });

  it("the same text without the declaration is the user's and is written literally", () => {
    const cmd = buildCustomTrainerCommand({
      funcSource: MY_PY.train,
      funcName: 'train',
      funcArgs: { lr: '${trialParameters.lr}' },
      fileName: 'my.py',
      entry: 'torch',
    });
    expect(runScript(cmd[2]!, 'torchrun').file).toBe("def train(lr):\n    print(lr)\n\ntrain(**{'lr': '${trialParameters.lr}'})\n");
  });

  it('the delimiter grows past any line of tildes in the code', () => {
    const src = 'def train():\n    s = """\n~~~~~~~~\n~~~~~~~~~\n$x"""\n';
    expect(buildCustomTrainerCommand({ funcSource: src, funcName: 'train', entry: 'python' })[2]).toContain("<< '~~~~~~~~~~'\n");
  });
});
