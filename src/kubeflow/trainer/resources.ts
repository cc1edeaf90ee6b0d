/**
 * `resources_per_node` → `spec.trainer.resourcesPerNode` (docs/wire/trainer.md#resources-per-node).
 *
 * Same map for requests and limits, SDK key normalisation (standard keys and `mig-` aliases
 * lower-cased; `gpu` → nvidia.com/gpu, `storage` → ephemeral-storage, `mig-<p>` →
 * nvidia.com/mig-<p>; other keys verbatim). Deliberate difference: quantities are emitted as
 * strings (`4` → "4"), the canonical Kubernetes form; the API server accepts both and the CRD's
 * int-or-string schema validates both, but strings never lose precision or hit int32/float quirks.
 */
import type { ResourceRequirements } from '../../kube/types.js';
import { GPU_MIG_PREFIX, GPU_RESOURCE } from './constants.js';
import { WireValidationError } from './errors.js';

const STANDARD_KEYS = new Set(['cpu', 'memory', 'gpu', 'storage', 'ephemeral-storage']);
const ALIASES: Record<string, string> = { gpu: GPU_RESOURCE, storage: 'ephemeral-storage' };

/** Kubernetes resource.Quantity syntax (as in the CRD's int-or-string pattern). */
const QUANTITY = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

export function normaliseResourceKey(key: string): string {
  const lower = key.toLowerCase();
  let k = STANDARD_KEYS.has(lower) || lower.startsWith('mig-') ? lower : key;
  k = ALIASES[k] ?? k;
  return k.startsWith('mig-') ? GPU_MIG_PREFIX + k.slice('mig-'.length) : k;
}

/** Quantity as the string we send; throws on anything the API server would reject. */
function quantityString(value: string | number, field: string): string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  if (!QUANTITY.test(text) || text.startsWith('-')) {
    throw new WireValidationError(
      'invalid_resources',
      `${field} = ${JSON.stringify(value)} is not a valid non-negative Kubernetes quantity`,
      'use a number or a quantity string such as 4, "500m", "16Gi" or "10G"',
      field,
    );
  }
  return text;
}

/**
 * Resources for each training node. Input keys like `cpu`, `memory`, `gpu`, `mig-1g.5gb`,
 * `google.com/tpu`; values numbers or quantity strings.
 */
export function resourcesPerNode(input: Record<string, string | number>): ResourceRequirements {
  const map: Record<string, string> = {};
  const origin: Record<string, string> = {};
  // The SDK re-inserts `mig-<p>` aliases after the other keys; keep that order.
  const entries = Object.entries(input);
  const isMigAlias = (key: string): boolean => key.toLowerCase().startsWith('mig-');
  for (const [key, value] of [...entries.filter(([k]) => !isMigAlias(k)), ...entries.filter(([k]) => isMigAlias(k))]) {
    const field = `resourcesPerNode.${key}`;
    const k = normaliseResourceKey(key);
    if (k in map) {
      throw new WireValidationError('invalid_resources', `resource keys '${origin[k]}' and '${key}' both mean '${k}'`, `give '${k}' once`, field);
    }
    map[k] = quantityString(value, field);
    origin[k] = key;
  }

  const mig = Object.keys(map).filter((k) => k.startsWith(GPU_MIG_PREFIX));
  if (mig.length > 1) {
    throw new WireValidationError(
      'invalid_resources',
      `only one MIG profile per node is supported, got ${mig.join(', ')}`,
      'request a single MIG profile, e.g. {"mig-1g.5gb": 1}',
      'resourcesPerNode',
    );
  }
  if (mig.length === 1 && GPU_RESOURCE in map) {
    throw new WireValidationError(
      'invalid_resources',
      `GPU (${GPU_RESOURCE}) and MIG (${mig[0]}) cannot be requested together`,
      'request either whole GPUs ("gpu") or one MIG profile ("mig-<profile>"), not both',
      'resourcesPerNode',
    );
  }
  return { requests: { ...map }, limits: { ...map } };
}
