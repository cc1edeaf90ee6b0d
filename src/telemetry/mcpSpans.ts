/**
 * MCP requests and tool calls as telemetry, following the OpenTelemetry semantic conventions for
 * MCP (a SERVER span `{mcp.method.name} {gen_ai.tool.name}` per request, its parent taken from the
 * request's `params._meta` trace context) and for GenAI tool execution (an `execute_tool {tool}`
 * span per tool run, so dynamic mode's execute_tool shows the tool it ran). Requests also feed
 * mcp_server_operation_duration_seconds, and warnings raised while one is handled go to its client
 * (serverLog.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ProtocolError, Server, type CallToolResult, type JSONRPCRequest, type Result, type ServerContext } from '@modelcontextprotocol/server';
import { redactText } from '../audit/secrets.js';
import type { Identity } from '../auth/identity.js';
import { recordMcpRequest, recordToolCall, type ToolOutcome } from './metrics.js';
import { LOGGER_NAME, withClientLog } from './serverLog.js';
import { inSpan, type SpanHandle } from './tracing.js';

type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/** The span of the MCP request being handled, so a tool run can name its caller on it. */
const requestSpan = new AsyncLocalStorage<SpanHandle>();

/**
 * The SDK's Server with every request handler wrapped: the built-in ones (initialize,
 * logging/setLevel, server/discover) as well as ours. `_wrapHandler` is the SDK's documented hook
 * for subclasses to wrap registered handlers; it is the only way to reach the built-in ones.
 */
export class InstrumentedServer extends Server {
  protected override _wrapHandler(method: string, handler: Handler): Handler {
    const wrapped = super._wrapHandler(method, handler);
    return (request, ctx) => observeRequest(this, method, request, ctx, () => wrapped(request, ctx));
  }
}

async function observeRequest(server: Server, method: string, request: JSONRPCRequest, ctx: ServerContext, run: () => Promise<Result>): Promise<Result> {
  const started = performance.now();
  const params = request.params as { name?: unknown; _meta?: Record<string, unknown> } | undefined;
  const tool = method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined;
  const meta = params?._meta;
  let errorType: string | undefined;
  try {
    return await inSpan(
      tool ? `${method} ${tool}` : method,
      {
        kind: 'server',
        parent: typeof meta?.traceparent === 'string' ? meta : undefined,
        attributes: {
          'mcp.method.name': method,
          'jsonrpc.request.id': request.id === null || request.id === undefined ? undefined : String(request.id),
          'mcp.session.id': ctx.sessionId,
          'mcp.protocol.version': server.getNegotiatedProtocolVersion(),
          'network.transport': ctx.http ? 'tcp' : 'pipe',
          'gen_ai.tool.name': tool,
          'gen_ai.operation.name': tool ? 'execute_tool' : undefined,
        },
      },
      async (span) => {
        try {
          // ctx.mcpReq.log is the SDK's logging API for both eras (deprecated by 2026-07-28's SEP-2577,
          // still served): it applies the level the client set, per session or per request.
          const result = await requestSpan.run(span, () => withClientLog((level, data) => ctx.mcpReq.log(level, data, LOGGER_NAME), run));
          if ((result as CallToolResult).isError === true) {
            errorType = 'tool_error';
            span.fail(errorType);
          }
          return result;
        } catch (err) {
          errorType = err instanceof ProtocolError ? String(err.code) : '_OTHER';
          span.set({ 'rpc.response.status_code': err instanceof ProtocolError ? String(err.code) : undefined });
          // The JSON-RPC error's message, as the conventions ask; it can quote arguments, so redacted.
          span.fail(errorType, err instanceof ProtocolError ? redactText(err.message) : undefined);
          throw err;
        }
      },
    );
  } finally {
    recordMcpRequest(method, errorType, (performance.now() - started) / 1000);
  }
}

/** What the tools/call chain tells telemetry about one tool run. */
export interface ToolTelemetry {
  /** The caller, once known: their user name and how they authenticated (never groups or tokens). */
  caller(identity: Identity): void;
  /** How the call ended (called once, where the audit record is written). */
  done(outcome: ToolOutcome, code?: string): void;
}

/** Runs one tool in an `execute_tool {tool}` span and records its outcome and duration. */
export function tracedTool<T>(tool: string, run: (telemetry: ToolTelemetry) => Promise<T>): Promise<T> {
  return inSpan(`execute_tool ${tool}`, { kind: 'internal', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool } }, (span) =>
    run(toolTelemetry(tool, span)),
  );
}

function toolTelemetry(tool: string, span: SpanHandle): ToolTelemetry {
  const started = performance.now();
  let recorded = false;
  return {
    caller(identity) {
      const who = { 'enduser.id': identity.user, 'kubeflow_mcp.auth.source': identity.source };
      span.set(who);
      requestSpan.getStore()?.set(who);
    },
    done(outcome, code) {
      if (recorded) return;
      recorded = true;
      recordToolCall(tool, outcome, (performance.now() - started) / 1000);
      span.set({ 'kubeflow_mcp.tool.outcome': outcome, 'kubeflow_mcp.error.code': code });
      // Semantic conventions: an isError result is error.type tool_error; the code says which.
      if (outcome === 'error' || outcome === 'refused') span.fail('tool_error', code);
    },
  };
}
