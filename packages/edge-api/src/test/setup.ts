// Runs in workerd before each test file: schema migrations, then the development seed (the
// same file `db:seed:local` applies, so the tests also prove the seed works). Both are
// idempotent, so running them for every file is safe whatever storage the files share.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
// The shard tests' other databases: the same migrations, no seed (src/shards).
await applyD1Migrations(env.SHARD_2, env.TEST_MIGRATIONS);
await applyD1Migrations(env.SHARD_3, env.TEST_MIGRATIONS);
await env.DB.batch(env.TEST_SEED.map((query) => env.DB.prepare(query)));
