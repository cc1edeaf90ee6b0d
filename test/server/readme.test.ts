/** The README keeps up with the code: its tool table is generated from the registry, and every CLI flag is documented. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/program.js';
import { TABLE_END, TABLE_START, toolTable } from '../../src/server/toolTable.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';

describe('README', () => {
  it('carries the current generated tool table (run `npm run readme` after changing tools)', async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const current = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(current).toBe(await toolTable(ALL_TOOLS));
  });

  it('documents every flag of every command, and no flag the CLI lacks', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const cli = buildCli();
    const known = new Set<string>(['--help', '--version']);
    for (const command of [cli, ...cli.commands, ...cli.commands.flatMap((c) => c.commands)]) {
      for (const option of command.options) {
        if (!option.long || known.has(option.long)) continue;
        known.add(option.long);
        expect(readme, `README mentions ${command.name()} ${option.long}`).toContain(option.long);
      }
    }
    const usage = readme.slice(readme.indexOf('kubeflow-mcp serve ['), readme.indexOf('```', readme.indexOf('kubeflow-mcp serve [')));
    const mentioned = [...usage.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]);
    expect(mentioned.filter((f) => !known.has(f))).toEqual([]);
  });

  it('gives the quick-start and test commands', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
  });
});
