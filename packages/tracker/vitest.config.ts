import { defineConfig } from 'vitest/config';

// Unit tests run in happy-dom; the size budget reads the build that `prepare` (scripts/suites.mjs)
// made. The browser suite has its own config (vitest.browser.config.ts).
export default defineConfig({
  define: { __FP_FILE__: JSON.stringify('fp.test.js') },
  test: {
    include: ['src/**/*.test.ts', 'test/size.test.ts'],
    environment: 'happy-dom',
  },
});
