#!/usr/bin/env node
// `pnpm run deploy`: the edge API to your Cloudflare account, the one documented way (README
// "Deploying"). It ships packages/edge-api/wrangler.jsonc as it is: production settings only.
//
//   1. builds the tracker (the Worker serves it as static assets);
//   2. creates the D1 databases and the queues wrangler.jsonc names that the account lacks;
//   3. applies the D1 migrations to them (`wrangler d1 migrations apply <binding> --remote`);
//   4. deploys (`wrangler deploy`): the new version takes all traffic. wrangler refuses while a
//      secret in `secrets.required` is not set on the Worker.
//
// Options (after `--`: `pnpm run deploy -- --gradual`):
//   --secrets-file <file>  the first deploy: the required secrets as NAME=value lines (a path from
//                          the repository root, or absolute); later ones keep the Worker's secrets
//   --gradual              step 4 uploads a version without deploying it (`wrangler versions
//                          upload`) and prints how to move traffic over (`wrangler versions deploy`)
//   --dry-run [--outdir <dir>]
//                          offline, nothing created, migrated or uploaded: builds the bundle
//                          wrangler would upload into <dir> (default packages/edge-api/dist)
//                          with the configuration it would deploy (config.json), and prints the
//                          bundle's compressed size. CI runs this (src/deploy.node.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const edgeApi = join(root, 'packages', 'edge-api');
/** The edge API's wrangler; CXM_WRANGLER names another (the deploy test's stand-in records calls). */
const wranglerBin = process.env.CXM_WRANGLER ?? join(edgeApi, 'node_modules', '.bin', 'wrangler');

/** The compressed size limit of a Worker on the Workers Free plan (10 MB on Workers Paid). */
export const WORKER_SIZE_LIMIT = 3_000_000;
/** What every value published for local development contains (edge-api scripts/dev-vars.mjs). */
const DEVELOPMENT_MARKER = 'do-not-use-in-production';

function log(message) {
  process.stdout.write(`[deploy] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[deploy] error: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const options = { dryRun: false, gradual: false, outdir: null, secretsFile: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--gradual') options.gradual = true;
    else if (arg === '--outdir' || arg === '--secrets-file') {
      const value = argv[++i];
      if (!value) fail(`${arg} needs a path`);
      options[arg === '--outdir' ? 'outdir' : 'secretsFile'] = resolve(root, value);
    } else {
      fail(
        `unknown option ${arg} (options: --secrets-file <file>, --gradual, --dry-run, --outdir <dir>)`,
      );
    }
  }
  return options;
}

/** wrangler from packages/edge-api, its output shown, or captured with `capture`. */
function wrangler(args, { capture = false } = {}) {
  const result = spawnSync(wranglerBin, args, {
    cwd: edgeApi,
    env: process.env,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  return {
    ok: result.status === 0,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}`,
  };
}

function step(title) {
  process.stdout.write(`\n[deploy] ${title}\n`);
}

/** wrangler.jsonc as wrangler itself reads it for `wrangler deploy` (its own reader). */
async function readConfig() {
  const require = createRequire(join(edgeApi, 'package.json'));
  const { unstable_readConfig } = await import(pathToFileURL(require.resolve('wrangler')).href);
  return unstable_readConfig({ config: join(edgeApi, 'wrangler.jsonc') }, { hideWarnings: true });
}

/** Values that must never reach a deployment; empty when the configuration is fit for one. */
function developmentValues(config) {
  const found = [];
  for (const [name, value] of Object.entries(config.vars ?? {})) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text.includes(DEVELOPMENT_MARKER)) found.push(`vars.${name} is a development value`);
    if (name === 'ENVIRONMENT' && text === 'development')
      found.push('vars.ENVIRONMENT is "development"');
    if (['ALLOW_LOCAL_WEBHOOKS', 'LOCAL_DEMO'].includes(name) && ['true', '1'].includes(text)) {
      found.push(`vars.${name} is on (local development only)`);
    }
    if ((config.secrets?.required ?? []).includes(name)) {
      found.push(`vars.${name} would stand in for the required secret ${name}`);
    }
  }
  return found;
}

/** The queues the configuration produces to, consumes from and dead-letters to. */
function queueNames(config) {
  const names = new Set();
  for (const producer of config.queues?.producers ?? []) names.add(producer.queue);
  for (const consumer of config.queues?.consumers ?? []) {
    names.add(consumer.queue);
    if (consumer.dead_letter_queue) names.add(consumer.dead_letter_queue);
  }
  return [...names].filter(Boolean);
}

/** The bytes of the modules in `outdir` (source maps aside), raw and gzipped. */
export function bundleSize(outdir) {
  let raw = 0;
  let gzip = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!/\.map$|^README\.md$|^config\.json$/.test(name)) {
        const bytes = readFileSync(path);
        raw += bytes.length;
        gzip += gzipSync(bytes).length;
      }
    }
  };
  walk(outdir);
  return { raw, gzip };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** A secrets file's names and values (NAME=value lines or JSON), for the checks before upload. */
function readSecretsFile(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    fail(`cannot read the secrets file ${file}`);
  }
  if (text.trimStart().startsWith('{')) return JSON.parse(text);
  const values = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

function checkSecretsFile(file, required) {
  const values = readSecretsFile(file);
  const problems = [];
  for (const name of required) if (!values[name]) problems.push(`${name} is missing`);
  for (const [name, value] of Object.entries(values)) {
    if (String(value).includes(DEVELOPMENT_MARKER)) problems.push(`${name} is a development value`);
  }
  const origin = values.PUBLIC_ORIGIN;
  if (origin && !/^https:\/\/[^/]+\.[^/]+/.test(origin)) {
    problems.push(`PUBLIC_ORIGIN must be the https origin the Worker answers on (it is ${origin})`);
  }
  if (problems.length > 0) fail(`the secrets file ${file}: ${problems.join('; ')}`);
}

async function dryRun(config, options) {
  const outdir = options.outdir ?? join(edgeApi, 'dist');
  // Build the tracker only when it is missing: CI has built it, and tests may be reading it.
  const { ensureTrackerDist } = await import(
    pathToFileURL(join(edgeApi, 'scripts', 'tracker-dist.mjs')).href
  );
  ensureTrackerDist();
  step(`wrangler deploy --dry-run --outdir ${outdir} (offline: nothing is uploaded)`);
  const built = wrangler(['deploy', '--dry-run', '--outdir', outdir], { capture: true });
  process.stdout.write(built.output);
  if (!built.ok) fail('wrangler could not build the Worker');
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const size = bundleSize(outdir);
  log(
    `bundle ${kib(size.raw)}, ${kib(size.gzip)} compressed; the limit is ${WORKER_SIZE_LIMIT / 1e6} MB compressed (Workers Free; 10 MB on Paid)`,
  );
  if (size.gzip >= WORKER_SIZE_LIMIT) fail('the bundle is over the Workers size limit');
  log(`built into ${outdir} with the configuration it would deploy (config.json)`);
}

async function deploy(config, options) {
  step('signed in to Cloudflare?');
  if (!wrangler(['whoami', '--json'], { capture: true }).ok) {
    fail(
      'wrangler is not signed in: run `pnpm --filter @cxm/edge-api exec wrangler login`, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID)',
    );
  }
  if (options.secretsFile) checkSecretsFile(options.secretsFile, config.secrets?.required ?? []);

  step('building the tracker (served by the Worker as static assets)');
  // CXM_SKIP_TRACKER_BUILD=1: the deploy test, whose suite may be reading the build meanwhile.
  if (process.env.CXM_SKIP_TRACKER_BUILD !== '1') {
    const tracker = spawnSync('pnpm', ['--filter', '@cxm/tracker', 'build'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (tracker.status !== 0) fail('the tracker build failed');
  }

  for (const database of config.d1_databases ?? []) {
    const name = database.database_name;
    step(`D1 database ${name} (binding ${database.binding})`);
    if (wrangler(['d1', 'info', name, '--json'], { capture: true }).ok) log(`${name} exists`);
    else if (!wrangler(['d1', 'create', name]).ok) fail(`could not create the D1 database ${name}`);
    step(
      `applying migrations to ${name} (wrangler d1 migrations apply ${database.binding} --remote)`,
    );
    if (!wrangler(['d1', 'migrations', 'apply', database.binding, '--remote']).ok) {
      fail(`the migrations of ${name} did not apply; nothing was deployed`);
    }
  }

  for (const queue of queueNames(config)) {
    step(`queue ${queue}`);
    const info = wrangler(['queues', 'info', queue], { capture: true });
    if (info.ok && info.output.includes(`Queue Name: ${queue}`)) log(`${queue} exists`);
    else if (!wrangler(['queues', 'create', queue]).ok) fail(`could not create the queue ${queue}`);
  }

  const secrets = options.secretsFile ? ['--secrets-file', options.secretsFile] : [];
  if (!options.gradual) {
    step('wrangler deploy');
    if (!wrangler(['deploy', ...secrets]).ok) fail('wrangler deploy failed (see above)');
    log(
      'deployed. Check it: curl https://<your PUBLIC_ORIGIN>/healthz answers {"ok":true,"db":true}',
    );
    return;
  }
  step('wrangler versions upload (a new version, serving no traffic yet)');
  if (!wrangler(['versions', 'upload', ...secrets]).ok) fail('wrangler versions upload failed');
  log(`uploaded. Move traffic over in steps, from packages/edge-api:
    pnpm exec wrangler versions list                                   # the new and the current version ids
    pnpm exec wrangler versions deploy <new>@10% <current>@90% -y      # then 50%, then:
    pnpm exec wrangler versions deploy <new>@100% -y
  Back out with \`wrangler versions deploy <current>@100% -y\`. A change to the cron triggers
  takes \`pnpm exec wrangler triggers deploy\`.`);
}

const options = parseArgs(process.argv.slice(2));
const config = await readConfig();
const problems = developmentValues(config);
if (problems.length > 0) {
  fail(`packages/edge-api/wrangler.jsonc is not fit for a deployment: ${problems.join('; ')}`);
}
if (options.dryRun) await dryRun(config, options);
else await deploy(config, options);
