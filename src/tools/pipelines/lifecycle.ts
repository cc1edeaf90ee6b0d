/** Acting on runs (terminate, retry, archive, unarchive, delete) and recurring runs (enable, disable, delete). */
import { z } from 'zod';
import type { RecurringAction, RunAction } from '../../kubeflow/pipelines/client.js';
import { PipelinesError } from '../../kubeflow/pipelines/errors.js';
import { defineMutation, ToolError } from '../contract.js';
import { capital, renderChecks } from '../render.js';
import { confirmed, namespace, verdict } from '../schemas.js';
import { kfpAccess } from './access.js';
import { isTerminal, kfpId, ownedByDescription, scheduleText } from './views.js';

const out = z.object({ status: z.string(), id: z.string(), ...verdict });

/** Which run states each action applies to (KFP refuses the rest; saying why first is clearer). */
function runActionProblem(action: RunAction, state: string, storage: string | undefined): string | undefined {
  switch (action) {
    case 'terminate':
      return isTerminal(state) || state === 'CANCELING' ? `the run is already ${state}` : undefined;
    case 'retry':
      return state === 'FAILED' || state === 'CANCELED' ? undefined : `only a FAILED or CANCELED run can be retried; this one is ${state}`;
    case 'archive':
      return storage === 'ARCHIVED' ? 'the run is already archived' : undefined;
    case 'unarchive':
      return storage !== 'ARCHIVED' ? 'the run is not archived' : undefined;
    case 'delete':
      return undefined;
  }
}

const RUN_EFFECT: Record<RunAction, string> = {
  terminate: 'stops its running tasks; the run ends CANCELED',
  retry: 'runs its failed and canceled tasks again; finished tasks are kept',
  archive: 'hides it from default lists; nothing is deleted',
  unarchive: 'shows it in lists again',
  delete: 'deletes the run and its record for good',
};

type Target = { kind: 'run'; id: string; action: RunAction } | { kind: 'recurring'; id: string; action: RecurringAction };

const RUN_ACTIONS = ['terminate', 'retry', 'archive', 'unarchive', 'delete'] as const;
const RECURRING_ACTIONS = ['enable', 'disable', 'delete'] as const;

export const managePipelineRun = defineMutation({
  name: 'manage_pipeline_run',
  module: 'pipelines',
  category: 'lifecycle',
  risk: 'destructive',
  title: 'Manage pipeline run',
  description: 'Act on a run, or on a recurring run (enable, disable, delete).',
  input: z.object({
    run_id: kfpId.optional(),
    recurring_run_id: kfpId.optional(),
    action: z.enum(['terminate', 'retry', 'archive', 'unarchive', 'delete', 'enable', 'disable']),
    namespace,
    confirmed,
  }),
  output: out,
  mutation: {
    verb: 'change',
    async plan(a, ctx) {
      if ((a.run_id === undefined) === (a.recurring_run_id === undefined)) {
        throw new ToolError(
          'invalid_arguments',
          'Give exactly one of run_id and recurring_run_id.',
          'list_pipeline_runs shows runs; list_pipeline_runs(of="recurring") recurring runs.',
        );
      }
      const kfp = ctx.pipelines();
      const ns = ctx.namespace;
      if (a.run_id) {
        if (!(RUN_ACTIONS as readonly string[]).includes(a.action))
          throw new ToolError(
            'invalid_arguments',
            `A run cannot be ${a.action}d; that is for recurring runs.`,
            `For a run use one of ${RUN_ACTIONS.join(', ')}; pass recurring_run_id to ${a.action} a recurring run.`,
          );
        const action = a.action as RunAction;
        const { run } = await kfp.getRun(ns, a.run_id, ctx.signal);
        const state = run.state ?? 'RUNTIME_STATE_UNSPECIFIED';
        const problem = runActionProblem(action, state, run.storage_state);
        if (problem)
          throw new PipelinesError(
            'wrong_state',
            `cannot ${action} run ${run.display_name} (${a.run_id}): ${problem}`,
            action === 'retry'
              ? 'wait for it to end (get_pipeline_run with wait_for); a SUCCEEDED run is started again with run_pipeline'
              : 'get_pipeline_run shows its state',
            0,
            'action',
          );
        return {
          summary: `${capital(action)} run ${run.display_name} (${a.run_id}) in ${ns}`,
          // Bound to this run (id, creation); its state moves meanwhile, so it is a check, not a fact.
          facts: [
            ['run', `${run.display_name} (${a.run_id})`],
            ['created', run.created_at],
            ['effect', RUN_EFFECT[action]],
          ],
          checks: [
            { check: 'run', ok: true, detail: `${run.display_name} is ${state}${run.storage_state === 'ARCHIVED' ? ', archived' : ''}` },
            ...(await kfpAccess(kfp, ns, 'runs', action, ctx.signal)),
          ],
          existing: ownedByDescription(run.display_name ?? a.run_id, run.description),
          state: { kind: 'run', id: a.run_id, action } as Target,
        };
      }
      const id = a.recurring_run_id!;
      if (!(RECURRING_ACTIONS as readonly string[]).includes(a.action))
        throw new ToolError(
          'invalid_arguments',
          `A recurring run cannot be ${a.action}d; that is for runs.`,
          `For a recurring run use one of ${RECURRING_ACTIONS.join(', ')}; pass run_id to ${a.action} a run.`,
        );
      const action = a.action as RecurringAction;
      const rr = await kfp.getRecurringRun(ns, id, ctx.signal);
      const status = rr.status ?? (rr.mode === 'DISABLE' ? 'DISABLED' : 'ENABLED');
      if ((action === 'enable' && status === 'ENABLED') || (action === 'disable' && status === 'DISABLED')) {
        throw new PipelinesError('wrong_state', `recurring run ${rr.display_name} (${id}) is already ${status}`, 'nothing to do', 0, 'action');
      }
      return {
        summary: `${capital(action)} recurring run ${rr.display_name} (${id}) in ${ns}`,
        facts: [
          ['recurring run', `${rr.display_name} (${id})`],
          ['created', rr.created_at],
          ['schedule', scheduleText(rr)],
          [
            'effect',
            action === 'delete'
              ? 'no further runs; runs it started are kept'
              : action === 'disable'
                ? 'no further runs until enabled'
                : 'runs start on its schedule again',
          ],
        ],
        checks: [{ check: 'recurring run', ok: true, detail: `${rr.display_name} is ${status}` }, ...(await kfpAccess(kfp, ns, 'jobs', action, ctx.signal))],
        existing: ownedByDescription(rr.display_name ?? id, rr.description),
        state: { kind: 'recurring', id, action } as Target,
      };
    },
    async apply(plan, ctx) {
      const st: Target = plan.state;
      const kfp = ctx.pipelines();
      let next = 'Done.';
      if (st.kind === 'run') {
        await kfp.runAction(ctx.namespace, st.id, st.action, ctx.signal);
        if (st.action === 'retry' || st.action === 'unarchive') next = `get_pipeline_run(run_id="${st.id}", wait_for="SUCCEEDED") follows it.`;
        if (st.action === 'terminate') next = `get_pipeline_run(run_id="${st.id}") shows it ending.`;
      } else {
        await kfp.recurringAction(ctx.namespace, st.id, st.action, ctx.signal);
        if (st.action !== 'delete') next = 'list_pipeline_runs(of="recurring") shows its status.';
      }
      return { status: st.action === 'delete' ? 'deleted' : `${st.action}${st.action.endsWith('e') ? 'd' : 'ed'}`, id: st.id, checks: [], ready: true, next };
    },
    preview: (plan) => ({ id: plan.state.id }),
  },
  render: (o) =>
    [o.status === 'preview' ? `PREVIEW (nothing changed) — ${o.id}` : `${o.status.toUpperCase()}: ${o.id}`, renderChecks(o.checks), o.next]
      .filter(Boolean)
      .join('\n'),
});
