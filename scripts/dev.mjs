#!/usr/bin/env node
// `npm start` / `pnpm dev`: the whole demo on this machine, nothing to configure.
//
// 1. builds the tracker (the worker serves it as /t.js),
// 2. applies D1 migrations and the development seed to the local D1 (kept across restarts in
//    packages/edge-api/.wrangler/state),
// 3. runs the edge API with `wrangler dev` on http://127.0.0.1:8787, the example sites on
//    http://127.0.0.1:8080 (another origin, as in real life), the demo identity provider the
//    console signs in through on http://127.0.0.1:8790 (examples/identity-provider) and the
//    SMS/WhatsApp provider stand-in on http://127.0.0.1:8791 (examples/sms-provider; its demo
//    credentials and origin reach the worker as `wrangler dev --var`s),
// 4. loads demo candidates with months of engagements through the API (scripts/seed-demo.mjs),
// and stops them all on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEV_VARS,
  DEV_VARS_FILE,
  ensureDevVars,
  varArgs,
} from '../packages/edge-api/scripts/dev-vars.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const API = 'http://127.0.0.1:8787';
const SITES = 'http://127.0.0.1:8080';
const IDP = 'http://127.0.0.1:8790';
const SMS = 'http://127.0.0.1:8791';
/** wrangler.jsonc's frequent cron (webhook retries, campaign runs; src/jobs/cron.ts). */
const FREQUENT_CRON = '*/10 * * * *';
/** The SMS stand-in's demo account (examples/sms-provider's defaults): not Twilio credentials. */
const SMS_ACCOUNT = {
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
  TWILIO_AUTH_TOKEN: 'cafef00dcafef00dcafef00dcafef00d',
  TWILIO_API_BASE: SMS,
};
/**
 * Given to `wrangler dev` as `--var`s: wrangler takes from .dev.vars only the required secrets
 * and the names wrangler.jsonc `vars` declares, and these are neither (the operator token is an
 * optional secret: `pnpm org:create`, `pnpm org:move`).
 */
const DEV_SETTINGS = { ...SMS_ACCOUNT, OPERATOR_TOKEN: DEV_VARS.OPERATOR_TOKEN };

/**
 * The worker's local settings live in packages/edge-api/.dev.vars (git-ignored; wrangler dev reads
 * it; wrangler.jsonc holds production's): the development secrets and flags
 * (packages/edge-api/scripts/dev-vars.mjs), and the origin in campaign texts' links and the
 * provider's status callbacks (the cron that runs a campaign has no request to take it from).
 * Missing names are added; values already there (your own) are kept.
 */
function ensureDevVarsFile() {
  const added = ensureDevVars({ PUBLIC_ORIGIN: API });
  if (added.length > 0) {
    process.stdout.write(`[dev] wrote ${added.join(', ')} to ${DEV_VARS_FILE}\n`);
  }
}
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  // No `Request.cf` lookup at Cloudflare: the demo runs offline and does not need it.
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
};

function step(title, args) {
  process.stdout.write(`\n[dev] ${title}\n`);
  // stdin is not a terminal, so wrangler applies migrations without asking.
  const result = spawnSync('pnpm', args, {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    process.stderr.write(`[dev] error: \`pnpm ${args.join(' ')}\` failed\n`);
    process.exit(1);
  }
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

async function waitFor(url, child, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    if (await answers(url)) return true;
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
  return false;
}

for (const [name, url] of [
  ['edge API', `${API}/healthz`],
  ['example sites', SITES],
  ['identity provider', `${IDP}/.well-known/openid-configuration`],
  ['SMS stand-in', `${SMS}/healthz`],
]) {
  if (await answers(url)) {
    process.stderr.write(
      `[dev] error: something already answers on ${url} (the ${name} port). Stop it first.\n`,
    );
    process.exit(1);
  }
}

step('building the tracker', ['--filter', '@cxm/tracker', 'build']);
step('applying D1 migrations to the local database', [
  '--filter',
  '@cxm/edge-api',
  'db:migrate:local',
]);
step('loading the development seed (demo organisations, keys, candidates)', [
  '--filter',
  '@cxm/edge-api',
  'db:seed:local',
]);

ensureDevVarsFile();

const children = [
  // The stand-in's account and origin as `--var`s: wrangler takes from .dev.vars only the
  // required secrets and the names wrangler.jsonc `vars` declares, and these are neither.
  spawn('pnpm', ['--filter', '@cxm/edge-api', 'dev', ...varArgs(DEV_SETTINGS)], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  }),
  spawn(process.execPath, ['scripts/examples-server.mjs'], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  }),
  // Named here rather than left to its defaults, so a PORT or REDIRECT_URIS in the shell does not
  // move it away from what the worker and the seed expect.
  spawn(process.execPath, ['examples/identity-provider/server.mjs'], {
    cwd: root,
    env: {
      ...env,
      PORT: new URL(IDP).port,
      HOST: '127.0.0.1',
      ISSUER: IDP,
      REDIRECT_URIS: `${API}/console/oidc/callback`,
      POST_LOGOUT_REDIRECT_URIS: `${API}/console?signed-out`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  }),
  // The texting provider's stand-in: Twilio's Messages API, and the candidates' phones.
  spawn(process.execPath, ['examples/sms-provider/server.mjs'], {
    cwd: root,
    env: {
      ...env,
      PORT: new URL(SMS).port,
      HOST: '127.0.0.1',
      ACCOUNT_SID: SMS_ACCOUNT.TWILIO_ACCOUNT_SID,
      AUTH_TOKEN: SMS_ACCOUNT.TWILIO_AUTH_TOKEN,
      INBOUND_URL: `${API}/v1/providers/twilio/inbound`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  }),
];

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    // Each child leads its own process group, so wrangler's workerd goes down with it.
    try {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
  setTimeout(() => process.exit(code), 500);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
for (const child of children) {
  child.on('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`[dev] a server stopped (exit ${code}); stopping the demo\n`);
      stop(code || 1);
    }
  });
}

const ready =
  (await waitFor(`${API}/healthz`, children[0], 120)) &&
  (await waitFor(SITES, children[1], 30)) &&
  (await waitFor(`${IDP}/.well-known/openid-configuration`, children[2], 30)) &&
  (await waitFor(`${SMS}/healthz`, children[3], 30));
if (!ready) {
  process.stderr.write('[dev] error: the servers did not come up; see the output above\n');
  stop(1);
} else {
  const seeded = spawnSync(
    process.execPath,
    ['scripts/seed-demo.mjs', '--api', API, '--idp', IDP],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
  if (seeded.status !== 0)
    process.stderr.write('[dev] warning: the demo candidates could not be loaded\n');
  process.stdout.write(`
[dev] The demo is running. Open:
  ${SITES}/                          the example career sites:
    ${SITES}/pasted-snippet/          the snippet pasted into every page
    ${SITES}/onetrust/                the same site behind a OneTrust-style cookie banner
    ${SITES}/career-site-platform/    a platform that injects the tracker while the toggle is on
  ${API}/console                     the recruiter console (it signs you in through the provider below)
  ${API}/docs                        the API reference (OpenAPI at ${API}/v1/openapi.json)
  ${IDP}                             the demo identity provider (user@ reporter@ manager@ admin@demo.test, password demo)
  ${SMS}                             the candidates' phones: texts sent through the SMS/WhatsApp stand-in, and replies

  A backend caller, in another terminal: npm run example:backend

  Demo API keys for the backend example and curl (local seed only, never valid anywhere else):
    sk_demo_user  sk_demo_reporter  sk_demo_manager  sk_demo_admin   (organisation "demo", site key pk_demo)
    sk_other_admin                                                   (organisation "other", site key pk_other)

  Try: curl -H 'Authorization: Bearer sk_demo_user' ${API}/v1/candidates/ada-lovelace/score
  Campaigns run on the cron, fired here every minute (${API}/__scheduled?cron=${encodeURIComponent(FREQUENT_CRON)}).
  Ctrl-C stops everything.
`);
  // Cloudflare fires Cron Triggers; \`wrangler dev\` does not, it only exposes /__scheduled
  // (--test-scheduled). The demo fires the frequent cron every minute, so a campaign runs within a
  // minute of its send time (deployed: within ten) and texts' retries go on.
  setInterval(() => {
    fetch(`${API}/__scheduled?cron=${encodeURIComponent(FREQUENT_CRON)}`).catch(() => {});
  }, 60_000);
}
