/**
 * trainer.default_runtime and optimizer.default_algorithm of the config file: what a call that
 * names no runtime or algorithm gets, end to end through the in-process server and the test API
 * server; and a configured runtime the cluster lacks fails the call naming the setting.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, configFile, inProcess, type InProcess } from '../support/inprocess.js';

const NS = 'team-a';
const CODE = 'def train(lr=0.1):\n    print(f"loss={lr}")\n';
const SPACE = { lr: { uniform: [0.01, 0.1] } };
let kube: FakeKube;
let kubeconfig: string;
const servers: InProcess[] = [];

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: [NS] });
  kube.seedDefaultRuntimes();
  kube.labelNamespace(NS, { 'katib.kubeflow.org/metrics-collector-injection': 'enabled' });
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-defaults-')), { namespace: NS });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await kube?.close();
});

/** A client of a server started with this config file. */
async function clientWith(yaml: string): Promise<{ client: Client; config: string }> {
  const config = configFile(yaml);
  const srv = await inProcess({ kubeconfig, config, clients: ['trainer', 'optimizer'], persona: 'platform-admin' });
  servers.push(srv);
  return { client: await srv.connect(), config };
}

/** The TrainJob a trial of a previewed Experiment would run. */
const trialJob = (body: Record<string, any>) => body.spec.trialTemplate.trialSpec as { spec: { runtimeRef: { name: string } } };

describe('without trainer/optimizer settings', () => {
  it('training runs on torch-distributed and optimize searches at random', async () => {
    const { client } = await clientWith('');
    const job = await callTool(client, 'run_custom_training', { code: CODE });
    expect(job.isError, job.text).toBe(false);
    expect(job.data.job.runtime).toBe('torch-distributed');
    const exp = await callTool(client, 'optimize', { code: CODE, search_space: SPACE });
    expect(exp.isError, exp.text).toBe(false);
    expect(exp.data.body.spec.algorithm.algorithmName).toBe('random');
  });
});

describe('with trainer.default_runtime and optimizer.default_algorithm', () => {
  let client: Client;
  beforeAll(async () => {
    ({ client } = await clientWith('trainer:\n  default_runtime: torch-distributed-with-cache\noptimizer:\n  default_algorithm: tpe\n'));
  });

  it('a training call without a runtime runs on the configured one; a named runtime still wins', async () => {
    for (const [tool, args] of [
      ['run_custom_training', { code: CODE }],
      ['run_container_training', { image: 'busybox' }],
    ] as const) {
      const r = await callTool(client, tool, args);
      expect(r.isError, r.text).toBe(false);
      expect(r.data.job.runtime).toBe('torch-distributed-with-cache');
      expect(r.data.trainjob.spec.runtimeRef.name).toBe('torch-distributed-with-cache');
    }
    const named = await callTool(client, 'run_custom_training', { code: CODE, runtime: 'torch-distributed' });
    expect(named.data.job.runtime).toBe('torch-distributed');
  });

  it('optimize uses the configured algorithm and runtime unless the call names them', async () => {
    const r = await callTool(client, 'optimize', { code: CODE, search_space: SPACE });
    expect(r.isError, r.text).toBe(false);
    expect(r.data.body.spec.algorithm.algorithmName).toBe('tpe');
    expect(trialJob(r.data.body).spec.runtimeRef.name).toBe('torch-distributed-with-cache');
    const named = await callTool(client, 'optimize', { code: CODE, search_space: SPACE, algorithm: 'random', options: { runtime: 'torch-distributed' } });
    expect(named.data.body.spec.algorithm.algorithmName).toBe('random');
    expect(trialJob(named.data.body).spec.runtimeRef.name).toBe('torch-distributed');
  });

  it('check_prerequisites checks the configured runtime', async () => {
    const r = await callTool(client, 'check_prerequisites', {});
    expect(r.data.checks).toContainEqual(
      expect.objectContaining({ check: 'runtime', ok: true, detail: expect.stringContaining('torch-distributed-with-cache') }),
    );
  });
});

describe('a configured runtime the cluster does not have', () => {
  it('fails each call that would use it, naming the setting and the runtimes there are', async () => {
    const { client, config } = await clientWith('trainer:\n  default_runtime: torch-distributd\n');
    for (const [tool, args] of [
      ['run_custom_training', { code: CODE }],
      ['optimize', { code: CODE, search_space: SPACE }],
    ] as const) {
      const r = await callTool(client, tool, args);
      expect(r.isError).toBe(true);
      expect(r.data.error).toMatchObject({
        code: 'runtime_not_found',
        message: `default runtime 'torch-distributd' (set by trainer.default_runtime in ${config}) not found`,
      });
      expect(r.data.error.hint).toMatch(/^name a runtime in the call, or set trainer\.default_runtime in .* to one of: .*\btorch-distributed\b/);
    }
    const named = await callTool(client, 'run_custom_training', { code: CODE, runtime: 'torch-distributed' });
    expect(named.isError, named.text).toBe(false);
    const pre = await callTool(client, 'check_prerequisites', {});
    expect(pre.data.ready).toBe(false);
    expect(pre.data.checks).toContainEqual(
      expect.objectContaining({ check: 'runtime', ok: false, detail: expect.stringContaining('trainer.default_runtime') }),
    );
  });
});
