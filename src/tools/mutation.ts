/**
 * The mutation contract (KEP-936 two-phase confirmation). A tool that changes something declares
 * what it would do (`plan`: summary, key facts, checks, the object) and how to do it (`apply`);
 * `runMutation` is the one flow every such tool runs:
 *   plan -> ownership -> checks (RBAC access review, quota, dry-run) -> preview or confirmation -> apply.
 * How a call is confirmed comes from the server (`Confirmation`): by the user through the client
 * (elicitation), or by the `confirmed` argument where the client cannot ask. A user's accept binds
 * to the plan it was shown: the plan is recomputed before applying and must hash the same.
 */
import { createHash } from 'node:crypto';
import type { ToolContext } from './context.js';
import { ToolError, type AnyToolSpec } from './contract.js';
import { isTransportFailure, toToolError } from './errors.js';
import { checkOwner, type Owned } from './ownership.js';
import { fields, renderChecks, type Cell } from './render.js';
import type { Check } from './schemas.js';
import { quotaCheck } from './quota.js';

interface Plan<S = unknown> {
  /** One line: what would happen ("Create TrainJob x in ns on 2 node(s)"). */
  summary: string;
  /** What the user must see before agreeing: what, where, how many nodes/GPUs, what is deleted. */
  facts: Array<[string, Cell]>;
  /** Checks the plan itself established (code parsed, runtime resolved, job state). */
  checks: Check[];
  /** The existing object the change acts on: its owner is checked (own_jobs_only personas). */
  existing?: Owned;
  /** Arguments the plan chose (a generated name), repeated on confirmation. */
  pin?: Record<string, unknown>;
  /** What the API server would be sent; part of what the user's accept binds to. */
  object?: unknown;
  /** Validation without effect, run when previewing. */
  validate?: {
    /** RBAC access review for the write. */
    access?: { verb: string; resource: string; group: string };
    /** Total requests by ResourceQuota key (requests.cpu, count/trainjobs...). */
    demand?: Map<string, number>;
    /** Server dry-run or the backend's own validation; resolves with the accepted object. */
    dryRun?: () => Promise<unknown>;
    /** Who validated, as the backend names itself ("the API server", "the local backend"). */
    by: string;
  };
  /** Handler-private state for apply and the preview. */
  state: S;
}

/** The checks' outcome: ready = every check passed; accepted = the dry-run's answer; next = for the model. */
interface Verdict {
  checks: Check[];
  ready: boolean;
  accepted?: unknown;
  next: string;
}

/** What every preview's output says, filled in by the flow (a tool may say more in its next step). */
type PreviewFields = 'status' | 'checks' | 'ready' | 'next';

export interface Mutation<A, S, O> {
  /** "create", "delete", "register", ...: used in messages and refusals. */
  verb: string;
  plan(args: A, ctx: ToolContext): Promise<Plan<S>>;
  apply(plan: Plan<S>, ctx: ToolContext): Promise<O>;
  /**
   * The tool's own part of a preview's output (nothing changed): the flow adds status 'preview',
   * the checks, whether they all passed and the next step (output schemas without them drop them).
   */
  preview?(plan: Plan<S>, verdict: Verdict): Omit<O, PreviewFields> & { next?: string };
}

/** The user's answer, with the digest and pinned arguments of the plan shown (verified by the server). */
export interface Answer {
  action: 'accept' | 'decline' | 'cancel';
  digest?: string;
  pin?: Record<string, unknown>;
}

/** How this call is confirmed; built by the server from the client's capabilities and the policy. */
export interface Confirmation {
  /** user: ask through the client; argument: the `confirmed` argument; unavailable: require-user, and this client cannot ask. */
  readonly via: 'user' | 'argument' | 'unavailable';
  /** The answer this call carries back (re-entry after asking), if any. */
  answer(): Promise<Answer | undefined>;
  /** Asks the user; the returned value is what the server answers the call with. */
  ask(message: string, digest: string, pin: Record<string, unknown> | undefined): Promise<unknown>;
}

export type MutationOutcome<O> = { out: O } | { asked: unknown };

/** Confirmation by the `confirmed` argument alone (nobody to ask). */
const BY_ARGUMENT: Confirmation = {
  via: 'argument',
  answer: async () => undefined,
  ask: () => Promise.reject(new Error('a call confirmed by argument never asks the user')),
};

/** The handler step of the call chain: a read runs its handler, a write runs the mutation flow. */
export function invokeTool(
  spec: AnyToolSpec,
  args: Record<string, unknown>,
  ctx: ToolContext,
  confirm: Confirmation = BY_ARGUMENT,
): Promise<MutationOutcome<unknown>> {
  if (spec.mutation) return runMutation(spec.name, spec.mutation, args, ctx, confirm);
  return spec.run!(args, ctx).then((out) => ({ out }));
}

async function runMutation<A extends { confirmed?: boolean }, S, O>(
  tool: string,
  m: Mutation<A, S, O>,
  args: A,
  ctx: ToolContext,
  confirm: Confirmation,
): Promise<MutationOutcome<O>> {
  const answer = confirm.via === 'user' ? await confirm.answer() : undefined;
  const plan = await m.plan(answer?.pin ? { ...args, ...answer.pin } : args, ctx);
  if (plan.existing) checkOwner(plan.existing, ctx.caller, ctx.ownJobsOnly, m.verb);
  if (answer) {
    if (answer.action !== 'accept') {
      throw new ToolError(
        answer.action === 'decline' ? 'user_declined' : 'user_cancelled',
        `The user ${answer.action === 'decline' ? 'declined' : 'dismissed'} the confirmation: nothing was changed (${plan.summary}).`,
        'Ask the user what to change before calling again.',
      );
    }
    if (answer.digest !== digest(tool, plan)) {
      throw new ToolError(
        'plan_changed',
        `What would be done changed after the user was asked (${plan.summary}); nothing was changed.`,
        'Call again: the user will be asked about the current plan.',
      );
    }
    return { out: await m.apply(plan, ctx) };
  }
  if (args.confirmed && confirm.via === 'argument') return { out: await m.apply(plan, ctx) };
  if (args.confirmed && confirm.via === 'unavailable') {
    throw new ToolError(
      'user_confirmation_required',
      `This server applies changes only after the user confirms them in the client, and this client cannot ask (no elicitation support); nothing was changed (${plan.summary}).`,
      'Use a client that supports elicitation (Claude Code, VS Code, Cursor), or ask the operator to set policy confirmation: auto.',
    );
  }
  const verdict = await check(plan, ctx);
  const ready = verdict.checks.every((c) => c.ok !== false);
  if (ready && confirm.via === 'user') return { asked: await confirm.ask(confirmationMessage(plan, verdict.checks), digest(tool, plan), plan.pin) };
  const v = { ...verdict, ready, next: nextStep(tool, m.verb, plan, ready, confirm.via) };
  return { out: { status: 'preview', checks: v.checks, ready, next: v.next, ...m.preview?.(plan, v) } as O };
}

/** What the user's accept binds to: the summary, the facts and the object, for this tool. */
function digest(tool: string, plan: Plan<unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([tool, plan.summary, plan.facts, plan.object ?? null]))
    .digest('base64url');
}

async function check(plan: Plan<unknown>, ctx: ToolContext): Promise<Omit<Verdict, 'ready' | 'next'>> {
  const checks = [...plan.checks];
  const v = plan.validate;
  if (!v) return { checks };
  const namespace = ctx.namespace;
  const backend = v.access || v.demand ? ctx.backend() : undefined;
  const [access, quota] = await Promise.all([
    v.access && backend ? backend.canI(namespace, v.access.verb, v.access.resource, v.access.group, ctx.signal).catch(() => undefined) : undefined,
    v.demand && backend?.quota ? backend.quota(namespace, ctx.signal).catch(() => []) : [],
  ]);
  if (access && v.access) {
    const what = `${v.access.verb} ${v.access.resource} in namespace ${namespace}`;
    checks.push(
      access.allowed
        ? { check: 'rbac', ok: true, detail: `you may ${what}` }
        : {
            check: 'rbac',
            ok: false,
            detail: `you may not ${what}${access.reason ? ` (${access.reason})` : ''}: ask a cluster admin for a Role, or use a namespace you can write to`,
          },
    );
  }
  const q = v.demand ? quotaCheck(quota, v.demand, namespace) : undefined;
  if (q) checks.push(q);
  let accepted: unknown;
  if (v.dryRun && access?.allowed !== false) {
    try {
      accepted = await v.dryRun();
      checks.push({ check: 'dry-run', ok: true, detail: `accepted by ${v.by} (nothing changed)` });
    } catch (err) {
      // Not reaching the server is an error; a rejection is the preview's answer.
      if (isTransportFailure(err)) throw err;
      const te = toToolError(err);
      checks.push({ check: 'dry-run', ok: false, detail: `${te.message} — ${te.hint}` });
    }
  }
  return { checks, accepted };
}

function confirmationMessage(plan: Plan<unknown>, checks: Check[]): string {
  return [plan.summary, fields(plan.facts), 'checks:', renderChecks(checks), 'Apply this change?'].filter(Boolean).join('\n');
}

function nextStep(tool: string, verb: string, plan: Plan<unknown>, ready: boolean, via: Confirmation['via']): string {
  if (!ready) return `Nothing changed. Fix the failed checks, then preview again.`;
  if (via === 'unavailable')
    return `Nothing changed. This server applies changes only after the user confirms them in the client, and this client cannot ask: the ${verb} cannot be done from here.`;
  const pinned = Object.entries(plan.pin ?? {})
    .map(([k, v]) => `, ${k}=${JSON.stringify(v)}`)
    .join('');
  return `Nothing changed. Show this to the user; only after they agree call ${tool} again with the same arguments${pinned} and confirmed=true.`;
}
