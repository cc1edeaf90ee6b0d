import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Test files that replace a module (vi.mock) need a module graph of their own. Every other file
// shares its worker's graph with the files run before it: re-importing the server's modules for
// each of ~120 files was a third of the suite's CPU time (measured: vitest user CPU 6m45s -> 3m37s).
const MOCKING = /\bvi\.(do)?mock\(/;
const testFiles = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${f}`);
const mocking = testFiles.filter((f) => MOCKING.test(readFileSync(f, 'utf8')));

const common = { testTimeout: 30_000, hookTimeout: 30_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // Most tests wait on servers and child processes, not the CPU: vitest's default on a 2-core
    // machine (one worker) left the second core idle. Measured: 486 s -> 296 s for the suite.
    maxWorkers: 3,
    // Once for the run (builds dist/), so not in the projects: each would run it again.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { test: { ...common, name: 'shared', include: ['test/**/*.test.ts'], exclude: mocking, isolate: false } },
      { test: { ...common, name: 'isolated', include: mocking, isolate: true } },
    ],
  },
});
