/**
 * The `trainer` block for a custom-code or container request: the one place that maps
 * TrainRequest fields onto the SDK-equivalent builders, for every backend.
 */
import type { TrainerRequest } from './backend.js';
import { containerTrainer, customTrainer } from './trainjob.js';
import type { Runtime, TrainerSpec } from './types.js';

export function codeOrContainerTrainer(runtime: Runtime, t: Exclude<TrainerRequest, { kind: 'builtin' }>): TrainerSpec {
  if (t.kind === 'container') {
    return containerTrainer(runtime, {
      image: t.image,
      command: t.command,
      args: t.args,
      numNodes: t.numNodes,
      resourcesPerNode: t.resourcesPerNode,
      env: t.env,
    });
  }
  return customTrainer(runtime, {
    funcSource: t.funcSource,
    funcName: t.funcName,
    funcArgs: t.funcArgs,
    packages: t.packages,
    pipIndexUrls: t.pipIndexUrls,
    numNodes: t.numNodes,
    resourcesPerNode: t.resourcesPerNode,
    env: t.env,
    image: t.image,
  });
}
