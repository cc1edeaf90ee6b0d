/** metav1.Condition upkeep with meta.SetStatusCondition semantics. */
import { nowRfc3339 } from '../meta.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** Upsert by type; lastTransitionTime only moves when the status flips. */
export function setCondition(conditions: Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>): Condition[] {
  const out = [...(conditions ?? [])];
  const i = out.findIndex((x) => x.type === c.type);
  if (i < 0) {
    out.push({ ...c, lastTransitionTime: nowRfc3339() });
    return out;
  }
  const prev = out[i]!;
  out[i] = { ...prev, ...c, lastTransitionTime: prev.status === c.status ? prev.lastTransitionTime : nowRfc3339() };
  return out;
}

export function hasCondition(obj: any, type: string, status = 'True'): boolean {
  return (obj?.status?.conditions ?? []).some((c: any) => c.type === type && c.status === status);
}

export function isFinished(obj: any): boolean {
  return hasCondition(obj, 'Complete') || hasCondition(obj, 'Failed');
}
