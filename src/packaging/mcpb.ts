/**
 * The manifest of the MCP Bundle (.mcpb) for Claude Desktop, derived from package.json and
 * server.json so name, version and description have one source. scripts/build-mcpb.mjs lays the
 * bundle out (dist/ and the runtime dependencies) and packs it with @anthropic-ai/mcpb;
 * test/server/mcpb.test.ts validates this manifest with that library's own validator.
 *
 * Every user_config entry has a default: the bundle host substitutes `${user_config.x}` only for
 * values it has, and an unset one would reach the server as the literal text. Empty defaults mean
 * "not set" to the server (an empty KUBECONFIG falls back to ~/.kube/config).
 */
import { createRequire } from 'node:module';
import { DEFAULT_PERSONA } from '../config/settings.js';
import { BUILTIN_PERSONAS } from '../policy/personas.js';
import { CLIENT_MODULES } from '../tools/registry.js';

const load = createRequire(import.meta.url);

interface PackageJson {
  name: string;
  version: string;
  description: string;
  license: string;
  author: string;
  keywords?: string[];
  engines: { node: string };
}

export const MCPB_MANIFEST_VERSION = '0.3';

export function mcpbManifest(): Record<string, unknown> {
  const pkg = load('../../package.json') as PackageJson;
  const entry = load('../../server.json') as { title: string; description: string };
  return {
    manifest_version: MCPB_MANIFEST_VERSION,
    name: pkg.name,
    display_name: entry.title,
    version: pkg.version,
    description: entry.description,
    long_description: pkg.description,
    author: { name: pkg.author },
    license: pkg.license,
    keywords: pkg.keywords ?? [],
    server: {
      type: 'node',
      entry_point: 'dist/cli/main.js',
      mcp_config: {
        command: 'node',
        args: ['${__dirname}/dist/cli/main.js', 'serve', '--persona=${user_config.persona}', '--clients=${user_config.clients}'],
        env: { KUBECONFIG: '${user_config.kubeconfig}', MODEL_REGISTRY_URL: '${user_config.registry_url}' },
      },
    },
    // The tool list depends on the persona, the client modules and the cluster.
    tools_generated: true,
    user_config: {
      kubeconfig: {
        type: 'file',
        title: 'Kubeconfig',
        description: 'kubeconfig of the cluster with Kubeflow Trainer. Empty: $KUBECONFIG or ~/.kube/config; with none, jobs run on this machine.',
        required: false,
        default: '',
      },
      persona: {
        type: 'string',
        title: 'Persona',
        description: `Which tools the agent gets: ${BUILTIN_PERSONAS.join(', ')} (or a persona of ~/.kubeflow-mcp.yaml).`,
        required: false,
        default: DEFAULT_PERSONA,
      },
      clients: {
        type: 'string',
        title: 'Client modules',
        description: `Comma-separated: ${CLIENT_MODULES.map((m) => m.name).join(', ')}; auto enables each one whose API the cluster serves.`,
        required: false,
        default: 'auto',
      },
      registry_url: {
        type: 'string',
        title: 'Model Registry URL',
        description: 'Kubeflow Model Registry REST URL, for the hub tools. Empty: none.',
        required: false,
        default: '',
      },
    },
    compatibility: { platforms: ['darwin', 'win32', 'linux'], runtimes: { node: pkg.engines.node } },
  };
}
