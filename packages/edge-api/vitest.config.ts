// Worker tests run inside workerd with a real local D1 (@cloudflare/vitest-plugin). Migrations
// are read here and applied by the setup file; a test-only queue exercises the queue path.
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations(new URL('./migrations', import.meta.url).pathname);
  // The seed file split into statements the same way (it is not a migration, just SQL).
  const seed = await readD1Migrations(new URL('./seed', import.meta.url).pathname);
  return {
    plugins: [
      cloudflareTest({
        main: './src/index.ts',
        wrangler: { configPath: './wrangler.jsonc' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_SEED: seed.flatMap((file) => file.queries),
            TOKEN_SECRET: 'test-token-secret',
          },
          // Bound under a test-only name so the default path (no queue) stays the default;
          // the queue test passes it to the worker as INGEST_QUEUE.
          queueProducers: { TEST_INGEST_QUEUE: { queueName: 'cxm-ingest-test' } },
          queueConsumers: { 'cxm-ingest-test': { maxBatchTimeout: 0.05 } },
        },
      }),
    ],
    test: {
      include: ['src/**/*.test.ts'],
      setupFiles: ['./src/test/setup.ts'],
    },
  };
});
