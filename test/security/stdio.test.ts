/**
 * The built server over stdio, driven with raw JSON-RPC lines: an oversized message is answered
 * with an error and the session keeps serving; audit-log failures are reported, never fatal.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { limitStdioMessages } from '../../src/server/stdioLimit.js';
import { BIN, isolatedEnv } from '../support/mcp.js';

interface Session {
  proc: ChildProcessWithoutNullStreams;
  send(message: unknown): void;
  /** The next response with this id (null: an error not tied to a request). */
  response(id: number | null): Promise<Record<string, any>>;
  stderr(): string;
  exited: Promise<number | null>;
}

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.proc.kill();
});

function start(args: string[]): Session {
  const proc = spawn(process.execPath, [BIN, 'serve', '--transport', 'stdio', '--backend', 'local', ...args], { env: isolatedEnv(), stdio: 'pipe' });
  let out = '';
  let err = '';
  const seen: Array<Record<string, any>> = [];
  const waiters: Array<() => void> = [];
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    let i;
    while ((i = out.indexOf('\n')) >= 0) {
      seen.push(JSON.parse(out.slice(0, i)));
      out = out.slice(i + 1);
    }
    waiters.splice(0).forEach((w) => w());
  });
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const session: Session = {
    proc,
    send: (m) => proc.stdin.write(`${typeof m === 'string' ? m : JSON.stringify(m)}\n`),
    response: (id) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no response ${id}; stderr:\n${err}`)), 15_000);
        const check = () => {
          const at = seen.findIndex((m) => m.id === id && ('result' in m || 'error' in m));
          if (at >= 0) {
            clearTimeout(timer);
            resolve(seen.splice(at, 1)[0]!);
          } else waiters.push(check);
        };
        check();
      }),
    stderr: () => err,
    exited,
  };
  sessions.push(session);
  return session;
}

async function initialize(s: Session): Promise<void> {
  s.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  expect((await s.response(1)).result.serverInfo.name).toBe('kubeflow-mcp');
  s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

describe('stdio', () => {
  it('refuses a message over the size limit and keeps serving', async () => {
    const s = start(['--audit-log', 'off']);
    await initialize(s);
    // 11 MB: beyond the SDK transport's own 10 MB buffer, which used to end the session.
    s.send(call(2, 'get_runtime', { name: 'x'.repeat(11 * 1024 * 1024) }));
    const refused = await s.response(2);
    expect(refused.error.code).toBe(-32600);
    expect(refused.error.message).toMatch(/larger than 4194304 bytes/);
    // The id is not at the start: the error cannot name the request.
    s.send(`{"method":"tools/call","params":{"name":"get_runtime","arguments":{"name":"${'y'.repeat(5 * 1024 * 1024)}"}},"jsonrpc":"2.0","id":3}`);
    expect((await s.response(null)).error.code).toBe(-32600);
    s.send({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    expect((await s.response(4)).result.tools.length).toBeGreaterThan(3);
    expect(s.proc.exitCode).toBeNull();
  });

  it('an unwritable audit log is a start-up error naming the path, before the banner', async () => {
    const target = path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-audit-')), 'no-such-dir', 'audit.log');
    const s = start(['--audit-log', target]);
    expect(await s.exited).toBe(1);
    expect(s.stderr()).toContain(`cannot open the audit log ${target}`);
    expect(s.stderr()).not.toContain('serving MCP on stdio');
  });

  it('an audit log that fails later is reported once and refuses calls; the server keeps running', async () => {
    const s = start(['--audit-log', '/dev/full']);
    await initialize(s);
    expect((await s.response((s.send(call(2, 'list_training_jobs')), 2))).result.isError).toBeFalsy();
    for (const id of [3, 4, 5]) {
      s.send(call(id, 'list_training_jobs'));
      expect((await s.response(id)).result.structuredContent.error.code).toBe('audit_unavailable');
    }
    expect(s.stderr().match(/audit log \/dev\/full/g)).toHaveLength(1);
    expect(s.proc.exitCode).toBeNull();
  });
});

describe('the stdio size filter', () => {
  it('passes lines through whole across chunk boundaries and drops only the long one', async () => {
    const replies = new PassThrough();
    let answered = '';
    replies.on('data', (d: Buffer) => (answered += d.toString()));
    const dropped: number[] = [];
    const filter = limitStdioMessages(replies, (n) => dropped.push(n), 20);
    const lines: string[] = [];
    filter.on('data', (d: Buffer) => lines.push(d.toString()));
    for (const chunk of ['{"a":1}\n{"b"', ':2}\r\n{"id":"r-1","x":"', 'yyyyyyyyyyyyyyyyyyyyyyyy', 'yy"}\n{"c":3}\n{"d":4}']) filter.write(chunk);
    filter.end();
    await new Promise((resolve) => filter.on('end', resolve));
    expect(lines).toEqual(['{"a":1}\n', '{"b":2}\r\n', '{"c":3}\n', '{"d":4}']);
    expect(dropped).toEqual([46]);
    expect(JSON.parse(answered)).toMatchObject({ jsonrpc: '2.0', id: 'r-1', error: { code: -32600 } });
  });
});
