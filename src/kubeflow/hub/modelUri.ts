/**
 * Where a finished TrainJob left its model, when that can be known from the objects alone; else
 * `undefined` with the reason, so the caller asks the user for the URI.
 *
 * Known: the trainer writes to an `output_dir=<path>` override (TorchTune runtimes:
 * `output_dir=/workspace/output`) on a volume that is a PersistentVolumeClaim: either the
 * runtime's JobSet `volumeClaimPolicies` template shared by all replicated jobs (JobSet names that
 * PVC `<template>-<jobset>`, and the JobSet is named after the TrainJob: the shipped TorchTune
 * runtimes mount `initializer` at /workspace, so `pvc://initializer-<job>/output`), or a static
 * `persistentVolumeClaim` volume. The URI uses KServe's `pvc://<claim>/<path>` convention.
 * Without the runtime object, TorchTune runtimes (`torchtune-*`) are assumed to be the shipped ones.
 *
 * Not known: custom and container trainers (the code decides where to write; the model
 * initializer's storageUri is the base model, not the result), outputs on emptyDir, and PVCs the
 * runtime deletes when the job completes.
 */
import type { TrainingRuntimeObject, TrainJob } from '../trainer/types.js';

export type ModelUriResult = { uri: string; basis: string; caveats: string[] } | { uri?: undefined; reason: string };

interface Mount {
  name: string;
  mountPath: string;
}
interface ClaimTemplate {
  metadata?: { name?: string };
}
interface ClaimPolicy {
  targetReplicatedJobs?: string[];
  templates?: ClaimTemplate[];
  retentionPolicy?: { whenComplete?: string; whenFailed?: string; whenDeleted?: string };
}

const SHIPPED_TORCHTUNE = { outputDir: '/workspace/output', volume: 'initializer', mountPath: '/workspace' };

export function modelUriFromTrainJob(trainJob: TrainJob, runtime?: TrainingRuntimeObject): ModelUriResult {
  const job = trainJob.metadata.name ?? '';
  const conditions = trainJob.status?.conditions ?? [];
  if (!conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
    const failed = conditions.some((c) => c.type === 'Failed' && c.status === 'True');
    return { reason: `TrainJob '${job}' ${failed ? 'failed' : 'has not completed'}, so it has not written a final model` };
  }
  const baseModel = trainJob.spec.initializer?.model?.storageUri;
  const notTheResult = baseModel ? ` (spec.initializer.model.storageUri ${baseModel} is the base model it started from, not the trained one)` : '';

  const node = runtime ? trainerContainer(runtime) : undefined;
  const overrides = [...(node?.command ?? []), ...(node?.args ?? []), ...(trainJob.spec.trainer?.command ?? []), ...(trainJob.spec.trainer?.args ?? [])];
  const torchtune = isTorchTune(trainJob, runtime);
  let outputDir = lastValue(overrides, 'output_dir');
  if (!outputDir && torchtune && !runtime) outputDir = SHIPPED_TORCHTUNE.outputDir;
  if (!outputDir) {
    return {
      reason: `TrainJob '${job}' runs ${torchtune ? 'a TorchTune recipe without an output_dir override' : 'custom training code, which decides itself where the model goes'}; ask for the URI it was saved to${notTheResult}`,
    };
  }

  let mount: Mount | undefined;
  let claim: { name: string; shared: boolean; policy?: ClaimPolicy } | undefined;
  if (runtime && node) {
    mount = (node.volumeMounts ?? []).filter((m) => within(outputDir, m.mountPath)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    if (!mount) return { reason: `the trainer writes to ${outputDir}, which is not on a mounted volume; the files are gone with the pod${notTheResult}` };
    claim = claimFor(runtime, mount.name, job);
    if (!claim)
      return {
        reason: `the trainer writes to ${outputDir} on volume '${mount.name}', which is not a PersistentVolumeClaim; the files are gone with the pods${notTheResult}`,
      };
  } else {
    mount = { name: SHIPPED_TORCHTUNE.volume, mountPath: SHIPPED_TORCHTUNE.mountPath };
    claim = { name: `${SHIPPED_TORCHTUNE.volume}-${job}`, shared: true };
  }
  const retention = claim.policy?.retentionPolicy;
  if (retention?.whenComplete === 'Delete')
    return {
      reason: `the runtime deletes PVC ${claim.name} when the job completes (retentionPolicy.whenComplete: Delete), so the output in ${outputDir} is gone`,
    };

  const sub = outputDir.slice(mount.mountPath.replace(/\/+$/, '').length).replace(/^\/+/, '');
  const uri = `pvc://${claim.name}${sub ? `/${sub}` : ''}`;
  const caveats = [
    `pvc:// URIs resolve in the TrainJob's namespace (${trainJob.metadata.namespace ?? 'its namespace'}): serve the model from there`,
    retention?.whenDeleted === 'Delete'
      ? `the runtime deletes PVC ${claim.name} together with the TrainJob: keep the TrainJob, or copy the model elsewhere first`
      : `PVC ${claim.name} outlives the TrainJob unless someone deletes it`,
  ];
  if (torchtune)
    caveats.push(
      `${outputDir} holds TorchTune's checkpoint files (recent TorchTune versions write one epoch_<n> directory per epoch): point serving at the one you want`,
    );
  const basis = runtime
    ? `output_dir=${outputDir} on volume '${mount.name}' (${claim.shared ? 'JobSet volumeClaimPolicies template, PVC <template>-<jobset>' : 'static PersistentVolumeClaim'})`
    : `runtime '${trainJob.spec.runtimeRef.name}' is a TorchTune runtime; assumed laid out like the shipped ones (output_dir=/workspace/output on the 'initializer' PVC)`;
  return { uri, basis, caveats };
}

function isTorchTune(trainJob: TrainJob, runtime?: TrainingRuntimeObject): boolean {
  if (trainJob.spec.trainer?.command?.[0] === 'tune') return true;
  if (runtime) return runtime.metadata.labels?.['trainer.kubeflow.org/framework'] === 'torchtune' || trainerContainer(runtime)?.command?.[0] === 'tune';
  return trainJob.spec.runtimeRef.name.startsWith('torchtune-');
}

function trainerContainer(runtime: TrainingRuntimeObject): { command?: string[]; args?: string[]; volumeMounts?: Mount[] } | undefined {
  for (const rj of runtime.spec.template.spec.replicatedJobs ?? []) {
    const c = rj.template.spec.template.spec.containers.find((x) => x.name === 'node');
    if (c && (rj.name === 'node' || rj.template.metadata?.labels?.['trainer.kubeflow.org/trainjob-ancestor-step'] === 'trainer')) return c;
  }
  return undefined;
}

/** The last `key=value` item wins (later overrides replace earlier ones). */
function lastValue(items: string[], key: string): string | undefined {
  let found: string | undefined;
  for (const item of items) if (item.startsWith(`${key}=`)) found = item.slice(key.length + 1);
  return found || undefined;
}

function within(path: string, mountPath: string): boolean {
  const m = mountPath.replace(/\/+$/, '');
  return path === m || path.startsWith(`${m}/`);
}

function claimFor(runtime: TrainingRuntimeObject, volume: string, job: string): { name: string; shared: boolean; policy?: ClaimPolicy } | undefined {
  const policies = (runtime.spec.template.spec.volumeClaimPolicies as ClaimPolicy[] | undefined) ?? [];
  for (const policy of policies) {
    if ((policy.targetReplicatedJobs ?? []).length > 0) continue; // per-pod claims: no single URI
    if ((policy.templates ?? []).some((t) => t.metadata?.name === volume)) return { name: `${volume}-${job}`, shared: true, policy };
  }
  for (const rj of runtime.spec.template.spec.replicatedJobs ?? []) {
    const volumes = (rj.template.spec.template.spec as { volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName?: string } }> }).volumes ?? [];
    const v = volumes.find((x) => x.name === volume && x.persistentVolumeClaim?.claimName);
    if (v) return { name: v.persistentVolumeClaim!.claimName!, shared: false };
  }
  return undefined;
}
