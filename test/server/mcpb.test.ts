/**
 * The .mcpb manifest for Claude Desktop: valid by @anthropic-ai/mcpb's own validator, one source
 * with package.json and server.json, and the command it resolves to (defaults, or a user's
 * values) is one the server's CLI accepts. The bundle itself is built and run by
 * `npm run mcpb -- --smoke` in .ci/run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getMcpConfigForManifest, MANIFEST_SCHEMAS, validateManifest, type McpbManifestAny } from '@anthropic-ai/mcpb';
import { describe, expect, it, vi } from 'vitest';
import { buildCli } from '../../src/cli/program.js';
import { resolveSettings, type ServeFlags } from '../../src/config/settings.js';
import { MCPB_MANIFEST_VERSION, mcpbManifest } from '../../src/packaging/mcpb.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { ROOT } from '../support/mcp.js';

const manifest = mcpbManifest() as McpbManifestAny & Record<string, any>;
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const entry = JSON.parse(readFileSync(path.join(ROOT, 'server.json'), 'utf8'));

async function resolved(userConfig: Record<string, string>) {
  const config = await getMcpConfigForManifest({ manifest, extensionPath: '/bundle', systemDirs: {}, userConfig, pathSeparator: '/' });
  expect(config).toBeDefined();
  return config!;
}

async function serveFlags(args: string[]): Promise<ServeFlags> {
  let flags: ServeFlags | undefined;
  const cli = buildCli().exitOverride();
  cli.commands.find((c) => c.name() === 'serve')!.action((o: ServeFlags) => void (flags = o));
  await cli.parseAsync(['node', 'kubeflow-mcp', ...args]);
  return flags!;
}

describe('mcpb manifest', () => {
  it('passes the mcpb library validator', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-mcpb-'));
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const logged = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(validateManifest(path.join(dir, 'manifest.json')), logged.mock.calls.flat().join('\n')).toBe(true);
    } finally {
      logged.mockRestore();
    }
    const strict = MANIFEST_SCHEMAS[MCPB_MANIFEST_VERSION].safeParse(manifest);
    expect(strict.success, JSON.stringify(strict.error?.issues)).toBe(true);
  });

  it('takes name, version and description from package.json and server.json', () => {
    expect(manifest).toMatchObject({ name: pkg.name, version: pkg.version, description: entry.description, display_name: entry.title, license: pkg.license });
    expect(manifest.compatibility?.runtimes?.node).toBe(pkg.engines.node);
  });

  it('launches `serve` with settings the server accepts when the user sets nothing', async () => {
    const config = await resolved({});
    expect(config.args![0]).toBe('/bundle/dist/cli/main.js');
    expect(config.args!.join(' ')).not.toContain('${');
    expect(config.env).toEqual({ KUBECONFIG: '', MODEL_REGISTRY_URL: '' });
    const s = resolveSettings(await serveFlags(config.args!.slice(1)), ALL_TOOLS);
    expect(s).toMatchObject({ transport: 'stdio', persona: 'ml-engineer', clients: 'auto' });
  });

  it("passes the user's choices through", async () => {
    const config = await resolved({
      kubeconfig: '/home/me/.kube/lab',
      persona: 'readonly',
      clients: 'trainer,hub',
      registry_url: 'https://registry.example.com',
    });
    expect(config.env).toEqual({ KUBECONFIG: '/home/me/.kube/lab', MODEL_REGISTRY_URL: 'https://registry.example.com' });
    const s = resolveSettings(await serveFlags(config.args!.slice(1)), ALL_TOOLS);
    expect(s).toMatchObject({ persona: 'readonly', clients: ['trainer', 'hub'] });
  });
});
