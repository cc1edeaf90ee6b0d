import { defineConfig } from 'vitest/config';

/** Benchmarks print numbers; they assert nothing about speed. Run with `npm run bench`. */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['bench/**/*.bench.ts'],
    testTimeout: 300_000,
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
  },
});
