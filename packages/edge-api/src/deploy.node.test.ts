// The deploy path, offline: `pnpm run deploy -- --dry-run` (scripts/deploy.mjs) builds exactly
// what `pnpm run deploy` would upload, with `wrangler deploy --dry-run --outdir`. The configuration
// it would deploy holds no development value, declares the secrets a deployment needs (so a
// deploy without them fails), and the bundle stays under the Workers size limit the README states.
// The real path's steps (create what is missing, migrate, deploy) run against a wrangler stand-in
// that records what it is asked, since CI has no Cloudflare account.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_VARS } from '../scripts/dev-vars.mjs';
import {
  configurationProblems,
  DEVELOPMENT_MARKER,
  REQUIRED_SECRETS,
  type Settings,
} from './middleware/configuration.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface BuiltConfig {
  vars: Record<string, unknown>;
  secrets?: { required?: string[] };
  d1_databases: { binding: string; database_name?: string; database_id?: string }[];
}

let outdir = '';
let output = '';
let status: number | null = null;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cxm-deploy-dry-run-'));
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts', 'deploy.mjs'), '--dry-run', '--outdir', outdir],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
      timeout: 240_000,
    },
  );
  output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  status = run.status;
}, 250_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function builtConfig(): BuiltConfig {
  return JSON.parse(readFileSync(join(outdir, 'config.json'), 'utf8')) as BuiltConfig;
}

/** The compressed bytes of the modules wrangler would upload (source maps aside). */
function compressedSize(dir: string): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      const inner = compressedSize(path);
      raw += inner.raw;
      gzip += inner.gzip;
    } else if (!/\.map$|^README\.md$|^config\.json$/.test(name)) {
      const bytes = readFileSync(path);
      raw += bytes.length;
      gzip += gzipSync(bytes).length;
    }
  }
  return { raw, gzip };
}

describe('pnpm run deploy -- --dry-run', () => {
  it('builds the Worker offline with wrangler deploy --dry-run --outdir', () => {
    expect(status, output).toBe(0);
    expect(output).toContain('--dry-run: exiting now.');
    expect(readdirSync(outdir)).toContain('index.js');
  });

  it('would deploy no development value', () => {
    const config = builtConfig();
    // Each setting local development overrides has its production value here.
    for (const [name, value] of Object.entries(DEV_VARS)) {
      expect(config.vars[name], name).not.toBe(value);
    }
    expect(config.vars).toMatchObject({
      ENVIRONMENT: 'production',
      ALLOW_LOCAL_WEBHOOKS: 'false',
      LOCAL_DEMO: 'false',
    });
    // No secret as a var (it would be in the repository, and shadow the real secret).
    for (const name of [...REQUIRED_SECRETS, 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']) {
      expect(Object.keys(config.vars)).not.toContain(name);
    }
    // No development value anywhere it deploys, nor the stand-ins' loopback origins (`dev`, the
    // settings of `wrangler dev` itself, is not deployed).
    const text = JSON.stringify({ ...config, dev: null });
    for (const value of [
      DEVELOPMENT_MARKER,
      DEV_VARS.TOKEN_SECRET,
      DEV_VARS.SECRETS_KEY,
      '127.0.0.1',
      'localhost',
    ]) {
      expect(text).not.toContain(value);
    }
    // A real database by name (`pnpm run deploy` creates it), not the old all-zero placeholder.
    for (const database of config.d1_databases) {
      expect(database.database_name, database.binding).toBeTruthy();
      expect(database.database_id ?? '').not.toMatch(/^[0-]+$/);
    }
    // What wrangler printed for the bindings it would upload says the same.
    expect(output).toContain('env.ENVIRONMENT ("production")');
    expect(output).not.toMatch(/dev-only|do-not-use|\("true"\)/);
  });

  it('declares the required secrets, so a deploy without them fails', () => {
    expect(builtConfig().secrets?.required).toEqual([...REQUIRED_SECRETS]);
  });

  it('would serve only once the secrets are set, and never with the development ones', () => {
    const vars = builtConfig().vars as Settings;
    expect(configurationProblems(vars).map((p) => `${p.setting} ${p.problem}`)).toEqual([
      'TOKEN_SECRET missing',
      'SECRETS_KEY missing',
      'PUBLIC_ORIGIN missing',
    ]);
    const secrets = {
      TOKEN_SECRET: 'a-long-random-token-secret-0123456789abcdef',
      SECRETS_KEY: 'a-long-random-secrets-key-0123456789abcdef',
      PUBLIC_ORIGIN: 'https://cxm.example.com',
    };
    expect(configurationProblems({ ...vars, ...secrets })).toEqual([]);
    // .dev.vars' values copied into a deployment: every one is refused, by name.
    const copied = { ...vars, ...secrets, ...DEV_VARS, ENVIRONMENT: 'production' };
    expect(configurationProblems(copied).map((p) => p.setting)).toEqual([
      'TOKEN_SECRET',
      'SECRETS_KEY',
      'OPERATOR_TOKEN',
      'ALLOW_LOCAL_WEBHOOKS',
      'LOCAL_DEMO',
    ]);
  });

  it('stays under the Workers size limit the README states, and prints its size', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const stated = /under \*\*(\d+) MB\*\*\s+compressed/.exec(readme);
    expect(stated, 'README.md states the size limit as "under **N MB** compressed"').toBeTruthy();
    const limit = Number(stated?.[1]) * 1_000_000;
    const size = compressedSize(outdir);
    console.log(
      `Worker bundle: ${(size.raw / 1024).toFixed(1)} KiB, ${(size.gzip / 1024).toFixed(1)} KiB compressed (limit ${limit / 1_000_000} MB compressed)`,
    );
    expect(size.gzip).toBeGreaterThan(0);
    expect(size.gzip).toBeLessThan(limit);
  });
});

/**
 * A wrangler that records each call (one JSON array a line) and answers as an account where the
 * D1 database is missing and of the queues only cxm-messages exists. FAKE_FAIL names a command
 * (its first words) that fails.
 */
function fakeWrangler(dir: string): { bin: string; calls: () => string[] } {
  const log = join(dir, 'calls.log');
  const bin = join(dir, 'wrangler');
  writeFileSync(
    bin,
    `#!${process.execPath}
const { appendFileSync } = require('node:fs');
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
const line = args.join(' ');
if (process.env.FAKE_FAIL && line.startsWith(process.env.FAKE_FAIL)) process.exit(1);
if (line.startsWith('d1 info')) { console.error('Couldn\\'t find DB'); process.exit(1); }
if (line.startsWith('queues info')) {
  if (args[2] === 'cxm-messages') console.log('Queue Name: cxm-messages');
  else { console.error('Queue not found'); process.exit(1); }
}
`,
  );
  chmodSync(bin, 0o755);
  const calls = () =>
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as string[]).join(' '));
  return { bin, calls };
}

function deployWith(args: string[], extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cxm-deploy-fake-'));
  const wrangler = fakeWrangler(dir);
  writeFileSync(join(dir, 'calls.log'), '');
  const secrets = join(dir, 'secrets.env');
  writeFileSync(
    secrets,
    [
      'TOKEN_SECRET=Yq3v9aWm1xQ7cT2nL8rB5kE0pZ4sH6jU',
      'SECRETS_KEY="Rk8fN2wV5tC1xJ7mQ3bL9hP0sD4gA6eY"',
      'PUBLIC_ORIGIN=https://cxm.example.com',
      '',
    ].join('\n'),
  );
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'scripts', 'deploy.mjs'),
      ...args.map((arg) => (arg === '<secrets>' ? secrets : arg)),
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CXM_WRANGLER: wrangler.bin,
        CXM_SKIP_TRACKER_BUILD: '1',
        ...extraEnv,
      },
      timeout: 60_000,
    },
  );
  const result = {
    status: run.status,
    output: `${run.stdout ?? ''}${run.stderr ?? ''}`,
    calls: wrangler.calls(),
    secrets,
  };
  rmSync(dir, { recursive: true, force: true });
  return result;
}

// Each run starts Node and loads wrangler's configuration reader: seconds, more on a busy machine.
describe('pnpm run deploy (against a wrangler stand-in)', { timeout: 120_000 }, () => {
  it('creates what is missing, migrates, then deploys with the secrets file', () => {
    const run = deployWith(['--secrets-file', '<secrets>']);
    expect(run.status, run.output).toBe(0);
    expect(run.calls).toEqual([
      'whoami --json',
      'd1 info cxm --json',
      'd1 create cxm',
      'd1 migrations apply DB --remote',
      'queues info cxm-messages',
      'queues info cxm-campaign-pages',
      'queues create cxm-campaign-pages',
      'queues info cxm-rescore',
      'queues create cxm-rescore',
      'queues info cxm-ingest',
      'queues create cxm-ingest',
      'queues info cxm-messages-dlq',
      'queues create cxm-messages-dlq',
      'queues info cxm-ingest-dlq',
      'queues create cxm-ingest-dlq',
      `deploy --secrets-file ${run.secrets}`,
    ]);
  });

  it('deploys nothing when a migration fails', () => {
    const run = deployWith([], { FAKE_FAIL: 'd1 migrations apply' });
    expect(run.status).toBe(1);
    expect(run.output).toContain('nothing was deployed');
    expect(run.calls.at(-1)).toBe('d1 migrations apply DB --remote');
  });

  it('with --gradual, uploads a version without traffic and says how to move it', () => {
    const run = deployWith(['--gradual']);
    expect(run.status, run.output).toBe(0);
    expect(run.calls.at(-1)).toBe('versions upload');
    expect(run.calls).not.toContain('deploy');
    expect(run.output).toContain('wrangler versions deploy <new>@10% <current>@90%');
  });

  it('refuses a secrets file with a development value or without a required secret', () => {
    for (const [line, why] of [
      [`TOKEN_SECRET=${DEV_VARS.TOKEN_SECRET}`, 'TOKEN_SECRET is a development value'],
      ['PUBLIC_ORIGIN=http://127.0.0.1:8787', 'PUBLIC_ORIGIN must be the https origin'],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'cxm-deploy-secrets-'));
      const file = join(dir, 'secrets.env');
      writeFileSync(file, `SECRETS_KEY=Rk8fN2wV5tC1xJ7mQ3bL9hP0sD4gA6eY\n${line}\n`);
      const run = deployWith(['--secrets-file', file]);
      rmSync(dir, { recursive: true, force: true });
      expect(run.status).toBe(1);
      expect(run.output).toContain(why);
      expect(run.output).toContain('is missing');
      expect(run.calls).toEqual(['whoami --json']);
    }
  });
});
