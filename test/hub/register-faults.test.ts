/**
 * register_model never leaves half-registered state: a failure injected at each step (before or
 * after the server applied it) leaves either nothing new LIVE, or the whole model/version/artifact;
 * running the same registration again converges.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistryClient } from '../../src/kubeflow/hub/client.js';
import { HubError } from '../../src/kubeflow/hub/errors.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry/index.js';

let registry: FakeRegistry;
let client: ModelRegistryClient;

beforeAll(async () => {
  registry = await startFakeRegistry();
  client = new ModelRegistryClient({ baseUrl: registry.url, author: 'ci' });
});
afterEach(() => expect(registry.invalidRequests()).toEqual([]));
afterAll(() => registry?.close());

/** What a user of the registry sees as registered (LIVE, with a usable artifact). */
function state(name: string, version: string): 'nothing' | 'complete' | string {
  const s = registry.store;
  const model = [...s.models.values()].find((m) => m.name === name);
  const v = model && [...s.versions.values()].find((x) => x.registeredModelId === model.id && x.name === version);
  const artifact = v && [...s.artifacts.values()].find((a) => s.links.get(a.id)?.has(v.id) && !['ABANDONED', 'DELETED'].includes(a.state));
  const live = [model?.state === 'LIVE' && 'model', v?.state === 'LIVE' && 'version', artifact && 'artifact'].filter(Boolean);
  if (live.length === 0) return 'nothing';
  if (live.length === 3) return 'complete';
  return `HALF: ${live.join('+')}`;
}

async function failing(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HubError);
  return e as HubError;
}

const steps = [
  { step: 'model', method: 'POST', path: /^\/registered_models$/ },
  { step: 'version', method: 'POST', path: /^\/model_versions$/ },
  { step: 'artifact', method: 'POST', path: /^\/model_versions\/\d+\/artifacts$/ },
];

describe.each([false, true])('failure injected %s', (afterApply) => {
  it.each(steps)(
    `at the $step step (${afterApply ? 'after the server applied it' : 'before'}) leaves nothing half-registered; a rerun converges`,
    async ({ step, method, path }) => {
      const name = `m-${step}-${afterApply ? 'after' : 'before'}`;
      registry.failNext(method, path, 503, { afterApply });
      const e = await failing(client.registerModel(name, `s3://bucket/${name}`, { version: 'v1', metadata: { run: 1 } }));
      expect(e).toMatchObject({ code: 'registry_error', status: 503 });
      expect(state(name, 'v1')).toBe('nothing');
      if (step !== 'model' || afterApply) {
        expect(e.message).toMatch(/rolled back: .*archived model/);
        expect(e.hint).toMatch(/Nothing new is LIVE; running the same registration again resumes it/);
      } else {
        expect(e.message).not.toMatch(/rolled back/); // nothing had been written
      }

      const again = await client.registerModel(name, `s3://bucket/${name}`, { version: 'v1', metadata: { run: 1 } });
      expect(state(name, 'v1')).toBe('complete');
      expect(again.model.state).toBe('LIVE');
      expect(again.version.state).toBe('LIVE');
      expect(again.outcome).toBe(step === 'model' || (step === 'version' && !afterApply) ? 'registered' : 'completed');
      // Exactly one of each exists.
      expect([...registry.store.models.values()].filter((m) => m.name === name)).toHaveLength(1);
      const ids = [...registry.store.versions.values()].filter((v) => v.registeredModelId === again.model.id).map((v) => v.id);
      expect(ids).toHaveLength(1);
      expect([...registry.store.artifacts.values()].filter((a) => registry.store.links.get(a.id)?.has(ids[0]!))).toHaveLength(1);
    },
  );
});

describe('rollback details', () => {
  it('an existing model is not archived when only the new version fails', async () => {
    await client.registerModel('keep', 's3://k/1', { version: 'v1' });
    registry.failNext('POST', /^\/model_versions\/\d+\/artifacts$/, 500);
    const e = await failing(client.registerModel('keep', 's3://k/2', { version: 'v2' }));
    expect(e.message).toMatch(/rolled back: archived version 'v2' created by this call$/);
    expect(state('keep', 'v1')).toBe('complete');
    const model = [...registry.store.models.values()].find((m) => m.name === 'keep')!;
    const v2 = [...registry.store.versions.values()].find((v) => v.registeredModelId === model.id && v.name === 'v2')!;
    expect([model.state, v2.state]).toEqual(['LIVE', 'ARCHIVED']);
  });

  it('reports what it could not roll back', async () => {
    registry.failNext('POST', /^\/model_versions\/\d+\/artifacts$/, 500);
    registry.failNext('PATCH', /^\/model_versions\/\d+$/, 500);
    const e = await failing(client.registerModel('stuck', 's3://s/1', { version: 'v1' }));
    expect(e.message).toMatch(/could NOT roll back: archived version 'v1' created by this call/);
    expect(e.message).toMatch(/rolled back: archived model 'stuck'/);
    expect(e.hint).toMatch(/Some objects stayed LIVE/);
    // The rerun converges anyway.
    expect((await client.registerModel('stuck', 's3://s/1', { version: 'v1' })).outcome).toBe('completed');
    expect(state('stuck', 'v1')).toBe('complete');
  });

  it('client errors (4xx) are not "in doubt": nothing is looked up or abandoned', async () => {
    registry.failNext('POST', /^\/model_versions\/\d+\/artifacts$/, 409);
    const e = await failing(client.registerModel('clean', 's3://c/1', { version: 'v1' }));
    expect(e).toMatchObject({ code: 'conflict', status: 409 });
    expect(state('clean', 'v1')).toBe('nothing');
  });
});
