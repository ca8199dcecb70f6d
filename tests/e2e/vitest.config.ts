import { defineConfig } from 'vitest/config';

// The demo end to end: `wrangler dev` on a temp D1, the example sites, headless Chromium (see
// src/global-setup.ts). Generous limits for start-up on a 2-core machine; tests poll with bounds.
export default defineConfig({
  test: {
    include: ['src/**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['src/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
  },
});
