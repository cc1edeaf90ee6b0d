#!/usr/bin/env node
// Builds dist/ from src/: the server bundled by esbuild (type checking is `npm run check`'s
// job), then the dashboard page (scripts/build-ui.mjs).
//
// Why a bundle: on Node 20 a stdio server spends most of its start-up resolving, reading and
// linking modules (about 190 of ours and 100 of zod's alone), not running them. One bundle split
// at the dynamic imports loads a handful of files, and what a call needs later (HTTP serving,
// OAuth, the lezer grammar, tokenizer) stays in chunks loaded on first use. bench/startup.bench.ts
// measures it.
//
// In the bundle: what every start-up loads (the MCP SDK, zod, commander, pino), the HTTP transport
// (it builds on that same SDK copy), and the Kubernetes client, tree-shaken to the kubeconfig
// loader we use (measured: 540 ms, 0.8 s CPU and 120 MiB to import the package; 135 ms and 64 MiB
// bundled), which every start with a kubeconfig pays. Outside it, resolved from node_modules when
// first used: OpenTelemetry (its API is one instance per process, shared with the SDK), and what
// only some calls load, where bundling gains nothing (prom-client, the YAML parser behind a
// createRequire, the lezer grammar, jose for OAuth, the optional tokenizer);
// test/server/telemetry-lazy.test.ts sees when each of those loads.
//
// Every output file sits exactly one folder below dist/ (dist/cli/main.js, dist/lib/*.js), as
// src/ files sit one folder below src/: the paths the code resolves against its own location
// (../../package.json, ../ui/dashboard.html) then hold in src/ and dist/ alike. The build checks it.
import { chmodSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const EXTERNAL = ['@opentelemetry/api', '@opentelemetry/sdk-node', 'prom-client', 'yaml', '@lezer/python', 'jose', 'gpt-tokenizer'];

rmSync(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'src/cli/main.ts', out: 'cli/main' },
    // Imported by scripts/ and by tests that run the backend or the registry in their own process.
    { in: 'src/kubeflow/trainer/backends/local/index.ts', out: 'lib/local-backend' },
    { in: 'src/tools/registry.ts', out: 'lib/registry' },
    { in: 'src/server/toolTable.ts', out: 'lib/tool-table' },
    { in: 'src/packaging/mcpb.ts', out: 'lib/mcpb' },
  ],
  outdir: dist,
  chunkNames: 'lib/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL.flatMap((p) => [p, `${p}/*`]),
  // CommonJS packages in the bundle (commander, pino) call require() for Node's own
  // modules; an ES module has no require, so each file gets one bound to its own location.
  banner: { js: "import { createRequire as __kfmcpRequire } from 'node:module'; const require = __kfmcpRequire(import.meta.url);" },
  // Maps for stack traces (node --enable-source-maps), without the sources inlined: half the package.
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

const misplaced = Object.keys(result.metafile.outputs).filter((f) => path.relative(dist, path.join(root, f)).split(path.sep).length !== 2);
if (misplaced.length > 0) throw new Error(`outputs must sit one folder below dist/: ${misplaced.join(', ')}`);
chmodSync(path.join(dist, 'cli/main.js'), 0o755); // the package's bin: `npm link` and npx run it directly
await import('./build-ui.mjs');
