#!/usr/bin/env node
// Builds the MCP Bundle for Claude Desktop: build/kubeflow-mcp-<version>.mcpb. The bundle holds
// the compiled server (dist/), package.json, server.json and the runtime dependencies installed
// from the lockfile (no dev or optional-peer packages), with the manifest src/packaging/mcpb.ts
// derives. Run through `npm run mcpb`, which builds dist/ first.
//
// --smoke (CI): then unpacks the bundle as a host would, resolves its launch command with the
// manifest's defaults (the mcpb library's own resolver), runs it and checks it answers tools/list
// over stdio.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getMcpConfigForManifest, packExtension, unpackExtension, validateManifest } from '@anthropic-ai/mcpb';
import { mcpbManifest } from '../dist/lib/mcpb.js';

const root = path.resolve(import.meta.dirname, '..');
const manifest = mcpbManifest();
const stage = mkdtempSync(path.join(tmpdir(), 'kubeflow-mcp-mcpb-'));
const out = path.join(root, 'build', `${manifest.name}-${manifest.version}.mcpb`);
try {
  for (const f of ['dist', 'package.json', 'package-lock.json', 'server.json', 'README.md'])
    cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
  rmSync(path.join(stage, 'dist/lib/mcpb.js'));
  // The lockfile's exact runtime tree; no install scripts (none is needed, none should run).
  execFileSync('npm', ['ci', '--omit=dev', '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--silent'], {
    cwd: stage,
    stdio: 'inherit',
  });
  rmSync(path.join(stage, 'package-lock.json'));
  writeFileSync(path.join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (!validateManifest(path.join(stage, 'manifest.json'))) throw new Error('the generated manifest.json does not validate');
  mkdirSync(path.dirname(out), { recursive: true });
  if (!(await packExtension({ extensionPath: stage, outputPath: out, silent: true }))) throw new Error('mcpb pack failed');
  process.stdout.write(`${path.relative(root, out)} (${(statSync(out).size / 1024 / 1024).toFixed(1)} MiB)\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
if (process.argv.includes('--smoke')) await smoke(out);

async function smoke(bundle) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubeflow-mcp-mcpb-smoke-'));
  try {
    if (!(await unpackExtension({ mcpbPath: bundle, outputDir: path.join(dir, 'bundle'), silent: true }))) throw new Error('mcpb unpack failed');
    const config = await getMcpConfigForManifest({
      manifest,
      extensionPath: path.join(dir, 'bundle'),
      systemDirs: {},
      userConfig: {},
      pathSeparator: path.sep,
    });
    // An empty HOME: nothing of this machine's cluster or config reaches the bundle's server.
    mkdirSync(path.join(dir, 'home'));
    const env = { PATH: process.env.PATH ?? '', HOME: path.join(dir, 'home'), KUBEFLOW_MCP_LOG_LEVEL: 'warn', ...config.env };
    const child = spawn(config.command === 'node' ? process.execPath : config.command, config.args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const send = (m) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcpb-smoke', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    const listed = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      child.stdout.on('data', () => out.includes('"id":2') && (clearTimeout(timer), resolve(true)));
    });
    child.kill('SIGTERM');
    if (!listed || !out.includes('"name":"list_training_jobs"')) throw new Error(`the bundle's server did not answer tools/list:\n${out}\n${err}`);
    process.stdout.write('mcpb smoke: the unpacked bundle serves tools/list over stdio with the default settings\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
