/** Shared schemas and views of the pipelines tools: compact rows of KFP objects, ownership, names. */
import { z } from 'zod';
import type { Identity } from '../../auth/identity.js';
import type { RootParameter } from '../../kubeflow/pipelines/package.js';
import {
  RUNTIME_STATES,
  TERMINAL_STATES,
  type Experiment,
  type Pipeline,
  type PipelineVersion,
  type RecurringRun,
  type Run,
} from '../../kubeflow/pipelines/types.js';
import { ToolError } from '../contract.js';
import { CREATED_BY, type Owned } from '../ownership.js';
import { kv, table, type Cell } from '../render.js';

/** A pipeline, version or experiment: display name or id. */
export const ref = z.string().min(1).max(255);
export const kfpId = z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a KFP id (UUID)');
/** A run state filter; the values are checked, not listed (they cost context on every turn). */
export const runState = z
  .string()
  .refine((s) => RUNTIME_STATES.includes(s as never), { message: `must be one of ${RUNTIME_STATES.slice(1).join(', ')}` })
  .describe('e.g. FAILED');
export const page = { page_size: z.int().min(1).max(200).default(20), page_token: z.string().max(4000).optional() };
export const pageOut = { total: z.number(), next_page_token: z.string().optional() };

/** A KFP list page as the list tools return it: `of` what, its rows, the total, the next page's token. */
export function pageOf<K extends string, T, R>(of: K, list: { items: T[]; total: number; nextPageToken?: string }, row: (item: T) => R) {
  return { of, items: list.items.map(row), total: list.total, ...(list.nextPageToken ? { next_page_token: list.nextPageToken } : {}) };
}

/** "2 of 12 runs, newest first.", the table, and how to get more. */
export function renderPage(o: { of: string; items: unknown[]; total: number; next_page_token?: string }, headers: string[], rows: Cell[][]): string {
  return [`${o.items.length} of ${o.total} ${o.of}, newest first.`, table(headers, rows), o.next_page_token ? `More: page_token="${o.next_page_token}"` : '']
    .filter(Boolean)
    .join('\n');
}

export const parameter = z.object({
  name: z.string(),
  type: z.string(),
  default: z.unknown().optional(),
  optional: z.boolean(),
  description: z.string().optional(),
});
export const parameterOut = (p: RootParameter) => ({
  name: p.name,
  type: p.type,
  ...(p.default !== undefined ? { default: p.default } : {}),
  optional: p.optional || p.default !== undefined,
  ...(p.description ? { description: p.description } : {}),
});

export const runRow = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  experiment: z.string().optional(),
  created: z.string().optional(),
  finished: z.string().optional(),
  error: z.string().optional(),
});
export type RunRow = z.infer<typeof runRow>;

export function runOut(r: Run, experiment?: string): RunRow {
  return {
    id: r.run_id ?? '',
    name: r.display_name ?? '',
    state: r.state ?? 'RUNTIME_STATE_UNSPECIFIED',
    ...((experiment ?? r.experiment_id) ? { experiment: experiment ?? r.experiment_id } : {}),
    ...(r.created_at ? { created: r.created_at } : {}),
    ...(r.finished_at && !r.finished_at.startsWith('1970') ? { finished: r.finished_at } : {}),
    ...(r.error?.message ? { error: r.error.message } : {}),
  };
}

export const isTerminal = (state: string) => TERMINAL_STATES.has(state as never);

export const pipelineRow = (p: Pipeline) => ({
  id: p.pipeline_id ?? '',
  name: p.display_name || p.name || '',
  ...(p.created_at ? { created: p.created_at } : {}),
  ...(p.description ? { description: p.description } : {}),
  ...(p.namespace === '' || p.namespace === undefined ? {} : { namespace: p.namespace }),
});
export const versionRow = (v: PipelineVersion) => ({
  id: v.pipeline_version_id ?? '',
  name: v.display_name || v.name || '',
  ...(v.created_at ? { created: v.created_at } : {}),
  ...(v.description ? { description: v.description } : {}),
});
export const experimentRow = (e: Experiment) => ({
  id: e.experiment_id ?? '',
  name: e.display_name ?? '',
  state: e.storage_state ?? 'AVAILABLE',
  ...(e.created_at ? { created: e.created_at } : {}),
});
export const recurringRow = (r: RecurringRun) => ({
  id: r.recurring_run_id ?? '',
  name: r.display_name ?? '',
  state: r.status ?? (r.mode === 'DISABLE' ? 'DISABLED' : 'ENABLED'),
  ...(r.experiment_id ? { experiment: r.experiment_id } : {}),
  ...(r.created_at ? { created: r.created_at } : {}),
  schedule: scheduleText(r),
});

export function scheduleText(r: Pick<RecurringRun, 'trigger' | 'max_concurrency'>): string {
  const t = r.trigger;
  const when = t?.cron_schedule?.cron
    ? `cron "${t.cron_schedule.cron}"`
    : t?.periodic_schedule?.interval_second !== undefined
      ? `every ${t.periodic_schedule.interval_second}s`
      : 'no trigger';
  return `${when}, at most ${r.max_concurrency ?? 1} at once`;
}

export function renderParameters(ps: Array<z.infer<typeof parameter>>): string {
  return ps.length
    ? table(
        ['INPUT', 'TYPE', 'DEFAULT'],
        ps.map((p) => [p.name, p.type, p.default !== undefined ? JSON.stringify(p.default) : p.optional ? '(optional)' : '(required)']),
      )
    : 'inputs: none';
}

export const paramsText = (p: Record<string, unknown>) => kv(p) || '(none)';

// ---- ownership -------------------------------------------------------------------------------
// KFP runs and recurring runs have no labels or annotations: the creator is written as the last
// line of the description (docs/wire-decisions.md#kubeflow-pipelines-srckubeflowpipelines).
// Pipelines have tags, and carry it there.

const CREATOR_LINE = new RegExp(`(?:^|\\n)${CREATED_BY}: (.+)$`);

export function describeWithCreator(description: string | undefined, caller: Identity): string {
  const text = (description ?? '').trim();
  if (CREATOR_LINE.test(text) || text.includes(`${CREATED_BY}:`))
    throw new ToolError(
      'invalid_arguments',
      `description must not contain '${CREATED_BY}:' (the server records the creator itself).`,
      'Remove that line from the description.',
    );
  return text ? `${text}\n${CREATED_BY}: ${caller.user}` : `${CREATED_BY}: ${caller.user}`;
}

export function ownedByDescription(name: string, description: string | undefined): Owned {
  const m = CREATOR_LINE.exec(description ?? '');
  return { name, ...(m ? { annotations: { [CREATED_BY]: m[1]! } } : {}) };
}

/** Tags for a new pipeline: its creator when the name fits KFP's 63-character tag values. */
export function creatorTags(caller: Identity): Record<string, string> | undefined {
  return caller.user.length <= 63 ? { [CREATED_BY]: caller.user } : undefined;
}

export const ownedByTags = (name: string, tags: Record<string, string> | undefined): Owned => ({
  name,
  ...(tags?.[CREATED_BY] ? { annotations: { [CREATED_BY]: tags[CREATED_BY] } } : {}),
});

/** The SDK's default names: local time as "YYYY-MM-DD HH-MM-SS". */
export function localStamp(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
}
