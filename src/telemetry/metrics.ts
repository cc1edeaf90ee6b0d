/**
 * Prometheus metrics (prom-client), served at /metrics by the HTTP transport. prom-client loads
 * only when enableMetrics() is called (serving HTTP): before that, and always on stdio, the record*
 * functions do nothing, so stdio start-up pays nothing for them.
 *
 * Labels are low-cardinality facts only: tool names, outcomes, Kubernetes verbs and resources,
 * status codes, job phases. Never a user, group, namespace, job name or argument: the endpoint is
 * unauthenticated (docs/security.md, "Telemetry").
 */
import type * as Prom from 'prom-client';

/** How a tool call ended: a result, an isError result, refused before running, or waiting for the user's confirmation. */
export type ToolOutcome = 'ok' | 'error' | 'refused' | 'confirmation_requested';

/** Every metric the server exports (besides prom-client's process_* and nodejs_* defaults). */
const METRIC_NAMES = {
  toolCalls: 'kubeflow_mcp_tool_calls_total',
  toolDuration: 'kubeflow_mcp_tool_call_duration_seconds',
  mcpRequests: 'mcp_server_operation_duration_seconds',
  kubeRequests: 'kubeflow_mcp_kube_api_requests_total',
  kubeDuration: 'kubeflow_mcp_kube_api_request_duration_seconds',
  registryRequests: 'kubeflow_mcp_registry_requests_total',
  localJobs: 'kubeflow_mcp_local_jobs',
  rateLimited: 'kubeflow_mcp_rate_limited_total',
} as const;

interface Sink {
  registry: Prom.Registry;
  toolCalls: Prom.Counter<'tool' | 'outcome'>;
  toolDuration: Prom.Histogram<'tool' | 'outcome'>;
  mcpRequests: Prom.Histogram<'mcp_method_name' | 'error_type'>;
  kubeRequests: Prom.Counter<'verb' | 'resource' | 'code'>;
  kubeDuration: Prom.Histogram<'verb' | 'resource'>;
  registryRequests: Prom.Counter<'method' | 'code'>;
  rateLimited: Prom.Counter;
}

let sink: Sink | undefined;
let loading: Promise<Sink> | undefined;
/** Counts of local-backend jobs by phase, read at each scrape (set when the local backend runs). */
let localJobs: (() => Promise<Record<string, number>>) | undefined;

export function recordToolCall(tool: string, outcome: ToolOutcome, seconds: number): void {
  if (!sink) return;
  sink.toolCalls.inc({ tool, outcome });
  sink.toolDuration.observe({ tool, outcome }, seconds);
}

/** One MCP request (semantic conventions: mcp.server.operation.duration). */
export function recordMcpRequest(method: string, errorType: string | undefined, seconds: number): void {
  sink?.mcpRequests.observe({ mcp_method_name: method, error_type: errorType ?? '' }, seconds);
}

/** One HTTP exchange with the API server; `code` is the HTTP status, or what stopped the call without one. */
export function recordKubeRequest(verb: string, resource: string, code: string, seconds: number): void {
  if (!sink) return;
  sink.kubeRequests.inc({ verb, resource, code });
  sink.kubeDuration.observe({ verb, resource }, seconds);
}

export function recordRegistryRequest(method: string, code: string): void {
  sink?.registryRequests.inc({ method, code });
}

export function recordRateLimited(): void {
  sink?.rateLimited.inc();
}

export function setLocalJobCounts(counts: (() => Promise<Record<string, number>>) | undefined): void {
  localJobs = counts;
}

export interface MetricsEndpoint {
  contentType: string;
  render(): Promise<string>;
}

/** Loads prom-client and creates the metrics (once); what /metrics serves. */
export async function enableMetrics(): Promise<MetricsEndpoint> {
  loading ??= import('prom-client').then(createSink);
  sink = await loading;
  const registry = sink.registry;
  return { contentType: registry.contentType, render: () => registry.metrics() };
}

/** Tool calls range from milliseconds (reads) to the longest wait a tool allows (waits, log follows). */
const TOOL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const API_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function createSink(prom: typeof Prom): Sink {
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const n = METRIC_NAMES;
  new prom.Gauge({
    name: n.localJobs,
    help: 'Jobs in the local backend store by phase (Queued, Running, Succeeded, Failed, Suspended, Damaged).',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!localJobs) return;
      // A store that cannot be read right now leaves the gauge empty rather than failing the scrape.
      const counts = await localJobs().catch(() => ({}));
      for (const [phase, count] of Object.entries(counts)) this.set({ phase }, count);
    },
  });
  return {
    registry,
    toolCalls: new prom.Counter({
      name: n.toolCalls,
      help: 'Tool calls by tool and outcome (ok, error, refused, confirmation_requested).',
      labelNames: ['tool', 'outcome'],
      registers: [registry],
    }),
    toolDuration: new prom.Histogram({
      name: n.toolDuration,
      help: 'Tool call duration in seconds, from arguments to result.',
      labelNames: ['tool', 'outcome'],
      buckets: TOOL_BUCKETS,
      registers: [registry],
    }),
    mcpRequests: new prom.Histogram({
      name: n.mcpRequests,
      help: 'MCP requests by method, as observed by the server (OpenTelemetry mcp.server.operation.duration); error_type is set when the request failed.',
      labelNames: ['mcp_method_name', 'error_type'],
      buckets: TOOL_BUCKETS,
      registers: [registry],
    }),
    kubeRequests: new prom.Counter({
      name: n.kubeRequests,
      help: 'Requests to the Kubernetes API server by verb, resource and HTTP status (unreachable, timeout or cancelled when there was none).',
      labelNames: ['verb', 'resource', 'code'],
      registers: [registry],
    }),
    kubeDuration: new prom.Histogram({
      name: n.kubeDuration,
      help: 'Kubernetes API request duration in seconds (to the response headers for streams).',
      labelNames: ['verb', 'resource'],
      buckets: API_BUCKETS,
      registers: [registry],
    }),
    registryRequests: new prom.Counter({
      name: n.registryRequests,
      help: 'Requests to the Model Registry by HTTP method and status (unreachable, timeout or cancelled when there was none).',
      labelNames: ['method', 'code'],
      registers: [registry],
    }),
    rateLimited: new prom.Counter({ name: n.rateLimited, help: 'HTTP requests refused with 429 by the per-caller rate limit.', registers: [registry] }),
  };
}
