// The static checks `npm test` runs first: types, lint, format, unused code (npm run check).
//
// Why a script rather than `tsc && eslint && prettier && knip`: tsc and typescript-eslint's typed
// rules each build the same TypeScript programs, the slowest part of both. Here each program is
// built once, checked, and handed to ESLint (its `programs` parser option), while Prettier and
// knip run beside it on the other core. Measured on 2 cores: 52 s in sequence, ~27 s here.
// The ESLint and Prettier settings stay in their own config files, used unchanged by editors.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Runs a command beside the in-process checks; resolves to its outcome once it exits. */
function beside(label, command, args) {
  const started = performance.now();
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => {
    child.on('error', (err) => resolve({ label, ok: false, output: `${err.message}\n`, took: seconds(started) }));
    child.on('close', (code) => resolve({ label, ok: code === 0, output, took: seconds(started) }));
  });
}

function program(configFile) {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => console.error(ts.flattenDiagnosticMessageText(d.messageText, '\n')) };
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, configFile), {}, host);
  if (!parsed) process.exit(1);
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, configFileParsingDiagnostics: parsed.errors });
}

async function typesAndLint() {
  let started = performance.now();
  // Sources with the tests (Node's types), and the browser code (the DOM's).
  const sources = program('tsconfig.test.json');
  const browser = program('tsconfig.browser.json');
  const diagnostics = [sources, browser].flatMap((p) => ts.getPreEmitDiagnostics(p));
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  const types = {
    label: 'types (tsc)',
    ok: diagnostics.length === 0,
    output: format(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }),
    took: seconds(started),
  };

  started = performance.now();
  // The files each block of eslint.config.mjs type-checks, now against the programs built above.
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: [
      { files: ['src/**/*.ts'], languageOptions: { parserOptions: { project: false, programs: [sources] } } },
      { files: ['ui/**/*.ts'], languageOptions: { parserOptions: { project: false, programs: [browser] } } },
    ],
  });
  const results = await eslint.lintFiles(['.']);
  const stylish = await eslint.loadFormatter('stylish');
  const lint = {
    label: 'lint (eslint)',
    ok: results.every((r) => r.errorCount === 0),
    output: await stylish.format(results),
    took: seconds(started),
  };
  return [types, lint];
}

const started = performance.now();
const others = [beside('format (prettier)', bin('prettier'), ['--check', '**/*.{ts,mts,mjs}']), beside('unused code (knip)', bin('knip'), [])];
const outcomes = [...(await typesAndLint()), ...(await Promise.all(others))];
for (const o of outcomes) {
  if (!o.ok && o.output.trim()) process.stdout.write(`\n${o.label}:\n${o.output.trimEnd()}\n`);
}
for (const o of outcomes) console.log(`${o.ok ? 'ok    ' : 'FAILED'} ${o.label} (${o.took})`);
console.log(`checks took ${seconds(started)}`);
process.exitCode = outcomes.every((o) => o.ok) ? 0 : 1;
