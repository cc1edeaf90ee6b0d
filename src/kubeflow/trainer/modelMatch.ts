/**
 * Which TorchTune runtime fits a model. Each shipped torchtune runtime is built for one model
 * (its recipe config is llama3_2/1B, qwen2_5/1.5B, ...), so the match must be exact on family and
 * size: "Qwen/Qwen2.5-1.5B-Instruct" fits torchtune-qwen2.5-1.5b and nothing else.
 */
import type { Runtime } from './types.js';

const VARIANT_SUFFIX = /[-_.](instruct|chat|base|it|hf)$/;

/** "hf://Qwen/Qwen2.5-1.5B-Instruct" -> "qwen2515b" */
function modelStem(model: string): string {
  let s = model
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  s = s.slice(s.lastIndexOf('/') + 1);
  while (VARIANT_SUFFIX.test(s)) s = s.replace(VARIANT_SUFFIX, '');
  return s.replace(/[-_.]/g, '');
}

function runtimeStems(r: Runtime): string[] {
  const stems = [
    r.name
      .toLowerCase()
      .replace(/^torchtune-/, '')
      .replace(/[-_.]/g, ''),
  ];
  if (r.defaultModelUri) stems.push(modelStem(r.defaultModelUri));
  return stems;
}

export function torchtuneRuntimes(runtimes: Runtime[]): Runtime[] {
  return runtimes.filter((r) => r.trainer.trainerType === 'BuiltinTrainer');
}

export function matchTorchtuneRuntime(model: string, runtimes: Runtime[]): Runtime | undefined {
  const stem = modelStem(model);
  return torchtuneRuntimes(runtimes).find((r) => runtimeStems(r).includes(stem));
}
