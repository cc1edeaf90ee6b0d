/**
 * The KFP client against the test API server: the spec's worked create-run (wire/pipelines.md#runs)
 * byte for byte, and the test server itself refusing what the real one refuses (unknown fields and
 * query parameters, wrong types), so the other tests' "no invalid request" means something.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelinesClient } from '../../src/kubeflow/pipelines/client.js';
import { PipelinesError } from '../../src/kubeflow/pipelines/errors.js';
import { startFakeKfp, type FakeKfp } from '../support/fake-kfp/index.js';
import { ROOT } from '../support/mcp.js';

const NS = 'team-a';
const RETRY = readFileSync(path.join(ROOT, 'test/fixtures/kubeflow-api/pipelines/samples/pipeline_with_retry.yaml'), 'utf8');
let kfp: FakeKfp;
let client: PipelinesClient;

beforeAll(async () => {
  kfp = await startFakeKfp({ multiUser: true, token: 't0ken' });
  client = new PipelinesClient({ endpoint: kfp.url, token: 't0ken' });
});
afterAll(() => kfp?.close());

describe('PipelinesClient', () => {
  it('sends the worked example: experiment, pipeline and version by name, then the run body', async () => {
    const p = await client.uploadPipeline(NS, RETRY, { name: 'test-pipeline' });
    const first = await client.findVersion(NS, p.pipeline_id!, undefined);
    await client.renameVersion(NS, p.pipeline_id!, first.pipeline_version_id!, 'v1');
    const e = await client.createExperiment(NS, 'nightly', undefined);
    const from = kfp.requests.length;

    const exp = await client.findExperiment(NS, 'nightly');
    const pipeline = await client.findPipeline(NS, 'test-pipeline');
    const version = await client.findVersion(NS, pipeline.pipeline_id!, 'v1');
    await client.createRun(NS, {
      experiment_id: exp!.experiment_id!,
      display_name: 'test-pipeline 2026-08-22 10-15-00',
      pipeline_version_reference: { pipeline_id: pipeline.pipeline_id!, pipeline_version_id: version.pipeline_version_id! },
      runtime_config: { parameters: { a: 3.5, b: 4.0 } },
    });
    const calls = kfp.requests.slice(from);
    const filter = (name: string) => JSON.stringify({ predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: name }] });
    expect(calls.map((c) => [c.method, c.path, c.query.filter, c.query.namespace])).toEqual([
      ['GET', '/apis/v2beta1/experiments', filter('nightly'), NS],
      ['GET', '/apis/v2beta1/pipelines', filter('test-pipeline'), NS],
      ['GET', `/apis/v2beta1/pipelines/${p.pipeline_id}/versions`, filter('v1'), undefined],
      ['GET', `/apis/v2beta1/pipelines/${p.pipeline_id}/versions/${version.pipeline_version_id}`, undefined, undefined],
      ['POST', '/apis/v2beta1/runs', undefined, undefined],
    ]);
    expect(JSON.stringify(calls.at(-1)!.body)).toBe(
      JSON.stringify({
        experiment_id: e.experiment_id,
        display_name: 'test-pipeline 2026-08-22 10-15-00',
        pipeline_version_reference: { pipeline_id: p.pipeline_id, pipeline_version_id: version.pipeline_version_id },
        runtime_config: { parameters: { a: 3.5, b: 4.0 } },
      }),
    );
    expect(kfp.invalidRequests()).toEqual([]);
  });

  it("maps the server's refusals: an unknown parameter, a duplicate name, a wrong token", async () => {
    const pipeline = await client.findPipeline(NS, 'test-pipeline');
    const version = await client.findVersion(NS, pipeline.pipeline_id!, 'v1');
    const exp = await client.findExperiment(NS, 'nightly');
    const err = await client
      .createRun(NS, {
        experiment_id: exp!.experiment_id!,
        display_name: 'x',
        pipeline_version_reference: { pipeline_id: pipeline.pipeline_id!, pipeline_version_id: version.pipeline_version_id! },
        runtime_config: { parameters: { c: 1 } },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelinesError);
    expect(err).toMatchObject({ code: 'bad_request', status: 400 });
    expect((err as Error).message).toContain('not required by pipeline: c');
    const dup = await client.uploadPipeline(NS, RETRY, { name: 'test-pipeline' }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 'conflict', status: 409 });
    expect((dup as Error).message).toContain('already exists');
    const anon = await new PipelinesClient({ endpoint: kfp.url }).listPipelines(NS).catch((e: unknown) => e);
    expect(anon).toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('the test server refuses unknown fields and query parameters, as the real one does', async () => {
    const post = (p: string, body: unknown) =>
      fetch(`${kfp.url}/apis/v2beta1${p}`, {
        method: 'POST',
        headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/experiments', { display_name: 'x', namespace: NS, colour: 'red' })).status).toBe(400);
    expect((await post('/recurringruns', { display_name: 'x', trigger: { cron_schedule: { cron: '0 0 * * * *', every: 1 } } })).status).toBe(400);
    const get = await fetch(`${kfp.url}/apis/v2beta1/runs?namespace=${NS}&pageSize=5`, { headers: { authorization: 'Bearer t0ken' } });
    expect(get.status).toBe(400);
    expect(((await get.json()) as { message: string }).message).toContain("query parameter 'pageSize' is not defined");
    const bad = await fetch(`${kfp.url}/apis/v2beta1/runs?namespace=${NS}&page_size=ten`, { headers: { authorization: 'Bearer t0ken' } });
    expect(bad.status).toBe(400);
    expect(kfp.invalidRequests()).toHaveLength(4);
    kfp.requests.length = 0;
  });
});
