/** Tests drive the built server (dist/) as a real client would: build it once per run. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  preferRealPython();
}

/**
 * Puts the directory of the interpreter `python3` resolves to first on PATH, for the test run's
 * processes (workers and the servers they start inherit it). Where `python3` is a version
 * manager's shim (pyenv here: a shell script forking a dozen shells, ~0.3 s of CPU per run), the
 * ~300 Python runs of a suite — each server's probes, each local job — cost half a minute of CPU
 * on two cores. What the server does with a shim is tested on its own (test/python/check.test.ts).
 */
function preferRealPython(): void {
  let executable: string;
  try {
    executable = execFileSync('python3', ['-I', '-S', '-c', 'import sys; sys.stdout.write(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
  } catch {
    return; // no Python: the tests that need one say so
  }
  if (path.isAbsolute(executable)) process.env.PATH = `${path.dirname(executable)}${path.delimiter}${process.env.PATH ?? ''}`;
}
