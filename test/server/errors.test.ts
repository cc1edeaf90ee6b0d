/** The Kubeflow layer's coded errors map to ToolErrors by type, keeping every field. */
import { expect, it } from 'vitest';
import { HubError } from '../../src/kubeflow/hub/errors.js';
import { OptimizerError } from '../../src/kubeflow/optimizer/errors.js';
import { WireValidationError } from '../../src/kubeflow/trainer/errors.js';
import { errorResult } from '../../src/server/mcpServer.js';
import { isTransportFailure, toToolError } from '../../src/tools/errors.js';
import { KubeApiError } from '../../src/kube/client.js';

it('keeps field (and the registry status) in the error details', () => {
  expect(toToolError(new OptimizerError('grid_needs_step', 'no step', 'give step', 'searchSpace.lr.step'))).toMatchObject({
    code: 'grid_needs_step',
    hint: 'give step',
    details: { field: 'searchSpace.lr.step' },
  });
  expect(toToolError(new WireValidationError('invalid_resources', 'bad gpu', 'use a number', 'resourcesPerNode.gpu')).details).toEqual({
    field: 'resourcesPerNode.gpu',
  });
  expect(toToolError(new HubError('conflict', 'exists', 'pick another', 409, 'version')).details).toEqual({ field: 'version', status: 409 });
  expect(errorResult(toToolError(new OptimizerError('invalid_name', 'bad', 'fix', 'name'))).structuredContent).toMatchObject({
    error: { details: { field: 'name' } },
  });
});

it('classifies transport failures one way for the cluster and the registry', () => {
  expect(isTransportFailure(new KubeApiError('down', 0, 'Unreachable'))).toBe(true);
  expect(isTransportFailure(new KubeApiError('slow', 504, 'Timeout'))).toBe(true);
  expect(isTransportFailure(new KubeApiError('cancelled', 499, 'Aborted'))).toBe(true);
  expect(isTransportFailure(new HubError('registry_unreachable', 'down', 'check it'))).toBe(true);
  expect(isTransportFailure(new KubeApiError('no', 403, 'Forbidden'))).toBe(false);
  expect(isTransportFailure(new HubError('conflict', 'exists', 'x', 409))).toBe(false);
});
