/**
 * Builds one MCP server instance from the tool registry. The same factory serves both protocol eras
 * (2026-07-28 per-request envelope, 2025-11-25 initialize handshake) over stdio and HTTP.
 *
 * We use the low-level Server rather than McpServer.registerTool so that tools/list carries our
 * trimmed schemas (context budget), argument errors come back as actionable isError results, and
 * tools hidden by persona or policy are refused with the reason instead of "unknown tool".
 *
 * Every tools/call runs the same chain: identity -> policy -> arguments (shape, schema, no credentials)
 * -> handler (with a backend bound to the caller) -> redaction -> audit. A tool that changes
 * something runs as a mutation (tools/mutation.ts): its handler step is plan -> checks -> preview or
 * confirmation (by the user where the client can ask, see confirmation.ts) -> apply.
 */
import { randomUUID } from 'node:crypto';
import {
  isInputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  type Server,
  type CallToolResult,
  type InputRequiredResult,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { auditParameters, type AuditRecord, type AuditSink } from '../audit/audit.js';
import { findSecrets, redact, redactText } from '../audit/secrets.js';
import type { Identity } from '../auth/identity.js';
import type { ModelRegistryClient } from '../kubeflow/hub/client.js';
import type { PipelinesClient } from '../kubeflow/pipelines/client.js';
import type { OptimizerClient } from '../kubeflow/optimizer/client.js';
import type { SparkClient } from '../kubeflow/spark/client.js';
import type { TrainerBackend } from '../kubeflow/trainer/backend.js';
import type { Policy } from '../policy/policy.js';
import { annotationsFor, ToolError, type AnyToolSpec } from '../tools/contract.js';
import { monotonicProgress, type ToolContext } from '../tools/context.js';
import type { CallDefaults } from '../tools/defaults.js';
import { toToolError } from '../tools/errors.js';
import { argumentShapeError } from './argumentLimits.js';
import { invokeTool } from '../tools/mutation.js';
import { DASHBOARD_RESOURCE, linkDashboard, readDashboard, rendersApps } from './apps.js';
import { clientCapabilities } from './clientCapabilities.js';
import { confirmationFor, requestStateVerification } from './confirmation.js';
import { EXECUTE_TOOL, metaTools } from './dynamic.js';
import { inputJsonSchema, outputJsonSchema } from './jsonSchema.js';
import { renderPrompt, visiblePrompts } from './prompts.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';
import { InstrumentedServer, tracedTool, type ToolTelemetry } from '../telemetry/mcpSpans.js';

export interface ServerDeps {
  /** Tools callers may use (already filtered by clients, persona and policy). */
  tools: readonly AnyToolSpec[];
  /** full: every tool in tools/list; dynamic: three meta-tools that find, describe and run them. */
  mode?: 'full' | 'dynamic';
  /** Every known tool, to tell "hidden by persona/policy" from "does not exist". */
  allTools: readonly AnyToolSpec[];
  policy: Policy;
  instructions: string;
  /** Who is calling (fixed for this serving unit: one HTTP request, or one stdio connection). */
  identity: () => Promise<Identity>;
  /** The backend acting as that caller; may throw ToolError (e.g. no cluster configured). */
  backend: (caller: Identity) => TrainerBackend;
  /** Katib acting as that caller; may throw ToolError (no cluster, or the local backend). */
  optimizer: (caller: Identity) => OptimizerClient;
  /** The Spark Operator's resources acting as that caller; may throw ToolError (no cluster). */
  spark: (caller: Identity) => SparkClient;
  /** The Model Registry acting for that caller (access checked per request); may throw ToolError (not configured). */
  registry: (caller: Identity) => ModelRegistryClient;
  pipelines: (caller: Identity) => PipelinesClient;
  /** Namespace used when a call does not name one. */
  defaultNamespace: () => string;
  /** Runtime and algorithm used when a call does not name them. */
  defaults: CallDefaults;
  audit?: AuditSink;
}

/**
 * server/discover names every protocol version this endpoint serves. The SDK lists only the
 * 2026-era ones, though 2025-era clients are served on the same endpoint and connection through
 * initialize; a client picks from the list the versions it speaks, so the 2025 ones mislead none.
 */
class KubeflowServer extends InstrumentedServer {
  protected override _wrapHandler(method: string, handler: Parameters<InstrumentedServer['_wrapHandler']>[1]): ReturnType<InstrumentedServer['_wrapHandler']> {
    const wrapped = super._wrapHandler(method, handler);
    if (method !== 'server/discover') return wrapped;
    return async (request, ctx) => {
      const result = (await wrapped(request, ctx)) as { supportedVersions?: string[] };
      return { ...result, supportedVersions: [...new Set([...(result.supportedVersions ?? []), ...this._supportedProtocolVersions])] };
    };
  }
}

/** The tools the server advertises in tools/list for a mode. */
export function advertised(tools: readonly AnyToolSpec[], mode: ServerDeps['mode'] = 'full'): AnyToolSpec[] {
  return mode === 'dynamic' ? metaTools(tools) : [...tools];
}

/** The tools/list entries, computed once per tool set (they are pure functions of the specs). */
export function listEntries(tools: readonly AnyToolSpec[]) {
  return tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: inputJsonSchema(t.input) as { type: 'object'; [k: string]: unknown },
    outputSchema: outputJsonSchema(t.output) as { type: 'object'; [k: string]: unknown },
    // execute_tool can run anything: it claims no hint (protocol defaults: may write, destroy).
    annotations: t.name === EXECUTE_TOOL ? {} : annotationsFor(t.risk),
  }));
}

export function buildServer(deps: ServerDeps, entries = listEntries(advertised(deps.tools, deps.mode))): Server {
  const prompts = new Map(visiblePrompts(deps.tools).map((p) => [p.name, p]));
  // The dashboard resource is served when some tool opens it (dynamic mode's meta-tools open none).
  const dashboard = deps.mode !== 'dynamic' && deps.tools.some((t) => t.dashboard);
  // logging: the server's own warnings reach the client as notifications/message (telemetry/serverLog.ts).
  const server = new KubeflowServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { tools: {}, logging: {}, ...(prompts.size ? { prompts: {} } : {}), ...(dashboard ? { resources: {} } : {}) },
      instructions: deps.instructions,
      requestState: requestStateVerification,
    },
  );
  if (prompts.size) {
    server.setRequestHandler('prompts/list', async () => ({
      prompts: [...prompts.values()].map((p) => ({ name: p.name, title: p.title, description: p.description, arguments: p.arguments })),
    }));
    server.setRequestHandler('prompts/get', async (request) => {
      const p = prompts.get(request.params.name);
      if (!p) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
      const args = (request.params.arguments ?? {}) as Record<string, string | undefined>;
      const missing = p.arguments.filter((a) => a.required && !args[a.name]).map((a) => a.name);
      if (missing.length) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${p.name} needs ${missing.join(', ')}`);
      return { description: p.description, messages: [{ role: 'user' as const, content: { type: 'text' as const, text: renderPrompt(p, args) } }] };
    });
  }
  const usable = new Map(deps.tools.map((t) => [t.name, t]));
  const listed = new Map(advertised(deps.tools, deps.mode).map((t) => [t.name, t]));
  const entryByName = new Map(entries.map((e) => [e.name, e]));

  // MCP Apps hosts see the dashboard link on the tools that open it; other clients' list is unchanged.
  const linkedEntries = dashboard ? entries.map((e) => linkDashboard(e, listed.get(e.name))) : entries;
  server.setRequestHandler('tools/list', async (_request, ctx) => ({ tools: rendersApps(clientCapabilities(server, ctx)) ? linkedEntries : entries }));
  if (dashboard) {
    server.setRequestHandler('resources/list', async () => ({ resources: [DASHBOARD_RESOURCE] }));
    server.setRequestHandler('resources/read', async (request) => readDashboard(request.params.uri));
  }

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const { name, arguments: args } = request.params;
    if (deps.mode === 'dynamic' && name === EXECUTE_TOOL) {
      const target = typeof args?.name === 'string' ? args.name : '';
      const targetArgs =
        args?.arguments && typeof args.arguments === 'object' && !Array.isArray(args.arguments) ? (args.arguments as Record<string, unknown>) : {};
      const spec = usable.get(target) ?? deps.allTools.find((t) => t.name === target);
      if (!spec)
        return errorResult(
          new ToolError('unknown_tool', `No tool named '${target}'.`, 'Use search_tools to find tool names, describe_tools for their parameters.'),
        );
      const result = await callTool(server, spec, usable.has(target), targetArgs, ctx, deps);
      return isInputRequiredResult(result) ? result : server.projectCallToolResult(result, entryByName.get(EXECUTE_TOOL)?.outputSchema);
    }
    // In dynamic mode a usable tool may still be called directly by name.
    const known = listed.get(name) ?? usable.get(name) ?? deps.allTools.find((t) => t.name === name);
    if (!known) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const result = await callTool(server, known, listed.has(name) || usable.has(name), args ?? {}, ctx, deps);
    return isInputRequiredResult(result) ? result : server.projectCallToolResult(result, entryByName.get(name)?.outputSchema);
  });
  return server;
}

function callTool(
  server: Server,
  spec: AnyToolSpec,
  visible: boolean,
  rawArgs: Record<string, unknown>,
  ctx: ServerContext,
  deps: ServerDeps,
): Promise<CallToolResult | InputRequiredResult> {
  return tracedTool(spec.name, (telemetry) => runTool(server, spec, visible, rawArgs, ctx, deps, telemetry));
}

async function runTool(
  server: Server,
  spec: AnyToolSpec,
  visible: boolean,
  rawArgs: Record<string, unknown>,
  ctx: ServerContext,
  deps: ServerDeps,
  telemetry: ToolTelemetry,
): Promise<CallToolResult | InputRequiredResult> {
  // Nothing runs unaudited: once the audit log cannot be written, every call is refused.
  const auditDown = deps.audit?.failure();
  if (auditDown) {
    telemetry.done('refused', auditDown.code);
    return errorResult(auditDown);
  }
  const started = Date.now();
  const caller = await deps.identity();
  telemetry.caller(caller);
  const audit = (fields: Pick<AuditRecord, 'decision' | 'result'> & Partial<AuditRecord>) => {
    telemetry.done(fields.result, fields.code);
    deps.audit?.write({
      time: new Date(started).toISOString(),
      request_id: caller.requestId ?? randomUUID(),
      user: caller.user,
      groups: caller.groups,
      auth: caller.source,
      ...(caller.actingAs ? { acting_as: caller.actingAs } : {}),
      tool: spec.name,
      parameters: auditParameters(rawArgs, Object.keys(spec.input.shape)),
      duration_ms: Date.now() - started,
      ...fields,
    });
  };
  const refuse = (err: ToolError, reason: string) => {
    audit({ decision: 'denied', reason, result: 'refused', code: err.code });
    return errorResult(err);
  };

  if (!visible) {
    const why = deps.policy.whyNot(spec) ?? 'not enabled on this server';
    return refuse(
      new ToolError(
        'tool_not_allowed',
        `Tool '${spec.name}' is ${why}.`,
        'Use one of the listed tools, or ask the operator for a persona or policy that allows it.',
      ),
      why,
    );
  }
  const badShape = argumentShapeError(spec.name, rawArgs);
  if (badShape) return refuse(badShape, 'invalid arguments');
  const parsed = spec.input.strict().safeParse(rawArgs);
  if (!parsed.success) return refuse(argumentError(spec, parsed.error), 'invalid arguments');
  const args = parsed.data;
  const secrets = findSecrets(args);
  if (secrets.length) {
    const s = secrets[0]!;
    return refuse(
      new ToolError(
        'secret_in_arguments',
        `Argument ${s.path} looks like a credential (${s.kind}). Credentials are never accepted as tool arguments: they would be stored in plain text in the TrainJob.`,
        'Put it in a Kubernetes Secret and reference it: env values "secret:<secret-name>/<key>", or the model_secret / dataset_secret parameters.',
      ),
      'credential in arguments',
    );
  }

  const requested = typeof args.namespace === 'string' && args.namespace ? args.namespace : undefined;
  let namespace: string | undefined;
  let out: Record<string, unknown> | undefined;
  try {
    const toolCtx: ToolContext = {
      // Checked on use: tools that never touch a namespace (estimates) are not refused for it.
      get namespace() {
        const ns = requested ?? deps.defaultNamespace();
        deps.policy.checkNamespace(ns);
        namespace = ns;
        return ns;
      },
      backend: () => deps.backend(caller),
      optimizer: () => deps.optimizer(caller),
      spark: () => deps.spark(caller),
      registry: () => deps.registry(caller),
      pipelines: () => deps.pipelines(caller),
      caller,
      ownJobsOnly: deps.policy.persona.ownJobsOnly,
      defaults: deps.defaults,
      signal: ctx.mcpReq.signal,
      progress: progressReporter(ctx),
    };
    const outcome = await invokeTool(spec, args, toolCtx, confirmationFor(deps.policy.confirmation, server, ctx, spec.name, caller));
    if ('asked' in outcome) {
      telemetry.done('confirmation_requested');
      audit({ decision: 'allowed', reason: 'asked the user to confirm', result: 'ok', namespace: namespace ?? requested });
      return outcome.asked as InputRequiredResult;
    }
    out = redact(spec.output.parse(outcome.out));
  } catch (err) {
    const te = toToolError(err);
    const denied = DENIALS.has(te.code);
    audit({
      decision: denied ? 'denied' : 'allowed',
      reason: denied ? te.message : undefined,
      result: 'error',
      code: te.code,
      namespace: namespace ?? requested,
    });
    return errorResult(te);
  }
  audit({ decision: 'allowed', result: 'ok', namespace, job: jobNameOf(args, out) });
  return { content: [{ type: 'text', text: redactText(spec.render(out)) }], structuredContent: out };
}

/** Refusals the audit log records as denied: policy, ownership, and the user saying no. */
const DENIALS = new Set(['namespace_not_allowed', 'not_owner', 'user_declined', 'user_cancelled', 'user_confirmation_required']);

function jobNameOf(args: Record<string, unknown>, out: Record<string, unknown>): string | undefined {
  const job = out.job as { name?: unknown } | undefined;
  if (job && typeof job.name === 'string') return job.name;
  return typeof args.name === 'string' ? args.name : undefined;
}

function progressReporter(ctx: ServerContext): ToolContext['progress'] {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return async () => {};
  return monotonicProgress(async ({ progress, total, message }) => {
    try {
      await ctx.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message: redactText(message) } : {}) },
      });
    } catch {
      // A client that went away cannot be told; the tool result still reports the outcome.
    }
  });
}

export function errorResult(err: ToolError): CallToolResult {
  const error = redact({ code: err.code, message: err.message, hint: err.hint, ...(err.details ? { details: err.details } : {}) });
  return {
    isError: true,
    content: [{ type: 'text', text: `Error [${error.code}]: ${error.message}\nHint: ${error.hint}` }],
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
  return new ToolError(
    'invalid_arguments',
    `Invalid arguments for ${spec.name}: ${problems.join('; ')}.`,
    `Parameters: ${known.join(', ')}. Fix the listed ones and call again.`,
  );
}
