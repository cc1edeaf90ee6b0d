/**
 * Context cost of what the server advertises, in o200k tokens (the tokenizer of current frontier
 * models). Loaded lazily: the tokenizer is large and only the CLI's `tools list` and tests need it.
 */
import type { AnyToolSpec } from '../tools/contract.js';
import { listEntries } from './mcpServer.js';

export async function tokenCounter(): Promise<(text: string) => number> {
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  return (text) => countTokens(text);
}

/** Tokens of each tools/list entry as serialized on the wire, and of the whole list. */
export async function toolTokenCosts(tools: readonly AnyToolSpec[]): Promise<{ perTool: Map<string, number>; total: number }> {
  const count = await tokenCounter();
  const entries = listEntries(tools);
  const perTool = new Map(entries.map((e) => [e.name, count(JSON.stringify(e))]));
  return { perTool, total: count(JSON.stringify({ tools: entries })) };
}
