/**
 * Kubernetes-style resources -> Spark's, as the SDK converts them (docs/wire/spark.md#resources):
 * CPU is rounded up to whole cores; memory becomes a Spark size (`4Gi` -> `4g`, `1.5Gi` -> `1536m`).
 * Where the SDK passes an unrecognised memory string through (Spark would then fail at start) or
 * silently drops keys other than cpu and memory, we refuse with the reason instead.
 */
import { SparkError } from './errors.js';

const MAX_CORES = 1024;

/** `2`, `"2.5"` (-> 3), `"500m"` (-> 1): whole cores, at least 1. */
export function sparkCores(value: string | number, field: string): number {
  const text = String(value).trim();
  const milli = /^(\d+)m$/.exec(text);
  const n = milli ? Number(milli[1]) / 1000 : /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n <= 0)
    throw new SparkError(
      'invalid_cpu',
      `${field}: ${JSON.stringify(value)} is not a CPU amount`,
      'give cores as a number ("2", 0.5) or milli-CPU ("500m"); Spark rounds up to whole cores',
      field,
    );
  const cores = Math.ceil(n);
  if (cores > MAX_CORES)
    throw new SparkError('invalid_cpu', `${field}: ${cores} cores is more than ${MAX_CORES}`, `use at most ${MAX_CORES} cores per pod`, field);
  return cores;
}

const MIB_PER: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 ** 2, p: 1024 ** 3, e: 1024 ** 4 };

/** `4Gi` -> `4g`, `512Mi` -> `512m`, `2G` -> `2g` (decimal suffixes read as binary, like the SDK), `1.5Gi` -> `1536m`. */
export function sparkMemory(value: string | number, field: string): string {
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)(?:([kmgtpe])i|([kmgtp]))b?$/i.exec(text);
  if (!m) {
    throw new SparkError(
      'invalid_memory',
      `${field}: ${JSON.stringify(value)} is not a memory size`,
      'give memory with a unit, e.g. "512Mi", "4Gi", "2g" (Spark needs a unit; a bare number would be bytes)',
      field,
    );
  }
  const amount = Number(m[1]);
  const unit = (m[2] ?? m[3])!.toLowerCase();
  if (amount <= 0) throw new SparkError('invalid_memory', `${field}: memory must be more than 0`, 'e.g. "512Mi" or "4Gi"', field);
  // Spark has no exabyte suffix, and fractions need a smaller unit: both become MiB, rounded up.
  if (Number.isInteger(amount) && unit !== 'e') return `${amount}${unit}`;
  return `${Math.ceil(amount * MIB_PER[unit]!)}m`;
}

/** Resources of a driver, executor or connect server: {cpu, memory}. Anything else is refused, not dropped. */
export function sparkResources(resources: Record<string, string | number> | undefined, field: string): { cores?: number; memory?: string } {
  if (!resources) return {};
  const other = Object.keys(resources).filter((k) => k !== 'cpu' && k !== 'memory');
  if (other.length) {
    throw new SparkError(
      'unsupported_resource',
      `${field}: ${other.map((k) => `'${k}'`).join(', ')} cannot be set here (only cpu and memory)`,
      'Spark pods take cpu and memory; for GPUs use spark_conf (spark.executor.resource.gpu.amount and a discovery script) on a cluster set up for them',
      `${field}.${other[0]}`,
    );
  }
  return {
    ...(resources.cpu !== undefined ? { cores: sparkCores(resources.cpu, `${field}.cpu`) } : {}),
    ...(resources.memory !== undefined ? { memory: sparkMemory(resources.memory, `${field}.memory`) } : {}),
  };
}
