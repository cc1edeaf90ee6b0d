/**
 * What a call gets when it leaves a choice out: the training runtime, the Katib algorithm. Decided
 * once per server (config/settings.ts: the config file, else the built-in defaults below) and
 * handed to every call in its context, so no tool reads the config file or a constant itself.
 */
import { DEFAULT_ALGORITHM, type AlgorithmName } from '../kubeflow/optimizer/constants.js';
import { RuntimeNotFoundError } from '../kubeflow/trainer/errors.js';
import { DEFAULT_RUNTIME } from '../kubeflow/trainer/constants.js';
import { ToolError } from './contract.js';
import type { ToolContext } from './context.js';

export interface CallDefaults {
  /**
   * The runtime of a training call that names none. `setBy` is the setting that chose it (e.g.
   * "trainer.default_runtime in /etc/kubeflow-mcp.yaml"); undefined when built in.
   */
  runtime: { name: string; setBy?: string };
  /** The algorithm of `optimize` when the call names none. */
  algorithm: AlgorithmName;
}

/** Without a config file: the SDK's defaults (its DEFAULT_TRAINING_RUNTIME override included). */
export const BUILT_IN_DEFAULTS: CallDefaults = {
  runtime: { name: DEFAULT_RUNTIME, setBy: process.env.DEFAULT_TRAINING_RUNTIME?.trim() ? 'the DEFAULT_TRAINING_RUNTIME environment variable' : undefined },
  algorithm: DEFAULT_ALGORITHM,
};

/**
 * Runs `use` on the runtime the call names, else on the default. A default the cluster does not
 * have is not the caller's mistake: the error names the default and the setting to change, where
 * the plain not-found error would blame a runtime the caller never gave.
 */
export async function withRuntime<T>(ctx: ToolContext, named: string | undefined, use: (runtime: string) => Promise<T>): Promise<T> {
  if (named) return use(named);
  const { name, setBy } = ctx.defaults.runtime;
  try {
    return await use(name);
  } catch (err) {
    if (!(err instanceof RuntimeNotFoundError && err.runtime === name)) throw err;
    const available = err.available.length > 0 ? err.available.join(', ') : 'none';
    throw new ToolError(
      'runtime_not_found',
      `default runtime '${name}'${setBy ? ` (set by ${setBy})` : ''} not found`,
      `name a runtime in the call, or set ${setBy ?? 'trainer.default_runtime in the config file'} to one of: ${available} (list_runtimes shows details)`,
    );
  }
}
