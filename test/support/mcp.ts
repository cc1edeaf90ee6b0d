/**
 * Drives the built kubeflow-mcp server through the real MCP client, over stdio (a child process,
 * like desktop clients) or Streamable HTTP, in either protocol era.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'dist/cli/main.js');

export type Era = 'modern' | 'legacy';

/** An environment with no trace of the developer's own cluster config. */
export function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(path.join(tmpdir(), 'kfmcp-home-'));
  return { PATH: process.env.PATH ?? '', HOME: home, KUBEFLOW_MCP_LOG_LEVEL: 'warn', ...extra };
}

/** What the test client declares beyond the defaults (e.g. the MCP Apps extension). */
export type ClientCaps = ConstructorParameters<typeof Client>[1] extends infer O ? (O extends { capabilities?: infer C } ? C : never) : never;

export function newClient(era: Era, capabilities?: ClientCaps): Client {
  return new Client(
    { name: 'kubeflow-mcp-tests', version: '1.0.0' },
    { ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}), ...(capabilities ? { capabilities } : {}) },
  );
}

export interface Connected {
  client: Client;
  close(): Promise<void>;
  /**
   * The server's stderr so far. The start-up banner is logged when start-up settles, as the first
   * tools/list can answer, and stderr is a pipe of its own: tests wait for it (expect.poll).
   */
  stderr(): string;
}

export async function connectStdio(args: string[], env: Record<string, string>, era: Era = 'modern', capabilities?: ClientCaps): Promise<Connected> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'serve', '--transport', 'stdio', ...args], env, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = newClient(era, capabilities);
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nserver stderr:\n${err}`);
  }
  return { client, close: () => client.close(), stderr: () => err };
}

export interface HttpServerProcess {
  url: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startHttpServer(args: string[], env: Record<string, string>): Promise<HttpServerProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--transport', 'http', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 15_000);
    proc.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /MCP endpoint \(Streamable HTTP\): (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

export async function connectHttp(url: string, era: Era = 'modern'): Promise<Connected> {
  const client = newClient(era);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return { client, close: () => client.close(), stderr: () => '' };
}

/** Starts the server on HTTP and connects a client to it; close() stops both. */
export async function connectHttpServer(args: string[], env: Record<string, string>, era: Era = 'modern'): Promise<Connected> {
  const srv = await startHttpServer(args, env);
  const c = await connectHttp(srv.url, era);
  return { ...c, close: async () => (await c.close(), await srv.stop()), stderr: srv.output };
}

/** Calls a tool and returns its structured result; throws with the text on isError unless allowed. */
export async function call<T = Record<string, unknown>>(
  c: Connected,
  name: string,
  args: Record<string, unknown> = {},
  opts: { allowError?: boolean } = {},
): Promise<{ data: T; text: string; isError: boolean }> {
  const res = await c.client.callTool({ name, arguments: args });
  const text = (res.content as Array<{ type: string; text?: string }>).map((b) => b.text ?? '').join('\n');
  if (res.isError && !opts.allowError) throw new Error(`${name} failed: ${text}`);
  return { data: res.structuredContent as T, text, isError: Boolean(res.isError) };
}
