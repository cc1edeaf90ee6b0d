/**
 * Asks a real CPython whether the code parses, and for the module's outline (outline.ts).
 *
 * `python3 -I -S -c CHECKER` per call (about 25 ms), the source on stdin, never on the command
 * line. The interpreter is started by its real path, asked once ({@link executableOf}): a pyenv
 * or asdf shim on PATH is a shell script that costs some 200 ms per start on its own. The child
 * caps its own address space (RLIMIT_AS) before reading the source, is killed after
 * {@link TIMEOUT_MS}, and only calls `ast.parse`: the code is never compiled to bytecode nor run. With a target Python older than the interpreter, `feature_version` makes the parser refuse
 * the newer syntax it knows to gate (docs/architecture.md, "Python checks", lists what it does
 * and does not catch). Results are cached by (interpreter, target, entry, source).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Outline, ParseError } from './outline.js';

const TIMEOUT_MS = 5_000;
const MEMORY_BYTES = 512 * 1024 * 1024;
const MAX_OUTPUT = 1_000_000;

const CHECKER = String.raw`
import ast, json, re, resource, sys
hard = resource.getrlimit(resource.RLIMIT_AS)[1]
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]) if hard == resource.RLIM_INFINITY else min(int(sys.argv[1]), hard),) * 2)
entry, target = sys.argv[2], tuple(int(x) for x in sys.argv[3].split('.')) if sys.argv[3] else None
src = sys.stdin.buffer.read().decode('utf-8', 'replace')
me = sys.version_info[:2]
out = {'version': '%d.%d' % me}
lines = re.split(r'\r\n|\r|\n', src)
def pos(n):
    return {'line': n.lineno, 'column': len(lines[n.lineno - 1].encode()[:n.col_offset].decode('utf-8', 'replace')) + 1}
def seg(n):
    return re.sub(r'\s+', ' ', ast.get_source_segment(src, n) or ast.unparse(n)).strip()
def param(a, kind, default=None, star=''):
    text = star + a.arg + (': ' + seg(a.annotation) if a.annotation else '')
    if default is not None:
        text += (' = ' if a.annotation else '=') + seg(default)
    return {'name': a.arg, 'kind': kind, 'hasDefault': default is not None, 'text': text}
def params(a):
    pos_ = a.posonlyargs + a.args
    defaults = [None] * (len(pos_) - len(a.defaults)) + a.defaults
    ps = [param(p, 'positional_only' if i < len(a.posonlyargs) else 'positional_or_keyword', d) for i, (p, d) in enumerate(zip(pos_, defaults))]
    if a.vararg: ps.append(param(a.vararg, 'var_positional', star='*'))
    ps += [param(p, 'keyword_only', d) for p, d in zip(a.kwonlyargs, a.kw_defaults)]
    if a.kwarg: ps.append(param(a.kwarg, 'var_keyword', star='**'))
    return ps
DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
SCOPES = DEFS + (ast.Lambda, ast.ClassDef)
def is_generator(fn):
    todo = [c for c in fn.body if not isinstance(c, SCOPES)]
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.Yield, ast.YieldFrom)): return True
        todo += [c for c in ast.iter_child_nodes(n) if not isinstance(c, SCOPES)]
    return False
BLOCKS = {'If': 'an if block', 'Try': 'a try block', 'TryStar': 'a try block', 'With': 'a with block', 'For': 'a for loop', 'While': 'a while loop'}
def nested_in(node, owner):
    for c in ast.iter_child_nodes(node):
        if isinstance(c, DEFS) and owner and c.name == entry: return owner
        inner = "function '%s'" % c.name if isinstance(c, DEFS) else "class '%s'" % c.name if isinstance(c, ast.ClassDef) else owner or BLOCKS.get(type(c).__name__)
        found = nested_in(c, inner)
        if found: return found
def bound(s):
    if isinstance(s, ast.ClassDef): return [(s.name, 'a class')]
    if isinstance(s, ast.Assign): return [(t.id, 'a variable assigned with =') for t in s.targets if isinstance(t, ast.Name)]
    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name): return [(s.target.id, 'a variable assigned with =')]
    if isinstance(s, (ast.Import, ast.ImportFrom)): return [(a.asname or a.name.split('.')[0], 'an imported name') for a in s.names]
    return []
fv = max(target, (3, 7)) if target and target < me else None
try:
    tree = ast.parse(src, '<training>', feature_version=fv) if fv else ast.parse(src, '<training>')
except SyntaxError as e:
    out['error'] = {'message': e.msg, 'line': e.lineno, 'column': e.offset}
except ValueError as e:
    out['error'] = {'message': str(e)}
except (MemoryError, RecursionError) as e:
    out['failed'] = '%s: %s' % (type(e).__name__, e)
else:
    defs = [s for s in tree.body if isinstance(s, DEFS)]
    o = out['outline'] = {'functions': list(dict.fromkeys(d.name for d in defs))}
    fn = next((d for d in reversed(defs) if d.name == entry), None)
    if fn:
        o['entry'] = dict(pos(fn), isAsync=isinstance(fn, ast.AsyncFunctionDef), isGenerator=is_generator(fn), params=params(fn.args))
    other = [dict(pos(s), what=w) for s in tree.body for n, w in bound(s) if n == entry]
    if other: o['other'] = other[-1]
    owner = nested_in(tree, None)
    if owner: o['nestedIn'] = owner
print(json.dumps(out))
`;

const where = { line: z.number().int(), column: z.number().int() };
const param = z.object({
  name: z.string(),
  kind: z.enum(['positional_only', 'positional_or_keyword', 'var_positional', 'keyword_only', 'var_keyword']),
  hasDefault: z.boolean(),
  text: z.string(),
});
const reply = z.object({
  version: z.string().regex(/^\d+\.\d+$/),
  error: z.object({ message: z.string(), line: z.number().int().nullish(), column: z.number().int().nullish() }).optional(),
  failed: z.string().optional(),
  outline: z
    .object({
      functions: z.array(z.string()),
      entry: z.object({ ...where, isAsync: z.boolean(), isGenerator: z.boolean(), params: z.array(param) }).optional(),
      other: z.object({ ...where, what: z.string() }).optional(),
      nestedIn: z.string().optional(),
    })
    .optional(),
});

export interface CPythonVerdict {
  /** the interpreter's `major.minor` */
  version: string;
  /** set when the source does not parse */
  error?: ParseError;
  /** set when the source parses */
  outline?: Outline;
  /** set when the interpreter could not judge (too deeply nested for its parser, out of memory) */
  failed?: string;
}

const cache = new Map<string, Promise<CPythonVerdict | { unavailable: string }>>();
const CACHE_SIZE = 200;

/**
 * Parses `text` with `python` (default `python3`), for the target `major.minor` if known.
 * Resolves to `{ unavailable }` when no interpreter could be run or it gave no usable answer.
 */
export function cpythonParse(text: string, entry: string, target: string | undefined, python = 'python3'): Promise<CPythonVerdict | { unavailable: string }> {
  const key = createHash('sha256')
    .update(JSON.stringify([python, target ?? '', entry, text]))
    .digest('hex');
  const hit = cache.get(key);
  if (hit) return hit;
  const result = executableOf(python)
    .then((exe) => run(python, exe, CHECKER, [String(MEMORY_BYTES), entry, target ?? ''], text))
    .then(
      (stdout) => {
        const parsed = reply.safeParse(safeJson(stdout.trim().split('\n').pop() ?? ''));
        if (!parsed.success) return { unavailable: `${python} gave no usable answer` };
        const { version, error, failed, outline } = parsed.data;
        if (error) return { version, error: { message: error.message, line: error.line ?? undefined, column: error.column ?? undefined } };
        return failed || !outline ? { version, failed: failed ?? 'no outline' } : { version, outline };
      },
      (err: Error) => ({ unavailable: err.message }),
    );
  cache.set(key, result);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  // a failed run (no interpreter yet, a timeout under load) is retried next time
  void result.then((r) => 'unavailable' in r && cache.delete(key));
  return result;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

const executables = new Map<string, Promise<string>>();

/**
 * The absolute path of the interpreter `python` names (its `sys.executable`), asked once; the
 * name itself when it cannot say (then asked again next time). Run as the checks run it, so a
 * shim picks the interpreter it would pick for them.
 */
function executableOf(python: string): Promise<string> {
  let known = executables.get(python);
  if (!known) {
    known = run(python, python, 'import sys; sys.stdout.write(sys.executable)', [], '').then(
      (out) => (path.isAbsolute(out) && existsSync(out) ? out : python),
      () => python,
    );
    executables.set(python, known);
    void known.then((exe) => exe === python && executables.delete(python));
  }
  return known;
}

/** Runs `code` with the interpreter at `exe`; `python` is the name errors speak of. */
function run(python: string, exe: string, code: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, ['-I', '-S', '-c', code, ...args], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'ignore'],
      timeout: TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.length > MAX_OUTPUT) child.kill('SIGKILL');
    });
    child.on('error', (e) => reject(new Error(`${python} could not be started (${e.message})`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else
        reject(
          new Error(signal === 'SIGKILL' ? `${python} was stopped after ${TIMEOUT_MS / 1000} s or too much output` : `${python} exited with code ${code}`),
        );
    });
    child.stdin.on('error', () => {}); // the child may exit before reading everything
    child.stdin.end(input);
  });
}
