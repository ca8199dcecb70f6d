import { defineConfig } from 'vitest/config';

// Browser tests: real headless Chromium against `wrangler dev` (see test/browser/global-setup.ts).
// Generous limits for setup on a 2-core machine; the tests themselves poll with bounds.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/browser/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
  },
});
