/**
 * The tool contract: every tool is one declarative spec. tools/list, personas, policy, the README
 * table, `kubeflow-mcp tools list` and the token-budget test all read these specs.
 */
import type { z } from 'zod';
import type { ToolContext } from './context.js';
import type { Mutation } from './mutation.js';

export type ModuleName = 'core' | 'trainer' | 'optimizer' | 'hub' | 'spark' | 'pipelines';
export type Category = 'core' | 'planning' | 'training' | 'discovery' | 'monitoring' | 'lifecycle';
export type Risk = 'read' | 'write' | 'destructive';

export interface ToolSpec<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  module: ModuleName;
  category: Category;
  risk: Risk;
  title: string;
  /** What it does, when to pick it over its neighbours, what it returns. Short: it costs context. */
  description: string;
  input: I;
  output: O;
  /** A read: the handler. Tools that change something declare `mutation` instead (one flow runs it). */
  run?(args: z.output<I>, ctx: ToolContext): Promise<z.input<O>>;
  mutation?: Mutation<z.output<I>, unknown, z.input<O>>;
  /** Compact text rendering of the structured result (tables, not YAML dumps). */
  render(out: z.output<O>): string;
  /** Its result opens the live job dashboard on hosts that render MCP Apps (server/apps.ts). */
  dashboard?: true;
}

/** Erases the generic parameters so specs of different shapes fit in one registry. */
export type AnyToolSpec = ToolSpec<z.ZodObject, z.ZodObject>;

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  spec: Omit<ToolSpec<I, O>, 'mutation'> & { run: NonNullable<ToolSpec<I, O>['run']> },
): AnyToolSpec {
  return spec;
}

/** A tool that changes something: it says what it would do (plan) and how (apply); see mutation.ts. */
export function defineMutation<I extends z.ZodObject, O extends z.ZodObject, S>(
  spec: Omit<ToolSpec<I, O>, 'run' | 'mutation'> & { risk: Exclude<Risk, 'read'>; mutation: Mutation<z.output<I>, S, z.input<O>> },
): AnyToolSpec {
  return spec;
}

export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/**
 * MCP annotations come from `risk` only. Hints equal to the protocol defaults (readOnly=false,
 * destructive=true, idempotent=false, openWorld=true) are omitted: each costs context on every turn.
 * (openWorldHint stays at its default: clients act on the read-only and destructive hints.)
 */
export function annotationsFor(risk: Risk): ToolAnnotations {
  switch (risk) {
    case 'read':
      return { readOnlyHint: true };
    case 'write':
      return { destructiveHint: false };
    case 'destructive':
      return { idempotentHint: true };
  }
}

/** A failure the model can fix: becomes an isError result with { code, message, hint }. */
export class ToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}
