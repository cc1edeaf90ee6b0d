import { describe, expect, it } from 'vitest';
import { unsupportedCelRules, validateAgainstCrd } from '../support/crd.js';
import { TRAINER_FIXTURES, TRAINJOB_CRD } from '../support/runtimes.js';

const ok = { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name: 'ok' }, spec: { runtimeRef: { name: 'torch-distributed' } } };

describe('CRD contract helper', () => {
  it('evaluates every non-transition CEL rule of the Trainer CRDs', () => {
    expect(unsupportedCelRules(TRAINJOB_CRD)).toEqual([]);
    expect(unsupportedCelRules(`${TRAINER_FIXTURES}/crds/trainer.kubeflow.org_clustertrainingruntimes.yaml`)).toEqual([]);
  });

  it('accepts a minimal TrainJob', () => {
    expect(validateAgainstCrd(TRAINJOB_CRD, ok)).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['name not RFC 1035', { ...ok, metadata: { name: 'Bad_name' } }, /RFC 1035/],
    ['name too long', { ...ok, metadata: { name: 'a'.repeat(64) } }, /63/],
    ['unknown field', { ...ok, spec: { ...ok.spec, trainer: { numNode: 2 } } }, /additional properties 'numNode'/],
    ['wrong type', { ...ok, spec: { ...ok.spec, trainer: { numNodes: '2' } } }, /must be integer/],
    ['bad quantity', { ...ok, spec: { ...ok.spec, trainer: { resourcesPerNode: { limits: { cpu: '4 cores' } } } } }, /must match pattern/],
    ['storage URI without scheme', { ...ok, spec: { ...ok.spec, initializer: { model: { storageUri: 'org/name' } } } }, /valid\s+URI/],
    ['managedBy value', { ...ok, spec: { ...ok.spec, managedBy: 'me' } }, /ManagedBy must be/],
    ['deadline minimum', { ...ok, spec: { ...ok.spec, activeDeadlineSeconds: 0 } }, /must be >= 1/],
    ['missing runtimeRef', { ...ok, spec: {} }, /runtimeRef/],
  ])('rejects: %s', (_, obj, message) => {
    const errors = validateAgainstCrd(TRAINJOB_CRD, obj);
    expect(errors.join('\n')).toMatch(message);
  });
});
