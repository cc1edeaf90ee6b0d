/** Dynamic mode: three meta-tools find, describe and run the caller's tools, with the same rules. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rank } from '../../src/server/dynamic.js';
import { ALL_TOOLS, toolsForModules } from '../../src/tools/registry.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, inProcess } from '../support/inprocess.js';

let kube: FakeKube;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default'], controller: false });
  kube.seedDefaultRuntimes();
  kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')));
});

afterAll(async () => kube?.close());

describe('ranking', () => {
  it.each([
    ['logs of my job', 'get_training_logs'],
    ['fine-tune an llm with lora', 'fine_tune'],
    ['how much gpu memory', 'estimate_resources'],
    ['suspend', 'suspend_training_job'],
    ['run my python function', 'run_custom_training'],
    ['docker image', 'run_container_training'],
    ['which runtimes exist', 'list_runtimes'],
  ])('%j finds %s first among trainer tools', (query, expected) => {
    expect(rank(toolsForModules(['trainer']), query)[0]?.tool.name).toBe(expected);
  });

  it.each([
    ['hyperparameter search', 'optimize'],
    ['best parameters', 'get_best_results'],
    ['register model version', 'register_model'],
    ['model artifact uri', 'get_model_artifact'],
  ])('%j finds %s first among all tools', (query, expected) => {
    expect(rank(ALL_TOOLS, query)[0]?.tool.name).toBe(expected);
  });
});

describe('dynamic mode', () => {
  it('lists three meta-tools and runs tools through them with persona, policy and confirmation', async () => {
    const audit = path.join(mkdtempSync(path.join(tmpdir(), 'audit-')), 'a.log');
    const srv = await inProcess({ kubeconfig, mode: 'dynamic', persona: 'data-scientist', auditLog: audit });
    try {
      const client = await srv.connect();
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['search_tools', 'describe_tools', 'execute_tool']);

      const found = await callTool(client, 'search_tools', { query: 'container image' });
      // Hidden tools (run_container_training is ml-engineer only) are never found.
      expect(found.data.tools.map((t: { name: string }) => t.name)).not.toContain('run_container_training');

      const described = await callTool(client, 'describe_tools', { names: ['get_training_logs'] });
      expect(described.data.tools[0].inputSchema.properties).toHaveProperty('tail');
      const hidden = await callTool(client, 'describe_tools', { names: ['run_container_training'] });
      expect(hidden.data.error.code).toBe('unknown_tool');

      const listed = await callTool(client, 'execute_tool', { name: 'list_runtimes', arguments: {} });
      expect(listed.data.runtimes.length).toBeGreaterThan(0);

      const preview = await callTool(client, 'execute_tool', { name: 'run_custom_training', arguments: { code: 'def train():\n    pass\n' } });
      expect(preview.data.status).toBe('preview');
      expect(kube.store.list('trainer.kubeflow.org', 'trainjobs', 'default')).toHaveLength(0);

      const refused = await callTool(client, 'execute_tool', { name: 'run_container_training', arguments: { image: 'busybox', confirmed: true } });
      expect(refused.data.error.code).toBe('tool_not_allowed');
      const bad = await callTool(client, 'execute_tool', { name: 'get_training_logs', arguments: { tail: 'many' } });
      expect(bad.data.error.code).toBe('invalid_arguments');
      const missing = await callTool(client, 'execute_tool', { name: 'no_such_tool' });
      expect(missing.data.error.code).toBe('unknown_tool');
    } finally {
      await srv.close();
    }
    const tools = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).tool);
    expect(tools).toEqual(expect.arrayContaining(['list_runtimes', 'run_custom_training', 'run_container_training']));
  });
});
