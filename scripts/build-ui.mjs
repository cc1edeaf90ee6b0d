#!/usr/bin/env node
// Builds the dashboard MCP App (ui/dashboard) into one self-contained page, dist/ui/dashboard.html:
// the TypeScript bundled and minified by esbuild, inlined into page.html. `npm run build` runs this
// after the server (scripts/build.mjs); src/server/apps.ts serves the result as ui://kubeflow-mcp/dashboard.html.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const source = path.join(root, 'ui/dashboard');
const out = path.join(root, process.argv[2] ?? 'dist/ui/dashboard.html');

const bundle = await build({
  entryPoints: [path.join(source, 'main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'warning',
});
const script = bundle.outputFiles[0].text.trim();
// esbuild escapes `</script` in strings for inline use; a page that could end its own script early must not ship.
if (/<\/script/i.test(script)) throw new Error('the bundled script contains </script: it cannot be inlined');
const template = readFileSync(path.join(source, 'page.html'), 'utf8');
if (!template.includes('/*__SCRIPT__*/')) throw new Error('page.html lost its /*__SCRIPT__*/ placeholder');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  template.replace('/*__SCRIPT__*/', () => script),
);
console.error(`dashboard: ${path.relative(root, out)} (${(Buffer.byteLength(readFileSync(out)) / 1024).toFixed(1)} KiB)`);
