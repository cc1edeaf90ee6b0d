import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, TJ_PATH, trainJob, waitFor } from './helpers.js';

const run = promisify(execFile);
const hasKubectl = (process.env.PATH ?? '').split(delimiter).some((d) => existsSync(join(d, 'kubectl')));

let kube: FakeKube;
let dir: string;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

beforeAll(async () => {
  // kubectl never sends bearer tokens to a plain-http server, so unauthenticated requests act as admin here.
  kube = await startFakeKube({ controller: { stepMs: 10, runSteps: 1 }, anonymous: { name: 'admin', groups: ['system:masters'] } });
  kube.seedDefaultRuntimes();
  dir = mkdtempSync(join(tmpdir(), 'fake-kube-kubectl-'));
  await call(kube, 'POST', TJ_PATH('default'), { body: trainJob('kc') });
  await waitFor(async () => ((await call(kube, 'GET', TJ_PATH('default', 'kc'))).body.status?.conditions ?? []).some((c: any) => c.type === 'Complete'));
});
afterAll(async () => {
  await kube.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('server-side tables (what kubectl get asks for)', () => {
  it('prints TrainJob State from the CRD printer column and pod columns', async () => {
    const tj = await call(kube, 'GET', TJ_PATH('default'), { headers: { Accept: TABLE } });
    expect(tj.body.kind).toBe('Table');
    expect(tj.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'State', 'Age']);
    expect(tj.body.rows[0].cells.slice(0, 2)).toEqual(['kc', 'Complete']);
    expect(tj.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'kc' } });
    const pods = await call(kube, 'GET', '/api/v1/namespaces/default/pods?includeObject=Object', { headers: { Accept: TABLE } });
    expect(pods.body.columnDefinitions.map((c: any) => c.name).slice(0, 5)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    expect(pods.body.rows[0].cells.slice(1, 3)).toEqual(['0/1', 'Completed']);
    expect(pods.body.rows[0].object.kind).toBe('Pod');
  });
});

describe('anonymous access', () => {
  it('is off by default and maps to system:anonymous when enabled with true', async () => {
    const anon = await startFakeKube({ controller: false, anonymous: true });
    try {
      const r = await call(anon, 'GET', '/api/v1/namespaces/default/pods', { token: null });
      expect(r.status).toBe(403);
      expect(r.body.message).toBe('pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    } finally {
      await anon.close();
    }
  });
});

describe.skipIf(!hasKubectl)('real kubectl against the fake server', () => {
  const kubectl = async (...args: string[]): Promise<string> => {
    const cfg = kube.writeKubeconfig(dir, { namespace: 'default' });
    return (await run('kubectl', ['--kubeconfig', cfg, ...args], { timeout: 15_000 })).stdout;
  };

  it('get, logs, auth can-i', async () => {
    expect(await kubectl('get', 'trainjobs')).toMatch(/NAME\s+STATE\s+AGE\nkc\s+Complete\s+\d+s\n/);
    expect(await kubectl('logs', '-l', 'jobset.sigs.k8s.io/jobset-name=kc', '-c', 'node')).toContain('epoch=3 loss=0.4000');
    expect((await kubectl('auth', 'can-i', 'create', 'trainjobs')).trim()).toBe('yes');
  });
});
