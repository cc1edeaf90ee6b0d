/**
 * Compiled pipeline packages are checked as the KFP 2.17 server checks them (and a little beyond),
 * each problem with its line; run parameters with the server's rules; the endpoint and token as
 * the SDK resolves them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiBase, chooseEndpoint, IN_CLUSTER_ENDPOINT, tokenFile } from '../../src/kubeflow/pipelines/endpoint.js';
import { PipelinesError } from '../../src/kubeflow/pipelines/errors.js';
import { parametersOfSpec, parsePackage } from '../../src/kubeflow/pipelines/package.js';
import { parameterProblems } from '../../src/kubeflow/pipelines/parameters.js';
import { instructions } from '../../src/server/instructions.js';
import { toolsForModules } from '../../src/tools/registry.js';
import { ROOT } from '../support/mcp.js';
import { thrown } from '../support/thrown.js';

const sample = (f: string) => readFileSync(path.join(ROOT, 'test/fixtures/kubeflow-api/pipelines/samples', f), 'utf8');
const RETRY = sample('pipeline_with_retry.yaml');

describe('parsePackage', () => {
  it('reads the three upstream samples', () => {
    expect(parsePackage(RETRY)).toMatchObject({
      name: 'test-pipeline',
      tasks: 1,
      platformSpec: false,
      parameters: [{ name: 'a', type: 'NUMBER_DOUBLE', default: 1, optional: true }, { name: 'b' }],
    });
    expect(parsePackage(sample('arguments_parameters.yaml')).parameters).toEqual([
      { name: 'param1', type: 'STRING', default: 'hello', optional: false },
      { name: 'param2', type: 'STRING', optional: false },
    ]);
    const k8s = parsePackage(sample('missing_kubernetes_optional_inputs.yaml'));
    expect(k8s.platformSpec).toBe(true);
    expect(k8s.parameters.map((p) => [p.type, p.optional])).toEqual(
      expect.arrayContaining([
        ['STRUCT', true],
        ['LIST', true],
      ]),
    );
  });

  const problem = (text: string) => thrown(() => parsePackage(text), PipelinesError).message;

  it('names what is wrong, with the line', () => {
    expect(problem(RETRY.replace('schemaVersion: 2.1.0', 'schemaVersion: 2.0.0'))).toMatch(/line 82: schemaVersion: must be 2\.1\.0/);
    expect(problem(RETRY.replace('pipelineInfo:\n  name: test-pipeline\n', ''))).toContain('no pipeline spec is provided (pipelineInfo.name missing)');
    expect(problem(`${RETRY}\nextraField: 1\n`)).toMatch(/extraField: unknown field of a PipelineSpec/);
    expect(problem(RETRY.replace('executorLabel: exec-add', 'executorLabel: exec-nope'))).toMatch(
      /line \d+: components\.comp-add\.executorLabel: names executor 'exec-nope'/,
    );
    expect(
      problem(RETRY.replace('parameterType: NUMBER_DOUBLE\n      b:\n        defaultValue', 'parameterType: FLOAT\n      b:\n        defaultValue')),
    ).toMatch(/root\.inputDefinitions\.parameters\.a\.parameterType: must be one of/);
    expect(problem(`${RETRY}---\n${RETRY}`)).toContain('multiple pipeline specs provided');
    expect(problem('a: [1')).toContain('not valid YAML');
    expect(problem('a: 1\na: 2\n')).toContain('not valid YAML');
    expect(problem('')).toContain('empty');
    expect(problem('import kfp\n@dsl.pipeline\ndef p(): pass\n')).toContain('looks like Python source');
  });

  it('reads inputs from a stored pipeline_spec, with or without a platform spec', () => {
    const spec = { root: { inputDefinitions: { parameters: { n: { parameterType: 'NUMBER_INTEGER', isOptional: true } } } } };
    expect(parametersOfSpec(spec)).toEqual([{ name: 'n', type: 'NUMBER_INTEGER', optional: true }]);
    expect(parametersOfSpec({ pipeline_spec: spec, platform_spec: {} })).toEqual(parametersOfSpec(spec));
  });
});

describe('parameterProblems (validatePipelineJobInputs)', () => {
  const declared = [
    { name: 'a', type: 'NUMBER_DOUBLE' as const, optional: false },
    { name: 'mode', type: 'STRING' as const, optional: true, literals: ['fast', 'slow'] },
    { name: 'flag', type: 'BOOLEAN' as const, optional: false, default: false },
    { name: 'cfg', type: 'STRUCT' as const, optional: true },
  ];
  it('accepts what the server accepts', () => {
    expect(parameterProblems(declared, { a: 1 })).toEqual([]);
    expect(parameterProblems(declared, { a: 2.5, mode: 'fast', flag: true, cfg: { x: 1 } })).toEqual([]);
  });
  it('refuses what the server refuses, saying how to fix it', () => {
    expect(parameterProblems(declared, {})).toEqual(['a is required (a number)']);
    expect(parameterProblems(declared, { a: '3' })).toEqual(['a must be a number, got "3" (pass 3 without quotes)']);
    expect(parameterProblems(declared, { a: 1, flag: 'true' })).toEqual(['flag must be true or false, got "true" (pass true without quotes)']);
    expect(parameterProblems(declared, { a: 1, mode: 'medium' })).toEqual(['mode must be one of "fast", "slow"']);
    expect(parameterProblems(declared, { a: 1, cfg: [1] })).toEqual(['cfg must be a JSON object, got [1]']);
    expect(parameterProblems(declared, { a: 1, b: 2 })).toEqual(['not inputs of this pipeline: b (inputs: a, mode, flag, cfg)']);
  });
});

describe('endpoint and token (as the SDK resolves them)', () => {
  it('flag/config, then KF_PIPELINES_ENDPOINT, then the in-cluster Service inside a pod', () => {
    expect(chooseEndpoint('http://kfp:8888', { KF_PIPELINES_ENDPOINT: 'http://env' }, true)).toEqual({ endpoint: 'http://kfp:8888', source: 'configured' });
    expect(chooseEndpoint(undefined, { KF_PIPELINES_ENDPOINT: 'http://env' }, true).endpoint).toBe('http://env');
    expect(chooseEndpoint(undefined, {}, true)).toEqual({ endpoint: IN_CLUSTER_ENDPOINT, source: 'in-cluster Service' });
    const none = chooseEndpoint(undefined, {}, false);
    expect(none.endpoint).toBeUndefined();
    expect(none.source).toContain('KF_PIPELINES_ENDPOINT');
  });
  it('a missing scheme means https; the API path follows any prefix', () => {
    expect(apiBase('kubeflow.example.com/pipeline/')).toBe('https://kubeflow.example.com/pipeline/apis/v2beta1');
    expect(apiBase('http://ml-pipeline.kubeflow.svc.cluster.local:8888')).toBe('http://ml-pipeline.kubeflow.svc.cluster.local:8888/apis/v2beta1');
    expect(apiBase('http://x/apis/v2beta1')).toBe('http://x/apis/v2beta1');
    expect(thrown(() => apiBase('http://u:p@x'), PipelinesError).message).toContain('credentials');
    expect(thrown(() => apiBase('ftp://x'), PipelinesError).message).toContain('http or https');
  });
  it('the token file: configured, else KF_PIPELINES_SA_TOKEN_PATH', () => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), 'kfp-tok-')), 't');
    writeFileSync(f, 'x');
    expect(tokenFile('/a', { KF_PIPELINES_SA_TOKEN_PATH: f })).toBe('/a');
    expect(tokenFile(undefined, { KF_PIPELINES_SA_TOKEN_PATH: f })).toBe(f);
  });
});

describe('server instructions with the pipelines module', () => {
  it('name the pipeline workflow, and no empty trainer step when only pipelines are loaded', () => {
    const text = instructions(new Set(toolsForModules(['pipelines']).map((t) => t.name)));
    expect(text).toContain('Pipelines: upload_pipeline, run_pipeline');
    expect(text).toContain('then get_pipeline_run');
    expect(text).not.toMatch(/Inspect with \./);
  });
});
