/** fake-kube's Katib simulation as a client sees it over HTTP: admission, defaults, lifecycle, cascade. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExperiment } from '../../src/kubeflow/optimizer/experiment.js';
import { search } from '../../src/kubeflow/optimizer/search.js';
import { runtimeFromObject } from '../../src/kubeflow/trainer/runtime.js';
import { call, waitFor } from '../fake-kube/helpers.js';
import { INJECTION_LABEL, startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { loadRuntimeFixtures } from '../support/runtimes.js';

let kube: FakeKube;
const NS = 'default';
const EXP = (name = '') => `/apis/kubeflow.org/v1beta1/namespaces/${NS}/experiments${name ? `/${name}` : ''}`;
const torch = runtimeFromObject(loadRuntimeFixtures().get('torch-distributed')!.obj);

beforeAll(async () => {
  kube = await startFakeKube({ controller: { stepMs: 10, runSteps: 1 } });
  kube.seedDefaultRuntimes();
  kube.labelNamespace(NS, { [INJECTION_LABEL]: 'enabled' });
});
afterAll(() => kube?.close());

function body(name: string): any {
  return JSON.parse(
    JSON.stringify(
      buildExperiment({
        name,
        trialTemplate: { trainer: { kind: 'container', image: 'ghcr.io/me/train:1', args: ['--lr=${trialParameters.lr}'] }, runtime: torch },
        searchSpace: { lr: search.uniform(0.01, 0.1) },
        trials: { max: 2, parallel: 2 },
      }).experiment,
    ),
  );
}

describe('admission', () => {
  it('applies the mutating webhook defaults', async () => {
    const b = body('defaults');
    delete b.spec.parallelTrialCount;
    b.spec.maxTrialCount = 5; // the default parallelTrialCount 3 must not exceed it
    const res = await call(kube, 'POST', `${EXP()}?dryRun=All`, { body: b });
    expect(res.status).toBe(201);
    expect(res.body.spec).toMatchObject({
      parallelTrialCount: 3,
      resumePolicy: 'Never',
      metricsCollectorSpec: { collector: { kind: 'StdOut' } },
      objective: { metricStrategies: [{ name: 'loss', value: 'min' }] },
      parameters: [{ feasibleSpace: { distribution: 'uniform' } }],
      trialTemplate: {
        primaryPodLabels: { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'batch.kubernetes.io/job-completion-index': '0' },
        failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
      },
    });
  });

  it('validating webhook: 400 with the aggregated field errors', async () => {
    const b = body('invalid');
    b.spec.maxTrialCount = 0;
    b.spec.algorithm.algorithmName = 'annealing';
    b.spec.trialTemplate.trialParameters.push({ name: 'momentum', reference: 'momentum' });
    const res = await call(kube, 'POST', EXP(), { body: b });
    expect(res.status).toBe(400);
    expect(res.body.reason).toBe('BadRequest');
    expect(res.body.message).toMatch(/^admission webhook "validator.experiment.katib.kubeflow.org" denied the request: \[/);
    expect(res.body.message).toContain('spec.maxTrialCount: Invalid value: 0: must be greater than 0');
    expect(res.body.message).toContain('unable to get Suggestion config data for algorithm annealing');
    expect(res.body.message).toContain('parameter reference momentum does not exist in spec.parameters');

    const noObjective = body('noobj');
    delete noObjective.spec.objective;
    expect((await call(kube, 'POST', EXP(), { body: noObjective })).body.message).toMatch(/spec.objective: Required value: must be specified$/);
    const noParams = body('noparams');
    noParams.spec.parameters = [];
    noParams.spec.trialTemplate.trialParameters = [];
    expect((await call(kube, 'POST', EXP(), { body: noParams })).body.message).toContain('spec.parameters or spec.nasConfig must be specified');
    const noTemplate = body('notemplate');
    delete noTemplate.spec.trialTemplate;
    expect((await call(kube, 'POST', EXP(), { body: noTemplate })).body.message).toContain('spec.trialTemplate: Required value: must be specified');
  });

  it('schema (fake-only strictness): 422 Invalid with causes for wrong types and unknown fields', async () => {
    const b = body('schema');
    b.spec.maxTrialCount = '2';
    b.spec.objective.objectiveMetric = 'loss';
    const res = await call(kube, 'POST', EXP(), { body: b });
    expect(res.status).toBe(422);
    expect(res.body.details.causes).toEqual([
      { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "2": spec.maxTrialCount in body must be integer', field: 'spec.maxTrialCount' },
      expect.objectContaining({ reason: 'FieldValueInvalid', field: 'spec.objective.objectiveMetric' }),
    ]);
  });

  it('experiments in unlabelled namespaces are refused (Katib webhook)', async () => {
    const res = await call(kube, 'POST', `/apis/kubeflow.org/v1beta1/namespaces/kube-public-like/experiments`, { body: body('x') });
    expect(res.status).toBe(404); // no such namespace
    kube.labelNamespace(NS, { [INJECTION_LABEL]: 'no' });
    try {
      const r = await call(kube, 'POST', EXP(), { body: body('nolabel') });
      expect(r.status).toBe(400);
      expect(r.body.message).toContain('the namespace lacks label "katib.kubeflow.org/metrics-collector-injection: enabled"');
    } finally {
      kube.labelNamespace(NS, { [INJECTION_LABEL]: 'enabled' });
    }
  });

  it('only the trial counts are editable', async () => {
    expect((await call(kube, 'POST', EXP(), { body: body('edit') })).status).toBe(201);
    const ok = await call(kube, 'PATCH', EXP('edit'), { body: { spec: { maxTrialCount: 3 } }, contentType: 'application/merge-patch+json' });
    expect(ok.status).toBe(200);
    const bad = await call(kube, 'PATCH', EXP('edit'), { body: { spec: { objective: { type: 'maximize' } } }, contentType: 'application/merge-patch+json' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount are editable');
  });
});

describe('lifecycle', () => {
  it('trials and their TrainJobs: names, labels, owners, substitution, conditions; cascade on delete', async () => {
    expect((await call(kube, 'POST', EXP(), { body: body('life') })).status).toBe(201);
    const created = await waitFor(async () => {
      const e = (await call(kube, 'GET', EXP('life'))).body;
      return e.status?.conditions?.[0]?.type === 'Created' ? e : undefined;
    });
    expect(created.status.conditions[0]).toMatchObject({ type: 'Created', status: 'True', reason: 'ExperimentCreated', message: 'Experiment is created' });

    const done = await waitFor(async () => {
      const e = (await call(kube, 'GET', EXP('life'))).body;
      return e.status?.conditions?.some((c: any) => c.type === 'Succeeded' && c.status === 'True') ? e : undefined;
    }, 10_000);
    expect(done.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['Created=True', 'Running=False', 'Succeeded=True']);
    expect(done.status).toMatchObject({
      trials: 2,
      trialsSucceeded: 2,
      succeededTrialList: expect.any(Array),
      currentOptimalTrial: { bestTrialName: expect.stringMatching(/^life-/) },
    });
    expect(done.status.trialsRunning).toBeUndefined();

    const trials = (await call(kube, 'GET', `/apis/kubeflow.org/v1beta1/namespaces/${NS}/trials?labelSelector=katib.kubeflow.org%2Fexperiment%3Dlife`)).body
      .items;
    expect(trials).toHaveLength(2);
    for (const t of trials) {
      expect(t.metadata.ownerReferences[0]).toMatchObject({ kind: 'Experiment', name: 'life', uid: done.metadata.uid, controller: true });
      expect(t.status.conditions.map((c: any) => c.type)).toEqual(['Created', 'Running', 'Succeeded']);
      const tj = (await call(kube, 'GET', `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${NS}/trainjobs/${t.metadata.name}`)).body;
      expect(tj.metadata.ownerReferences[0]).toMatchObject({ kind: 'Trial', name: t.metadata.name, uid: t.metadata.uid });
      expect(tj.spec.trainer.args).toEqual([`--lr=${t.spec.parameterAssignments[0].value}`]);
      expect(tj.spec.trainer.env).toBeUndefined();
    }
    const suggestion = (await call(kube, 'GET', `/apis/kubeflow.org/v1beta1/namespaces/${NS}/suggestions/life`)).body;
    expect(suggestion.status.conditions.map((c: any) => c.type)).toEqual(['Created', 'Running']);

    expect((await call(kube, 'DELETE', EXP('life'))).status).toBe(200);
    await waitFor(
      () =>
        kube.store.list('kubeflow.org', 'trials', NS).every((t) => !t.metadata.name.startsWith('life-')) &&
        !kube.store.list('trainer.kubeflow.org', 'trainjobs', NS).some((t) => t.metadata.name.startsWith('life-')),
    );
    expect(kube.store.list('', 'pods', NS).some((p) => p.metadata.name.startsWith('life-'))).toBe(false);
  });
});
