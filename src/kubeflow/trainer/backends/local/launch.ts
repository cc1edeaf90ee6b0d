/**
 * How a local job runs: the wrapper's steps and the job's environment, derived from the
 * PreparedJob and what this machine has. Pure, so the dry-run validates with exactly the plan a
 * real start uses.
 *
 * - custom: `python train.py`, or torchrun (`python -m torch.distributed.run --standalone
 *   --nnodes=1 --nproc_per_node=N`) on the torch runtime when torch is importable; with packages,
 *   first a per-job venv and pip install.
 * - container: `<docker|podman> run --rm` with the job env in an env file.
 *
 * The environment is built from scratch: the server's env (which may hold credentials) never
 * reaches a job.
 */
import path from 'node:path';
import type { EnvVar } from '../../../../kube/types.js';
import type { PreparedJob } from '../../backend.js';
import { funcCode, shellQuote } from '../../script.js';
import { ENGINE_ENV_NAMES, containerName, type ContainerEngine } from './container.js';
import { LocalBackendError } from './errors.js';
import type { PythonInfo } from './python.js';
import type { JobPaths } from './store.js';
import type { WrapperConfig, WrapperStep } from './wrapper.js';

export const SCRIPT_FILE = 'train.py';

export interface LaunchHost {
  python: PythonInfo;
  /** Needed for container jobs only. */
  engine?: ContainerEngine;
  home: string;
  serverEnv: NodeJS.ProcessEnv;
}

export interface LaunchPlan {
  config: WrapperConfig;
  /** Env of the wrapper itself: the basics only (the job's variables could break it, e.g. PYTHONHOME). */
  wrapperEnv: Record<string, string>;
  /** train.py for custom jobs. */
  script?: string;
  /** The container's env file (NAME=value lines). */
  envFile?: string;
  /** The command of the training step, for previews. */
  commandLine: string;
}

export function numNodesOf(job: PreparedJob): number {
  return job.object.spec.trainer?.numNodes || job.runtime.trainer.numNodes || 1;
}

/** Throws LocalBackendError for anything that cannot run here; nothing is started. */
export function planLaunch(job: PreparedJob, paths: JobPaths, host: LaunchHost): LaunchPlan {
  const trainer = job.request.trainer;
  const declared = job.object.spec.trainer?.env ?? [];
  const base = { cwd: paths.work, log: paths.log, index: paths.index, exit: paths.exit, processFile: paths.processFile };
  if (trainer.kind === 'container') {
    if (!host.engine) throw new Error('container engine required');
    const steps = [containerStep(job, paths, host.engine)];
    const env = engineEnv(host);
    return {
      config: { ...base, env, steps },
      wrapperEnv: env,
      envFile: envFileText(declared),
      commandLine: steps[0]!.argv.map(shellQuote).join(' '),
    };
  }
  if (trainer.kind !== 'custom') throw new Error(`cannot launch a ${trainer.kind} trainer locally`);

  const nodes = numNodesOf(job);
  const torchrun = job.runtime.entry === 'torch' && host.python.torch;
  if (nodes > 1 && !torchrun) {
    throw job.runtime.entry === 'torch'
      ? new LocalBackendError(
          'torch_unavailable',
          `num_nodes=${nodes} runs ${nodes} processes under torchrun, but torch is not importable by ${host.python.executable} (Python ${host.python.version})`,
          `install torch for that Python (\`${host.python.executable} -m pip install torch\`), or use num_nodes=1 (plain python), or use --backend kubernetes`,
          'numNodes',
        )
      : new LocalBackendError(
          'not_supported_locally',
          `runtime '${job.runtime.name}' runs one plain Python process on this machine; num_nodes=${nodes} is not possible`,
          'use num_nodes=1, or the torch-distributed runtime (torchrun) for several processes',
          'numNodes',
        );
  }

  const packages = trainer.packages ?? [];
  const venv = packages.length > 0 ? paths.venv : undefined;
  const python = venv ? path.join(venv, 'bin', 'python') : host.python.executable;
  const steps: WrapperStep[] = venv ? packageSteps(host.python, venv, packages, trainer.pipIndexUrls, paths.pipLog) : [];
  const argv = torchrun
    ? [python, '-m', 'torch.distributed.run', '--standalone', '--nnodes=1', `--nproc_per_node=${nodes}`, SCRIPT_FILE]
    : [python, SCRIPT_FILE];
  steps.push({ stage: 'run', argv });
  const envInputs = { pythonBin: path.dirname(host.python.executable), tmp: paths.tmp, home: host.home, serverEnv: host.serverEnv };
  return {
    config: { ...base, env: jobEnv(declared, { ...envInputs, venv }), steps },
    wrapperEnv: jobEnv([], envInputs),
    script: funcCode({ funcSource: trainer.funcSource, funcName: trainer.funcName, funcArgs: trainer.funcArgs }),
    commandLine: argv.map(shellQuote).join(' '),
  };
}

/**
 * A venv that sees the system site-packages (torch and friends stay importable, requested
 * packages go on top) and, when the system Python has pip, borrows it instead of bootstrapping
 * one (0.1 s instead of 3 s per job).
 */
function packageSteps(python: PythonInfo, venv: string, packages: string[], indexUrls: string[] | undefined, pipLog: string): WrapperStep[] {
  if (!python.venv || (!python.pip && !python.ensurepip)) {
    throw new LocalBackendError(
      'venv_unavailable',
      `packages were requested but ${python.executable} cannot create a virtual environment with pip (venv module: ${python.venv ? 'yes' : 'no'}, pip: ${python.pip ? 'yes' : 'no'}, ensurepip: ${python.ensurepip ? 'yes' : 'no'})`,
      'install the venv/pip support for that Python (on Debian/Ubuntu: `apt install python3-venv python3-pip`), or drop packages and use what the system Python has',
      'packages',
    );
  }
  const list = packages.join(' ');
  const index = indexUrls && indexUrls.length > 0 ? ['--index-url', indexUrls[0]!, ...indexUrls.slice(1).flatMap((u) => ['--extra-index-url', u])] : [];
  // Explicit index URLs are authoritative: the user's pip.conf must not add other indexes.
  // Without them pip uses this machine's own configuration, as a runtime image uses its own.
  const pipEnv: Record<string, string> = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', ...(index.length ? { PIP_CONFIG_FILE: '/dev/null' } : {}) };
  return [
    {
      stage: 'venv',
      argv: [python.executable, '-m', 'venv', '--system-site-packages', ...(python.pip ? ['--without-pip'] : []), venv],
      logFile: pipLog,
      failure: `ERROR: Failed to create the virtual environment ${venv}; its output follows:`,
    },
    {
      stage: 'install',
      argv: [
        path.join(venv, 'bin', 'python'),
        '-m',
        'pip',
        'install',
        '--no-warn-script-location',
        '--retries',
        '2',
        '--timeout',
        '30',
        ...index,
        '--',
        ...packages,
      ],
      env: pipEnv,
      logFile: pipLog,
      announce: `Installing Python packages: ${list}`,
      success: `Successfully installed Python packages: ${list}`,
      failure: `ERROR: Failed to install Python packages: ${list}; the last lines of pip's output follow:`,
    },
  ];
}

function containerStep(job: PreparedJob, paths: JobPaths, engine: ContainerEngine): WrapperStep {
  const t = job.object.spec.trainer ?? {};
  const gpus = Number(t.resourcesPerNode?.limits?.['nvidia.com/gpu'] ?? 0);
  const gpuArgs = gpus > 0 ? (engine.name === 'docker' ? ['--gpus', String(gpus)] : ['--device', 'nvidia.com/gpu=all']) : [];
  // Kubernetes semantics: command replaces the entrypoint (and the image's CMD), args the CMD.
  // `--entrypoint=<x>` and `--` keep the entry point and the image from being read as options.
  const [entrypoint, ...commandRest] = t.command ?? [];
  return {
    stage: 'run',
    argv: [
      engine.cli,
      'run',
      '--rm',
      '--name',
      containerName(job.namespace, job.name),
      '--label',
      `kubeflow-mcp.job=${job.namespace}.${job.name}`,
      '--env-file',
      paths.envFile,
      ...gpuArgs,
      ...(entrypoint !== undefined ? [`--entrypoint=${entrypoint}`] : []),
      '--',
      t.image ?? '',
      ...commandRest,
      ...(t.args ?? []),
    ],
  };
}

interface EnvInputs {
  pythonBin: string;
  venv?: string;
  tmp: string;
  home: string;
  serverEnv: NodeJS.ProcessEnv;
}

/** What Python needs, then the job's own variables (which win). */
export function jobEnv(declared: EnvVar[], o: EnvInputs): Record<string, string> {
  const searchPath = [
    ...(o.venv ? [path.join(o.venv, 'bin')] : []),
    o.pythonBin,
    ...(o.serverEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(path.delimiter),
  ];
  const env: Record<string, string> = {
    PATH: [...new Set(searchPath.filter(Boolean))].join(path.delimiter),
    LANG: o.serverEnv.LANG || 'C.UTF-8',
    ...(o.serverEnv.LC_ALL ? { LC_ALL: o.serverEnv.LC_ALL } : {}),
    HOME: o.home,
    TMPDIR: o.tmp,
    PYTHONUNBUFFERED: '1',
    ...(o.venv ? { VIRTUAL_ENV: o.venv } : {}),
  };
  for (const e of declared) if (e.value !== undefined) env[e.name] = e.value;
  return env;
}

/** The engine CLI needs to find its daemon and registry credentials; the job env goes in the env file. */
function engineEnv(host: LaunchHost): Record<string, string> {
  const env: Record<string, string> = { PATH: host.serverEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: host.home, LANG: host.serverEnv.LANG || 'C.UTF-8' };
  for (const name of ENGINE_ENV_NAMES) {
    const v = host.serverEnv[name];
    if (v) env[name] = v;
  }
  return env;
}

function envFileText(declared: EnvVar[]): string {
  for (const e of declared) {
    if (e.value?.includes('\n')) {
      throw new LocalBackendError(
        'invalid_env',
        `env ${e.name} contains a newline, which a container env file cannot carry`,
        'pass a value without newlines (e.g. base64-encode it)',
        `env.${e.name}`,
      );
    }
  }
  return declared.map((e) => `${e.name}=${e.value ?? ''}\n`).join('');
}
