/**
 * get_spark_status: the spark module's one read tool (the module's tools/list budget is 800 tokens).
 * One job or session by name — optionally waiting for a state, optionally with the driver's (or
 * Connect server's) log tail — or, without a name, the namespace's jobs or sessions, newest first.
 */
import { z } from 'zod';
import type { SparkClient } from '../../kubeflow/spark/client.js';
import { SparkError } from '../../kubeflow/spark/errors.js';
import { JOB_STATUSES, SESSION_STATES } from '../../kubeflow/spark/status.js';
import { withHeartbeat, type ToolContext } from '../context.js';
import { defineTool, ToolError } from '../contract.js';
import { listingFields, listingHeader, moreLine, position } from '../listing.js';
import { age, renderLog, table } from '../render.js';
import { namespace, waitHead, waitOutcome, waitOutcomeOf, type WaitOutcome } from '../schemas.js';
import {
  jobDetailOut,
  jobDetailView,
  jobSummaryOut,
  jobSummaryView,
  renderJob,
  renderSession,
  sessionOut,
  sessionViewOut,
  session,
  sparkName,
} from './views.js';

const input = z.object({
  name: sparkName.optional(),
  session,
  logs: z.int().min(1).max(1000).optional(),
  wait_for: z.enum(['Running', 'Completed', 'Ready']).optional(),
  timeout_seconds: z.int().min(1).max(600).default(50),
  status: z.string().max(40).optional().describe('list filter'),
  continue: z.string().max(400).optional(),
  namespace,
});
type Input = z.output<typeof input>;

const output = z.object({
  namespace: z.string(),
  job: jobDetailOut.optional(),
  session: sessionOut.optional(),
  /** The driver's (a session: the server's) log tail, when asked for. */
  log: z.object({ pod: z.string().optional(), lines: z.array(z.string()), truncated: z.boolean(), note: z.string().optional() }).optional(),
  /** Listing: jobs or sessions, newest first, with the position and counts. */
  items: z.array(z.union([jobSummaryOut, sessionOut])).optional(),
  page: z.object({ ...listingFields, of: z.enum(['Spark jobs', 'Spark sessions']) }).optional(),
  /** Waiting: how it ended. */
  wait: z.object({ outcome: waitOutcome, waited_seconds: z.number() }).optional(),
  next: z.string().optional(),
});
type Output = z.input<typeof output>;

export const getSparkStatus = defineTool({
  name: 'get_spark_status',
  module: 'spark',
  category: 'monitoring',
  risk: 'read',
  title: 'Spark job or session status',
  description:
    'A Spark job (operator state, driver/executor pods, events) or session=true (sc:// address) by name; wait_for blocks (bounded, progress); logs adds the driver log tail. No name: list.',
  input,
  output,
  async run(a, ctx) {
    const client = ctx.spark();
    const ns = ctx.namespace;
    const what = a.session ? 'session' : 'job';
    if (a.name) {
      const name = a.name;
      const out: Output = a.wait_for
        ? await waitFor(client, ns, { ...a, name, wait_for: a.wait_for }, ctx)
        : a.session
          ? { namespace: ns, session: sessionViewOut(await client.getSession(ns, name, ctx.signal)) }
          : { namespace: ns, job: jobDetailView(await client.getJob(ns, name, ctx.signal)) };
      const gone = out.wait?.outcome === 'deleted';
      return a.logs && !gone ? { ...out, log: await logTail(client, ns, what, name, a.logs, ctx.signal) } : out;
    }
    if (a.wait_for || a.logs)
      throw new ToolError(
        'invalid_arguments',
        `${a.wait_for ? 'wait_for' : 'logs'} needs the name of one ${what}`,
        `give name (without it get_spark_status lists the ${what}s)`,
      );
    const valid: readonly string[] = a.session ? SESSION_STATES : JOB_STATUSES;
    if (a.status !== undefined && !valid.includes(a.status))
      throw new ToolError('invalid_arguments', `status '${a.status}' is not a ${what} status`, `use one of: ${valid.join(', ')}`);
    const opts = { continue: a.continue, status: a.status, signal: ctx.signal };
    const { items, ...page } = a.session
      ? await client.listSessions(ns, opts).then((p) => ({ ...p, items: p.items.map(sessionViewOut) }))
      : await client.listJobs(ns, opts).then((p) => ({ ...p, items: p.items.map(jobSummaryView) }));
    return {
      namespace: ns,
      items,
      page: { ...position(page, { status: a.status }), of: a.session ? ('Spark sessions' as const) : ('Spark jobs' as const) },
    };
  },
  render: (o) => {
    const head = o.wait ? waitHead(o.wait.outcome, o.wait.waited_seconds) : '';
    if (!o.page) {
      const log = o.log
        ? renderLog(`log of ${o.log.pod ?? '-'}${o.log.truncated ? ` (last ${o.log.lines.length} lines)` : ''}:`, o.log.note ? [o.log.note] : o.log.lines)
        : '';
      return [head, o.job ? renderJob(o.job) : '', o.session ? renderSession(o.session) : '', log, o.next ?? ''].filter(Boolean).join('\n');
    }
    const page = o.page;
    const items = o.items ?? [];
    const jobs = items.filter((i): i is z.infer<typeof jobSummaryOut> => 'main_file' in i);
    const sessions = items.filter((i): i is z.infer<typeof sessionOut> => !('main_file' in i));
    return [
      listingHeader(page, items.length, page.of, `in ${o.namespace}`),
      jobs.length
        ? table(
            ['NAME', 'STATE', 'STATUS', 'EXECUTORS', 'APP', 'AGE'],
            jobs.map((j) => [j.name, j.state, j.status, j.executors, j.main_file, age(j.created)]),
          )
        : '',
      sessions.length
        ? table(
            ['NAME', 'STATE', 'ADDRESS', 'AGE'],
            sessions.map((s) => [s.name, s.state, s.address, age(s.created)]),
          )
        : '',
      moreLine(page),
    ]
      .filter(Boolean)
      .join('\n');
  },
});

/** How far along a job is, for progress: submitted, running, finishing, done. */
const JOB_STEP: Record<string, number> = { '': 0, SUBMITTED: 1, RUNNING: 2, SUCCEEDING: 3, COMPLETED: 4 };
const SESSION_STEP: Record<string, number> = { Provisioning: 0, NotReady: 1, Ready: 2 };

async function waitFor(
  client: SparkClient,
  ns: string,
  a: Input & { name: string; wait_for: 'Running' | 'Completed' | 'Ready' },
  ctx: ToolContext,
): Promise<Output> {
  if (a.session !== (a.wait_for === 'Ready')) {
    throw new ToolError(
      'invalid_arguments',
      `a ${a.session ? 'session' : 'job'} cannot be waited for until ${a.wait_for}`,
      a.session ? 'sessions: wait_for="Ready"' : 'jobs: wait_for="Running" or "Completed"',
    );
  }
  if (a.session) {
    const res = await withHeartbeat(ctx, a.name, () =>
      client.waitForSession(ns, a.name, {
        timeoutSeconds: a.timeout_seconds,
        signal: ctx.signal,
        onChange: (s) => void ctx.progress(SESSION_STEP[s.state], 2, `${a.name}: ${s.state}`),
      }),
    );
    const outcome = waitOutcomeOf(res, res.view?.state === 'Failed');
    const session = res.view && sessionViewOut(res.view);
    return {
      namespace: ns,
      wait: { outcome, waited_seconds: res.waitedSeconds },
      session,
      next: outcome === 'reached' ? `Connect to ${session?.address}.` : nextStep(outcome, a, session?.state ?? '', res.waitedSeconds),
    };
  }
  const target = a.wait_for === 'Running' ? 'Running' : 'Completed';
  const total = target === 'Running' ? JOB_STEP.RUNNING : JOB_STEP.COMPLETED;
  const res = await withHeartbeat(ctx, a.name, () =>
    client.waitForJob(ns, a.name, {
      target,
      timeoutSeconds: a.timeout_seconds,
      signal: ctx.signal,
      onChange: (s) => void ctx.progress(JOB_STEP[s.state], total, `${a.name}: ${s.state || 'NEW'}${s.error ? ` (${s.error})` : ''}`),
    }),
  );
  const job = res.view && jobDetailView(res.view);
  const outcome = waitOutcomeOf(res, job?.status === 'Failed' || job?.status === 'Completed');
  return {
    namespace: ns,
    wait: { outcome, waited_seconds: res.waitedSeconds },
    job,
    next: outcome === 'reached' ? undefined : nextStep(outcome, a, job?.state ?? '', res.waitedSeconds),
  };
}

function nextStep(outcome: WaitOutcome, a: { session: boolean; name: string; wait_for?: string }, state: string, waited: number): string {
  const args = `name="${a.name}"${a.session ? ', session=true' : ''}`;
  switch (outcome) {
    case 'deleted':
      return `It was deleted while waiting; get_spark_status(${a.session ? 'session=true' : ''}) lists what is left.`;
    case 'timed_out':
      return `Still ${state || 'NEW'} after ${waited}s. Call get_spark_status(${args}, wait_for="${a.wait_for}") again to keep waiting.`;
    default:
      return `It ended ${state}: see the error and events above, and its log: get_spark_status(${args}, logs=200).`;
  }
}

/** The log tail, or why there is none yet (the status is still the answer, so this never fails the call). */
async function logTail(
  client: SparkClient,
  ns: string,
  what: 'job' | 'session',
  name: string,
  tail: number,
  signal: AbortSignal,
): Promise<NonNullable<Output['log']>> {
  try {
    return await client.logs(ns, what, name, { tail, signal });
  } catch (err) {
    if (err instanceof SparkError) return { lines: [], truncated: false, note: `${err.message} (${err.hint})` };
    throw err;
  }
}
