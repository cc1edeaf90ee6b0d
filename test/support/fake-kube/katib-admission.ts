/**
 * Katib's admission for Experiments, as a cluster with Katib v0.19 applies it on create/update:
 *
 *  1. (fake-only strictness) the object must match Katib's swagger: wrong types and fields the
 *     swagger does not define answer 422 Invalid with causes. A real API server accepts any shape
 *     (the CRD is schemaless) and Katib's decoder silently drops unknown fields; we refuse them so
 *     a misspelled field cannot pass a test.
 *  2. the mutating webhook's defaults (parallelTrialCount 3, resumePolicy Never, metricStrategies,
 *     StdOut collector, distribution uniform, TrainJob success/failure conditions and primary pod
 *     labels);
 *  3. the validating webhook (pkg/webhook/v1beta1/experiment/validator): namespace label,
 *     name, counts, objective, algorithm, parameters, trial template. Denials are 400 BadRequest
 *     "admission webhook ... denied the request: <aggregated field errors>", as the API server
 *     relays them.
 *
 * Algorithm-specific checks (grid steps, cmaes dimensions, ...) are not the webhook's: the fake
 * controller fails the Suggestion and the Experiment for them, as Katib does.
 */
import { schemaProblems } from '../katib.js';
import { badRequest, fieldErrorBody, fmtValue, invalid, type FieldError } from './errors.js';
import type { ResourceType } from './registry.js';

const KATIB_ALGORITHMS = ['random', 'tpe', 'grid', 'hyperband', 'bayesianoptimization', 'cmaes', 'sobol', 'multivariate-tpe', 'enas', 'darts', 'pbt'];
export const INJECTION_LABEL = 'katib.kubeflow.org/metrics-collector-injection';

const TRAINJOB_SUCCESS = 'status.conditions.#(type=="Complete")#|#(status=="True")#';
const TRAINJOB_FAILURE = 'status.conditions.#(type=="Failed")#|#(status=="True")#';
const TRAINJOB_PRIMARY_LABELS = { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'batch.kubernetes.io/job-completion-index': '0' };
const JOB_SUCCESS = 'status.conditions.#(type=="Complete")#|#(status=="True")#';
const JOB_FAILURE = 'status.conditions.#(type=="Failed")#|#(status=="True")#';
const KUBEFLOW_JOB_KINDS = new Set(['TFJob', 'PyTorchJob', 'XGBoostJob', 'MPIJob', 'PaddleJob', 'JAXJob', 'TrainJob']);
const PLACEHOLDER = /\$\{trialParameters\..+?\}/g;
const META_KEYS = ['trialSpec.Name', 'trialSpec.Namespace', 'trialSpec.Kind', 'trialSpec.APIVersion', 'trialSpec.Labels', 'trialSpec.Annotations'];

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function swaggerErrors(obj: any): FieldError[] {
  return schemaProblems(obj).map((p) =>
    p.keyword === 'type'
      ? { type: 'FieldValueTypeInvalid', field: p.path, value: fmtValue(p.value), detail: `${p.path} in body ${p.message}` }
      : p.keyword === 'additionalProperties'
        ? { type: 'FieldValueInvalid', field: p.path, value: fmtValue(p.value), detail: `${p.message} (not in Katib's v1beta1 schema; Katib would ignore it)` }
        : { type: 'FieldValueInvalid', field: p.path || '<nil>', value: fmtValue(p.value), detail: p.message },
  );
}

/** Experiment.SetDefault(). */
function defaultExperiment(obj: any): void {
  const spec = (obj.spec = isObject(obj.spec) ? obj.spec : {});
  spec.parallelTrialCount ??= 3;
  if (!spec.resumePolicy) spec.resumePolicy = 'Never';
  const obj_ = spec.objective;
  if (isObject(obj_)) {
    const strategies: any[] = Array.isArray(obj_.metricStrategies) ? obj_.metricStrategies : [];
    const value = obj_.type === 'minimize' ? 'min' : obj_.type === 'maximize' ? 'max' : 'latest';
    if (!strategies.some((s) => s?.name === obj_.objectiveMetricName)) strategies.push({ name: obj_.objectiveMetricName, value });
    for (const m of obj_.additionalMetricNames ?? []) if (!strategies.some((s) => s?.name === m)) strategies.push({ name: m, value });
    obj_.metricStrategies = strategies;
  }
  const t = spec.trialTemplate;
  const kind = t?.trialSpec?.kind;
  if (isObject(t) && isObject(t.trialSpec)) {
    if (kind === 'Job') {
      t.successCondition ||= JOB_SUCCESS;
      t.failureCondition ||= JOB_FAILURE;
    } else if (KUBEFLOW_JOB_KINDS.has(kind)) {
      t.successCondition ||= kind === 'TrainJob' ? TRAINJOB_SUCCESS : 'status.conditions.#(type=="Succeeded")#|#(status=="True")#';
      t.failureCondition ||= kind === 'TrainJob' ? TRAINJOB_FAILURE : 'status.conditions.#(type=="Failed")#|#(status=="True")#';
      if (!t.primaryPodLabels || Object.keys(t.primaryPodLabels).length === 0) {
        t.primaryPodLabels = kind === 'TrainJob' ? { ...TRAINJOB_PRIMARY_LABELS } : { 'training.kubeflow.org/job-role': 'master' };
      }
    }
  }
  spec.metricsCollectorSpec = isObject(spec.metricsCollectorSpec) ? spec.metricsCollectorSpec : {};
  spec.metricsCollectorSpec.collector ??= { kind: 'StdOut' };
  for (const p of spec.parameters ?? []) {
    if (isObject(p)) {
      p.feasibleSpace = isObject(p.feasibleSpace) ? p.feasibleSpace : {};
      p.feasibleSpace.distribution ||= 'uniform';
    }
  }
}

const inv = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value: fmtValue(value), detail });
const req = (field: string, detail: string): FieldError => ({ type: 'FieldValueRequired', field, detail });

/** DefaultValidator.ValidateExperiment (create: old undefined). */
function validateExperimentSpec(obj: any, old: any | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const name: string = obj.metadata?.name ?? '';
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?/.test(name) || name.length > 40) {
    errs.push(
      inv(
        'metadata.name',
        name,
        "name must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123', regex used for validation is '^[a-z]([-a-z0-9]*[a-z0-9])?)') and may not be longer than 40 characters. ",
      ),
    );
  }
  const spec = obj.spec ?? {};
  if (spec.maxFailedTrialCount !== undefined && spec.maxFailedTrialCount < 0)
    errs.push(inv('spec.maxFailedTrialCount', spec.maxFailedTrialCount, 'should not be less than 0'));
  if (spec.maxTrialCount !== undefined && spec.maxTrialCount <= 0) errs.push(inv('spec.maxTrialCount', spec.maxTrialCount, 'must be greater than 0'));
  if (spec.parallelTrialCount !== undefined && spec.parallelTrialCount <= 0)
    errs.push(inv('spec.parallelTrialCount', spec.parallelTrialCount, 'must be greater than 0'));
  if (spec.maxFailedTrialCount !== undefined && spec.maxTrialCount !== undefined && spec.maxFailedTrialCount > spec.maxTrialCount) {
    errs.push(inv('spec.maxFailedTrialCount', spec.maxFailedTrialCount, 'should be less than or equal to spec.maxTrialCount'));
  }
  if (spec.parallelTrialCount !== undefined && spec.maxTrialCount !== undefined && spec.parallelTrialCount > spec.maxTrialCount) {
    errs.push(inv('spec.parallelTrialCount', spec.parallelTrialCount, 'should be less than or equal to spec.maxTrialCount'));
  }
  if (old) {
    const strip = (s: any) => JSON.stringify({ ...s, maxTrialCount: undefined, parallelTrialCount: undefined, maxFailedTrialCount: undefined });
    if (strip(spec) !== strip(old.spec ?? {}))
      errs.push({
        type: 'FieldValueForbidden',
        field: 'spec',
        detail: 'only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount are editable',
      });
  }

  const o = spec.objective;
  if (!isObject(o)) return [...errs, req('spec.objective', 'must be specified')];
  const oErrs: FieldError[] = [];
  if (o.type !== 'minimize' && o.type !== 'maximize') oErrs.push(inv('spec.objective.type', o.type ?? '', 'must be minimize or maximize'));
  if (!o.objectiveMetricName) oErrs.push(req('spec.objective.objectiveMetricName', 'must be specified'));
  if ((o.additionalMetricNames ?? []).includes(o.objectiveMetricName))
    oErrs.push(inv('spec.objective.additionalMetricNames', o.additionalMetricNames, 'should not contain spec.objective.objectiveMetricName'));
  if (oErrs.length > 0) return [...errs, ...oErrs];

  const a = spec.algorithm;
  if (!isObject(a)) errs.push(req('spec.algorithm', 'must be specified'));
  else {
    if (!a.algorithmName) errs.push(req('spec.algorithm.algorithmName', 'must be specified'));
    if (!KATIB_ALGORITHMS.includes(a.algorithmName)) {
      errs.push(
        inv(
          'spec.algorithm.algorithmName',
          a.algorithmName ?? '',
          `unable to get Suggestion config data for algorithm ${a.algorithmName ?? ''}: failed to find algorithm '${a.algorithmName ?? ''}' config in configmap 'katib-config'`,
        ),
      );
    }
  }
  if (!['', undefined, 'Never', 'LongRunning', 'FromVolume'].includes(spec.resumePolicy))
    errs.push(inv('spec.resumePolicy', spec.resumePolicy, 'invalid ResumePolicyType'));

  errs.push(...validateTrialTemplate(obj));

  const params: any[] = spec.parameters ?? [];
  if (params.length === 0 && !spec.nasConfig) errs.push(req('spec', 'spec.parameters or spec.nasConfig must be specified'));
  params.forEach((p, i) => {
    const at = `spec.parameters[${i}]`;
    if (!['int', 'double', 'categorical', 'discrete', 'unknown'].includes(p.parameterType))
      errs.push(inv(`${at}.parameterType`, p.parameterType ?? '', `parameterType: ${p.parameterType ?? ''} is not supported`));
    const fs = p.feasibleSpace ?? {};
    if (fs.distribution && !['uniform', 'logUniform', 'normal', 'logNormal', 'unknown'].includes(fs.distribution)) {
      errs.push(inv(`${at}.feasibleSpace.distribution`, fs.distribution, `distribution: ${fs.distribution} is not supported`));
    }
    if (p.parameterType === 'double' || p.parameterType === 'int') {
      if ((fs.list ?? []).length > 0)
        errs.push(inv(`${at}.feasibleSpace.list`, fs.list, `feasibleSpace.list is not supported for parameterType: ${p.parameterType}`));
      if (!fs.max || !fs.min)
        errs.push(req(`${at}.feasibleSpace.max`, `feasibleSpace.max or feasibleSpace.min must be specified for parameterType: ${p.parameterType}`));
    } else if (fs.max || fs.min || fs.step) {
      errs.push(inv(`${at}.feasibleSpace`, fs, `feasibleSpace .max, .min and .step is not supported for parameterType: ${p.parameterType}`));
    }
  });

  const kind = spec.metricsCollectorSpec?.collector?.kind;
  if (!['StdOut', 'File', 'TensorFlowEvent', 'PrometheusMetric', 'Custom', 'None', 'Push'].includes(kind)) {
    errs.push(inv('spec.metricsCollectorSpec.collector.kind', kind ?? '', `invalid metrics collector kind: ${kind ?? ''}`));
  }
  return errs;
}

function validateTrialTemplate(obj: any): FieldError[] {
  const t = obj.spec?.trialTemplate;
  const path = 'spec.trialTemplate';
  if (!isObject(t)) return [req(path, 'must be specified')];
  const errs: FieldError[] = [];
  if (!t.primaryContainerName) errs.push(req(`${path}.primaryContainerName`, 'must be specified'));
  if (!t.successCondition || !t.failureCondition) errs.push(req(path, 'successCondition and failureCondition must be specified'));
  if (!Array.isArray(t.trialParameters)) return [...errs, req(`${path}.trialParameters`, 'must be specified')];
  if (!t.trialSpec && !t.configMap)
    return [...errs, req(`${path}.TrialSource`, 'spec.trialTemplate.trialSpec or spec.trialTemplate.configMap must be specified')];
  if (t.trialSpec && t.configMap) return [...errs, req(path, 'only one of spec.trialTemplate.trialSpec or spec.trialTemplate.configMap can be specified')];
  if (!t.trialSpec) return [...errs, inv(path, '', 'unable to parse spec.trialTemplate: fake-kube does not read trial templates from ConfigMaps')];

  let template = JSON.stringify(t.trialSpec);
  const paramNames = new Set((obj.spec.parameters ?? []).map((p: any) => p.name));
  const names = new Set<string>();
  const refs = new Set<string>();
  for (const [i, p] of (t.trialParameters as any[]).entries()) {
    const at = `${path}.trialParameters[${i}]`;
    if (!p?.name || !p?.reference || /[{}]/.test(p.name)) {
      errs.push(inv(at, '', "name and reference must be specified and name must not contain '{' or '}'"));
      continue;
    }
    if (names.has(p.name)) {
      errs.push(inv(`${at}.name`, p.name, `parameter name ${p.name} can't be duplicated in spec.trialTemplate.trialParameters`));
      continue;
    }
    if (refs.has(p.reference)) {
      errs.push(inv(`${at}.reference`, p.reference, `parameter reference ${p.reference} can't be duplicated in spec.trialTemplate.trialParameters`));
      continue;
    }
    names.add(p.name);
    refs.add(p.reference);
    const meta = /^\$\{(.+)\}$/.exec(p.reference);
    const isMeta = !!meta && META_KEYS.some((k) => meta[1] === k || meta[1]!.startsWith(`${k}[`));
    if (paramNames.size > 0 && !isMeta && !paramNames.has(p.reference)) {
      errs.push(inv(`${at}.reference`, p.reference, `parameter reference ${p.reference} does not exist in spec.parameters`));
    }
    const placeholder = `\${trialParameters.${p.name}}`;
    if (!template.includes(placeholder)) {
      errs.push(inv(`${at}.name`, p.name, `parameter name: ${p.name} in spec.trialParameters not found in spec.trialTemplate`));
      return errs;
    }
    template = template.split(placeholder).join('test-value');
  }
  const left = template.match(PLACEHOLDER);
  if (left) errs.push(inv(path, '', `parameters: [${left.join(' ')}] in spec.trialTemplate not found in spec.trialParameters`));
  const spec = JSON.parse(template);
  if (spec.metadata?.name || spec.metadata?.namespace) errs.push(inv(path, '', 'metadata.name and metadata.namespace in spec.trialTemplate must be omitted'));
  if (!spec.apiVersion || !spec.kind) errs.push(req(path, 'APIVersion and Kind in spec.trialTemplate must be specified'));
  return errs;
}

function denied(message: string): never {
  throw badRequest(`admission webhook "validator.experiment.katib.kubeflow.org" denied the request: ${message}`);
}

/**
 * Admission of an Experiment write. `namespaceLabels` reads the target namespace's labels.
 * Status-only updates and updates that leave the spec alone skip the webhooks (as their rules do
 * not cover the status subresource).
 */
export function admitExperiment(t: ResourceType, obj: any, old: any | undefined, namespaceLabels: (ns: string) => Record<string, string> | undefined): any {
  if (old && JSON.stringify(old.spec) === JSON.stringify(obj.spec)) return obj;
  const schemaErrs = swaggerErrors(obj);
  if (schemaErrs.length > 0) throw invalid(t, obj.metadata?.name ?? '', schemaErrs);
  defaultExperiment(obj);
  const ns: string = obj.metadata?.namespace ?? '';
  if (namespaceLabels(ns)?.[INJECTION_LABEL] !== 'enabled') {
    denied(`Cannot create the Experiment "${obj.metadata?.name ?? ''}" in namespace "${ns}": the namespace lacks label "${INJECTION_LABEL}: enabled"`);
  }
  const errs = validateExperimentSpec(obj, old);
  if (errs.length > 0) {
    const rendered = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
    denied(rendered.length === 1 ? rendered[0]! : `[${rendered.join(', ')}]`);
  }
  return obj;
}
