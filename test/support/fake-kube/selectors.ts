/** Label and field selectors with the syntax and per-resource field support of kube-apiserver. */
import { badRequest } from './errors.js';
import type { ResourceType } from './registry.js';

type LabelOp = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists' | 'gt' | 'lt';
interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}
type LabelSelector = LabelRequirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseError(why: string): never {
  throw badRequest(`unable to parse requirement: ${why}`);
}

function checkKey(k: string): string {
  if (!KEY.test(k) || k.split('/').pop()!.length > 63)
    parseError(
      `key: Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  return k;
}

function checkValue(v: string): string {
  if (v.length > 63 || !VALUE.test(v))
    parseError(
      `values[0]: Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  return v;
}

/** Split on commas that are not inside a parenthesised value set. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) parseError(`found ')', expected: identifier`);
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) parseError(`found 'end of string', expected: ')'`);
  parts.push(cur);
  return parts;
}

function parseLabelSelector(raw: string | undefined): LabelSelector {
  if (raw === undefined || raw.trim() === '') return [];
  const reqs: LabelSelector = [];
  for (const part0 of splitTopLevel(raw)) {
    const part = part0.trim();
    if (part === '') parseError(`found ',', expected: !, identifier, or 'end of string'`);
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: checkKey(m[1]!), op: 'notexists', values: [] });
    } else if ((m = part.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim()));
      reqs.push({ key: checkKey(m[1]!), op: m[2] === 'in' ? 'in' : 'notin', values });
    } else if ((m = part.match(/^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      reqs.push({ key: checkKey(m[1]!), op: m[2] === '!=' ? 'neq' : 'eq', values: [checkValue(m[3]!)] });
    } else if ((m = part.match(/^([^=!<>\s]+)\s*([<>])\s*(\S+)$/))) {
      if (!/^-?\d+$/.test(m[3]!)) parseError(`for 'Gt', 'Lt' operators, the value must be an integer`);
      reqs.push({ key: checkKey(m[1]!), op: m[2] === '>' ? 'gt' : 'lt', values: [m[3]!] });
    } else if (/^\S+$/.test(part) && !/[=!()<>]/.test(part)) {
      reqs.push({ key: checkKey(part), op: 'exists', values: [] });
    } else {
      parseError(`found '${part}', expected: identifier, ',' or 'end of string'`);
    }
  }
  return reqs;
}

function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'eq':
        return has && v === r.values[0];
      case 'neq':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'gt':
        return has && /^-?\d+$/.test(v!) && Number(v) > Number(r.values[0]);
      case 'lt':
        return has && /^-?\d+$/.test(v!) && Number(v) < Number(r.values[0]);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Field selectors

interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}
type FieldSelector = FieldRequirement[];

const get = (o: any, path: string): unknown => path.split('.').reduce((acc, k) => (acc == null ? undefined : acc[k]), o);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** Fields each resource supports besides metadata.name / metadata.namespace (per the real field label conversions). */
const EXTRA_FIELDS: Record<string, Record<string, (o: any) => string>> = {
  '/events': {
    'involvedObject.kind': (o) => str(o.involvedObject?.kind),
    'involvedObject.namespace': (o) => str(o.involvedObject?.namespace),
    'involvedObject.name': (o) => str(o.involvedObject?.name),
    'involvedObject.uid': (o) => str(o.involvedObject?.uid),
    'involvedObject.apiVersion': (o) => str(o.involvedObject?.apiVersion),
    'involvedObject.resourceVersion': (o) => str(o.involvedObject?.resourceVersion),
    'involvedObject.fieldPath': (o) => str(o.involvedObject?.fieldPath),
    reason: (o) => str(o.reason),
    reportingComponent: (o) => str(o.reportingComponent),
    source: (o) => str(o.source?.component ?? o.reportingComponent),
    type: (o) => str(o.type),
  },
  '/pods': {
    'spec.nodeName': (o) => str(o.spec?.nodeName),
    'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
    'spec.schedulerName': (o) => str(o.spec?.schedulerName),
    'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
    'spec.hostNetwork': (o) => str(o.spec?.hostNetwork ?? false),
    'status.phase': (o) => str(o.status?.phase),
    'status.podIP': (o) => str(o.status?.podIP),
    'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
  },
  '/nodes': { 'spec.unschedulable': (o) => str(o.spec?.unschedulable ?? false) },
  '/namespaces': { 'status.phase': (o) => str(o.status?.phase) },
  '/secrets': { type: (o) => str(o.type) },
};

function fieldGetter(t: ResourceType, field: string): ((o: any) => string) | undefined {
  if (field === 'metadata.name') return (o) => str(get(o, 'metadata.name'));
  if (field === 'metadata.namespace' && t.namespaced) return (o) => str(get(o, 'metadata.namespace'));
  return EXTRA_FIELDS[`${t.group}/${t.resource}`]?.[field];
}

function parseFieldSelector(t: ResourceType, raw: string | undefined): FieldSelector {
  if (raw === undefined || raw.trim() === '') return [];
  const reqs: FieldSelector = [];
  for (const part0 of raw.split(',')) {
    const part = part0.trim();
    const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${raw}'; can't understand '${part}'`);
    const field = m[1]!.trim();
    if (!fieldGetter(t, field)) throw badRequest(`field label not supported: ${field}`);
    reqs.push({ field, negate: m[2] === '!=', value: m[3]! });
  }
  return reqs;
}

function matchFields(t: ResourceType, sel: FieldSelector, obj: any): boolean {
  return sel.every((r) => {
    const v = fieldGetter(t, r.field)!(obj);
    return r.negate ? v !== r.value : v === r.value;
  });
}

export interface ObjectFilter {
  labels: LabelSelector;
  fields: FieldSelector;
}

export function parseFilter(t: ResourceType, q: { labelSelector?: string; fieldSelector?: string }): ObjectFilter {
  return { labels: parseLabelSelector(q.labelSelector), fields: parseFieldSelector(t, q.fieldSelector) };
}

export function matches(t: ResourceType, f: ObjectFilter, obj: any): boolean {
  return matchLabels(f.labels, obj?.metadata?.labels) && matchFields(t, f.fields, obj);
}

export function isEmptyFilter(f: ObjectFilter): boolean {
  return f.labels.length === 0 && f.fields.length === 0;
}
