/**
 * Builds one MCP server instance from the tool registry. The same factory serves both protocol eras
 * (2026-07-28 per-request envelope, 2025-11-25 initialize handshake) over stdio and HTTP.
 *
 * We use the low-level Server rather than McpServer.registerTool so that tools/list carries our
 * trimmed schemas (context budget), argument errors come back as actionable isError results, and
 * tools hidden by the persona are refused with a message instead of "unknown tool".
 */
import { ProtocolError, ProtocolErrorCode, Server, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { TrainerBackend } from '../kubeflow/trainer/backend.js';
import { annotationsFor, ToolError, type AnyToolSpec } from '../tools/contract.js';
import type { ToolContext } from '../tools/context.js';
import { toToolError } from '../tools/errors.js';
import { inputJsonSchema, outputJsonSchema } from './jsonSchema.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

export interface ServerDeps {
  /** Tools this server advertises (already filtered by clients and persona). */
  tools: readonly AnyToolSpec[];
  /** Every known tool, to tell "hidden by persona" from "does not exist". */
  allTools: readonly AnyToolSpec[];
  persona: string;
  instructions: string;
  /** Settles once the backend is known; tool calls wait for it. */
  ready?: () => Promise<void>;
  /** The caller's backend; may throw ToolError (e.g. no cluster configured). */
  backend: () => TrainerBackend;
  /** Namespace used when a call does not name one. */
  defaultNamespace: () => string;
  /** Called after every tool call (audit hook). */
  onCall?: (event: CallEvent) => void;
}

export interface CallEvent {
  tool: string;
  namespace?: string;
  ok: boolean;
  code?: string;
  durationMs: number;
}

/** The tools/list entries, computed once per tool set (they are pure functions of the specs). */
export function listEntries(tools: readonly AnyToolSpec[]) {
  return tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: inputJsonSchema(t.input) as { type: 'object'; [k: string]: unknown },
    outputSchema: outputJsonSchema(t.output) as { type: 'object'; [k: string]: unknown },
    annotations: annotationsFor(t.risk),
  }));
}

export function buildServer(deps: ServerDeps, entries = listEntries(deps.tools)): Server {
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { capabilities: { tools: {} }, instructions: deps.instructions },
  );
  const byName = new Map(deps.tools.map((t) => [t.name, t]));
  const entryByName = new Map(entries.map((e) => [e.name, e]));

  server.setRequestHandler('tools/list', async () => ({ tools: entries }));

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const { name, arguments: args } = request.params;
    const spec = byName.get(name);
    if (!spec) {
      if (deps.allTools.some((t) => t.name === name)) {
        return errorResult(
          new ToolError(
            'tool_not_allowed',
            `Tool '${name}' is not available to the '${deps.persona}' persona.`,
            'Use one of the listed tools, or ask the operator to start the server with a persona or policy that allows it.',
          ),
        );
      }
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
    }
    const started = Date.now();
    const result = await callTool(spec, args ?? {}, ctx, deps);
    deps.onCall?.({
      tool: name,
      namespace: typeof args?.namespace === 'string' ? args.namespace : undefined,
      ok: !result.isError,
      code: result.isError ? (result.structuredContent as { error?: { code?: string } } | undefined)?.error?.code : undefined,
      durationMs: Date.now() - started,
    });
    return server.projectCallToolResult(result, entryByName.get(name)?.outputSchema);
  });
  return server;
}

async function callTool(spec: AnyToolSpec, rawArgs: Record<string, unknown>, ctx: ServerContext, deps: ServerDeps): Promise<CallToolResult> {
  const parsed = spec.input.strict().safeParse(rawArgs);
  if (!parsed.success) return errorResult(argumentError(spec, parsed.error));
  const args = parsed.data as Record<string, unknown>;
  try {
    await deps.ready?.();
    const toolCtx: ToolContext = {
      namespace: typeof args.namespace === 'string' && args.namespace ? args.namespace : deps.defaultNamespace(),
      backend: deps.backend,
      signal: ctx.mcpReq.signal,
      progress: progressReporter(ctx),
    };
    const out = spec.output.parse(await spec.run(args, toolCtx));
    return { content: [{ type: 'text', text: spec.render(out) }], structuredContent: out as Record<string, unknown> };
  } catch (err) {
    return errorResult(toToolError(err));
  }
}

function progressReporter(ctx: ServerContext): ToolContext['progress'] {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return async () => {};
  return async (progress, total, message) => {
    try {
      await ctx.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) },
      });
    } catch {
      // A client that went away cannot be told; the tool result still reports the outcome.
    }
  };
}

export function errorResult(err: ToolError): CallToolResult {
  const error = { code: err.code, message: err.message, hint: err.hint, ...(err.details ? { details: err.details } : {}) };
  return {
    isError: true,
    content: [{ type: 'text', text: `Error [${err.code}]: ${err.message}\nHint: ${err.hint}` }],
    structuredContent: { error },
  };
}

function argumentError(spec: AnyToolSpec, error: z.ZodError): ToolError {
  const known = Object.keys(spec.input.shape);
  const problems = error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return `unknown parameter${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
    }
    const where = i.path.length ? i.path.join('.') : '(arguments)';
    return `${where}: ${i.message}`;
  });
  return new ToolError('invalid_arguments', `Invalid arguments for ${spec.name}: ${problems.join('; ')}.`, `Parameters: ${known.join(', ')}. Fix the listed ones and call again.`);
}
