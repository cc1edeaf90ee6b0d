/** Runs: start one (or a schedule) from a pipeline version, list, get with task states, task logs, wait. */
import { z } from 'zod';
import { sleep as pause } from '../../kube/retry.js';
import { PipelinesError } from '../../kubeflow/pipelines/errors.js';
import { parametersOfSpec } from '../../kubeflow/pipelines/package.js';
import { checkParameters } from '../../kubeflow/pipelines/parameters.js';
import type { RecurringRunBody, Run, RunBody, RuntimeState, Trigger } from '../../kubeflow/pipelines/types.js';
import { defineMutation, defineTool, ToolError } from '../contract.js';
import { age, fields, renderChecks, table } from '../render.js';
import { check, confirmed, KEYS_ONLY, namespace, waitHead, waitOutcome, type WaitOutcome } from '../schemas.js';
import { kfpAccess } from './access.js';
import {
  describeWithCreator,
  experimentRow,
  isTerminal,
  kfpId,
  localStamp,
  page,
  pageOf,
  pageOut,
  paramsText,
  recurringRow,
  ref,
  renderPage,
  runOut,
  runRow,
  runState,
  scheduleText,
} from './views.js';

/** kfp.Client's experiment when none is named. */
const DEFAULT_EXPERIMENT = 'Default';

const schedule = z
  .object({
    cron: z.string().min(1).max(200).optional(),
    interval_seconds: z.int().min(1).optional(),
    max_concurrency: z.int().min(1).max(10).default(1),
    no_catchup: z.boolean().default(false),
  })
  .strict()
  .optional()
  .meta({ description: 'recurring: cron (6 fields, seconds first) or interval_seconds; max_concurrency, no_catchup', [KEYS_ONLY]: true });

/** robfig/cron as KFP's ScheduledWorkflow reads it: 6 fields (seconds first) or a descriptor. */
function cronProblem(cron: string): string | undefined {
  const t = cron.trim();
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every\s+\S+)$/.test(t)) return undefined;
  const n = t.split(/\s+/).length;
  if (n === 6) return /^[0-9*?/,LW#A-Za-z-]+(\s+[0-9*?/,LW#A-Za-z-]+){5}$/.test(t) ? undefined : 'has characters cron does not use';
  if (n === 5) return `has 5 fields; KFP's cron has 6 with seconds first: "0 ${t}"`;
  return `has ${n} fields; KFP's cron has 6 (second minute hour day-of-month month day-of-week), e.g. "0 0 9 * * 1-5"`;
}

export const runPipeline = defineMutation({
  name: 'run_pipeline',
  module: 'pipelines',
  category: 'training',
  risk: 'write',
  title: 'Run pipeline',
  description: 'Run a pipeline version (default newest) in an experiment, created if missing; params are checked against its inputs; schedule repeats it.',
  input: z.object({
    pipeline: ref,
    version: ref.optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    experiment: ref.default(DEFAULT_EXPERIMENT),
    name: ref.optional().describe('run name'),
    schedule,
    namespace,
    confirmed,
  }),
  output: z.object({
    status: z.enum(['preview', 'started', 'scheduled']),
    run: runRow.optional(),
    recurring_run: z.object({ id: z.string(), name: z.string(), state: z.string(), schedule: z.string() }).optional(),
    /** A preview's checks. */
    checks: z.array(check).optional(),
    next: z.string(),
  }),
  mutation: {
    verb: 'run',
    async plan(a, ctx) {
      const kfp = ctx.pipelines();
      const ns = ctx.namespace;
      const p = await kfp.findPipeline(ns, a.pipeline, ctx.signal);
      const v = await kfp.findVersion(ns, p.pipeline_id!, a.version, ctx.signal);
      const pname = p.display_name || p.name || a.pipeline;
      checkParameters(parametersOfSpec(v.pipeline_spec), a.params, `${pname} version ${v.display_name || v.name}`);
      let trigger: Trigger | undefined;
      if (a.schedule) {
        const s = a.schedule;
        if ((s.cron === undefined) === (s.interval_seconds === undefined))
          throw new ToolError(
            'invalid_arguments',
            'schedule needs exactly one of cron and interval_seconds.',
            'e.g. schedule={"cron": "0 0 9 * * 1-5"} or schedule={"interval_seconds": 3600}.',
          );
        const bad = s.cron !== undefined ? cronProblem(s.cron) : undefined;
        if (bad) throw new ToolError('invalid_arguments', `schedule.cron "${s.cron}" ${bad}.`, 'Fix the expression and call again.');
        trigger = s.cron !== undefined ? { cron_schedule: { cron: s.cron.trim() } } : { periodic_schedule: { interval_second: s.interval_seconds! } };
      }
      const experiment = await kfp.findExperiment(ns, a.experiment, ctx.signal);
      const name = a.name ?? `${pname} ${localStamp()}`;
      const reference = { pipeline_id: p.pipeline_id!, pipeline_version_id: v.pipeline_version_id! };
      const description = describeWithCreator(undefined, ctx.caller);
      const checks = [
        { check: 'parameters', ok: true, detail: `fit the inputs of ${pname} ${v.display_name || v.name}` },
        ...(await kfpAccess(kfp, ns, trigger ? 'jobs' : 'runs', 'create', ctx.signal)),
        ...(experiment ? [] : await kfpAccess(kfp, ns, 'experiments', 'create', ctx.signal)),
      ];
      return {
        summary: `${trigger ? 'Schedule' : 'Start'} ${name} of pipeline ${pname} in experiment ${a.experiment} (${ns})`,
        facts: [
          ['pipeline', `${pname} version ${v.display_name || v.name} (${v.pipeline_version_id})`],
          ['experiment', experiment ? `${a.experiment} (${experiment.experiment_id})` : `${a.experiment} (will be created)`],
          ['namespace', ns],
          ['params', paramsText(a.params)],
          ...(trigger && a.schedule ? [['schedule', scheduleText({ trigger, max_concurrency: a.schedule.max_concurrency })] as [string, string]] : []),
        ],
        checks,
        pin: { name },
        object: { name, reference, params: a.params, trigger: trigger ?? null, schedule: a.schedule ?? null, description },
        state: { name, reference, description, experimentName: a.experiment, trigger, schedule: a.schedule, params: a.params },
      };
    },
    async apply(plan, ctx) {
      const { name, reference, description, experimentName, trigger, schedule: s, params } = plan.state;
      const kfp = ctx.pipelines();
      const ns = ctx.namespace;
      // Found or created by name, as kfp.Client does; looked up again in case another call made it.
      const experiment = (await kfp.findExperiment(ns, experimentName, ctx.signal)) ?? (await kfp.createExperiment(ns, experimentName, undefined, ctx.signal));
      if (trigger && s) {
        const body: RecurringRunBody = {
          display_name: name,
          description,
          experiment_id: experiment.experiment_id!,
          mode: 'ENABLE',
          pipeline_version_reference: reference,
          runtime_config: { parameters: params },
          max_concurrency: s.max_concurrency,
          no_catchup: s.no_catchup,
          trigger,
        };
        const rr = await kfp.createRecurringRun(ns, body, ctx.signal);
        const row = recurringRow(rr);
        return {
          status: 'scheduled' as const,
          recurring_run: { id: row.id, name: row.name, state: row.state, schedule: row.schedule },
          next: `list_pipeline_runs(of="recurring") shows it; manage_pipeline_run(recurring_run_id="${row.id}", action="disable") pauses it.`,
        };
      }
      const body: RunBody = {
        experiment_id: experiment.experiment_id!,
        display_name: name,
        description,
        pipeline_version_reference: reference,
        runtime_config: { parameters: params },
      };
      const run = await kfp.createRun(ns, body, ctx.signal);
      return {
        status: 'started' as const,
        run: runOut(run, experimentName),
        next: `get_pipeline_run(run_id="${run.run_id}", wait_for="SUCCEEDED") follows it.`,
      };
    },
  },
  render: (o) =>
    [
      o.status === 'preview'
        ? 'PREVIEW (nothing started)'
        : o.run
          ? `STARTED run ${o.run.name} (${o.run.id}): ${o.run.state}`
          : `SCHEDULED ${o.recurring_run?.name} (${o.recurring_run?.id}): ${o.recurring_run?.schedule}`,
      o.checks ? renderChecks(o.checks) : '',
      o.next,
    ]
      .filter(Boolean)
      .join('\n'),
});

/** A run (without when it finished or why it failed), a recurring run or an experiment. */
const listRow = runRow.pick({ id: true, name: true, state: true, experiment: true, created: true }).extend({ schedule: z.string().optional() });

export const listPipelineRuns = defineTool({
  name: 'list_pipeline_runs',
  module: 'pipelines',
  category: 'discovery',
  risk: 'read',
  title: 'List pipeline runs',
  description: 'Runs (by experiment, state, name), recurring runs or experiments, newest first.',
  input: z.object({
    of: z.enum(['runs', 'recurring', 'experiments']).default('runs'),
    experiment: ref.optional(),
    state: runState.optional(),
    name_contains: z.string().min(1).max(255).optional(),
    ...page,
    namespace,
  }),
  output: z.object({ of: z.string(), items: z.array(listRow), ...pageOut }),
  async run(a, ctx) {
    const kfp = ctx.pipelines();
    const ns = ctx.namespace;
    const opts = { pageSize: a.page_size, pageToken: a.page_token, signal: ctx.signal };
    if (a.of === 'experiments') {
      return pageOf(a.of, await kfp.listExperiments(ns, { ...opts, nameContains: a.name_contains }), experimentRow);
    }
    const exp = a.experiment ? await kfp.findExperiment(ns, a.experiment, ctx.signal) : undefined;
    if (a.experiment && !exp)
      throw new PipelinesError(
        'not_found',
        `no experiment named '${a.experiment}' in namespace ${ns}`,
        'list_pipeline_runs(of="experiments") shows them',
        404,
        'experiment',
      );
    if (a.of === 'recurring') {
      return pageOf(a.of, await kfp.listRecurringRuns(ns, { ...opts, experimentId: exp?.experiment_id }), recurringRow);
    }
    const l = await kfp.listRuns(ns, { ...opts, experimentId: exp?.experiment_id, state: a.state as RuntimeState | undefined, nameContains: a.name_contains });
    return pageOf(a.of, l, (r) => runOut(r, exp?.display_name));
  },
  render: (o) =>
    renderPage(
      o,
      ['ID', 'NAME', 'STATE', o.of === 'recurring' ? 'SCHEDULE' : 'AGE'],
      o.items.map((r) => [r.id, r.name, r.state, o.of === 'recurring' ? r.schedule : age(r.created)]),
    ),
});

const task = z.object({ name: z.string(), state: z.string(), started: z.string().optional(), finished: z.string().optional(), error: z.string().optional() });
const runDetail = z.object({
  run: runRow.extend({ terminal: z.boolean(), pipeline: z.string().optional(), params: z.record(z.string(), z.unknown()).optional() }),
  tasks: z.array(task),
});

/** The run with its tasks (user tasks and DAGs as KFP reports them; driver-only entries included). */
function detailOut(run: Run, experimentName?: string): z.input<typeof runDetail> {
  const tasks = (run.run_details?.task_details ?? []).slice(0, 50).map((t) => ({
    name: t.display_name ?? t.task_id ?? '',
    state: t.state ?? 'RUNTIME_STATE_UNSPECIFIED',
    ...(t.start_time ? { started: t.start_time } : {}),
    ...(t.end_time && !t.end_time.startsWith('1970') ? { finished: t.end_time } : {}),
    ...(t.error?.message ? { error: t.error.message } : {}),
  }));
  const row = runOut(run, experimentName);
  const ref = run.pipeline_version_reference;
  return {
    run: {
      ...row,
      terminal: isTerminal(row.state),
      ...(ref ? { pipeline: `${ref.pipeline_id}/${ref.pipeline_version_id ?? 'latest'}` } : {}),
      ...(run.runtime_config?.parameters ? { params: run.runtime_config.parameters } : {}),
    },
    tasks,
  };
}

function renderDetail(o: z.output<typeof runDetail>): string {
  return [
    fields([
      ['run', `${o.run.name} (${o.run.id})`],
      ['state', o.run.state],
      ['experiment', o.run.experiment],
      ['error', o.run.error],
      ['params', o.run.params ? paramsText(o.run.params) : undefined],
    ]),
    o.tasks.length
      ? table(
          ['TASK', 'STATE', 'ERROR'],
          o.tasks.map((t) => [t.name, t.state, t.error]),
        )
      : 'tasks: none yet',
  ].join('\n');
}

/** How long a wait sleeps between reads: quick at first, then every few seconds. */
const pollDelay = (elapsedMs: number) => (elapsedMs < 10_000 ? 1000 : 3000);

const logsOut = z.object({ task: z.string(), pod: z.string(), lines: z.array(z.string()), truncated: z.boolean(), tasks: z.array(z.string()) });

/**
 * One tool reads a run, waits for it and tails a task's log (as get_spark_status does for Spark):
 * three verbs a model uses together, for the context of one.
 */
export const getPipelineRun = defineTool({
  name: 'get_pipeline_run',
  module: 'pipelines',
  category: 'monitoring',
  risk: 'read',
  title: 'Get pipeline run',
  description: "A run's state, parameters and task states; wait_for blocks until that state or the end (bounded, with progress); logs=N tails a task's log.",
  input: z.object({
    run_id: kfpId,
    wait_for: z.enum(['RUNNING', 'SUCCEEDED']).optional(),
    timeout_seconds: z.int().min(1).max(600).default(50),
    logs: z.int().min(1).max(2000).optional(),
    task: z.string().min(1).max(255).optional(),
    namespace,
  }),
  output: runDetail.extend({ outcome: waitOutcome.optional(), waited_seconds: z.number().optional(), logs: logsOut.optional(), next: z.string().optional() }),
  async run(a, ctx) {
    const kfp = ctx.pipelines();
    const ns = ctx.namespace;
    const withLogs = async (out: z.input<typeof runDetail> & Record<string, unknown>, got: Awaited<ReturnType<typeof kfp.getRun>>) => {
      if (!a.logs) return out;
      // Pods run in the experiment's namespace (multi-user), else in the namespace asked for.
      return { ...out, logs: await kfp.taskLogs(got.experiment?.namespace || ns, got.run, { task: a.task, tail: a.logs, signal: ctx.signal }) };
    };
    if (!a.wait_for) {
      const got = await kfp.getRun(ns, a.run_id, ctx.signal);
      return withLogs(detailOut(got.run, got.experiment?.display_name), got);
    }
    const started = Date.now();
    const deadline = started + a.timeout_seconds * 1000;
    let last: z.input<typeof runDetail> | undefined;
    for (;;) {
      let got;
      try {
        got = await kfp.getRun(ns, a.run_id, ctx.signal);
      } catch (err) {
        if (last && err instanceof PipelinesError && err.code === 'not_found') {
          return {
            ...last,
            outcome: 'deleted' as const,
            waited_seconds: seconds(started),
            next: `The run was deleted while waiting (last seen ${last.run.state}).`,
          };
        }
        throw err;
      }
      last = detailOut(got.run, got.experiment?.display_name);
      const state = last.run.state;
      const done = last.tasks.filter((t) => isTerminal(t.state)).length;
      await ctx.progress(
        last.tasks.length ? done : undefined,
        last.tasks.length || undefined,
        `${last.run.name}: ${state}${last.tasks.length ? `, ${done}/${last.tasks.length} tasks done` : ''}`,
      );
      const reached = state === a.wait_for || (a.wait_for === 'RUNNING' && state === 'SUCCEEDED');
      const outcome: WaitOutcome | undefined = reached ? 'reached' : isTerminal(state) ? 'ended' : Date.now() >= deadline ? 'timed_out' : undefined;
      if (outcome) {
        const next =
          outcome === 'reached'
            ? undefined
            : outcome === 'ended'
              ? `The run ended ${state}${last.run.error ? ` (${last.run.error})` : ''}: get_pipeline_run(run_id="${a.run_id}", logs=100) shows the failed task's log; manage_pipeline_run(action="retry") retries it.`
              : `Still ${state} after ${seconds(started)}s. Call get_pipeline_run with wait_for again to keep waiting.`;
        return withLogs({ ...last, outcome, waited_seconds: seconds(started), ...(next ? { next } : {}) }, got);
      }
      await sleep(Math.min(pollDelay(Date.now() - started), Math.max(0, deadline - Date.now())), ctx.signal);
    }
  },
  render: (o) =>
    [
      o.outcome ? waitHead(o.outcome, o.waited_seconds!) : '',
      renderDetail(o),
      o.logs
        ? [`log of task ${o.logs.task} (pod ${o.logs.pod})${o.logs.truncated ? ', last lines' : ''}; tasks: ${o.logs.tasks.join(', ')}`, ...o.logs.lines].join(
            '\n',
          )
        : '',
      o.next ?? '',
    ]
      .filter(Boolean)
      .join('\n'),
});

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

/** The pause between reads; a cancelled request ends the wait as cancelled. */
const sleep = (ms: number, signal: AbortSignal) =>
  pause(ms, signal).catch(() => Promise.reject(new PipelinesError('cancelled', 'the wait was cancelled', 'call again if the result is still needed')));
