/**
 * The kubeflow-mcp command line: `serve`, `clients list`, `tools list`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { isPersona, PERSONAS, toolsForPersona, type Persona } from '../policy/personas.js';
import { CLIENT_MODULES, toolsForModules } from '../tools/registry.js';
import { SERVER_VERSION } from '../server/version.js';

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535.');
  return n;
}

function parsePersona(v: string): Persona {
  if (!isPersona(v)) throw new InvalidArgumentError(`must be one of ${PERSONAS.join(', ')}.`);
  return v;
}

function parseClients(v: string): string[] {
  const known = CLIENT_MODULES.map((m) => m.name as string);
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError(`give at least one of: ${known.join(', ')} (or auto).`);
  if (list.length === 1 && list[0] === 'auto') return known;
  const unknown = list.filter((c) => !known.includes(c));
  if (unknown.length) throw new InvalidArgumentError(`unknown client module(s) ${unknown.join(', ')}; available: ${known.join(', ')} (or auto).`);
  return list;
}

const personaOption = () => new Option('--persona <persona>', `tool set: ${PERSONAS.join(' | ')}`).argParser(parsePersona).default('ml-engineer');
const clientsOption = () => new Option('--clients <list>', `client modules, comma-separated: ${CLIENT_MODULES.map((m) => m.name).join(', ')} or auto`).argParser(parseClients).default(['trainer'], 'trainer');

export function buildCli(): Command {
  const program = new Command('kubeflow-mcp')
    .description('MCP server for Kubeflow training on Kubernetes (KEP-936)')
    .version(SERVER_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(`kubeflow-mcp: ${str.replace(/^error: /, '')}`) });

  program
    .command('serve')
    .description('serve MCP over stdio (what desktop clients launch) or Streamable HTTP')
    .addOption(new Option('--transport <transport>', 'stdio or http').choices(['stdio', 'http']).default('stdio'))
    .option('--host <host>', 'HTTP bind address', '127.0.0.1')
    .addOption(new Option('--port <port>', 'HTTP port').argParser(parsePort).default(8080))
    .addOption(clientsOption())
    .addOption(personaOption())
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--namespace <ns>', 'default namespace for tool calls (default: from the context)')
    .action(async (o: { transport: 'stdio' | 'http'; host: string; port: number; clients: string[]; persona: Persona; kubeconfig?: string; context?: string; namespace?: string }) => {
      const { serve } = await import('./serve.js');
      await serve(o);
    });

  const clients = program.command('clients').description('client modules');
  clients
    .command('list')
    .description('list client modules')
    .action(() => {
      for (const m of CLIENT_MODULES) process.stdout.write(`${m.name.padEnd(10)} ${m.description} (SDK ${m.sdkClient})\n`);
    });

  const tools = program.command('tools').description('tools');
  tools
    .command('list')
    .description('list tools with category, risk and context cost (o200k tokens)')
    .addOption(personaOption())
    .addOption(clientsOption())
    .option('--json', 'machine-readable output')
    .action(async (o: { persona: Persona; clients: string[]; json?: boolean }) => {
      const { toolTokenCosts } = await import('../server/tokens.js');
      const list = toolsForPersona(toolsForModules(o.clients), o.persona);
      const { perTool, total } = await toolTokenCosts(list);
      const rows = list.map((t) => ({ name: t.name, module: t.module, category: t.category, risk: t.risk, tokens: perTool.get(t.name) ?? 0 }));
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ persona: o.persona, clients: o.clients, tools: rows, total_tokens: total }, null, 2)}\n`);
        return;
      }
      const w = Math.max(4, ...rows.map((r) => r.name.length));
      process.stdout.write(`${'TOOL'.padEnd(w)}  MODULE   CATEGORY    RISK         TOKENS\n`);
      for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}  ${r.module.padEnd(7)}  ${r.category.padEnd(10)}  ${r.risk.padEnd(11)}  ${String(r.tokens).padStart(6)}\n`);
      process.stdout.write(`${rows.length} tools, ${total} tokens in tools/list (persona ${o.persona}, clients ${o.clients.join(',')})\n`);
    });

  return program;
}
