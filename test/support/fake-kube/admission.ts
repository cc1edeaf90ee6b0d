/**
 * Admission for API writes: ObjectMeta validation, CRD structural schema (prune, default,
 * validate) and the CEL rules of the Trainer CRDs expressed in code. Direct store seeding
 * bypasses all of this.
 */
import { hasCrdSchema, applyCrdSchema } from './crd-schema.js';
import { badRequest, invalid, type FieldError } from './errors.js';
import { admitExperiment } from './katib-admission.js';
import { nowRfc3339, validateObjectMeta } from './meta.js';
import type { ResourceType } from './registry.js';

export interface AdmissionOptions {
  crdValidation: boolean;
  /** ?fieldValidation= of the request: Strict rejects unknown fields, Warn (default) prunes + warns. */
  fieldValidation?: string;
  /** Labels of a namespace (Katib's webhook requires the metrics-collector injection label). */
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
}

export interface Admitted {
  object: any;
  /** Values for `Warning: 299 - "..."` response headers. */
  warnings: string[];
}

const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/.+$/;
const MANAGED_BY = ['trainer.kubeflow.org/trainjob-controller', 'kueue.x-k8s.io/multikueue'];

const celType = (v: unknown): string =>
  Array.isArray(v) ? '"list"' : v === null ? '"null"' : typeof v === 'object' ? '"object"' : typeof v === 'number' ? '"integer"' : `"${typeof v}"`;

function celError(field: string, value: unknown, message: string): FieldError {
  return { type: 'FieldValueInvalid', field, value: celType(value), detail: message };
}

/** x-kubernetes-validations of the TrainJob CRD (v2.3.0). */
function trainJobRules(obj: any, old: any | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const name: string = obj.metadata?.name ?? '';
  if (!RFC1035.test(name)) errs.push(celError('<nil>', obj, 'metadata.name must match RFC 1035 DNS label format'));
  if (name.length > 63) errs.push(celError('<nil>', obj, 'metadata.name must be no more than 63 characters'));
  const spec = obj.spec ?? {};
  // Transition rules (self == oldSelf) only run when the field exists in both versions.
  const immutable = ['activeDeadlineSeconds', 'initializer', 'managedBy', 'runtimeRef', 'trainer'];
  for (const f of immutable) {
    if (f === 'managedBy' && spec.managedBy !== undefined && !MANAGED_BY.includes(spec.managedBy))
      errs.push(celError('spec.managedBy', spec.managedBy, 'ManagedBy must be trainer.kubeflow.org/trainjob-controller or kueue.x-k8s.io/multikueue if set'));
    if (f === 'initializer') {
      for (const which of ['dataset', 'model']) {
        const uri = spec.initializer?.[which]?.storageUri;
        if (typeof uri === 'string' && uri !== '' && !URI_SCHEME.test(uri))
          errs.push(celError(`spec.initializer.${which}.storageUri`, uri, 'storageUri may be empty, or it must be a valid URI (scheme://...)'));
      }
    }
    if (old?.spec && old.spec[f] !== undefined && spec[f] !== undefined && JSON.stringify(old.spec[f]) !== JSON.stringify(spec[f]))
      errs.push(celError(`spec.${f}`, spec[f], 'field is immutable'));
  }
  const ts = obj.status?.trainerStatus;
  if (ts && typeof ts === 'object' && ts.lastUpdatedTime === undefined)
    errs.push(celError('status.trainerStatus', ts, 'lastUpdatedTime is required when trainerStatus is present'));
  return errs;
}

/** x-kubernetes-validations of the (Cluster)TrainingRuntime CRDs that matter in practice. */
function runtimeRules(obj: any): FieldError[] {
  const policy = obj.spec?.mlPolicy;
  if (!policy || typeof policy !== 'object') return [];
  const set = ['torch', 'mpi', 'jax', 'xgboost', 'flux'].filter((k) => policy[k] !== undefined);
  return set.length > 1 ? [celError('spec.mlPolicy', policy, 'Only one of the policy can be configured')] : [];
}

/** The Spark Operator's validating webhook: names must be DNS-1035 labels (they become pod and service names). */
function sparkWebhook(t: ResourceType, obj: any): void {
  const name: string = obj.metadata?.name ?? '';
  if (!RFC1035.test(name) || name.length > 63) {
    throw badRequest(
      `admission webhook "validate-${t.resource}.sparkoperator.k8s.io" denied the request: invalid ${t.kind} name "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`,
    );
  }
}

/** The Trainer mutating webhook stamps each runtime patch with the time it was written. */
function mutateTrainJob(obj: any): void {
  for (const p of obj.spec?.runtimePatches ?? []) if (p && typeof p === 'object' && !p.time) p.time = nowRfc3339();
}

export function admit(t: ResourceType, obj: any, old: any | undefined, opts: AdmissionOptions): Admitted {
  const warnings: string[] = [];
  const errs: FieldError[] = validateObjectMeta(obj.metadata, { dnsLabelName: t.resource === 'namespaces', namespaced: t.namespaced });
  let out = obj;
  if (opts.crdValidation && hasCrdSchema(t.kind)) {
    const r = applyCrdSchema(t.kind, obj);
    if (r.unknownFields.length > 0) {
      if (opts.fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${r.unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`);
      if (opts.fieldValidation !== 'Ignore') warnings.push(...r.unknownFields.map((f) => `unknown field "${f}"`));
    }
    out = r.object;
    errs.push(...r.errors);
    const blocking = r.errors.some((e) => e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueNotSupported');
    if (blocking) {
      errs.push({
        type: 'FieldValueInvalid',
        field: '<nil>',
        value: '"null"',
        detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      });
    } else if (t.kind === 'TrainJob') {
      errs.push(...trainJobRules(out, old));
    } else if (t.kind === 'TrainingRuntime' || t.kind === 'ClusterTrainingRuntime') {
      errs.push(...runtimeRules(out));
    }
  }
  if (errs.length > 0) throw invalid(t, obj.metadata?.name ?? '', errs);
  if (t.group === 'sparkoperator.k8s.io' && !old) sparkWebhook(t, out);
  if (t.kind === 'TrainJob') mutateTrainJob(out);
  if (t.kind === 'Experiment' && t.group === 'kubeflow.org') out = admitExperiment(t, out, old, opts.namespaceLabels ?? (() => undefined));
  return { object: out, warnings };
}
