/**
 * Kubernetes label selectors over job labels: equality (`a=b`, `a==b`, `a!=b`), set-based
 * (`a in (x,y)`, `a notin (x)`) and existence (`a`, `!a`), comma-separated (all must hold).
 */
import { LocalBackendError } from './errors.js';

type Requirement = { op: 'exists' | 'notexists'; key: string } | { op: 'in' | 'notin'; key: string; values: string[] };

export type LabelMatcher = (labels: Record<string, string>) => boolean;

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function parseLabelSelector(selector: string | undefined): LabelMatcher {
  if (!selector || selector.trim() === '') return () => true;
  const requirements = splitTopLevel(selector).map((part) => parseRequirement(part.trim(), selector));
  return (labels) => requirements.every((r) => matches(r, labels));
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.op) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'in':
      return has && r.values.includes(labels[r.key]!);
    case 'notin':
      return !has || !r.values.includes(labels[r.key]!);
  }
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function parseRequirement(text: string, selector: string): Requirement {
  const bad = (why: string) =>
    new LocalBackendError(
      'invalid_label_selector',
      `cannot parse label selector '${selector}': ${why}`,
      'use e.g. "team=nlp", "team!=cv", "tier in (a,b)", "owner" or "!owner", comma-separated',
      'labels',
    );
  let m = /^!\s*(\S+)$/.exec(text);
  if (m) return { op: 'notexists', key: key(m[1]!, bad) };
  m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(text);
  if (m) return { op: m[2] === '!=' ? 'notin' : 'in', key: key(m[1]!, bad), values: [value(m[3]!, bad)] };
  m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (m) return { op: m[2] as 'in' | 'notin', key: key(m[1]!, bad), values: m[3]!.split(',').map((v) => value(v.trim(), bad)) };
  if (/^\S+$/.test(text) && !/[=!<>()]/.test(text)) return { op: 'exists', key: key(text, bad) };
  throw bad(`'${text}' is not a requirement`);
}

function key(k: string, bad: (why: string) => Error): string {
  if (k.length > 317 || !KEY.test(k)) throw bad(`'${k}' is not a valid label key`);
  return k;
}

function value(v: string, bad: (why: string) => Error): string {
  if (v.length > 63 || !VALUE.test(v)) throw bad(`'${v}' is not a valid label value`);
  return v;
}
