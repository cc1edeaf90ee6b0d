/**
 * The kubeflow-mcp command line: `serve`, `clients list`, `tools list`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BUILTIN_PERSONAS } from '../policy/personas.js';
import { Policy } from '../policy/policy.js';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS } from '../server/drain.js';
import { SERVER_VERSION } from '../server/version.js';
import { CLIENT_MODULES, toolsForModules } from '../tools/registry.js';

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535.');
  return n;
}

function parsePositive(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number.');
  return n;
}

function parseNonNegative(v: string): number {
  const n = Number(v);
  if (!(n >= 0) || v.trim() === '') throw new InvalidArgumentError('must be a number, 0 or more.');
  return n;
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 3600) throw new InvalidArgumentError('must be a number of seconds 0-3600.');
  return n;
}

function parseList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseClients(v: string): string[] | 'auto' {
  const known = CLIENT_MODULES.map((m) => m.name as string);
  const list = parseList(v);
  if (list.length === 0) throw new InvalidArgumentError(`give at least one of: ${known.join(', ')} (or auto).`);
  if (list.length === 1 && list[0] === 'auto') return 'auto';
  const unknown = list.filter((c) => !known.includes(c));
  if (unknown.length) throw new InvalidArgumentError(`unknown client module(s) ${unknown.join(', ')}; available: ${known.join(', ')} (or auto).`);
  return list;
}

// Persona names are checked once the config file (custom personas) is read.
const personaOption = () => new Option('--persona <persona>', `tool set: ${BUILTIN_PERSONAS.join(' | ')} or a custom persona (default ml-engineer)`);
const clientsOption = () =>
  new Option(
    '--clients <list>',
    `client modules, comma-separated: ${CLIENT_MODULES.map((m) => m.name).join(', ')}, or auto (default: each module whose API is present)`,
  ).argParser(parseClients);
const configOption = () => new Option('--config <path>', 'config / policy file (default ~/.kubeflow-mcp.yaml when it exists)');

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
    .addOption(new Option('--mode <mode>', 'full: every tool in tools/list; dynamic: search/describe/execute meta-tools').choices(['full', 'dynamic']))
    .addOption(configOption())
    .addOption(
      new Option('--backend <backend>', 'auto (Kubernetes if configured and reachable, else local) | kubernetes | local').choices([
        'auto',
        'kubernetes',
        'local',
      ]),
    )
    .option('--store-dir <path>', 'local backend job store (default ~/.kubeflow-mcp/jobs)')
    .addOption(
      new Option('--local-max-jobs <n>', 'local jobs running at once, shared by every server on the store (default: half the CPUs)').argParser((v) =>
        Math.max(1, Math.floor(parsePositive(v))),
      ),
    )
    .addOption(
      new Option(
        '--local-max-log-mb <n>',
        'stored output per local job in MiB; beyond it the first quarter and the latest part are kept (default 64)',
      ).argParser((v) => Math.max(1, Math.floor(parsePositive(v)))),
    )
    .option('--local-multi-user', "allow --auth gateway|oauth with the local backend although every caller's jobs then run as this server's OS user")
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--namespace <ns>', 'default namespace for tool calls (default: from the context)')
    .option('--registry-url <url>', 'Model Registry URL (default: $MODEL_REGISTRY_URL or hub.url in the config)')
    .option(
      '--pipelines-endpoint <url>',
      'Kubeflow Pipelines API server (default: pipelines.endpoint in the config, $KF_PIPELINES_ENDPOINT, else the in-cluster ml-pipeline Service)',
    )
    .addOption(
      new Option('--auth <mode>', 'HTTP caller identity: none | gateway (trusted headers) | oauth (bearer JWTs)').choices(['none', 'gateway', 'oauth']),
    )
    .option('--oauth-issuer <url>', 'OAuth/OIDC issuer whose JWTs are accepted')
    .option('--oauth-audience <aud>', 'expected token audience (default: the public URL)')
    .option('--oauth-jwks-url <url>', 'JWKS URL (default: from the issuer discovery document)')
    .option('--public-url <url>', 'URL clients use to reach /mcp (OAuth resource id)')
    .option('--audit-log <target>', "audit log: a file path, '-' for stderr (default) or 'off'")
    .option('--gateway-secret-file <path>', 'gateway mode: file holding the secret the gateway sends in x-kubeflow-mcp-gateway-secret')
    .addOption(
      new Option('--gateway-trusted-proxies <list>', 'gateway mode: addresses or CIDR ranges the gateway connects from (comma-separated)').argParser(parseList),
    )
    .addOption(new Option('--rate-limit <n>', 'HTTP requests per second per caller; 0 turns it off (default 100)').argParser(parseNonNegative))
    .addOption(new Option('--allowed-hosts <list>', 'extra Host/Origin names accepted on HTTP (comma-separated)').argParser(parseList))
    .addOption(
      new Option(
        '--shutdown-grace <seconds>',
        `HTTP: how long calls in flight may finish after SIGTERM/Ctrl+C (default ${DEFAULT_SHUTDOWN_GRACE_SECONDS})`,
      ).argParser(parseSeconds),
    )
    .option('--allow-unauthenticated', 'allow HTTP on a non-loopback address without --auth')
    .action(async (o: Record<string, unknown>) => {
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
    .addOption(configOption())
    .option('--json', 'machine-readable output')
    .addOption(
      new Option('--similar [n]', 'instead: the n closest pairs of tools by name + description (TF-IDF cosine; default 10)').argParser((v) =>
        Math.max(1, Math.floor(parsePositive(v))),
      ),
    )
    .action(async (o: { persona?: string; clients?: string[] | 'auto'; config?: string; json?: boolean; similar?: number | true }) => {
      const [{ optionalTokenCounter, toolTokenCostsWith, TOKENIZER_HINT }, { resolveSettings }, { ALL_TOOLS }] = await Promise.all([
        import('../server/tokens.js'),
        import('../config/settings.js'),
        import('../tools/registry.js'),
      ]);
      const s = resolveSettings({ persona: o.persona, clients: o.clients, config: o.config }, ALL_TOOLS);
      // Offline listing: 'auto' means every module (detection needs a running server).
      const modules = s.clients === 'auto' ? CLIENT_MODULES.map((m) => m.name) : s.clients;
      const list = new Policy(s.persona, s.policy).visible(toolsForModules(modules));
      if (o.similar !== undefined) {
        const { similarPairs } = await import('../tools/similarity.js');
        const pairs = similarPairs(list).slice(0, o.similar === true ? 10 : o.similar);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ persona: s.persona, clients: modules, pairs }, null, 2)}\n`);
          return;
        }
        const w = Math.max(10, ...pairs.flatMap((p) => [p.a.length, p.b.length]));
        process.stdout.write(`${'TOOL'.padEnd(w)}  ${'CLOSEST TO'.padEnd(w)}  SIMILARITY\n`);
        for (const p of pairs) process.stdout.write(`${p.a.padEnd(w)}  ${p.b.padEnd(w)}  ${p.score.toFixed(3)}\n`);
        process.stdout.write(
          `${pairs.length} closest of ${(list.length * (list.length - 1)) / 2} pairs (TF-IDF cosine of name + description; persona ${s.persona}, clients ${modules.join(',')})\n`,
        );
        return;
      }
      const count = await optionalTokenCounter();
      const costs = count ? toolTokenCostsWith(count, list) : undefined;
      const rows = list.map((t) => ({ name: t.name, module: t.module, category: t.category, risk: t.risk, tokens: costs?.perTool.get(t.name) ?? null }));
      if (!costs) process.stderr.write(`kubeflow-mcp: ${TOKENIZER_HINT}\n`);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ persona: s.persona, clients: modules, tools: rows, total_tokens: costs?.total ?? null }, null, 2)}\n`);
        return;
      }
      const w = Math.max(4, ...rows.map((r) => r.name.length));
      const m = Math.max(6, ...rows.map((r) => r.module.length));
      process.stdout.write(`${'TOOL'.padEnd(w)}  ${'MODULE'.padEnd(m)}  CATEGORY    RISK         TOKENS\n`);
      for (const r of rows)
        process.stdout.write(
          `${r.name.padEnd(w)}  ${r.module.padEnd(m)}  ${r.category.padEnd(10)}  ${r.risk.padEnd(11)}  ${String(r.tokens ?? '-').padStart(6)}\n`,
        );
      const tokens = costs ? `, ${costs.total} tokens` : '';
      process.stdout.write(`${rows.length} tools${tokens} in tools/list (persona ${s.persona}, clients ${modules.join(',')})\n`);
    });

  return program;
}
