/** KFP REST v2beta1 shapes as the API server sends them (proto field names; docs/wire/pipelines.md#entities). */

export type RuntimeState = 'RUNTIME_STATE_UNSPECIFIED' | 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'PAUSED';
export const RUNTIME_STATES: readonly RuntimeState[] = [
  'RUNTIME_STATE_UNSPECIFIED',
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'SKIPPED',
  'FAILED',
  'CANCELING',
  'CANCELED',
  'PAUSED',
];
export const TERMINAL_STATES: ReadonlySet<RuntimeState> = new Set(['SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELED']);

interface RpcStatus {
  code?: number;
  message?: string;
}

export interface Pipeline {
  pipeline_id?: string;
  name?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  namespace?: string;
  tags?: Record<string, string>;
  error?: RpcStatus;
}

export interface PipelineVersion {
  pipeline_id?: string;
  pipeline_version_id?: string;
  name?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  pipeline_spec?: Record<string, unknown>;
  tags?: Record<string, string>;
  error?: RpcStatus;
}

export interface Experiment {
  experiment_id?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  namespace?: string;
  storage_state?: 'AVAILABLE' | 'ARCHIVED' | 'STORAGE_STATE_UNSPECIFIED';
  last_run_created_at?: string;
}

interface PipelineVersionReference {
  pipeline_id: string;
  pipeline_version_id?: string;
}

interface RuntimeConfig {
  parameters?: Record<string, unknown>;
  pipeline_root?: string;
}

interface TaskDetail {
  run_id?: string;
  task_id?: string;
  display_name?: string;
  create_time?: string;
  start_time?: string;
  end_time?: string;
  state?: RuntimeState;
  error?: RpcStatus;
  pod_name?: string;
  parent_task_id?: string;
  child_tasks?: Array<{ task_id?: string; pod_name?: string }>;
}

export interface Run {
  run_id?: string;
  experiment_id?: string;
  display_name?: string;
  description?: string;
  storage_state?: 'AVAILABLE' | 'ARCHIVED' | 'STORAGE_STATE_UNSPECIFIED';
  pipeline_version_reference?: PipelineVersionReference;
  runtime_config?: RuntimeConfig;
  created_at?: string;
  scheduled_at?: string;
  finished_at?: string;
  state?: RuntimeState;
  error?: RpcStatus;
  recurring_run_id?: string;
  run_details?: { task_details?: TaskDetail[] };
  state_history?: Array<{ update_time?: string; state?: RuntimeState; error?: RpcStatus }>;
}

/** The create body: only the fields the SDK sends, plus the description (docs/wire/pipelines.md#runs). */
export interface RunBody {
  experiment_id: string;
  display_name: string;
  description?: string;
  pipeline_version_reference: PipelineVersionReference;
  runtime_config: { parameters: Record<string, unknown> };
}

export type Trigger = { cron_schedule: { cron: string } } | { periodic_schedule: { interval_second: number } };

export interface RecurringRun {
  recurring_run_id?: string;
  display_name?: string;
  description?: string;
  experiment_id?: string;
  namespace?: string;
  mode?: 'ENABLE' | 'DISABLE' | 'MODE_UNSPECIFIED';
  status?: 'ENABLED' | 'DISABLED' | 'STATUS_UNSPECIFIED';
  pipeline_version_reference?: PipelineVersionReference;
  runtime_config?: RuntimeConfig;
  max_concurrency?: string | number;
  no_catchup?: boolean;
  trigger?: { cron_schedule?: { cron?: string }; periodic_schedule?: { interval_second?: string | number } };
  created_at?: string;
  updated_at?: string;
  error?: RpcStatus;
}

export interface RecurringRunBody {
  display_name: string;
  description?: string;
  experiment_id: string;
  mode: 'ENABLE';
  pipeline_version_reference: PipelineVersionReference;
  runtime_config: { parameters: Record<string, unknown> };
  max_concurrency: number;
  no_catchup: boolean;
  trigger: Trigger;
}

export interface Page<T> {
  items: T[];
  total: number;
  nextPageToken?: string;
}

export interface PageOptions {
  pageSize?: number;
  pageToken?: string;
  signal?: AbortSignal;
}
