/**
 * Context budget: the tools/list result a real MCP client receives, counted with the o200k
 * tokenizer. The server runs in this process (the payload is the same over any transport; a
 * process per case cost ~0.5 s of CPU each, 24 of them). Limits: trainer + core as ml-engineer <= 2,500 tokens, readonly
 * <= 1,000, all three modules <= 5,000, all five <= 6,000 (dynamic <= 300), the spark module's tools <= 800, the pipelines module's <= 1,200,
 * dynamic mode <= 600,
 * server instructions <= 400.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import type { ServeFlags } from '../../src/config/settings.js';
import { tokenCounter } from '../../src/server/tokens.js';
import { ALL_TOOLS, CLIENT_MODULES } from '../../src/tools/registry.js';
import { inProcess } from '../support/inprocess.js';
import type { Era } from '../support/mcp.js';

/** A server on the local backend (as with no cluster), with `flags`, and a client connected in `era`. */
async function withClient<T>(flags: ServeFlags, era: Era, use: (client: Client) => Promise<T>): Promise<T> {
  const srv = await inProcess({ backend: 'local', storeDir: mkdtempSync(path.join(tmpdir(), 'kfmcp-budget-')), ...flags });
  try {
    return await use(await srv.connect(undefined, era));
  } finally {
    await srv.close();
  }
}

function wireCost(persona: string, era: Era, extra: ServeFlags = {}, clients = 'trainer'): Promise<{ tools: number; list: number; instructions: number }> {
  return withClient({ clients: clients.split(','), persona, ...extra }, era, async (client) => {
    const count = await tokenCounter();
    const list = await client.listTools();
    return { tools: list.tools.length, list: count(JSON.stringify(list)), instructions: count(client.getInstructions() ?? '') };
  });
}

describe.each(['modern', 'legacy'] as const)('context budget (%s era)', (era) => {
  it('ml-engineer: tools/list <= 2,500 tokens, instructions <= 400', async () => {
    const cost = await wireCost('ml-engineer', era);
    console.log(`${era} ml-engineer: ${cost.tools} tools, tools/list ${cost.list} tokens, instructions ${cost.instructions} tokens`);
    expect(cost.tools).toBe(18);
    expect(cost.list).toBeLessThanOrEqual(2500);
    expect(cost.instructions).toBeGreaterThan(50);
    expect(cost.instructions).toBeLessThanOrEqual(400);
  });

  it('all five modules: tools/list <= 6,000 tokens; pipelines and spark add at most 16 tools', async () => {
    const all = CLIENT_MODULES.map((m) => m.name);
    expect([...all].sort()).toEqual(['hub', 'optimizer', 'pipelines', 'spark', 'trainer']);
    const cost = await wireCost('ml-engineer', era, {}, all.join(','));
    console.log(`${era} all five modules: ${cost.tools} tools, tools/list ${cost.list} tokens, instructions ${cost.instructions} tokens`);
    expect(ALL_TOOLS.filter((t) => t.module === 'pipelines' || t.module === 'spark').length).toBeLessThanOrEqual(16);
    expect(cost.tools).toBe(ALL_TOOLS.length);
    expect(cost.list).toBeLessThanOrEqual(6000);
    expect(cost.instructions).toBeLessThanOrEqual(400);
    const dynamic = await wireCost('platform-admin', era, { mode: 'dynamic' }, all.join(','));
    expect(dynamic.list).toBeLessThanOrEqual(300);
  });

  it('all three modules (trainer, optimizer, hub): tools/list <= 5,000 tokens', async () => {
    const cost = await wireCost('ml-engineer', era, {}, 'trainer,optimizer,hub');
    console.log(`${era} all modules: ${cost.tools} tools, tools/list ${cost.list} tokens, instructions ${cost.instructions} tokens`);
    expect(cost.tools).toBe(32);
    expect(cost.list).toBeLessThanOrEqual(5000);
    expect(cost.instructions).toBeLessThanOrEqual(400);
  });

  it('the spark module: its tools in tools/list <= 800 tokens', async () => {
    await withClient({ clients: ['spark'], persona: 'ml-engineer' }, era, async (client) => {
      const count = await tokenCounter();
      const spark = new Set(ALL_TOOLS.filter((t) => t.module === 'spark').map((t) => t.name));
      const tools = (await client.listTools()).tools.filter((t) => spark.has(t.name));
      const cost = count(JSON.stringify({ tools }));
      console.log(`${era} spark module: ${tools.length} tools, ${cost} tokens`);
      expect(tools).toHaveLength(spark.size);
      expect(spark.size).toBeLessThanOrEqual(6);
      expect(cost).toBeLessThanOrEqual(800);
    });
  });

  it('the pipelines module alone: its tools in tools/list <= 1,200 tokens, at most 10 tools', async () => {
    await withClient({ clients: ['pipelines'], persona: 'ml-engineer' }, era, async (client) => {
      const count = await tokenCounter();
      const own = new Set(ALL_TOOLS.filter((t) => t.module === 'pipelines').map((t) => t.name));
      const tools = (await client.listTools()).tools.filter((t) => own.has(t.name));
      const cost = count(JSON.stringify({ tools }));
      console.log(`${era} pipelines module: ${tools.length} tools, ${cost} tokens`);
      expect(tools.length).toBe(own.size);
      expect(tools.length).toBeLessThanOrEqual(10);
      expect(cost).toBeLessThanOrEqual(1200);
    });
  });

  it('dynamic mode: the whole tools/list <= 600 tokens', async () => {
    const cost = await wireCost('platform-admin', era, { mode: 'dynamic' }, 'trainer,optimizer,hub');
    console.log(`${era} dynamic: ${cost.tools} tools, tools/list ${cost.list} tokens, instructions ${cost.instructions} tokens`);
    expect(cost.tools).toBe(3);
    expect(cost.list).toBeLessThanOrEqual(600);
  });

  it('readonly: tools/list <= 1,000 tokens, instructions <= 400', async () => {
    const cost = await wireCost('readonly', era);
    console.log(`${era} readonly: ${cost.tools} tools, tools/list ${cost.list} tokens, instructions ${cost.instructions} tokens`);
    expect(cost.tools).toBe(8);
    expect(cost.list).toBeLessThanOrEqual(1000);
    expect(cost.instructions).toBeLessThanOrEqual(400);
  });
});
