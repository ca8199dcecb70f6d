// Browser suite setup: `wrangler dev` for packages/edge-api over a fresh local D1 (the dev seed and
// this suite's own sites), serving the tracker build at /t.js, and the test pages on another
// loopback origin. Everything is torn down at the end (see @cxm/test-support/worker).
import { resolve } from 'node:path';
import { freePort, listen } from '@cxm/test-support/ports';
import { startWorker } from '@cxm/test-support/worker';
import type { TestProject } from 'vitest/node';
import { pagesServer } from './servers.js';

const PAGES = resolve(import.meta.dirname, '..', 'pages');

/** This suite's sites in the demo organisation (the seed's pk_demo allows port 8080 only). */
export const SITE = 'pk_tracker_test';
export const SITE_OFF = 'pk_tracker_off';

export interface BrowserEnv {
  /** The worker: `t.js`, the fingerprint chunk and `/v1/collect`. */
  edge: string;
  pages: string;
  persist: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    browserEnv: BrowserEnv;
  }
}

export default async function setup(project: TestProject) {
  // Pages first: their origin goes into the sites' allowed origins.
  const pagesPort = await freePort();
  const pages = `http://127.0.0.1:${pagesPort}`;
  const worker = await startWorker({
    tempPrefix: 'cxm-tracker-d1-',
    sql: `INSERT INTO sites (id, org_id, public_key, name, allowed_origins, tracking_enabled) VALUES
          ('site_tracker_test', 'demo', '${SITE}', 'Tracker browser tests', '["${pages}"]', 1),
          ('site_tracker_off', 'demo', '${SITE_OFF}', 'Tracking off', '["${pages}"]', 0)`,
  });
  const server = pagesServer(PAGES, { edge: worker.origin, site: SITE });
  const teardown = async () => {
    server.close();
    await worker.stop();
  };
  try {
    await listen(server, pagesPort);
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide('browserEnv', { edge: worker.origin, pages, persist: worker.persist });
  return teardown;
}
