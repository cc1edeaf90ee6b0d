/**
 * Dynamic tool discovery (--mode dynamic): instead of every schema up front, three meta-tools.
 * search_tools ranks the caller's tools by keywords, describe_tools returns their full schemas,
 * execute_tool runs one by name through the same chain as a direct call (persona, policy,
 * confirmation, audit). Only tools the caller may use are ever found or described.
 */
import { z } from 'zod';
import { defineTool, ToolError, type AnyToolSpec } from '../tools/contract.js';
import { table } from '../tools/render.js';
import { inputJsonSchema, outputJsonSchema } from './jsonSchema.js';

export const EXECUTE_TOOL = 'execute_tool';

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);

/** Keyword score: names weigh most, then titles, then descriptions and parameter names. */
export function rank(tools: readonly AnyToolSpec[], query: string): Array<{ tool: AnyToolSpec; score: number }> {
  const q = words(query);
  return tools
    .map((tool) => {
      const fields: Array<[string[], number]> = [
        [words(tool.name), 4],
        [words(tool.title), 3],
        [[tool.module, tool.category, tool.risk], 2],
        [words(tool.description), 1],
        [Object.keys(tool.input.shape).flatMap(words), 1],
      ];
      let score = 0;
      for (const w of q) {
        for (const [field, weight] of fields) {
          if (field.includes(w)) score += weight;
          // Prefixes and stems ("train" ~ "training", "jobs" ~ "job").
          else if (field.some((f) => (f.startsWith(w) || w.startsWith(f)) && Math.min(f.length, w.length) >= 3)) score += weight / 2;
        }
      }
      return { tool, score };
    })
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.tool.name.localeCompare(b.tool.name));
}

export function metaTools(visible: readonly AnyToolSpec[]): AnyToolSpec[] {
  const byName = new Map(visible.map((t) => [t.name, t]));
  const search = defineTool({
    name: 'search_tools',
    module: 'core',
    category: 'discovery',
    risk: 'read',
    title: 'Search tools',
    description: 'Find Kubeflow tools (training, tuning, models, cluster) by keywords; then describe_tools for parameters, execute_tool to run.',
    input: z.object({ query: z.string().min(1).max(500), limit: z.int().min(1).max(50).default(8) }),
    output: z.object({ tools: z.array(z.object({ name: z.string(), title: z.string(), risk: z.string(), description: z.string() })) }),
    run: async (a) => ({
      tools: rank(visible, a.query)
        .slice(0, a.limit)
        .map(({ tool }) => ({ name: tool.name, title: tool.title, risk: tool.risk, description: tool.description })),
    }),
    render: (o) =>
      table(
        ['TOOL', 'RISK', 'WHAT'],
        o.tools.map((t) => [t.name, t.risk, t.description]),
        'No tool matches; try other words (e.g. train, logs, model, tune).',
      ),
  });
  const describe = defineTool({
    name: 'describe_tools',
    module: 'core',
    category: 'discovery',
    risk: 'read',
    title: 'Describe tools',
    description: 'Full input and output schemas of the named tools.',
    input: z.object({ names: z.array(z.string().min(1)).min(1).max(20) }),
    output: z.object({
      tools: z.array(
        z.object({
          name: z.string(),
          description: z.string(),
          risk: z.string(),
          inputSchema: z.record(z.string(), z.unknown()),
          outputSchema: z.record(z.string(), z.unknown()),
        }),
      ),
    }),
    async run(a) {
      const unknown = a.names.filter((n) => !byName.has(n));
      if (unknown.length) {
        throw new ToolError(
          'unknown_tool',
          `No tool named ${unknown.map((n) => `'${n}'`).join(', ')} is available here.`,
          `Use search_tools to find names; available: ${[...byName.keys()].join(', ')}.`,
        );
      }
      return {
        tools: a.names.map((n) => {
          const t = byName.get(n)!;
          return { name: t.name, description: t.description, risk: t.risk, inputSchema: inputJsonSchema(t.input), outputSchema: outputJsonSchema(t.output) };
        }),
      };
    },
    render: (o) => o.tools.map((t) => `${t.name} (${t.risk}): ${t.description}\ninput: ${JSON.stringify(t.inputSchema)}`).join('\n\n'),
  });
  const execute = defineTool({
    name: EXECUTE_TOOL,
    module: 'core',
    category: 'core',
    // Its risk is that of the tool it runs; the server applies that tool's policy and confirmation.
    risk: 'destructive',
    title: 'Execute tool',
    description: 'Run a tool by name with its arguments (as describe_tools shows). Write tools preview unless arguments.confirmed=true.',
    input: z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) }),
    output: z.object({}).loose(),
    run: async () => {
      throw new Error('execute_tool is dispatched by the server');
    },
    render: () => '',
  });
  return [search, describe, execute];
}
