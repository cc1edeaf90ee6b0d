/**
 * Deleting one named object (a Katib experiment, a Spark job or session): the tool finds it and
 * says what it is and what goes with it; the plan, checks and deletion are the same for each.
 */
import { z } from 'zod';
import type { ToolContext } from './context.js';
import { defineMutation, type AnyToolSpec, type ToolSpec } from './contract.js';
import { renderChecks } from './render.js';
import { verdict } from './schemas.js';

/** The object to delete, as the tool found it. */
interface Target {
  /** Its kind ("Experiment"), and how the preview names it ("experiment"). */
  kind: string;
  what: string;
  created?: string;
  annotations?: Record<string, string>;
  /** How it stands now ("Running with 3 trial(s)"): a check, as it moves meanwhile. */
  state: string;
  /** What goes with it. */
  deletes: string;
  /** The RBAC access review to run before the dry-run, where one is wanted. */
  access?: { resource: string; group: string };
  remove: (dryRun: boolean) => Promise<unknown>;
  /** The next step once it is deleted. */
  after: string;
}

const output = z.object({ status: z.enum(['preview', 'done']), name: z.string(), ...verdict });

export function deletionTool<I extends z.ZodObject<{ name: z.ZodString }>>({
  find,
  ...spec
}: Pick<ToolSpec<I>, 'name' | 'module' | 'title' | 'description' | 'input'> & { find: (args: z.output<I>, ctx: ToolContext) => Promise<Target> }): AnyToolSpec {
  return defineMutation({
    ...spec,
    category: 'lifecycle',
    risk: 'destructive',
    output,
    mutation: {
      verb: 'delete',
      async plan(args, ctx) {
        const t = await find(args, ctx);
        const name = args.name;
        return {
          summary: `Delete ${t.kind} ${name} in ${ctx.namespace}`,
          // Bound to this object (name, namespace, creation); its state moves meanwhile.
          facts: [
            [t.what, name],
            ['namespace', ctx.namespace],
            ['created', t.created],
            ['deletes', t.deletes],
          ],
          checks: [{ check: t.what, ok: true, detail: `${name} is ${t.state}` }],
          existing: { name, annotations: t.annotations },
          validate: {
            access: t.access && { verb: 'delete', ...t.access },
            dryRun: () => t.remove(true),
            by: 'the API server',
          },
          state: { name, t },
        };
      },
      async apply({ state: { name, t } }) {
        await t.remove(false);
        return { status: 'done' as const, name, checks: [], ready: true, next: t.after };
      },
      preview: (plan) => ({ name: plan.state.name }),
    },
    render: (o) =>
      [o.status === 'preview' ? `PREVIEW (nothing changed) — delete ${o.name}` : `DELETED ${o.name}`, renderChecks(o.checks), o.next]
        .filter(Boolean)
        .join('\n'),
  });
}
