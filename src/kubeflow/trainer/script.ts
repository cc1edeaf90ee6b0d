/**
 * The CustomTrainer container command (docs/wire/trainer.md#customtrainer-command), byte-equal to SDK 0.5.0 for ordinary code:
 *
 *   <pip prefix, only with packages>
 *   read -r -d '' SCRIPT << EOM          (after a leading empty line)
 *
 *   <FUNC_CODE = dedent(source) + "\n" + call + "\n">
 *   EOM
 *   printf "%s" "$SCRIPT" > "<file>"
 *   <torchrun|python> "<file>"
 *
 * The SDK's `EOM` delimiter is unquoted, so bash expands `$`, backticks and backslashes in the
 * code, and a line `EOM` ends it early. Code that bash would change that way gets our guarded form
 * instead (see docs/wire-decisions.md): a quoted heredoc whose delimiter no line can equal, and an
 * explicit check that the file was written. Katib placeholders (`substituted`) are replaced in the
 * CR before bash runs, by inert words (INERT_WORD), and count as such.
 */
import { MPI_HOSTFILE, PIP_INSTALL_LOG, defaultPipIndexUrls, mpiUserHome } from './constants.js';
import { WireValidationError } from './errors.js';
import { checkIndexUrl, checkPackage } from './pipInputs.js';
import { pythonRepr } from './pythonLiteral.js';

export type ScriptEntry = 'torch' | 'mpi' | 'python';

/** File the script is written to when the caller names none (the SDK uses the defining file's name). */
const DEFAULT_FUNC_FILE = 'train.py';

const FUNC_CODE = '{func_code}';
const FUNC_FILE = '{func_file}';

/** The SDK's EXEC_FUNC_SCRIPT with its entry point; `{func_code}` / `{func_file}` are placeholders. */
function execScriptTemplate(entryPoint: 'torchrun' | 'python'): string {
  return `\nread -r -d '' SCRIPT << EOM\n\n${FUNC_CODE}\nEOM\n` + `printf "%s" "$SCRIPT" > "${FUNC_FILE}"\n` + `${entryPoint} "${FUNC_FILE}"`;
}

/**
 * Entry-point command templates of a runtime (the SDK's `RuntimeTrainer.command`): the argv whose
 * last item holds the script, with `{func_code}` / `{func_file}` placeholders.
 */
export function entryCommandTemplate(entry: ScriptEntry | 'torchtune'): string[] {
  switch (entry) {
    case 'torchtune':
      return ['tune', 'run'];
    case 'torch':
      return ['bash', '-c', execScriptTemplate('torchrun')];
    case 'mpi':
      return ['mpirun', '--hostfile', MPI_HOSTFILE, 'bash', '-c', execScriptTemplate('python')];
    case 'python':
      return ['bash', '-c', execScriptTemplate('python')];
  }
}

export interface CustomTrainerCommandInput {
  /** Python source that defines `funcName` at top level (may be indented as a whole). */
  funcSource: string;
  funcName: string;
  /** Keyword arguments; rendered as `funcName(**{...})`. Omitted/null → `funcName()`. */
  funcArgs?: Record<string, unknown> | null;
  /** Base name of the file the code is written to; default `train.py`. */
  fileName?: string;
  packages?: string[];
  /** First = --index-url, rest = --extra-index-url. Default: defaultPipIndexUrls(). */
  pipIndexUrls?: string[];
  entry: ScriptEntry;
  /** MPI home (default DEFAULT_MPI_USER_HOME env or /home/mpiuser). */
  mpiHome?: string;
  /**
   * Placeholders Katib replaces in the CR before bash runs (trial templates), each by a non-empty
   * INERT_WORD. Any other `$` text in the code is the user's and is written as given.
   */
  substituted?: readonly string[];
}

/**
 * Characters Python's `shlex.quote` leaves unquoted: a word of them means the same in every shell
 * context (no expansion, splitting, globbing or quoting) and inside JSON and Python string
 * literals. Values Katib substitutes into a script must be such words.
 */
const INERT_CHARS = String.raw`[\w@%+=:,./-]+`;
export const INERT_WORD = new RegExp(`^${INERT_CHARS}$`);

/** The trainer `command` argv for a CustomTrainer. */
export function buildCustomTrainerCommand(input: CustomTrainerCommandInput): string[] {
  const code = funcCode(input);
  const baseName = validateFileName(input.fileName ?? DEFAULT_FUNC_FILE);
  const home = input.entry === 'mpi' ? validateMpiHome(input.mpiHome ?? mpiUserHome()) : undefined;
  const funcFile = home ? joinPath(home, baseName) : baseName;

  let prefix = '';
  if (input.packages && input.packages.length > 0) {
    const logFile = home ? joinPath(home, PIP_INSTALL_LOG) : PIP_INSTALL_LOG;
    prefix = pipInstallScript(input.packages, input.pipIndexUrls ?? defaultPipIndexUrls(), logFile);
  }

  const argv = entryCommandTemplate(input.entry);
  const template = argv.pop()!;
  const entryPoint = input.entry === 'torch' ? 'torchrun' : 'python';
  const script = sdkHeredocKeepsCode(code, input.substituted ?? [])
    ? // One pass, so placeholder-like text inside the code is never substituted again.
      template.replace(/\{func_code\}|\{func_file\}/g, (m) => (m === FUNC_CODE ? code : funcFile))
    : guardedScript(code, funcFile, entryPoint);
  return [...argv, prefix + script];
}

/**
 * FUNC_CODE, what train.py holds: `dedent(source)` + "\n" + call + "\n". The source is
 * normalised the way `inspect.getsource` would return it from a file: CRLF → LF and a final newline.
 */
export function funcCode(input: Pick<CustomTrainerCommandInput, 'funcSource' | 'funcName' | 'funcArgs'>): string {
  const { funcName, funcArgs } = input;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(funcName)) {
    throw new WireValidationError(
      'invalid_function',
      `function name '${funcName}' is not a Python identifier`,
      'pass the name of the function defined in the source, e.g. "train"',
      'funcName',
    );
  }
  let source = input.funcSource.replace(/\r\n?/g, '\n');
  if (source.includes('\0')) {
    throw new WireValidationError('invalid_function', 'function source contains a NUL character', 'remove NUL characters from the source', 'funcSource');
  }
  if (!source.endsWith('\n')) source += '\n';
  source = pythonDedent(source);
  if (!new RegExp(`^(?:async[ \\t]+)?def[ \\t]+${funcName}[ \\t]*\\(`, 'm').test(source)) {
    throw new WireValidationError(
      'invalid_function',
      `the source does not define a top-level function '${funcName}'`,
      `define it as "def ${funcName}(...):" at the outermost indentation level, or pass the name of the function the source defines`,
      'funcSource',
    );
  }
  let call: string;
  if (funcArgs === undefined || funcArgs === null) {
    call = `${funcName}()`;
  } else {
    if (typeof funcArgs !== 'object' || Array.isArray(funcArgs)) {
      throw new WireValidationError('invalid_argument', 'funcArgs must be an object of keyword arguments', 'pass funcArgs as {"name": value, ...}', 'funcArgs');
    }
    call = `${funcName}(**${pythonRepr(funcArgs)})`;
  }
  return `${source}\n${call}\n`;
}

/**
 * Whether the SDK's unquoted `<< EOM` heredoc writes `code` unchanged: bash finds nothing to
 * expand (no `$`, backtick or backslash outside the placeholders) and no line is, or can become
 * after Katib's substitution, `EOM`.
 */
function sdkHeredocKeepsCode(code: string, substituted: readonly string[]): boolean {
  const placeholders = substituted.length > 0 ? new RegExp(substituted.map(escapeRegExp).join('|'), 'g') : undefined;
  const bashSees = placeholders ? code.replace(placeholders, 'x') : code;
  if (/[\\$`]/.test(bashSees)) return false;
  return !code.split('\n').some((line) => {
    const literals = placeholders ? line.split(placeholders) : [line];
    if (literals.length === 1) return line === 'EOM';
    return new RegExp(`^${literals.map(escapeRegExp).join(INERT_CHARS)}$`).test('EOM');
  });
}

/**
 * Our form for code the SDK form would alter: a quoted heredoc (bash writes every byte as given,
 * without trimming) and a check that fails the job when the file could not be written. The
 * delimiter is tildes only, which no substituted value contains, so only a line of exactly those
 * tildes could end it, and the delimiter is lengthened until no line equals it.
 */
function guardedScript(code: string, funcFile: string, entryPoint: 'torchrun' | 'python'): string {
  const lines = new Set(code.split('\n'));
  let delimiter = '~~~~~~~~';
  while (lines.has(delimiter)) delimiter += '~';
  return (
    `\nIFS= read -r -d '' SCRIPT << '${delimiter}'\n${code}${delimiter}\n` +
    `[ -n "$SCRIPT" ] && printf "%s" "$SCRIPT" > "${funcFile}" || { echo "ERROR: could not write ${funcFile}" >&2; exit 1; }\n` +
    `${entryPoint} "${funcFile}"`
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The MPI home appears inside `"..."` in the script: an absolute path of inert characters only. */
function validateMpiHome(home: string): string {
  if (home.startsWith('/') && INERT_WORD.test(home)) return home;
  throw new WireValidationError(
    'invalid_argument',
    `MPI home '${home}' cannot be used in the training script`,
    'use an absolute path made of letters, digits and _ @ % + = : , . / - (set DEFAULT_MPI_USER_HOME accordingly)',
    'mpiHome',
  );
}

function validateFileName(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(base)) {
    throw new WireValidationError(
      'invalid_argument',
      `file name '${fileName}' cannot be used for the training script`,
      'use a plain file name made of letters, digits, ".", "_" and "-", e.g. "train.py"',
      'fileName',
    );
  }
  return base;
}

/** Python os.path.join for two POSIX parts. */
function joinPath(dir: string, name: string): string {
  if (name.startsWith('/')) return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/**
 * Python `textwrap.dedent`: whitespace-only lines become empty, then the longest common leading
 * run of spaces/tabs of the remaining lines is removed. Lines are split on "\n" only, as Python's
 * regexes do.
 */
export function pythonDedent(text: string): string {
  const lines = text.split('\n').map((l) => (/^[ \t]+$/.test(l) ? '' : l));
  let margin: string | undefined;
  for (const line of lines) {
    const m = /^([ \t]*)[^ \t]/.exec(line);
    if (!m) continue;
    const indent = m[1]!;
    if (margin === undefined || margin.startsWith(indent)) margin = indent;
    else if (!indent.startsWith(margin)) {
      let i = 0;
      while (i < margin.length && i < indent.length && margin[i] === indent[i]) i++;
      margin = margin.slice(0, i);
    }
  }
  if (!margin) return lines.join('\n');
  const m = margin;
  return lines.map((l) => (l.startsWith(m) ? l.slice(m.length) : l)).join('\n');
}

/** Python `shlex.quote`. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (INERT_WORD.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The SDK 0.5.0 package-installation prefix (`get_script_for_python_packages`): ensure pip, then
 * a per-user install falling back to a system-wide one, pip output kept in a log shown on failure.
 */
export function pipInstallScript(packages: string[], pipIndexUrls: string[], logFile: string = PIP_INSTALL_LOG): string {
  for (const [i, p] of packages.entries()) checkPackage(p, `packages[${i}]`);
  if (pipIndexUrls.length === 0) {
    throw new WireValidationError('invalid_packages', 'no pip index URL given', 'pass at least one index URL, e.g. https://pypi.org/simple', 'pipIndexUrls');
  }
  for (const [i, u] of pipIndexUrls.entries()) checkIndexUrl(u, `pipIndexUrls[${i}]`);

  const pkgs = packages.map(shellQuote).join(' ');
  const opts = [`--index-url ${shellQuote(pipIndexUrls[0]!)}`, ...pipIndexUrls.slice(1).map((u) => `--extra-index-url ${shellQuote(u)}`)].join(' ');
  const pip = 'PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1 python -m pip install --quiet \\';
  return [
    '',
    'if ! [ -x "$(command -v pip)" ]; then',
    '    python -m ensurepip || python -m ensurepip --user || apt-get install python-pip',
    'fi',
    '',
    '',
    `PACKAGES=(${pkgs})`,
    `PIP_OPTS=(${opts})`,
    `LOG_FILE="${logFile}"`,
    'rm -f "$LOG_FILE"',
    '',
    `if ${pip}`,
    '    --no-warn-script-location "${PIP_OPTS[@]}" --user "${PACKAGES[@]}" >"$LOG_FILE" 2>&1; then',
    '    echo "Successfully installed Python packages (user): ${PACKAGES[*]}"',
    `elif ${pip}`,
    '    --no-warn-script-location "${PIP_OPTS[@]}" "${PACKAGES[@]}" >>"$LOG_FILE" 2>&1; then',
    '    echo "Successfully installed Python packages (system-wide): ${PACKAGES[*]}"',
    'else',
    '    echo "ERROR: Failed to install Python packages: ${PACKAGES[*]}" >&2',
    '    cat "$LOG_FILE" >&2',
    '    exit 1',
    'fi',
    '',
    '',
  ].join('\n');
}
