/**
 * The get_runtime_packages probe job never leaks: it carries a label and a deadline, a failed
 * delete does not hide why the probe failed, and start-up sweeps only expired probe jobs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeClient } from '../../src/kube/client.js';
import { loadKubeConnection } from '../../src/kube/connection.js';
import { KubernetesBackend } from '../../src/kubeflow/trainer/backends/kubernetes/index.js';
import { PROBE_LABEL, PROBE_LABEL_VALUE, runtimePackages, sweepProbeJobs } from '../../src/kubeflow/trainer/backends/kubernetes/packages.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';

const NS = 'team-a';
let kube: FakeKube;
let client: KubeClient;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', NS, 'other'], controller: { stepMs: 20, runSteps: 1 } });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-probe-')), { namespace: NS });
  client = new KubeClient(await loadKubeConnection({ kubeconfig }));
});

afterAll(async () => {
  await kube?.close();
});

const probeJob = (namespace: string, name: string, ageSeconds: number, deadline: number | undefined, labelled = true) => ({
  apiVersion: 'trainer.kubeflow.org/v1alpha1',
  kind: 'TrainJob',
  metadata: {
    name,
    namespace,
    creationTimestamp: new Date(Date.now() - ageSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    labels: labelled ? { [PROBE_LABEL]: PROBE_LABEL_VALUE } : {},
  },
  spec: { runtimeRef: { name: 'torch-distributed' }, ...(deadline ? { activeDeadlineSeconds: deadline } : {}) },
});

describe('the probe job', () => {
  it('is labelled and has a deadline past the wait', async () => {
    const res = await runtimePackages(new KubernetesBackend(client), client, NS, 'torch-distributed', { timeoutSeconds: 30 });
    const created = kube.requests.find((r) => r.method === 'POST' && r.path.endsWith('/trainjobs') && r.body?.metadata?.name === res.job)!;
    expect(created.body.metadata.labels).toMatchObject({ [PROBE_LABEL]: PROBE_LABEL_VALUE });
    expect(created.body.spec.activeDeadlineSeconds).toBeGreaterThan(30);
    expect(kube.store.get('trainer.kubeflow.org', 'trainjobs', NS, res.job)).toBeUndefined();
  });

  it('reports why the probe failed even when its cleanup fails too', async () => {
    kube.controller.pause();
    // A client whose deletes fail (say, RBAC without delete): the timeout must still be the error.
    const noDelete = Object.assign(Object.create(client) as KubeClient, {
      delete: async () => {
        throw new KubeApiError('trainjobs is forbidden: cannot delete', 403, 'Forbidden');
      },
    });
    const progress: string[] = [];
    const err = await runtimePackages(new KubernetesBackend(client), noDelete, NS, 'torch-distributed', {
      timeoutSeconds: 1,
      onProgress: (m) => progress.push(m),
    }).catch((e: unknown) => e);
    kube.controller.resume();
    expect(err).toMatchObject({ code: 'probe_failed' });
    expect((err as Error).message).toMatch(/did not finish within 1s/);
    expect(progress.at(-1)).toMatch(/could not delete .*forbidden.*deadline/);
  });
});

describe('the start-up sweep', () => {
  it('deletes only labelled probe jobs older than their deadline, in every namespace', async () => {
    kube.controller.pause();
    kube.store.create(probeJob(NS, 'probe-expired', 600, 360));
    kube.store.create(probeJob('other', 'probe-expired-2', 600, 360));
    kube.store.create(probeJob(NS, 'probe-running', 60, 360));
    kube.store.create(probeJob(NS, 'user-job', 6000, 360, false));
    kube.store.create(probeJob(NS, 'probe-no-deadline', 6000, undefined));
    const gone = await sweepProbeJobs(client, NS);
    kube.controller.resume();
    expect(gone.sort()).toEqual(['other/probe-expired-2', `${NS}/probe-expired`]);
    const left = kube.store.list('trainer.kubeflow.org', 'trainjobs').map((j: { metadata: { name: string } }) => j.metadata.name);
    expect(left).toEqual(expect.arrayContaining(['probe-running', 'user-job', 'probe-no-deadline']));
  });

  it('never throws when the cluster refuses or is unreachable', async () => {
    const dead = new KubeClient({ ...client.connection, server: 'http://127.0.0.1:1' });
    await expect(sweepProbeJobs(dead, NS)).resolves.toEqual([]);
  });
});
