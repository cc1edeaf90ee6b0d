/** Small helpers around ObjectMeta: timestamps, uids, generated names and name/label validation. */
import { randomUUID } from 'node:crypto';
import type { FieldError } from './errors.js';

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function nowRfc3339(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with nanoseconds, as kubelet prefixes log lines with `timestamps=true`. */
export function nowRfc3339Nano(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function newUid(): string {
  return randomUUID();
}

// The alphabet k8s uses for generated suffixes (no vowels, no confusable digits).
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return s;
}

/** names.SimpleNameGenerator: truncate the base to leave room for a 5-char suffix. */
export function generateName(base: string): string {
  return base.slice(0, 253 - 5) + randomSuffix(5);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** The generic ObjectMeta checks every create/update goes through (ValidateObjectMeta). */
export function validateObjectMeta(meta: any, opts: { dnsLabelName: boolean; namespaced: boolean }): FieldError[] {
  const errs: FieldError[] = [];
  const name: unknown = meta?.name;
  if (typeof name !== 'string' || name === '') {
    errs.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
  } else if (opts.dnsLabelName) {
    if (name.length > 63 || !DNS1123_LABEL.test(name))
      errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: JSON.stringify(name), detail: LABEL_MSG });
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: JSON.stringify(name), detail: SUBDOMAIN_MSG });
  }
  const labels = meta?.labels;
  if (labels !== undefined && labels !== null) {
    if (typeof labels !== 'object' || Array.isArray(labels)) {
      errs.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: '"object"', detail: 'must be a map of strings' });
    } else {
      for (const [k, v] of Object.entries(labels)) {
        const keyErr = validateQualifiedName(k);
        if (keyErr) errs.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: JSON.stringify(k), detail: keyErr });
        if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
          const detail = typeof v === 'string' && v.length > 63 ? 'must be no more than 63 characters' : LABEL_VALUE_MSG;
          errs.push({ type: 'FieldValueInvalid', field: 'metadata.labels', value: JSON.stringify(v), detail });
        }
      }
    }
  }
  return errs;
}

function validateQualifiedName(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return QUALIFIED_NAME_MSG;
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
  if (parts.length === 2 && (prefix === '' || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return `prefix part ${SUBDOMAIN_MSG}`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) return QUALIFIED_NAME_MSG;
  return undefined;
}
