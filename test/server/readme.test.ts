/** The README's tool table is generated from the registry; this keeps it from drifting. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLE_END, TABLE_START, toolTable } from '../../src/server/toolTable.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';

describe('README', () => {
  it('carries the current generated tool table (run `npm run readme` after changing tools)', async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const current = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(current).toBe(await toolTable(ALL_TOOLS));
  });

  it('gives the quick-start and test commands', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
  });
});
