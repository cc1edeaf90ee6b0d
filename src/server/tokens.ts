/**
 * Context cost of what the server advertises, in o200k tokens (the tokenizer of current frontier
 * models).
 *
 * gpt-tokenizer is an optional peer dependency, not a dependency: it is 30 MB on disk and only
 * `tools list` (and the README generator and tests, which have it as a devDependency) count
 * tokens, so `npx kubeflow-mcp serve` and the container image do without it. An optional
 * dependency would not do: npm installs those by default. Loaded lazily, and where it is absent
 * the listing says how to get the counts instead of failing.
 */
import { CodedError } from '../kubeflow/errors.js';
import type { AnyToolSpec } from '../tools/contract.js';
import { listEntries } from './mcpServer.js';

export const TOKENIZER_HINT =
  'token counts need the optional package gpt-tokenizer: `npm install -g gpt-tokenizer@4` next to a global kubeflow-mcp, or `npx -p kubeflow-mcp -p gpt-tokenizer@4 kubeflow-mcp tools list`';

export type TokenCount = (text: string) => number;

/** The o200k counter, or undefined when gpt-tokenizer is not installed. */
export async function optionalTokenCounter(): Promise<TokenCount | undefined> {
  try {
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    return (text) => countTokens(text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if ((e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && e.message.includes('gpt-tokenizer')) return undefined;
    throw err;
  }
}

export async function tokenCounter(): Promise<TokenCount> {
  const count = await optionalTokenCounter();
  if (!count) throw new CodedError('tokenizer_missing', 'gpt-tokenizer is not installed', TOKENIZER_HINT);
  return count;
}

/** Tokens of each tools/list entry as serialized on the wire, and of the whole list. */
export function toolTokenCostsWith(count: TokenCount, tools: readonly AnyToolSpec[]): { perTool: Map<string, number>; total: number } {
  const entries = listEntries(tools);
  const perTool = new Map(entries.map((e) => [e.name, count(JSON.stringify(e))]));
  return { perTool, total: count(JSON.stringify({ tools: entries })) };
}

export async function toolTokenCosts(tools: readonly AnyToolSpec[]): Promise<{ perTool: Map<string, number>; total: number }> {
  return toolTokenCostsWith(await tokenCounter(), tools);
}
