/** The command line as a user types it: listings, and clear non-zero exits on bad flags. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, ROOT } from '../support/mcp.js';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: isolatedEnv(), encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('kubeflow-mcp CLI', () => {
  it('tools list --json gives each tool with category, risk, tokens and the total', () => {
    const r = run('tools', 'list', '--json', '--persona', 'readonly', '--clients', 'trainer');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { tools: Array<{ name: string; category: string; risk: string; tokens: number }>; total_tokens: number };
    expect(j.tools).toHaveLength(8);
    expect(j.tools.every((t) => t.risk === 'read' && t.tokens > 0 && t.category)).toBe(true);
    expect(j.total_tokens).toBeGreaterThan(j.tools[0]!.tokens);
  });

  it('tools list prints a table with a total line', () => {
    const r = run('tools', 'list', '--clients', 'trainer');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^TOOL\s+MODULE\s+CATEGORY\s+RISK\s+TOKENS/m);
    expect(r.out).toMatch(/18 tools, \d+ tokens in tools\/list \(persona ml-engineer, clients trainer\)/);
    const all = run('tools', 'list');
    expect(all.out).toMatch(/43 tools, \d+ tokens in tools\/list \(persona ml-engineer, clients trainer,optimizer,hub,spark,pipelines\)/);
    expect(all.out).toMatch(/^submit_spark_job\s+spark\s+training\s+write/m);
    expect(all.out).toMatch(/^optimize\s+optimizer\s+training\s+write/m);
    expect(all.out).toMatch(/^register_model\s+hub\s+/m);
    expect(all.out).toMatch(/^upload_pipeline\s+pipelines\s+training\s+write/m);
  });

  it('tools list --similar prints the closest pairs of tools, most similar first', () => {
    const r = run('tools', 'list', '--similar', '3');
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n');
    expect(rows[0]).toMatch(/^TOOL\s+CLOSEST TO\s+SIMILARITY$/);
    expect(rows[1]).toMatch(/^wait_for_training\s+wait_for_optimization\s+0\.\d{3}$/);
    const scores = rows.slice(1, 4).map((l) => Number(l.split(/\s+/)[2]));
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    expect(rows[4]).toMatch(/^3 closest of 903 pairs/);
    const j = JSON.parse(run('tools', 'list', '--similar', '--json', '--clients', 'hub').out) as { pairs: Array<{ a: string; b: string; score: number }> };
    expect(j.pairs.length).toBeLessThanOrEqual(10);
    expect(j.pairs.every((p) => !/training|optimization/.test(p.a + p.b))).toBe(true);
    expect(j.pairs[0]).toMatchObject({ a: 'list_model_versions', b: 'get_model_version' });
  });

  it('clients list names the modules', () => {
    const r = run('clients', 'list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^trainer .*TrainerClient/m);
    expect(r.out).toMatch(/^optimizer .*OptimizerClient/m);
    expect(r.out).toMatch(/^hub .*ModelRegistryClient/m);
    expect(r.out).toMatch(/^spark .*SparkClient/m);
  });

  it.each([
    [['serve', '--persona', 'wizard'], /unknown persona 'wizard'; known: readonly, data-scientist, ml-engineer, platform-admin/],
    [['serve', '--transport', 'grpc'], /transport.*stdio, http/],
    [['serve', '--clients', 'trainer,sparkle'], /unknown client module\(s\) sparkle/],
    [['serve', '--port', 'eighty'], /port number/],
    [['serve', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['serve', '--kubeconfig', '/nonexistent/kubeconfig'], /kubeconfig file not found: \/nonexistent\/kubeconfig/],
  ])('rejects %j with a clear message and non-zero exit', (args, message) => {
    const r = run(...args);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
  });

  it('explains a port that is already taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const port = String((blocker.address() as { port: number }).port);
    const r = run('serve', '--transport', 'http', '--port', port);
    blocker.close();
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`port ${port} is already in use`);
  });
});

describe('npm run build', () => {
  it('leaves dist/cli/main.js executable, so an `npm link`ed kubeflow-mcp runs', () => {
    // In a copy of the project: rebuilding the shared dist/ in place would pull files from under
    // the servers other test files are running from it.
    const copy = mkdtempSync(path.join(tmpdir(), 'kfmcp-build-'));
    for (const f of ['package.json']) copyFileSync(path.join(ROOT, f), path.join(copy, f));
    for (const d of ['src', 'ui']) cpSync(path.join(ROOT, d), path.join(copy, d), { recursive: true });
    mkdirSync(path.join(copy, 'scripts'));
    for (const f of ['build.mjs', 'build-ui.mjs']) copyFileSync(path.join(ROOT, 'scripts', f), path.join(copy, 'scripts', f));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: copy, encoding: 'utf8', timeout: 240_000 });
    expect(b.status, b.stderr).toBe(0);
    const bin = path.join(copy, 'dist/cli/main.js');
    expect(statSync(bin).mode & 0o111).toBe(0o111);
    // The dashboard page is part of the build (served as ui://kubeflow-mcp/dashboard.html).
    expect(statSync(path.join(copy, 'dist/ui/dashboard.html')).size).toBeGreaterThan(1000);
    const r = spawnSync(bin, ['--version'], { env: isolatedEnv(), encoding: 'utf8', timeout: 20_000 });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    rmSync(copy, { recursive: true, force: true });
  }, 300_000);
});
