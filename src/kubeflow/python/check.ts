/**
 * Static checks of user Python training code for `run_custom_training` and `optimize`.
 *
 * The server never runs the code. It checks that:
 *  - the source parses, for the Python the job will run (target.ts): asked of a real CPython
 *    (cpython.ts, `ast.parse` only); without one, lezer's grammar (lezer.ts) only warns;
 *  - it defines the entry function (default `train`) as a top-level, non-async, non-generator
 *    `def`;
 *  - `entry(**func_args)` binds (signature.ts).
 *
 * The source is dedented first (Python's `textwrap.dedent`, as the Kubeflow SDK does). Positions
 * are 1-based lines and columns (code points) in the source as given. docs/architecture.md
 * ("Python checks") says which parser decides what, per interpreter and target version.
 */
import { cpythonParse } from './cpython.js';
import type { Outline, ParseError, PyParam, Where } from './outline.js';
import { checkBinding, renderSignature } from './signature.js';
import { PYTHON_VERSION_ANNOTATION } from './target.js';
import { LineIndex, dedent, excerpt, isKeyword, isPythonIdentifier } from './text.js';

export interface PyProblem {
  code: 'syntax_error' | 'entry_missing' | 'entry_not_function' | 'bad_arguments' | 'empty_source';
  message: string;
  /** 1-based line in the source as given */
  line?: number;
  /** 1-based column (Unicode code points) in the source as given */
  column?: number;
  hint: string;
}

/** A syntax problem the checker could not confirm for the target Python (it does not refuse). */
interface PyWarning extends Omit<PyProblem, 'code'> {
  code: 'syntax_unverified';
}

export interface PyCheckResult {
  ok: boolean;
  problems: PyProblem[];
  warnings: PyWarning[];
  /** names of the top-level `def`s (sync and async), in source order, without duplicates */
  functions: string[];
  entry?: { name: string; params: PyParam[]; line: number; isAsync: boolean };
  /** what judged the syntax, e.g. "Python 3.11 for the runtime's Python 3.10" */
  checkedBy: string;
}

export interface PyCheckOptions {
  /** entry function name (default `train`) */
  entry?: string;
  /** the keyword arguments the entry will be called with (`entry(**funcArgs)`); absent = `entry()` */
  funcArgs?: Record<string, unknown>;
  /** `major.minor` of the Python that runs the job, when known (target.ts) */
  targetPython?: string;
  /** the interpreter to ask (default `python3` on PATH) */
  python?: string;
  /** `lezer` skips CPython (tests of the fallback) */
  parser?: 'auto' | 'lezer';
}

/** The grammar is loaded on first use: where CPython answers it is needed only for outlines it did not give. */
const lezer = () => import('./lezer.js');

/** Checks user training code statically. Never throws; `ok` is true iff `problems` is empty. */
export async function checkTrainingCode(source: string, opts: PyCheckOptions = {}): Promise<PyCheckResult> {
  const entryName = opts.entry ?? 'train';
  const empty = (message: string): PyCheckResult => ({
    ok: false,
    problems: [
      { code: 'empty_source', message, hint: `Pass the Python source that defines \`def ${entryName}(...)\` (the function run in each training pod).` },
    ],
    warnings: [],
    functions: [],
    checkedBy: 'nothing (no code)',
  });
  if (typeof source !== 'string') return empty('no Python source was given');
  const d = dedent(source);
  const text = d.text;
  if (text.split(/\r\n|\r|\n/).every((l) => /^[ \t\f]*(#.*)?$/.test(l))) {
    return empty(source.trim() === '' ? 'the Python source is empty' : 'the Python source has no code (only comments or blank lines)');
  }
  const lines = new LineIndex(text);
  const orig = new LineIndex(source);
  const where = (w: Partial<Where>): Partial<Where> => {
    if (w.line === undefined) return {};
    const o = d.toOriginal(lines.offset(w.line, w.column ?? 1));
    return { line: orig.line(o), column: orig.column(o) };
  };

  const target = opts.targetPython && /^3\.\d{1,2}$/.test(opts.targetPython) ? opts.targetPython : undefined;
  const validEntry = isPythonIdentifier(entryName) && !isKeyword(entryName);
  const py =
    opts.parser === 'lezer' ? { unavailable: 'the lezer fallback was asked for' } : await cpythonParse(text, validEntry ? entryName : '', target, opts.python);
  const problems: PyProblem[] = [];
  const warnings: PyWarning[] = [];
  let outline: Outline;
  let error: ParseError | undefined;
  let checkedBy: string;
  /** why an error does not refuse; empty when it does */
  let doubt = 'lezer is not CPython and rejects some valid code';
  if ('unavailable' in py || (py.outline === undefined && py.error === undefined)) {
    const reason = 'unavailable' in py ? py.unavailable : `Python ${py.version} could not parse it: ${py.failed}`;
    ({ outline, error } = (await lezer()).lezerParse(text, entryName));
    checkedBy = `lezer, an editor grammar (${reason})`;
  } else {
    outline = py.outline ?? (await lezer()).lezerParse(text, entryName).outline;
    error = py.error;
    doubt =
      target === undefined || versionAtMost(target, py.version)
        ? ''
        : `the runtime runs Python ${target}, newer than Python ${py.version} on the server, so this may be newer syntax`;
    checkedBy = `Python ${py.version} ${target ? `for the runtime's Python ${target}` : "(the runtime's Python version is unknown)"}`;
  }

  if (error) {
    const nul = text.indexOf('\0');
    const at = error.line === undefined && nul >= 0 ? where({ line: lines.line(nul), column: lines.column(nul) }) : where(error);
    const quoted = at.line ? excerpt(orig.lineText(at.line)) : '';
    const spot = at.line ? `line ${at.line}${at.column ? `, column ${at.column}` : ''}` : 'the source';
    const notebook = /^[%!]/.test(quoted) ? ' A notebook magic or shell line is not Python: put pip packages in packages and remove the line.' : '';
    if (!doubt) {
      problems.push({
        code: 'syntax_error',
        message: quoted ? `${error.message} (in \`${quoted}\`)` : error.message,
        ...at,
        hint:
          `Fix the code at ${spot}; checked by ${checkedBy}.${notebook}` +
          (target
            ? ''
            : ` If the runtime's image runs a newer Python with this syntax, ask for the runtime to declare it (annotation ${PYTHON_VERSION_ANNOTATION}).`),
      });
    } else {
      warnings.push({
        code: 'syntax_unverified',
        message: `possible syntax error at ${spot}: ${error.message}${quoted ? ` (in \`${quoted}\`)` : ''}; not refused: ${doubt}`,
        ...at,
        hint: `Check that spot before submitting: a real syntax error makes the job fail at start.${notebook}`,
      });
    }
  }

  const result: PyCheckResult = { ok: false, problems, warnings, functions: outline.functions, checkedBy };
  const found = outline.functions.length ? ` (functions found: ${outline.functions.join(', ')})` : '';
  if (!validEntry) {
    problems.push({
      code: 'entry_missing',
      message: `entry ${JSON.stringify(entryName)} is not a valid Python function name`,
      hint: `Pass the name of a top-level function defined in the source${found}.`,
    });
    return result;
  }

  const fn = outline.entry;
  if (!fn) {
    if (outline.other) {
      problems.push({
        code: 'entry_not_function',
        message: `'${entryName}' is ${outline.other.what}, not a function defined with def`,
        hint: `Define the entry as a top-level \`def ${entryName}(...)\`${found ? `, or pass entry='${outline.functions[0]}'${found}` : ''}.`,
        ...where(outline.other),
      });
    } else if (!(problems.length && new RegExp(`(^|\\n)[ \\t]*(async[ \\t]+)?def[ \\t]+${entryName}\\b`).test(text))) {
      // (a broken `def` of the entry is the syntax error already reported; a mere warning is not enough)
      const hint = outline.nestedIn
        ? `'${entryName}' is defined inside ${outline.nestedIn}; move \`def ${entryName}(...)\` to the top level of the source (it is called at module level).`
        : found
          ? `Define \`def ${entryName}(...)\` at the top level, or pass entry='${outline.functions[0]}'${found}.`
          : `Define \`def ${entryName}(...)\` at the top level of the source (no top-level functions found).`;
      problems.push({ code: 'entry_missing', message: `no top-level function '${entryName}' is defined in the source`, hint });
    }
    result.ok = problems.length === 0;
    return result;
  }

  const at = where(fn);
  result.entry = {
    name: entryName,
    params: (fn.params ?? []).map(({ name, kind, hasDefault }) => ({ name, kind, hasDefault })),
    line: at.line!,
    isAsync: fn.isAsync,
  };
  if (fn.isAsync) {
    problems.push({
      code: 'entry_not_function',
      message: `entry function '${entryName}' must not be async: the training script calls ${entryName}(**func_args) directly, so the coroutine would never run`,
      hint: `Make it a plain \`def ${entryName}(...)\` and run async code inside it with asyncio.run(...).`,
      ...at,
    });
  } else if (fn.isGenerator) {
    problems.push({
      code: 'entry_not_function',
      message: `entry function '${entryName}' is a generator (it contains yield): calling ${entryName}(**func_args) would only create a generator and never run its body`,
      hint: `Remove the yield from '${entryName}' (log or return values instead), or move the generator into a helper that '${entryName}' iterates.`,
      ...at,
    });
  }
  if (fn.params) {
    for (const issue of checkBinding(renderSignature(entryName, fn.params), fn.params, opts.funcArgs)) {
      problems.push({ code: 'bad_arguments', message: issue.message, hint: issue.hint, ...at });
    }
  }
  result.ok = problems.length === 0;
  return result;
}

/** `a` <= `b` for `major.minor` versions (numerically: 3.9 < 3.10). */
const versionAtMost = (a: string, b: string): boolean => a.localeCompare(b, 'en', { numeric: true }) <= 0;
