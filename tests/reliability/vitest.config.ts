import { defineConfig } from 'vitest/config';

// Each file starts its own `wrangler dev` over a temp D1 (the fault test kills its worker), one file
// at a time. Sizes come from src/size.ts: reduced for `npm test`, full with `--full`.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 1_800_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
  },
});
