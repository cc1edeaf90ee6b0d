/**
 * Hostile input reaching the CustomTrainer shell script is inert: the generated scripts are run
 * with real bash (the entry point replaced by `cat`), and nothing in the code, the call or the
 * package list may execute, end the heredoc early or leave a wrong train.py behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WireValidationError } from '../../src/kubeflow/trainer/errors.js';
import { buildCustomTrainerCommand, funcCode, pipInstallScript, type CustomTrainerCommandInput } from '../../src/kubeflow/trainer/script.js';
import { SDK_GOLDEN, MY_PY } from './sdkGoldens.js';

const work = mkdtempSync(path.join(tmpdir(), 'kubeflow-mcp-safety-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const MARK = path.join(work, 'pwned');

let runs = 0;
/** Runs the script in a fresh directory with `cat` as the entry point. */
function run(script: string, prepare?: (dir: string) => void): { status: number | null; stdout: string; stderr: string; file?: string; dir: string } {
  const dir = path.join(work, `run-${runs++}`);
  mkdirSync(dir);
  prepare?.(dir);
  const lines = script.split('\n');
  const last = lines.pop()!;
  const m = /^(torchrun|python) "([^"]+)"$/.exec(last);
  expect(m).not.toBeNull();
  const fake = [...lines, `cat "${m![2]}"`].join('\n');
  const r = spawnSync('bash', ['-c', fake], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/someone' } });
  const target = path.resolve(dir, m![2]!);
  let file: string | undefined;
  try {
    file = readFileSync(target, 'utf8');
  } catch {
    file = undefined;
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, file, dir };
}

/** What train.py must hold: the code, less the final newline in the SDK's `read`/`printf` form. */
function expectedFile(script: string, code: string): string {
  return script.includes("read -r -d '' SCRIPT << EOM\n") ? code.replace(/\n$/, '') : code;
}

const HOSTILE = [
  `$(touch ${MARK})`,
  `\`touch ${MARK}\``,
  `'; touch ${MARK}; '`,
  `"; touch ${MARK}; "`,
  `a\nb\n$(touch ${MARK})\n`,
  'EOM',
  '~~~~~~~~',
  '~~~~~~~~~',
  "'~~~~~~~~'",
  '${trialParameters.lr}',
  `\${trialParameters.x:-$(touch ${MARK})}`,
  '${HOME}',
  `\${x:-$(touch ${MARK})}`,
  'ends with a backslash \\',
  '\\',
  '\\\nEOM',
  '$',
];

describe('hostile code and arguments are written verbatim and never run', () => {
  it.each(HOSTILE.map((h) => [h]))('%j', (hostile) => {
    const funcSource = `def train(note):\n    s = """\n${hostile}\n"""\n    # ${hostile.split('\n')[0]}\n    print(note, s)\n`;
    const input: CustomTrainerCommandInput = { funcSource, funcName: 'train', funcArgs: { note: hostile }, entry: 'torch' };
    const cmd = buildCustomTrainerCommand(input);
    const code = funcCode(input);
    const r = run(cmd[2]!);
    expect(existsSync(MARK)).toBe(false);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.file).toBe(expectedFile(cmd[2]!, code));
    expect(r.stdout).toBe(r.file);
  });

  it('also under mpirun and python entries, with packages', () => {
    for (const entry of ['mpi', 'python'] as const) {
      const input: CustomTrainerCommandInput = {
        funcSource: `def train():\n    print("$(touch ${MARK})")\n`,
        funcName: 'train',
        entry,
        mpiHome: work,
        packages: ['numpy'],
      };
      const cmd = buildCustomTrainerCommand(input);
      const script = cmd.at(-1)!;
      // Only the heredoc part: the pip prefix needs a real pip.
      const heredoc = script.slice(script.indexOf('\nIFS= read'));
      expect(run(heredoc).file).toBe(funcCode(input));
      expect(existsSync(MARK)).toBe(false);
    }
  });

  it('ordinary code keeps the SDK bytes (goldens)', () => {
    expect(buildCustomTrainerCommand({ funcSource: MY_PY.train, funcName: 'train', funcArgs: { lr: 0.1 }, fileName: 'my.py', entry: 'torch' })).toEqual(
      SDK_GOLDEN.torchBasic,
    );
  });

  it('a train.py that cannot be written fails the script before the entry point runs', () => {
    const cmd = buildCustomTrainerCommand({ funcSource: 'def train():\n    print("$HOME")\n', funcName: 'train', entry: 'python' });
    // A directory in the way: the redirection fails even for root.
    const r = run(cmd[2]!, (dir) => mkdirSync(path.join(dir, 'train.py')));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/could not write train\.py/);
    expect(r.stdout).toBe('');
  });

  it('an MPI home that would break the shell line is refused', () => {
    for (const home of ['/home/$(id)', 'relative', '/home/a b', '/home/"x"']) {
      expect(() => buildCustomTrainerCommand({ funcSource: MY_PY.train, funcName: 'train', entry: 'mpi', mpiHome: home })).toThrow(/MPI home/);
    }
  });
});

describe('packages and index URLs cannot become pip options', () => {
  const pypi = ['https://pypi.org/simple'];
  const refused = (packages: string[], urls = pypi): WireValidationError => {
    try {
      pipInstallScript(packages, urls);
    } catch (e) {
      expect(e).toBeInstanceOf(WireValidationError);
      return e as WireValidationError;
    }
    throw new Error(`accepted ${JSON.stringify(packages)} ${JSON.stringify(urls)}`);
  };

  it.each(['--index-url=https://evil.example/simple', '-r /etc/passwd', '-r', '-e git+https://github.com/x/y', '--pre', '-', ' -r x'])(
    'refuses option-like package %j',
    (p) => {
      const e = refused(['numpy', p]);
      expect(e.code).toBe('invalid_packages');
      expect(e.field).toBe('packages[1]');
      expect(e.message).toMatch(/pip option/);
      expect(e.hint).toMatch(/pip_index_urls/);
    },
  );

  it.each(['numpy rm', 'numpy==', 'a; b; c', 'numpy @', '$(id)', 'numpy`id`', "x'", 'numpy ; os_name == `id`'])('refuses %j as no requirement', (p) => {
    const e = refused([p]);
    expect(e.code).toBe('invalid_packages');
    expect(e.hint).toMatch(/PEP 508/);
  });

  it.each(['-r', '--trusted-host=evil.example', 'not a url', 'ftp://x.example/simple', 'https://'])('refuses index URL %j', (u) => {
    const e = refused(['numpy'], ['https://pypi.org/simple', u]);
    expect(e.field).toBe('pipIndexUrls[1]');
  });

  const ORDINARY = [
    'numpy',
    'torch==2.1.0+cu121',
    'transformers[torch,sentencepiece]==4.44.0',
    'numpy>=1.26,<2',
    'scipy (>=1.10)',
    'pkg~=1.4.2',
    'Django>=3.0 ; python_version >= "3.8" and os_name == \'posix\'',
    'mylib @ https://example.com/mylib-1.0-py3-none-any.whl',
    'mylib[extra] @ git+https://github.com/org/mylib@v1.0 ; sys_platform == "linux"',
    'git+https://github.com/org/repo.git@main#egg=repo',
    'https://example.com/pkg-1.0.tar.gz',
    '/workspace/pkg-1.0-py3-none-any.whl',
    './local_pkg',
    'flash-attn==2.5.8',
    'zope.interface',
  ];

  it('accepts requirements, URLs and paths, and hands each to pip as one argument', () => {
    const script = pipInstallScript(ORDINARY, ['https://pypi.org/simple', 'https://download.pytorch.org/whl/cu121', 'file:///srv/wheels']);
    // A fake python that records its argv: what pip would receive.
    const bin = path.join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'python'), '#!/usr/bin/env node\nrequire("fs").writeFileSync(process.env.ARGV_OUT, JSON.stringify(process.argv.slice(2)));\n');
    chmodSync(path.join(bin, 'python'), 0o755);
    writeFileSync(path.join(bin, 'pip'), '#!/bin/sh\n');
    chmodSync(path.join(bin, 'pip'), 0o755);
    const out = path.join(work, 'argv.json');
    execFileSync('bash', ['-c', script], { cwd: work, env: { PATH: `${bin}:${process.env.PATH}`, ARGV_OUT: out }, stdio: 'ignore' });
    const argv = JSON.parse(readFileSync(out, 'utf8')) as string[];
    expect(argv.slice(-ORDINARY.length)).toEqual(ORDINARY);
    expect(argv).toContain('file:///srv/wheels');
  });
});
