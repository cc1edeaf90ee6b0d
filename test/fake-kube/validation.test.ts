import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, TJ_PATH, trainJob } from './helpers.js';

let kube: FakeKube;
const create = (body: unknown, query = '') => call(kube, 'POST', `${TJ_PATH('default')}${query}`, { body });

beforeAll(async () => {
  kube = await startFakeKube({ controller: false });
});
afterAll(() => kube.close());

describe('TrainJob admission (v2.3.0 CRD schema + CEL rules)', () => {
  it('applies schema defaults', async () => {
    const r = await create(trainJob('defaults', { spec: { trainer: { numNodes: 2, env: [{ name: 'A', value: '1' }] } } }));
    expect(r.status).toBe(201);
    expect(r.body.spec.runtimeRef).toEqual({ name: 'torch-distributed', apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime' });
    expect(r.body.spec.suspend).toBe(false);
    expect(r.body.spec.managedBy).toBe('trainer.kubeflow.org/trainjob-controller');
  });

  it('missing runtimeRef → 422 Required value', async () => {
    const r = await create({ apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name: 'noref' }, spec: {} });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      message: 'TrainJob.trainer.kubeflow.org "noref" is invalid: spec.runtimeRef: Required value',
      details: {
        name: 'noref',
        group: 'trainer.kubeflow.org',
        kind: 'TrainJob',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.runtimeRef' }],
      },
    });
  });

  it('bad names fail ObjectMeta validation and the RFC 1035 CEL rule', async () => {
    const upper = await create(trainJob('Bad_Name'));
    expect(upper.status).toBe(422);
    expect(upper.body.details.causes).toEqual([
      expect.objectContaining({ reason: 'FieldValueInvalid', field: 'metadata.name' }),
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "object": metadata.name must match RFC 1035 DNS label format' },
    ]);
    expect(upper.body.message).toMatch(
      /^TrainJob\.trainer\.kubeflow\.org "Bad_Name" is invalid: \[metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    const digit = await create(trainJob('1job'));
    expect(digit.body.message).toBe(
      'TrainJob.trainer.kubeflow.org "1job" is invalid: <nil>: Invalid value: "object": metadata.name must match RFC 1035 DNS label format',
    );
    const long = await create(trainJob('a'.repeat(64)));
    expect(long.body.details.causes).toEqual([
      expect.objectContaining({ message: 'Invalid value: "object": metadata.name must be no more than 63 characters' }),
    ]);
  });

  it('type errors, quantities and storageUri', async () => {
    const r = await create(trainJob('types', { spec: { trainer: { numNodes: 'two', resourcesPerNode: { limits: { cpu: 'lots' } } } } }));
    expect(r.status).toBe(422);
    const fields = r.body.details.causes.map((c: any) => `${c.reason} ${c.field}`);
    expect(fields).toContain('FieldValueTypeInvalid spec.trainer.numNodes');
    expect(fields).toContain('FieldValueInvalid spec.trainer.resourcesPerNode.limits[cpu]');
    const uri = await create(trainJob('uri', { spec: { initializer: { dataset: { storageUri: 'tatsu-lab/alpaca' } } } }));
    expect(uri.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.initializer.dataset.storageUri',
        message: 'Invalid value: "string": storageUri may be empty, or it must be a valid URI (scheme://...)',
      },
    ]);
    expect((await create(trainJob('uri-ok', { spec: { initializer: { dataset: { storageUri: 'hf://tatsu-lab/alpaca' } } } }))).status).toBe(201);
  });

  it('runtimeRef, initializer and trainer are immutable', async () => {
    const created = (await create(trainJob('immut', { spec: { trainer: { numNodes: 1 } } }))).body;
    const r = await call(kube, 'PATCH', TJ_PATH('default', 'immut'), {
      body: { spec: { trainer: { numNodes: 3 }, runtimeRef: { name: 'other' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(r.status).toBe(422);
    expect(r.body.details.causes.map((c: any) => c.field)).toEqual(['spec.runtimeRef', 'spec.trainer']);
    expect(r.body.message).toContain('spec.trainer: Invalid value: "object": field is immutable');
    const suspend = await call(kube, 'PATCH', TJ_PATH('default', 'immut'), { body: { spec: { suspend: true } }, contentType: 'application/merge-patch+json' });
    expect(suspend.status).toBe(200);
    expect(created.metadata.generation).toBe(1);
  });

  it('unknown fields are pruned with a warning, or rejected with fieldValidation=Strict', async () => {
    const r = await create(trainJob('prune', { spec: { trainer: { image: 'x', bogus: 1 } } }));
    expect(r.status).toBe(201);
    expect(r.body.spec.trainer).toEqual({ image: 'x' });
    expect(r.headers.get('warning')).toBe('299 - "unknown field \\"spec.trainer.bogus\\""');
    const strict = await create(trainJob('strict', { spec: { bogus: 1 } }), '?fieldValidation=Strict');
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: unknown field "spec.bogus"');
  });

  it('accepts a TrainJob whose runtime does not exist (the controller fails it later)', async () => {
    expect((await create(trainJob('ghost-runtime', { spec: { runtimeRef: { name: 'nope', kind: 'TrainingRuntime' } } }))).status).toBe(201);
  });

  it('validates runtimes too', async () => {
    const r = await call(kube, 'POST', '/apis/trainer.kubeflow.org/v1alpha1/clustertrainingruntimes', {
      body: {
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'ClusterTrainingRuntime',
        metadata: { name: 'two-policies' },
        spec: { mlPolicy: { torch: {}, mpi: {} }, template: { spec: { replicatedJobs: [] } } },
      },
    });
    expect(r.status).toBe(422);
    expect(r.body.message).toContain('Only one of the policy can be configured');
  });

  it('crdValidation:false skips schema checks', async () => {
    const loose = await startFakeKube({ controller: false, crdValidation: false });
    try {
      const r = await call(loose, 'POST', TJ_PATH('default'), {
        body: { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name: 'x' }, spec: {} },
      });
      expect(r.status).toBe(201);
    } finally {
      await loose.close();
    }
  });
});
