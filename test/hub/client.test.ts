/** ModelRegistryClient against the fake registry: every request and response is schema-checked there. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistryClient } from '../../src/kubeflow/hub/client.js';
import { HubError } from '../../src/kubeflow/hub/errors.js';
import { registryApiBase } from '../../src/kubeflow/hub/http.js';
import { decodeProperties, encodeProperties } from '../../src/kubeflow/hub/properties.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry/index.js';

const TOKEN = 'registry-token';
let registry: FakeRegistry;
let client: ModelRegistryClient;

beforeAll(async () => {
  registry = await startFakeRegistry({ token: TOKEN });
  client = new ModelRegistryClient({ baseUrl: registry.url, token: TOKEN, author: 'alice' });
});
afterEach(() => {
  // Contract: the client never sends a request the OpenAPI document does not allow.
  expect(registry.invalidRequests()).toEqual([]);
});
afterAll(() => registry?.close());

const calls = (since: number) =>
  registry.requests.slice(since).map((r) => `${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ''}`);

async function hubError(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HubError);
  return e as HubError;
}

describe('connection', () => {
  it('builds the API base the SDK way', () => {
    expect(registryApiBase('http://model-registry-service.kubeflow')).toBe('http://model-registry-service.kubeflow:8080/api/model_registry/v1alpha3');
    expect(registryApiBase('https://registry.example.com/')).toBe('https://registry.example.com/api/model_registry/v1alpha3');
    expect(registryApiBase('http://gateway.example.com:80/mr')).toBe('http://gateway.example.com/mr/api/model_registry/v1alpha3');
    expect(registryApiBase('http://[::1]:8081')).toBe('http://[::1]:8081/api/model_registry/v1alpha3');
    expect(registryApiBase('http://localhost:9090/prefix/api/model_registry/v1alpha3/')).toBe('http://localhost:9090/prefix/api/model_registry/v1alpha3');
    expect(() => registryApiBase('model-registry:8080')).toThrow(HubError);
    expect(() => registryApiBase('http://user:pw@host')).toThrow(/credentials/);
  });

  it('probe: ok, unauthorized, unreachable', async () => {
    const before = registry.requests.length;
    expect(await client.probe()).toEqual({ ok: true, apiBase: `${registry.url}/api/model_registry/v1alpha3` });
    expect(calls(before)).toEqual(['GET /registered_models?pageSize=1&sortOrder=ASC']);
    expect(registry.requests.at(-1)!.status).toBe(200);

    const anonymous = new ModelRegistryClient({ baseUrl: registry.url });
    expect(await anonymous.probe()).toMatchObject({ ok: false, error: { code: 'unauthorized', status: 401 } });
    const wrong = new ModelRegistryClient({ baseUrl: registry.url, token: 'nope' });
    const e = await hubError(wrong.getModel('m'));
    expect(e).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(e.message).toContain('invalid bearer token');
    expect(e.message).not.toContain('nope');

    const closed = await startFakeRegistry();
    const url = closed.url;
    await closed.close();
    const down = await new ModelRegistryClient({ baseUrl: url }).probe();
    expect(down).toMatchObject({ ok: false, error: { code: 'registry_unreachable', status: 0 } });
    expect(down.error!.hint).toContain(`${url}/api/model_registry/v1alpha3`);
  });

  it('timeouts, cancellation, redirects and non-JSON answers', async () => {
    const hang: typeof fetch = (_url, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    expect(await hubError(new ModelRegistryClient({ baseUrl: 'http://x:1', fetch: hang, timeoutMs: 50 }).getModel('m'))).toMatchObject({
      code: 'registry_timeout',
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    expect(await hubError(new ModelRegistryClient({ baseUrl: 'http://x:1', fetch: hang }).getModel('m', { signal: ac.signal }))).toMatchObject({
      code: 'cancelled',
    });
    const redirect: typeof fetch = async () => new Response(null, { status: 302, headers: { location: 'https://sso.example.com/login' } });
    expect((await hubError(new ModelRegistryClient({ baseUrl: 'http://x:1', fetch: redirect }).getModel('m'))).message).toContain(
      'https://sso.example.com/login',
    );
    const html: typeof fetch = async () => new Response('<html>proxy</html>', { status: 200 });
    expect(await hubError(new ModelRegistryClient({ baseUrl: 'http://x:1', fetch: html }).getModel('m'))).toMatchObject({ code: 'invalid_response' });
    const proxy401: typeof fetch = async () => new Response('Unauthorized', { status: 401 });
    expect(await hubError(new ModelRegistryClient({ baseUrl: 'http://x:1', fetch: proxy401 }).getModel('m'))).toMatchObject({
      code: 'unauthorized',
      status: 401,
    });
  });
});

describe('register, read, list', () => {
  it('registers model, version and artifact with the SDK sequence and bodies', async () => {
    const before = registry.requests.length;
    const r = await client.registerModel('mnist', 's3://models/mnist/v1', {
      version: 'v1',
      modelFormatName: 'onnx',
      modelFormatVersion: '1',
      description: 'first cut',
      metadata: { accuracy: 0.98, epochs: 3, framework: 'pytorch', quantized: false },
      storage: { key: 'aws-conn', path: 'mnist/v1' },
    });
    expect(r.outcome).toBe('registered');
    expect(r.created).toEqual({ model: true, version: true, artifact: true });
    expect(r.model).toMatchObject({ name: 'mnist', owner: 'alice', state: 'LIVE' });
    expect(r.version).toMatchObject({
      name: 'v1',
      author: 'alice',
      description: 'first cut',
      state: 'LIVE',
      modelId: r.model.id,
      properties: { accuracy: 0.98, epochs: 3, framework: 'pytorch', quantized: false },
    });
    expect(r.artifact).toMatchObject({
      name: 'mnist',
      uri: 's3://models/mnist/v1',
      modelFormatName: 'onnx',
      modelFormatVersion: '1',
      storageKey: 'aws-conn',
      storagePath: 'mnist/v1',
      state: 'UNKNOWN',
    });
    expect(r.version.createTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    expect(calls(before)).toEqual([
      'GET /registered_model?name=mnist',
      'POST /registered_models',
      'POST /model_versions',
      `POST /model_versions/${r.version.id}/artifacts`,
    ]);
    const bodies = registry.requests
      .slice(before)
      .map((x) => x.body)
      .filter(Boolean);
    expect(bodies).toEqual([
      { name: 'mnist', owner: 'alice', state: 'LIVE' },
      {
        registeredModelId: r.model.id,
        name: 'v1',
        author: 'alice',
        description: 'first cut',
        state: 'LIVE',
        customProperties: {
          accuracy: { metadataType: 'MetadataDoubleValue', double_value: 0.98 },
          epochs: { metadataType: 'MetadataIntValue', int_value: '3' },
          framework: { metadataType: 'MetadataStringValue', string_value: 'pytorch' },
          quantized: { metadataType: 'MetadataBoolValue', bool_value: false },
        },
      },
      {
        artifactType: 'model-artifact',
        name: 'mnist',
        uri: 's3://models/mnist/v1',
        modelFormatName: 'onnx',
        modelFormatVersion: '1',
        storageKey: 'aws-conn',
        storagePath: 'mnist/v1',
        state: 'UNKNOWN',
      },
    ]);
  });

  it('is idempotent: the same registration again writes nothing; a different URI is a conflict', async () => {
    const before = registry.requests.length;
    const again = await client.registerModel('mnist', 's3://models/mnist/v1', { version: 'v1', modelFormatName: 'onnx' });
    expect(again.outcome).toBe('already_registered');
    expect(again.created).toEqual({ model: false, version: false, artifact: false });
    expect(registry.requests.slice(before).every((x) => x.method === 'GET')).toBe(true);

    const before2 = registry.requests.length;
    const e = await hubError(client.registerModel('mnist', 's3://models/mnist/OTHER', { version: 'v1' }));
    expect(e).toMatchObject({ code: 'conflict', field: 'version' });
    expect(e.message).toContain('already registered with uri s3://models/mnist/v1');
    expect(registry.requests.slice(before2).every((x) => x.method === 'GET')).toBe(true);
    expect((await hubError(client.registerModel('mnist', 's3://models/mnist/v1', { version: 'v1', modelFormatName: 'pytorch' }))).message).toContain(
      'format onnx',
    );
  });

  it('adds versions to an existing model and reads them back', async () => {
    const v2 = await client.registerModel('mnist', 's3://models/mnist/v2', { version: 'v2', author: 'bob' });
    expect(v2).toMatchObject({ outcome: 'registered', created: { model: false, version: true, artifact: true }, version: { author: 'bob' } });
    expect(await client.getModel('mnist')).toMatchObject({ name: 'mnist', state: 'LIVE', id: v2.model.id });
    expect(await client.getModelVersion('mnist', 'v2')).toMatchObject({ name: 'v2', author: 'bob' });
    expect(await client.getModelArtifact('mnist', 'v2')).toMatchObject({ uri: 's3://models/mnist/v2' });
    expect(await hubError(client.getModel('nope'))).toMatchObject({ code: 'not_found', message: "model 'nope' not found" });
    expect(await hubError(client.getModelVersion('mnist', 'v9'))).toMatchObject({ code: 'not_found', message: "model 'mnist' has no version 'v9'" });
    expect(await hubError(client.getModel('naïve'))).toMatchObject({ code: 'invalid_argument' });
  });

  it('finds artifacts not named after the model through the version listing', async () => {
    const r = await client.registerModel('external', 's3://x/placeholder', { version: 'v1' });
    // Someone registered the artifact under another name (another client, the UI).
    const a = registry.store.artifacts.get(r.artifact.id)!;
    a.name = 'weights';
    const before = registry.requests.length;
    expect(await client.getModelArtifact('external', 'v1')).toMatchObject({ name: 'weights', uri: 's3://x/placeholder' });
    expect(calls(before).slice(-2)).toEqual([
      `GET /model_artifact?name=external&parentResourceId=${r.version.id}`,
      `GET /model_versions/${r.version.id}/artifacts?artifactType=model-artifact&pageSize=1&orderBy=ID&sortOrder=ASC`,
    ]);
  });

  it('pages: pageSize and nextPageToken go to the caller', async () => {
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await client.registerModel(`page-${n}`, `s3://m/${n}`, { version: '1' });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.listModels({ pageSize: 2, nextPageToken: token });
      seen.push(...page.items.map((m) => m.name));
      token = page.nextPageToken;
      pages++;
    } while (token);
    expect(seen.filter((n) => n.startsWith('page-'))).toEqual(['page-p1', 'page-p2', 'page-p3', 'page-p4', 'page-p5']);
    expect(pages).toBe(Math.ceil(seen.length / 2));
    const desc = await client.listModels({ pageSize: 1, orderBy: 'CREATE_TIME', sortOrder: 'DESC' });
    expect(desc.items.map((m) => m.name)).toEqual(['page-p5']);
    for (const v of ['2', '3']) await client.registerModel('page-p1', `s3://m/p1-${v}`, { version: v });
    const first = await client.listModelVersions('page-p1', { pageSize: 2 });
    expect(first.items.map((v) => v.name)).toEqual(['1', '2']);
    const second = await client.listModelVersions('page-p1', { pageSize: 2, nextPageToken: first.nextPageToken });
    expect(second).toEqual({ items: [expect.objectContaining({ name: '3' })] });
    expect(await hubError(client.listModels({ pageSize: 0 }))).toMatchObject({ code: 'invalid_argument', field: 'pageSize' });
    // A token the server does not know is its 400, mapped.
    const bad = await hubError(client.listModels({ nextPageToken: 'garbage' }));
    expect(bad).toMatchObject({ code: 'bad_request', status: 400 });
  });
});

describe('custom properties', () => {
  it('round-trips typed values; int32-range ints as MetadataIntValue, bigger as double; struct/proto dropped', async () => {
    const metadata = { s: 'x', i: 42, neg: -7, zero: 0, big: 3_000_000_000, d: 0.5, t: true, f: false, unicode: 'naïve ✓' };
    const r = await client.registerModel('typed', 's3://t/1', { version: 'v1', metadata });
    const stored = registry.store.versions.get(r.version.id)!.customProperties;
    expect(stored.i).toEqual({ metadataType: 'MetadataIntValue', int_value: '42' });
    expect(stored.big).toEqual({ metadataType: 'MetadataDoubleValue', double_value: 3_000_000_000 });
    expect((await client.getModelVersion('typed', 'v1')).properties).toEqual(metadata);

    registry.store.versions.get(r.version.id)!.customProperties.blob = { metadataType: 'MetadataStructValue', struct_value: 'e30=' };
    const read = await client.getModelVersion('typed', 'v1');
    expect(read.droppedProperties).toEqual(['blob']);
    expect(read.properties).toEqual(metadata);
  });

  it('encodes and decodes without a server (int_value limits, int64 strings from v0.3.x servers)', () => {
    expect(encodeProperties({ a: 999_999_999, b: -999_999_999, c: 1_000_000_000, d: -0, e: null, f: undefined })).toEqual({
      a: { metadataType: 'MetadataIntValue', int_value: '999999999' },
      b: { metadataType: 'MetadataIntValue', int_value: '-999999999' },
      c: { metadataType: 'MetadataDoubleValue', double_value: 1_000_000_000 },
      d: { metadataType: 'MetadataIntValue', int_value: '0' },
    });
    expect(
      decodeProperties({
        huge: { metadataType: 'MetadataIntValue', int_value: '99999999999999999999' },
        p: { metadataType: 'MetadataProtoValue', type: 't', proto_value: 'AA==' },
      }),
    ).toEqual({ properties: { huge: '99999999999999999999' }, dropped: ['p'] });
  });

  it('refuses values the registry cannot store, before sending anything', async () => {
    const before = registry.requests.length;
    expect(await hubError(client.registerModel('bad', 's3://b/1', { version: 'v1', metadata: { x: Number.NaN } }))).toMatchObject({
      code: 'invalid_argument',
      field: 'metadata.x',
    });
    expect(await hubError(client.registerModel('bad', 's3://b/1', { version: 'v1', metadata: { x: { nested: 1 } as never } }))).toMatchObject({
      code: 'invalid_argument',
    });
    expect(await hubError(client.registerModel('bad', 'just-a-path', { version: 'v1' }))).toMatchObject({ code: 'invalid_argument', field: 'uri' });
    expect(await hubError(client.registerModel('bad', 's3://b/1', { version: '' }))).toMatchObject({ code: 'invalid_argument', field: 'version' });
    expect(registry.requests.length).toBe(before);
  });
});
