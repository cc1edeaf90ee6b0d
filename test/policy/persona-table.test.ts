/**
 * The KEP-936 persona table, pinned exactly over the whole registry: personas are derived from tool
 * attributes (module, category, risk, plus named additions), so a new tool lands in the persona its
 * attributes say, and this table must still come out as the KEP has it.
 */
import { expect, it } from 'vitest';
import { BUILTIN_PERSONAS, Personas } from '../../src/policy/personas.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';

const READONLY = [
  'get_cluster_resources',
  'list_training_jobs',
  'get_training_job',
  'get_training_logs',
  'get_training_metrics',
  'get_training_events',
  'list_runtimes',
  'get_runtime',
  'list_optimization_jobs',
  'get_optimization_job',
  'get_optimization_logs',
  'get_best_results',
  'get_optimization_events',
  'list_models',
  'get_model',
  'list_model_versions',
  'get_model_version',
  'get_model_artifact',
  'get_spark_status',
  'list_pipelines',
  'get_pipeline',
  'list_pipeline_runs',
  'get_pipeline_run',
];
const DATA_SCIENTIST = [
  ...READONLY,
  'estimate_resources',
  'check_prerequisites',
  'fine_tune',
  'run_custom_training',
  'wait_for_training',
  'delete_training_job',
  'optimize',
  'wait_for_optimization',
  'delete_optimization_job',
  'register_model',
  'submit_spark_job',
  'create_spark_session',
  'delete_spark',
  // Pipelines: data scientists run them and manage their own runs (own_jobs_only).
  'upload_pipeline',
  'run_pipeline',
  'manage_pipeline_run',
];
const ML_ENGINEER = [...DATA_SCIENTIST, 'run_container_training', 'get_runtime_packages', 'suspend_training_job', 'resume_training_job'];
const TABLE = { readonly: READONLY, 'data-scientist': DATA_SCIENTIST, 'ml-engineer': ML_ENGINEER, 'platform-admin': ALL_TOOLS.map((t) => t.name) };

it.each(BUILTIN_PERSONAS.map((p) => [p]))('%s gets exactly its KEP-936 tools', (persona) => {
  const p = new Personas().resolve(persona);
  expect(
    ALL_TOOLS.filter((t) => p.allows(t.name))
      .map((t) => t.name)
      .sort(),
  ).toEqual([...TABLE[persona]].sort());
});
