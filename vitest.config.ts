import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most tests wait on servers and child processes, not the CPU: vitest's default on a 2-core
    // machine (one worker) left the second core idle. Measured: 486 s -> 296 s for the suite.
    maxWorkers: 3,
    globalSetup: ['test/global-setup.ts'],
  },
});
