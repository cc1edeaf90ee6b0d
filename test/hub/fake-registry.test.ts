/** The fake registry itself: it refuses and records requests outside the OpenAPI document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry/index.js';

let registry: FakeRegistry;
const api = (path: string) => `${registry.url}/api/model_registry/v1alpha3${path}`;
const post = (path: string, body: unknown) => fetch(api(path), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  registry = await startFakeRegistry();
});
afterAll(() => registry?.close());

describe('request validation', () => {
  it('400 {code, message} and a record for every kind of invalid request', async () => {
    const cases: Array<[Promise<Response>, RegExp]> = [
      [post('/registered_models', { name: 'm', bogus: 1 }), /unknown field 'bogus'/],
      [post('/registered_models', { owner: 'x' }), /must have required property 'name'/],
      [post('/registered_models', { name: 'm', state: 'GONE' }), /state must be equal to one of the allowed values/],
      [post('/model_versions', { name: 'v', registeredModelId: '1', createTimeSinceEpoch: '5' }), /unknown field 'createTimeSinceEpoch'/],
      [post('/registered_models/1/versions', { name: 'v', registeredModelId: '1', createTimeSinceEpoch: '5' }), /createTimeSinceEpoch is read-only/],
      [post('/model_versions', { name: 'v', registeredModelId: 'abc' }), /registeredModelId must match pattern/],
      [post('/model_versions/1/artifacts', { artifactType: 'model', uri: 'x' }), /artifactType must be equal to one of the allowed values/],
      [post('/registered_models', { name: 'm', customProperties: { a: { metadataType: 'MetadataIntValue', int_value: 5 } } }), /int_value must be string/],
      [fetch(api('/registered_models?pageSize=0')), /query parameter 'pageSize': must match pattern/],
      [fetch(api('/registered_models?sortOrder=UP')), /query parameter 'sortOrder'/],
      [fetch(api('/registered_models?limit=5')), /query parameter 'limit' is not defined/],
      [fetch(api('/registered_models'), { method: 'POST', body: '{', headers: { 'Content-Type': 'application/json' } }), /not JSON/],
    ];
    for (const [res, pattern] of cases) {
      const r = await res;
      const body = (await r.json()) as { code: string; message: string };
      expect(r.status).toBe(400);
      expect(body.code).toBe('Bad Request');
      expect(body.message).toMatch(pattern);
    }
    expect(registry.invalidRequests()).toHaveLength(cases.length);
    registry.requests.length = 0;
  });

  it('unknown paths and methods are recorded too', async () => {
    expect((await fetch(api('/registered_models/1/archive'))).status).toBe(404);
    expect((await fetch(api('/registered_models'), { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${registry.url}/healthz`)).status).toBe(404);
    expect(registry.invalidRequests().map((r) => r.problems[0])).toEqual([
      '/registered_models/1/archive is not in the OpenAPI document',
      'DELETE is not an operation of /registered_models',
      '/healthz is not under /api/model_registry/v1alpha3',
    ]);
    registry.requests.length = 0;
  });
});

describe('behaviour', () => {
  it('find endpoints: 400 without the needed parameters, 404 with the server wording', async () => {
    const r = await fetch(api('/registered_model'));
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ code: 'Bad Request', message: 'invalid parameters call, supply either name or externalId: bad request' });
    const nf = await fetch(api('/registered_model?name=none'));
    expect(await nf.json()).toEqual({ code: 'Not Found', message: 'no registered models found for name=none, externalId=: not found' });
    expect(registry.invalidRequests()).toEqual([]);
  });

  it('conflicts, upsert 201/200, server-set fields', async () => {
    const m = (await (await post('/registered_models', { name: 'dup' })).json()) as Record<string, string>;
    expect(m).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      name: 'dup',
      state: 'LIVE',
      customProperties: {},
      createTimeSinceEpoch: expect.stringMatching(/^\d+$/),
    });
    expect((await post('/registered_models', { name: 'dup' })).status).toBe(409);
    const v = (await (await post('/model_versions', { name: 'v1', registeredModelId: m.id })).json()) as Record<string, string>;
    const created = await post(`/model_versions/${v.id}/artifacts`, { artifactType: 'model-artifact', name: 'a', uri: 's3://x' });
    expect(created.status).toBe(201);
    const a = (await created.json()) as Record<string, string>;
    expect(a).toMatchObject({ artifactType: 'model-artifact', state: 'UNKNOWN' });
    const updated = await post(`/model_versions/${v.id}/artifacts`, { artifactType: 'model-artifact', id: a.id, uri: 's3://y' });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ id: a.id, uri: 's3://y', name: 'a' });
    expect((await post(`/model_versions/${v.id}/artifacts`, { artifactType: 'model-artifact', name: 'a', uri: 's3://z' })).status).toBe(409);
    expect(registry.invalidRequests()).toEqual([]);
  });

  it('bearer tokens and fault injection', async () => {
    const secured = await startFakeRegistry({ token: 't' });
    try {
      const url = `${secured.url}/api/model_registry/v1alpha3/registered_models`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { Authorization: 'Bearer t' } })).status).toBe(200);
      secured.failNext('GET', '/registered_models', 503);
      const failed = await fetch(url, { headers: { Authorization: 'Bearer t' } });
      expect([failed.status, await failed.json()]).toEqual([503, { code: 'Service Unavailable', message: 'injected failure (503)' }]);
      expect((await fetch(url, { headers: { Authorization: 'Bearer t' } })).status).toBe(200); // one-shot
    } finally {
      await secured.close();
    }
  });
});
