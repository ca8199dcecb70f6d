// Two projects. `workers`: worker tests inside workerd with a real local D1
// (@cloudflare/vitest-plugin); migrations are read here and applied by the setup file, and a
// test-only queue exercises the queue path. `node`: checks that need Node (validating the
// OpenAPI document against the official 3.1 schema, whose validator compiles code at run time,
// which workerd forbids).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
// @ts-expect-error: a plain .mjs helper without types.
import { ensureTrackerDist } from './scripts/tracker-dist.mjs';

export default defineConfig(async () => {
  // The worker serves the tracker's build as static assets (wrangler.jsonc `assets`).
  ensureTrackerDist();
  const migrations = await readD1Migrations(new URL('./migrations', import.meta.url).pathname);
  // The seed file split into statements the same way (it is not a migration, just SQL).
  const seed = await readD1Migrations(new URL('./seed', import.meta.url).pathname);
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: './src/index.ts',
              wrangler: { configPath: './wrangler.jsonc' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  TEST_SEED: seed.flatMap((file) => file.queries),
                  // Local development, as .dev.vars sets it (wrangler.jsonc holds production's):
                  // the worker serves with test secrets and the dev flags. Tests of a deployment's
                  // refusals override these per request (src/middleware/configuration.test.ts).
                  ENVIRONMENT: 'development',
                  TOKEN_SECRET: 'test-token-secret',
                  // The dev flags (tests post webhooks to 127.0.0.1, the console names the demo).
                  ALLOW_LOCAL_WEBHOOKS: 'true',
                  LOCAL_DEMO: 'true',
                  // Collect writes each beacon itself, as in local development; the queue tests
                  // pass COLLECT_MODE "queue" with the test-only queue below.
                  COLLECT_MODE: 'direct',
                  SECRETS_KEY: 'test-secrets-key',
                  // Unset (empty) unless a test sets it: wrangler also reads your .dev.vars here,
                  // whose PUBLIC_ORIGIN (npm start's) must not reach the tests.
                  PUBLIC_ORIGIN: '',
                  // The texting provider as a secret would set it; tests answer it with a fake.
                  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000test',
                  TWILIO_AUTH_TOKEN: 'test-twilio-auth-token',
                  TWILIO_API_BASE: 'https://twilio.test',
                },
                // A test-only ingest queue with a quick consumer: the queue tests pass it to the
                // worker as INGEST_QUEUE with COLLECT_MODE "queue" (wrangler.jsonc's own, bound
                // too, waits 2 s per batch and is left unused).
                // Texts go to a queue nobody consumes: tests deliver with a fake provider
                // (src/endpoints/messages), never by a consumer racing them in the background.
                queueProducers: {
                  TEST_INGEST_QUEUE: { queueName: 'cxm-ingest-test' },
                  MESSAGE_QUEUE: { queueName: 'cxm-messages-test' },
                },
                queueConsumers: { 'cxm-ingest-test': { maxBatchTimeout: 0.05 } },
                // Two more databases for the shard tests (src/shards): they pass
                // SHARDS "DB,SHARD_2,SHARD_3"; every other test runs on DB alone, the default.
                d1Databases: { SHARD_2: 'cxm-shard-2', SHARD_3: 'cxm-shard-3' },
                // A limiter that refuses the third request of a key in a minute: the rate-limit
                // tests bind it in place of a real one (wrangler.jsonc's limits are in the
                // hundreds), sending `CF-Connecting-IP` so the request counts as from outside.
                ratelimits: {
                  TEST_TIGHT_LIMITER: { namespace_id: '9001', simple: { limit: 2, period: 60 } },
                },
              },
            }),
          ],
          test: {
            name: 'workers',
            // vitest's 5 s is a speed limit, not a behaviour: the slowest test without a limit
            // of its own (a purge over 120 linked devices) took 2.8 s on a quiet run here, and CI
            // shares its two cores. Timing belongs in the benchmarks; a test fails on what it
            // asserts.
            testTimeout: 30_000,
            include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
            exclude: ['src/**/*.node.test.ts'],
            setupFiles: ['./src/test/setup.ts'],
          },
        },
        {
          test: {
            name: 'node',
            include: ['src/**/*.node.test.ts'],
            environment: 'node',
          },
        },
      ],
    },
  };
});
