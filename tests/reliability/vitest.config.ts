import { defineConfig } from 'vitest/config';

// Each file starts its own `wrangler dev` over a temp D1 (the fault test kills its worker), one file
// at a time. Sizes come from src/size.ts: reduced for `npm test`, full with `--full`.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    // Bounded: 20 minutes a test at the reduced size, an hour at full size (the full load test took
    // 17 minutes on the machine in BENCHMARKS.md; 24 minutes with shared-device visitors on a busy
    // 2-core machine).
    testTimeout: process.env.CXM_RELIABILITY === 'full' ? 3_600_000 : 1_200_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
  },
});
