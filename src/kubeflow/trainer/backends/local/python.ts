/**
 * What the configured Python can do: its real executable (so jobs need no PATH lookup or pyenv
 * shim), version, and whether torch, pip and venv are available. Probed with a tiny script and
 * cached briefly, so installing torch is noticed without a restart.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from './container.js';
import { LocalBackendError } from './errors.js';
import { jobEnv } from './launch.js';

const run = promisify(execFile);

export interface PythonInfo {
  executable: string;
  version: string;
  /** torch is importable (found on the path; a broken install is only seen when the job runs). */
  torch: boolean;
  pip: boolean;
  venv: boolean;
  ensurepip: boolean;
}

const PROBE = `
import importlib.util, json, sys
def has(m):
    try:
        return importlib.util.find_spec(m) is not None
    except Exception:
        return False
print(json.dumps({"executable": sys.executable, "version": sys.version.split()[0],
                  "torch": has("torch"), "pip": has("pip"), "venv": has("venv"), "ensurepip": has("ensurepip")}))
`;

const CACHE_MS = 30_000;

export class PythonProbe {
  private cached?: { at: number; info: Promise<PythonInfo> };

  constructor(private readonly python: string) {}

  /** Throws LocalBackendError python_unavailable when the interpreter cannot be run. */
  info(): Promise<PythonInfo> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      const info = this.probe();
      this.cached = { at: Date.now(), info };
      // A failed probe is retried on the next call.
      info.catch(() => {
        if (this.cached?.info === info) this.cached = undefined;
      });
    }
    return this.cached.info;
  }

  private async probe(): Promise<PythonInfo> {
    try {
      // The server's own environment is fine here: this is our code, and resolving the interpreter
      // may need it (PATH, pyenv). Jobs never get it.
      const { stdout } = await run(this.python, ['-c', PROBE], { timeout: 30_000 });
      const info = JSON.parse(stdout.trim().split('\n').pop() ?? '') as PythonInfo;
      if (!info.executable) throw new Error('sys.executable is empty');
      return info;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new LocalBackendError(
        'python_unavailable',
        `cannot run '${this.python}' on this machine: ${reason}`,
        'install Python 3 (python3 on PATH), or start kubeflow-mcp with the path of a Python 3 interpreter; or use --backend kubernetes',
      );
    }
  }
}

/**
 * get_runtime_packages without a job: the Python version, `pip list` of the system Python, and
 * `nvidia-smi` when present, run with a job's minimal environment.
 */
export async function systemPackages(info: PythonInfo, opts: { timeoutSeconds: number; signal?: AbortSignal }): Promise<string[]> {
  const env = jobEnv([], { pythonBin: path.dirname(info.executable), tmp: os.tmpdir(), home: os.homedir(), serverEnv: process.env });
  const exec = (file: string, args: string[]) => run(file, args, { env, timeout: opts.timeoutSeconds * 1000, signal: opts.signal, maxBuffer: 8 * 1024 * 1024 });
  const output = [`Python: ${info.version} (${info.executable})`, `torch: ${info.torch ? 'importable' : 'not installed'}`];
  try {
    output.push(...nonEmptyLines((await exec(info.executable, ['-m', 'pip', 'list'])).stdout));
  } catch (err) {
    output.push(`pip list failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const smi = await findOnPath('nvidia-smi');
  if (smi) output.push(...nonEmptyLines((await exec(smi, []).catch(() => ({ stdout: '' }))).stdout));
  return output;
}

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
