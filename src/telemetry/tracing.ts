/**
 * OpenTelemetry traces, exported by OTLP when the standard OTEL_* variables ask for it, and free
 * when they do not: nothing from OpenTelemetry is imported until startTracing() finds it configured
 * (the SDK and the API together cost ~250 ms of start-up, which stdio clients wait for). Until then
 * inSpan() runs its function with a span handle that records nothing.
 *
 * What spans carry is decided by their callers (mcpSpans.ts, kube and registry calls): names,
 * methods, tool names, status codes and the caller's user name; never arguments, results, tokens
 * or headers. See docs/security.md ("Telemetry").
 */
import type * as OtelApi from '@opentelemetry/api';
import { log } from '../log.js';
import { SERVER_NAME, SERVER_VERSION } from '../server/version.js';

type Api = Pick<typeof OtelApi, 'context' | 'propagation' | 'trace' | 'SpanKind' | 'SpanStatusCode'>;
type SpanKindName = 'server' | 'client' | 'internal';
type Attributes = Record<string, string | number | boolean | undefined>;

/** What a traced function may tell its span. */
export interface SpanHandle {
  set(attributes: Attributes): void;
  /** Marks the span failed: `error.type` (low cardinality) and a status description. */
  fail(errorType: string, description?: string): void;
}

const NOOP: SpanHandle = { set: () => {}, fail: () => {} };

let api: Api | undefined;
let tracer: OtelApi.Tracer | undefined;

/**
 * Whether the environment asks for traces: an OTLP endpoint, or an explicit exporter other than
 * none; never when OTEL_SDK_DISABLED is true.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.length) return !exporters.every((e) => e === 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export interface Tracing {
  /** Flushes spans still buffered, then stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK when tracingRequested(). It reads the rest of its configuration
 * from the standard variables itself (exporter, protocol, headers, sampler, propagators, resource
 * attributes). Metrics and logs are not exported through it: metrics are Prometheus (/metrics),
 * logs are stderr and MCP notifications.
 */
export async function startTracing(opts: { stdoutIsProtocol: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  if (tracer || !tracingRequested(env)) return { shutdown: async () => {} };
  if (opts.stdoutIsProtocol && /(^|,)\s*console\s*(,|$)/i.test(env.OTEL_TRACES_EXPORTER ?? '')) {
    throw new Error(
      'OTEL_TRACES_EXPORTER=console writes spans to stdout, which carries the MCP messages on stdio. Use the otlp exporter (OTEL_EXPORTER_OTLP_ENDPOINT), or serve with --transport http.',
    );
  }
  // The SDK's own API and resources, so spans reach the provider it registers.
  const { NodeSDK, api: otel, resources, core } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME, when set, wins (the SDK reads it through the env detector).
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: SERVER_NAME }),
    // Not the process detector: it records the command line and the OS user.
    resourceDetectors: [resources.envDetector, resources.hostDetector],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  // The SDK's diagnostics (OTEL_LOG_LEVEL) go to the stderr log: its console logger writes info
  // and debug lines to stdout.
  const level = env.OTEL_LOG_LEVEL?.trim();
  if (level) otel.diag.setLogger(DIAG_TO_LOG, { logLevel: core.diagLogLevelFromString(level) ?? otel.DiagLogLevel.INFO, suppressOverrideMessage: true });
  sdk.start();
  api = otel;
  tracer = otel.trace.getTracer(SERVER_NAME, SERVER_VERSION);
  return {
    shutdown: async () => {
      tracer = undefined;
      api = undefined;
      await sdk.shutdown();
      // Unregister the SDK's globals, so a later startTracing in this process registers afresh.
      otel.trace.disable();
      otel.propagation.disable();
      otel.context.disable();
    },
  };
}

export interface SpanOptions {
  kind: SpanKindName;
  attributes?: Attributes;
  /** W3C trace context of a remote parent (MCP `params._meta`: traceparent, tracestate). */
  parent?: Record<string, unknown>;
}

/** Runs `fn` in a span (a child of the active one unless a remote parent is given); ends it when `fn` settles. */
export async function inSpan<T>(name: string, opts: SpanOptions, fn: (span: SpanHandle) => Promise<T>): Promise<T> {
  if (!api || !tracer) return fn(NOOP);
  const otel = api;
  const parent = opts.parent ? otel.propagation.extract(otel.context.active(), opts.parent, META_GETTER) : otel.context.active();
  const kind = opts.kind === 'server' ? otel.SpanKind.SERVER : opts.kind === 'client' ? otel.SpanKind.CLIENT : otel.SpanKind.INTERNAL;
  const span = tracer.startSpan(name, { kind, attributes: defined(opts.attributes) }, parent);
  let failed = false;
  const handle: SpanHandle = {
    set: (attributes) => span.setAttributes(defined(attributes)),
    fail: (errorType, description) => {
      failed = true;
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: otel.SpanStatusCode.ERROR, ...(description ? { message: description } : {}) });
    },
  };
  try {
    return await otel.context.with(otel.trace.setSpan(parent, span), () => fn(handle));
  } catch (err) {
    // Callers that classify their own failures have already called fail(); this is the fallback.
    if (!failed) handle.fail((err as Error)?.name || '_OTHER');
    throw err;
  } finally {
    span.end();
  }
}

const diagLine =
  (write: (fields: object, msg: string) => void) =>
  (message: string, ...args: unknown[]) =>
    write(args.length ? { otel: args.map(String) } : {}, `opentelemetry: ${message}`);
const DIAG_TO_LOG: OtelApi.DiagLogger = {
  error: diagLine((f, m) => log.error(f, m)),
  warn: diagLine((f, m) => log.warn(f, m)),
  info: diagLine((f, m) => log.info(f, m)),
  debug: diagLine((f, m) => log.debug(f, m)),
  verbose: diagLine((f, m) => log.trace(f, m)),
};

const META_GETTER: OtelApi.TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const v = carrier[key];
    return typeof v === 'string' ? v : undefined;
  },
};

function defined(attributes: Attributes | undefined): OtelApi.Attributes {
  const out: OtelApi.Attributes = {};
  for (const [k, v] of Object.entries(attributes ?? {})) if (v !== undefined) out[k] = v;
  return out;
}
