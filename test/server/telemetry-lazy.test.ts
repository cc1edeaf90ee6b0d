/**
 * Telemetry costs nothing at start-up unless asked for: a stdio server imports neither
 * OpenTelemetry nor prom-client, an HTTP server imports prom-client (it serves /metrics) but not
 * OpenTelemetry, and the OpenTelemetry SDK loads only when OTEL_* variables ask for traces.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tracingRequested } from '../../src/telemetry/tracing.js';
import { BIN, connectStdio, isolatedEnv, startHttpServer } from '../support/mcp.js';

const TRACE = `--import=${path.resolve(import.meta.dirname, '../support/import-trace.mjs')}`;
const imported = (stderr: string) => [...stderr.matchAll(/^imported: (\S+)$/gm)].map((m) => m[1]).sort();

describe('what start-up imports', () => {
  // Also no HTTP serving code and no Python grammar: the stdio start-up cost (bench/startup.bench.ts).
  it('stdio without OTEL_*: no telemetry package at all', async () => {
    const c = await connectStdio(['--backend', 'local'], isolatedEnv({ NODE_OPTIONS: TRACE }));
    expect((await c.client.listTools()).tools.length).toBeGreaterThan(0);
    await c.close();
    expect(imported(c.stderr())).toEqual([]);
  });

  it('HTTP without OTEL_*: prom-client (and the HTTP serving code), no OpenTelemetry', async () => {
    const srv = await startHttpServer(['--backend', 'local'], isolatedEnv({ NODE_OPTIONS: TRACE }));
    await srv.stop();
    expect(imported(srv.output())).toEqual(['prom-client', 'src/server/http.ts']);
  });

  it('stdio with an exporter configured: the OpenTelemetry SDK', async () => {
    // Nothing listens there: exporting fails quietly, the server works on.
    const c = await connectStdio(
      ['--backend', 'local'],
      isolatedEnv({
        NODE_OPTIONS: TRACE,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
        OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        OTEL_LOG_LEVEL: 'debug',
        KUBEFLOW_MCP_LOG_LEVEL: 'debug',
      }),
    );
    await c.client.listTools();
    await c.close();
    expect(imported(c.stderr())).toEqual(['@opentelemetry/sdk-node']);
    // The SDK's diagnostics went to the stderr log, not to stdout (where they would break MCP).
    expect(c.stderr()).toContain('opentelemetry: ');
  });

  it('refuses the console exporter on stdio, whose stdout carries MCP', () => {
    const run = spawnSync(process.execPath, [BIN, 'serve', '--backend', 'local'], {
      env: isolatedEnv({ OTEL_TRACES_EXPORTER: 'console' }),
      input: '',
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('OTEL_TRACES_EXPORTER=console writes spans to stdout');
  });
});

describe('tracingRequested', () => {
  it('follows the standard variables', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console,otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
  });
});
