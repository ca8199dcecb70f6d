#!/usr/bin/env node
// The worker's local-development settings, in one place. wrangler.jsonc holds only what is right
// for production (ENVIRONMENT "production", the development flags off, no secrets); on this
// machine they come from packages/edge-api/.dev.vars (git-ignored), which this writes:
// `npm start` and `pnpm --filter @cxm/edge-api dev` call it. The test suites and benchmarks
// pass the same values to `wrangler dev` as `--var`s instead (tests/support/src/worker.ts), so
// your own .dev.vars never changes what they test.
//
// wrangler loads from .dev.vars only the names in `secrets.required` and in `vars` (that is
// what declaring `secrets` does), so a setting added here must be one of those. Optional
// secrets, such as the texting provider's credentials, go to `wrangler dev` as `--var`s.
//
// Every secret value here contains "do-not-use-in-production": the worker refuses to serve with
// such a value unless ENVIRONMENT is "development" (src/middleware/configuration.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const edgeApi = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The file `wrangler dev` reads beside wrangler.jsonc. */
export const DEV_VARS_FILE = join(edgeApi, '.dev.vars');

/** The origin `wrangler dev` serves on for `npm start` (package.json `dev`). */
export const DEV_ORIGIN = 'http://127.0.0.1:8787';

/** LOCAL DEVELOPMENT ONLY. Published in this repository: anyone can sign tokens with them. */
export const DEV_VARS = Object.freeze({
  // Local development: the worker serves with the values below (and says so on /healthz).
  ENVIRONMENT: 'development',
  // The HMAC key of signed tokens (cxm_t identity tokens, tracked links).
  TOKEN_SECRET: 'dev-only-token-secret-do-not-use-in-production',
  // Seals secrets stored in D1 (the identity provider's client secret) and keys the purge audit's
  // hash.
  SECRETS_KEY: 'dev-only-secrets-key-do-not-use-in-production',
  // Webhook URLs may be http(s)://localhost, 127.0.0.1 or [::1] (the demo's receiver).
  ALLOW_LOCAL_WEBHOOKS: 'true',
  // The demo organisation's identity provider may be the local one on http://127.0.0.1:8790, and
  // the sign-in page names the demo people.
  LOCAL_DEMO: 'true',
  // `POST /v1/collect` writes each beacon before answering, so the demo and the end-to-end tests
  // see a page view at once (production queues it: wrangler.jsonc COLLECT_MODE).
  COLLECT_MODE: 'direct',
  // Authorises the operator commands (`pnpm org:create`, `pnpm org:move`, `pnpm org:shards`).
  OPERATOR_TOKEN: 'dev-only-operator-token-do-not-use-in-production',
});

/** `wrangler dev` arguments that set `vars` (each `--var NAME:value`), which win over .dev.vars. */
export function varArgs(vars) {
  return Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
}

/**
 * Adds to .dev.vars each of DEV_VARS and `extra` that it does not name yet; a value already there
 * (your own) is kept. Returns the names it added.
 */
export function ensureDevVars(extra = {}) {
  const text = existsSync(DEV_VARS_FILE) ? readFileSync(DEV_VARS_FILE, 'utf8') : '';
  const have = new Set(
    text
      .split('\n')
      .map((line) =>
        line
          .replace(/^\s*export\s+/, '')
          .split('=')[0]
          ?.trim(),
      )
      .filter((name) => name && !name.startsWith('#')),
  );
  const missing = Object.entries({ ...DEV_VARS, ...extra }).filter(([name]) => !have.has(name));
  if (missing.length === 0) return [];
  const header = text
    ? ''
    : '# LOCAL DEVELOPMENT ONLY (written by packages/edge-api/scripts/dev-vars.mjs; git-ignored).\n' +
      '# Never copy these values to a deployment: the worker refuses to serve with them.\n';
  const lines = missing.map(([name, value]) => `${name}=${value}`).join('\n');
  const separator = text && !text.endsWith('\n') ? '\n' : '';
  writeFileSync(DEV_VARS_FILE, `${text}${separator}${header}${lines}\n`);
  return missing.map(([name]) => name);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `pnpm --filter @cxm/edge-api dev`: the worker's own settings; `npm start` adds the stand-ins'.
  const added = ensureDevVars({ PUBLIC_ORIGIN: DEV_ORIGIN });
  if (added.length > 0) {
    process.stdout.write(`edge-api: wrote ${added.join(', ')} to ${DEV_VARS_FILE}\n`);
  }
}
