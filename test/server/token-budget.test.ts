/**
 * Context budget (issue: trainer + core as ml-engineer <= 2,500 o200k tokens for tools/list,
 * readonly <= 1,000, server instructions <= 400). Counted on the exact JSON the server sends.
 */
import { describe, expect, it } from 'vitest';
import { toolsForPersona } from '../../src/policy/personas.js';
import { instructions } from '../../src/server/instructions.js';
import { tokenCounter, toolTokenCosts } from '../../src/server/tokens.js';
import { toolsForModules } from '../../src/tools/registry.js';

describe('context budget', () => {
  it('tools/list for trainer + core as ml-engineer fits in 2,500 tokens', async () => {
    const { total } = await toolTokenCosts(toolsForPersona(toolsForModules(['trainer']), 'ml-engineer'));
    console.log(`ml-engineer tools/list: ${total} tokens`);
    expect(total).toBeLessThanOrEqual(2500);
  });

  it('readonly tools/list fits in 1,000 tokens', async () => {
    const { total } = await toolTokenCosts(toolsForPersona(toolsForModules(['trainer']), 'readonly'));
    console.log(`readonly tools/list: ${total} tokens`);
    expect(total).toBeLessThanOrEqual(1000);
  });

  it('server instructions fit in 400 tokens for every persona', async () => {
    const count = await tokenCounter();
    for (const p of ['readonly', 'data-scientist', 'ml-engineer', 'platform-admin'] as const) {
      const visible = new Set(toolsForPersona(toolsForModules(['trainer']), p).map((t) => t.name));
      const n = count(instructions(visible));
      console.log(`instructions (${p}): ${n} tokens`);
      expect(n).toBeLessThanOrEqual(400);
    }
  });
});
