/**
 * Device type and count of a container, from `resources.limits` (SDK `get_container_devices`, docs/wire/trainer.md#runtime-view):
 * nvidia.com/gpu → gpu, google.com/tpu → tpu, one nvidia.com/mig-<p> → mig-<p>,
 * huawei.com/Ascend910 → npu, cpu → cpu, checked in that order.
 *
 * Deliberate difference: where the SDK raises (limits with none of these keys, e.g. memory only;
 * more than one MIG profile; a null count) we report "Unknown". The SDK's exception makes one odd
 * runtime break `list_runtimes` for everybody; a device label is informational and not worth that.
 */
import type { ResourceRequirements } from '../../kube/types.js';
import { CPU_RESOURCE, GPU_MIG_PREFIX, GPU_RESOURCE, NPU_RESOURCE, TPU_RESOURCE, UNKNOWN } from './constants.js';

export interface DeviceInfo {
  device: string;
  deviceCount: string;
}

const UNKNOWN_DEVICE: DeviceInfo = { device: UNKNOWN, deviceCount: UNKNOWN };

export function containerDevice(resources: ResourceRequirements | undefined): DeviceInfo {
  const limits = resources?.limits;
  if (!limits) return { ...UNKNOWN_DEVICE };
  const pick = (key: string, device: string): DeviceInfo => {
    const v = limits[key];
    return v === undefined || v === null ? { ...UNKNOWN_DEVICE } : { device, deviceCount: String(v) };
  };
  if (GPU_RESOURCE in limits) return pick(GPU_RESOURCE, 'gpu');
  if (TPU_RESOURCE in limits) return pick(TPU_RESOURCE, 'tpu');
  const mig = Object.keys(limits).filter((k) => k.startsWith(GPU_MIG_PREFIX));
  if (mig.length === 1) return pick(mig[0]!, mig[0]!.slice(mig[0]!.indexOf('/') + 1));
  if (mig.length > 1) return { ...UNKNOWN_DEVICE };
  if (NPU_RESOURCE in limits) return pick(NPU_RESOURCE, 'npu');
  if (CPU_RESOURCE in limits) return pick(CPU_RESOURCE, 'cpu');
  return { ...UNKNOWN_DEVICE };
}

/** Python `str.isdigit()` for ASCII: non-empty and only 0-9. */
export function isDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}
