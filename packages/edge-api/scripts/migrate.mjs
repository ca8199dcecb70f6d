// `pnpm db:migrate [--remote] [wrangler options…]`: applies the migrations to every D1 database
// wrangler.jsonc binds (the directory `DB` and each shard named in `SHARDS`: one set of
// migrations for all, src/shards), locally unless `--remote`. Options after it go to each
// `wrangler d1 migrations apply` (e.g. `--persist-to <dir>`, `--config <file>`).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_readConfig } from 'wrangler';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const remote = args.includes('--remote');
const rest = args.filter((arg) => arg !== '--remote' && arg !== '--local');
const configAt = rest.indexOf('--config');
const configFile = configAt >= 0 ? rest[configAt + 1] : join(here, '..', 'wrangler.jsonc');
const config = unstable_readConfig({ config: configFile }, { hideWarnings: true });
const bindings = (config.d1_databases ?? []).map((database) => database.binding);
if (bindings.length === 0) {
  process.stderr.write(`[migrate] ${configFile} binds no D1 database\n`);
  process.exit(1);
}
for (const binding of bindings) {
  process.stdout.write(`[migrate] ${binding} (${remote ? 'remote' : 'local'})\n`);
  const result = spawnSync(
    'wrangler',
    ['d1', 'migrations', 'apply', binding, remote ? '--remote' : '--local', ...rest],
    { cwd: join(here, '..'), stdio: 'inherit', env: { ...process.env, CI: process.env.CI ?? '1' } },
  );
  if (result.status !== 0) {
    process.stderr.write(`[migrate] ${binding}: the migrations did not apply\n`);
    process.exit(result.status ?? 1);
  }
}
