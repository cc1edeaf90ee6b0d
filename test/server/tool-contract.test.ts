/** Every tool follows the contract in docs/architecture.md; checked over the whole registry. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Personas, type BuiltinPersona } from '../../src/policy/personas.js';
import { Policy } from '../../src/policy/policy.js';
import { annotationsFor } from '../../src/tools/contract.js';
import { ALL_TOOLS, toolsForModules } from '../../src/tools/registry.js';
import { listEntries } from '../../src/server/mcpServer.js';

const KEP_TOOLS = [
  'fine_tune',
  'run_custom_training',
  'run_container_training',
  'list_training_jobs',
  'get_training_job',
  'list_runtimes',
  'get_runtime',
  'get_runtime_packages',
  'get_training_logs',
  'get_training_events',
  'wait_for_training',
  'delete_training_job',
  'suspend_training_job',
  'resume_training_job',
  'get_cluster_resources',
  'estimate_resources',
  'check_prerequisites',
  // beyond KEP-936: metrics read from the training output
  'get_training_metrics',
];

describe('tool registry', () => {
  it('has the KEP-936 tools: Phase 1 + check_prerequisites, and the Phase 5 optimizer and hub names', () => {
    expect(
      toolsForModules(['trainer'])
        .map((t) => t.name)
        .sort(),
    ).toEqual([...KEP_TOOLS].sort());
    expect(
      toolsForModules(['optimizer'])
        .filter((t) => t.module === 'optimizer')
        .map((t) => t.name)
        .sort(),
    ).toEqual(
      [
        'optimize',
        'list_optimization_jobs',
        'get_optimization_job',
        'get_optimization_logs',
        'get_best_results',
        'wait_for_optimization',
        'delete_optimization_job',
        'get_optimization_events',
      ].sort(),
    );
    expect(
      toolsForModules(['hub'])
        .filter((t) => t.module === 'hub')
        .map((t) => t.name)
        .sort(),
    ).toEqual(['register_model', 'list_models', 'get_model', 'list_model_versions', 'get_model_version', 'get_model_artifact'].sort());
    expect(
      toolsForModules(['spark'])
        .filter((t) => t.module === 'spark')
        .map((t) => t.name)
        .sort(),
    ).toEqual(['create_spark_session', 'delete_spark', 'get_spark_status', 'submit_spark_job']);
    expect(new Set(ALL_TOOLS.map((t) => t.name)).size).toBe(ALL_TOOLS.length);
  });

  it.each(ALL_TOOLS.map((t) => [t.name, t] as const))('%s follows the contract', (_name, t) => {
    expect(t.name).toMatch(/^[a-z][a-z_]*$/);
    expect(t.title.length).toBeGreaterThan(3);
    expect(t.description.length).toBeLessThanOrEqual(260);
    // Every tool takes an optional namespace.
    expect(t.input.shape).toHaveProperty('namespace');
    // Write and destructive tools preview by default.
    if (t.risk !== 'read') {
      expect(t.input.shape).toHaveProperty('confirmed');
      expect((t.input.shape as Record<string, z.ZodType>).confirmed!.parse(undefined)).toBe(false);
    } else {
      expect(t.input.shape).not.toHaveProperty('confirmed');
    }
  });

  it('derives annotations from risk only', () => {
    for (const e of listEntries(ALL_TOOLS)) {
      const spec = ALL_TOOLS.find((t) => t.name === e.name)!;
      expect(e.annotations).toEqual(annotationsFor(spec.risk));
    }
    expect(annotationsFor('read')).toEqual({ readOnlyHint: true });
    expect(annotationsFor('write')).toEqual({ destructiveHint: false });
    expect(annotationsFor('destructive').destructiveHint).toBeUndefined(); // protocol default: true
  });

  it('publishes JSON Schemas without zod noise', () => {
    const text = JSON.stringify(listEntries(ALL_TOOLS));
    expect(text).not.toContain('$schema');
    expect(text).not.toContain('9007199254740991');
    expect(text).not.toContain('propertyNames');
  });
});

describe('personas (KEP-936 DESIGN.md)', () => {
  const names = (p: BuiltinPersona) =>
    new Policy(p)
      .visible(toolsForModules(['trainer']))
      .map((t) => t.name)
      .sort();

  it('readonly sees the 8 read tools only', () => {
    expect(names('readonly')).toEqual([
      'get_cluster_resources',
      'get_runtime',
      'get_training_events',
      'get_training_job',
      'get_training_logs',
      'get_training_metrics',
      'list_runtimes',
      'list_training_jobs',
    ]);
    expect(new Policy('readonly').visible(ALL_TOOLS).every((t) => t.risk === 'read')).toBe(true);
  });

  it('each persona inherits the previous one', () => {
    const ro = names('readonly');
    const ds = names('data-scientist');
    const mle = names('ml-engineer');
    expect(ds).toEqual(expect.arrayContaining(ro));
    expect(mle).toEqual(expect.arrayContaining(ds));
    expect(ds).toHaveLength(14);
    expect(mle).toHaveLength(18);
    expect(ds).not.toContain('run_container_training');
    expect(ds).not.toContain('suspend_training_job');
    expect(names('platform-admin')).toEqual([...KEP_TOOLS].sort());
    // Phase 5 read tools are readonly's too; writing ones start at data-scientist.
    const all = (p: BuiltinPersona) => new Policy(p).visible(ALL_TOOLS).map((t) => t.name);
    expect(all('readonly')).toEqual(expect.arrayContaining(['list_optimization_jobs', 'get_best_results', 'list_models', 'get_model_artifact']));
    expect(all('readonly')).not.toContain('optimize');
    expect(all('data-scientist')).toEqual(expect.arrayContaining(['optimize', 'register_model', 'wait_for_optimization']));
    expect(all('ml-engineer')).toHaveLength(ALL_TOOLS.length);
  });

  it('data-scientist acts on its own jobs only; ml-engineer and platform-admin on any', () => {
    const p = new Personas();
    expect(p.resolve('data-scientist').ownJobsOnly).toBe(true);
    expect(p.resolve('ml-engineer').ownJobsOnly).toBe(false);
    expect(p.resolve('platform-admin').ownJobsOnly).toBe(false);
  });

  it('unknown tools are allowed only by the "*" persona', () => {
    const p = new Personas();
    expect(p.resolve('platform-admin').allows('some_future_tool')).toBe(true);
    expect(p.resolve('ml-engineer').allows('some_future_tool')).toBe(false);
  });
});
