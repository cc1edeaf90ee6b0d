/**
 * serverWarning(): the stderr log always, the MCP client only while its request is being handled
 * (never after it was answered, never another request's client), redacted in both places.
 */
import { describe, expect, it } from 'vitest';
import { serverError, serverWarning, withClientLog } from '../../src/telemetry/serverLog.js';

const TOKEN = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';

describe('serverWarning', () => {
  it('goes to the client of the request it is raised in, redacted', async () => {
    const sent: Array<{ level: string; data: Record<string, unknown> }> = [];
    await withClientLog(
      async (level, data) => void sent.push({ level, data }),
      async () => {
        serverWarning(`upstream said ${TOKEN}`, { attempt: 2, header: `Bearer ${TOKEN}` });
        serverError('audit log cannot be written');
      },
    );
    expect(sent.map((s) => s.level)).toEqual(['warning', 'error']);
    expect(sent[0]!.data).toMatchObject({ attempt: 2 });
    expect(JSON.stringify(sent)).not.toContain(TOKEN);
    expect(sent[0]!.data.message).toBe('upstream said [REDACTED:Hugging Face token]');
  });

  it('reaches no client outside a request, after its answer, or from another request', async () => {
    const a: string[] = [];
    const b: string[] = [];
    serverWarning('at start-up');
    let background: Promise<void> | undefined;
    await Promise.all([
      withClientLog(
        async (_l, d) => void a.push(String(d.message)),
        async () => {
          // Background work started by the request (it keeps the request's context), ending after the answer.
          background = new Promise((resolve) => setTimeout(() => resolve(serverWarning('after the answer')), 20));
          serverWarning('during a');
        },
      ),
      withClientLog(
        async (_l, d) => void b.push(String(d.message)),
        async () => serverWarning('during b'),
      ),
    ]);
    await background;
    expect(a).toEqual(['during a']);
    expect(b).toEqual(['during b']);
  });

  it('survives a client that went away', async () => {
    await expect(
      withClientLog(
        async () => {
          throw new Error('connection closed');
        },
        async () => serverWarning('nobody listens'),
      ),
    ).resolves.toBeUndefined();
  });
});
