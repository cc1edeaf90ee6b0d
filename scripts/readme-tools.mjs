// Regenerates the tool table in README.md from the built registry (run `npm run build` first).
import { readFileSync, writeFileSync } from 'node:fs';
import { ALL_TOOLS } from '../dist/lib/registry.js';
import { TABLE_END, TABLE_START, toolTable } from '../dist/lib/tool-table.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const start = readme.indexOf(TABLE_START);
const end = readme.indexOf(TABLE_END);
if (start < 0 || end < 0) throw new Error('README.md lacks the tool table markers');
const next = readme.slice(0, start) + (await toolTable(ALL_TOOLS)) + readme.slice(end + TABLE_END.length);
writeFileSync(new URL('../README.md', import.meta.url), next);
console.log('README.md tool table updated');
