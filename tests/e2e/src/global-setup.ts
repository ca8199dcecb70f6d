// The demo as `npm start` runs it, on ports of its own so it never collides with a running demo:
// `wrangler dev` over a fresh local D1 (migrations, the development seed, the example sites'
// origin added to pk_demo; see @cxm/test-support/worker), the example sites
// (scripts/examples-server.mjs, pointed at this worker with API_ORIGIN), the demo identity provider
// the console signs in through (examples/identity-provider, with this worker's callback), and the
// demo candidates (scripts/seed-demo.mjs). Torn down at the end; only processes started here are
// stopped, by their id.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@cxm/test-support/paths';
import { freePort } from '@cxm/test-support/ports';
import { type Child, start, stop, waitFor } from '@cxm/test-support/processes';
import { startWorker } from '@cxm/test-support/worker';
import type { TestProject } from 'vitest/node';

export interface E2eEnv {
  /** The worker: API and console. */
  api: string;
  /** What the example pages load the tracker from and send beacons to: the worker. */
  edge: string;
  /** The example sites. */
  sites: string;
  /** The demo identity provider's issuer (OpenID Connect), which the console signs in through. */
  idp: string;
  /** The SMS/WhatsApp provider stand-in: its candidates' phones, and its JSON API. */
  sms: string;
  persist: string;
  screenshots: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eEnv;
  }
}

/** examples/sms-provider's demo account. */
const SMS_ACCOUNT = {
  sid: 'AC00000000000000000000000000000001',
  token: 'cafef00dcafef00dcafef00dcafef00d',
};

export default async function setup(project: TestProject) {
  const screenshots = join(ROOT, '.test-results', 'screenshots');
  mkdirSync(screenshots, { recursive: true });
  const sitesPort = await freePort();
  const sitesOrigin = `http://127.0.0.1:${sitesPort}`;
  // The SMS stand-in posts candidates' replies to the worker, and the worker sends through the
  // stand-in: both ports are chosen first. Its demo account reaches the worker as `--var`s, as
  // `npm start` passes it.
  const workerPort = await freePort();
  const smsPort = await freePort();
  const smsOrigin = `http://127.0.0.1:${smsPort}`;
  const sms = start(
    process.execPath,
    [join(ROOT, 'examples', 'sms-provider', 'server.mjs')],
    ROOT,
    {
      PORT: String(smsPort),
      HOST: '127.0.0.1',
      ACCOUNT_SID: SMS_ACCOUNT.sid,
      AUTH_TOKEN: SMS_ACCOUNT.token,
      INBOUND_URL: `http://127.0.0.1:${workerPort}/v1/providers/twilio/inbound`,
    },
  );
  await waitFor(`${smsOrigin}/healthz`, sms, 'the SMS stand-in', 30_000);
  // The example sites run on this run's own port: allow it for pk_demo, as a manager would.
  const worker = await startWorker({
    tempPrefix: 'cxm-e2e-d1-',
    port: workerPort,
    sql: `UPDATE sites SET allowed_origins = json_insert(allowed_origins, '$[#]', '${sitesOrigin}') WHERE public_key = 'pk_demo'`,
    args: [
      // Cron Triggers do not fire under wrangler dev: this exposes `/__scheduled`, which the
      // campaigns test calls to start the day's runs, as Cloudflare's cron would.
      '--test-scheduled',
      '--var',
      `TWILIO_ACCOUNT_SID:${SMS_ACCOUNT.sid}`,
      '--var',
      `TWILIO_AUTH_TOKEN:${SMS_ACCOUNT.token}`,
      '--var',
      `TWILIO_API_BASE:${smsOrigin}`,
    ],
  }).catch(async (error) => {
    await stop(sms);
    throw error;
  });
  let sites: Child | undefined;
  let idp: Child | undefined;
  const teardown = async () => {
    await stop(idp);
    await stop(sites);
    await worker.stop();
    await stop(sms);
  };

  try {
    sites = start(process.execPath, [join(ROOT, 'scripts', 'examples-server.mjs')], ROOT, {
      PORT: String(sitesPort),
      API_ORIGIN: worker.origin,
      // The platform example rereads the toggle every 10 s by default; the test waits less.
      PLATFORM_SETTINGS_TTL_MS: '1500',
    });
    await waitFor(`${sitesOrigin}/`, sites, 'the example sites', 30_000);

    // The identity provider knows the console by its exact callback, on this run's worker port.
    const idpPort = await freePort();
    const idpOrigin = `http://127.0.0.1:${idpPort}`;
    idp = start(
      process.execPath,
      [join(ROOT, 'examples', 'identity-provider', 'server.mjs')],
      ROOT,
      {
        PORT: String(idpPort),
        HOST: '127.0.0.1',
        ISSUER: idpOrigin,
        REDIRECT_URIS: `${worker.origin}/console/oidc/callback`,
        POST_LOGOUT_REDIRECT_URIS: `${worker.origin}/console?signed-out`,
      },
    );
    await waitFor(
      `${idpOrigin}/.well-known/openid-configuration`,
      idp,
      'the identity provider',
      30_000,
    );

    const seeded = spawnSync(
      process.execPath,
      [join(ROOT, 'scripts', 'seed-demo.mjs'), '--api', worker.origin, '--idp', idpOrigin],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (seeded.status !== 0)
      throw new Error(`seed-demo failed:\n${seeded.stdout}\n${seeded.stderr}`);

    project.provide('e2e', {
      api: worker.origin,
      edge: worker.origin,
      sites: sitesOrigin,
      idp: idpOrigin,
      sms: smsOrigin,
      persist: worker.persist,
      screenshots,
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
