/**
 * Docker / Podman for container training: found on PATH and asked whether its engine answers
 * (`<cli> info`), with a message that names exactly what is missing. Also the engine-side
 * lifecycle (pause, unpause, remove) that a signal to the CLI process cannot do.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { LocalBackendError } from './errors.js';

const run = promisify(execFile);

export type ContainerRuntimePreference = 'docker' | 'podman' | 'auto';

export interface ContainerEngine {
  name: 'docker' | 'podman';
  /** Absolute path of the CLI. */
  cli: string;
}

/** Server env the engine CLI needs to find its daemon and credentials (never the job's business). */
export const ENGINE_ENV_NAMES: readonly string[] = [
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
  'CONTAINER_HOST',
  'CONTAINER_CONNECTION',
  'CONTAINERS_CONF',
  'CONTAINERS_STORAGE_CONF',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
];

const CACHE_MS = 30_000;

export class ContainerEngines {
  private cached?: { at: number; engine: Promise<ContainerEngine> };

  constructor(private readonly preference: ContainerRuntimePreference) {}

  /** The engine to use; throws container_engine_unavailable with what is missing. */
  engine(): Promise<ContainerEngine> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) this.cached = { at: Date.now(), engine: detect(this.preference) };
    return this.cached.engine;
  }
}

async function detect(preference: ContainerRuntimePreference): Promise<ContainerEngine> {
  const names: Array<ContainerEngine['name']> = preference === 'auto' ? ['docker', 'podman'] : [preference];
  const problems: string[] = [];
  for (const name of names) {
    const cli = await findOnPath(name);
    if (!cli) continue;
    try {
      await run(cli, ['info', '--format', '{{json .}}'], { timeout: 15_000, maxBuffer: 8 * 1024 * 1024 });
      return { name, cli };
    } catch (err) {
      problems.push(`${name} is installed but its engine is not reachable: ${firstLine(err)}`);
    }
  }
  const hint =
    'start the Docker or Podman engine (e.g. `sudo systemctl start docker`, Docker Desktop, or `podman machine start`), or run the training as a Python function with run_custom_training, or use --backend kubernetes';
  if (problems.length > 0) throw new LocalBackendError('container_engine_unavailable', problems.join('; '), hint);
  const missing = preference === 'auto' ? 'neither docker nor podman found on PATH' : `${preference} not found on PATH`;
  throw new LocalBackendError('container_engine_unavailable', missing, `install Docker or Podman; ${hint}`);
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string; killed?: boolean };
  if (e.killed) return 'no answer within 15s';
  const text = (e.stderr ?? '').trim() || (e.message ?? String(err));
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown error'
  );
}

export async function findOnPath(command: string, searchPath = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Container names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; namespace and job names already fit. */
export function containerName(namespace: string, name: string): string {
  return `kubeflow-mcp-${namespace}-${name}`;
}

/** pause | unpause | rm -f; failures are reported to the caller, a missing container is not one. */
export async function engineCommand(engine: ContainerEngine, verb: 'pause' | 'unpause' | 'remove', container: string): Promise<void> {
  const args = verb === 'remove' ? ['rm', '-f', container] : [verb, container];
  try {
    await run(engine.cli, args, { timeout: 30_000 });
  } catch (err) {
    if (verb === 'remove' && /no such container/i.test(firstLine(err))) return;
    throw new LocalBackendError(
      'container_engine_unavailable',
      `${engine.name} ${args.join(' ')} failed: ${firstLine(err)}`,
      `check the container with \`${engine.name} ps -a\``,
    );
  }
}
