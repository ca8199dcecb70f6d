// The Worker's bindings and the per-request variables, declared once and threaded through
// `OpenAPIHono<AppEnv>` so a handler cannot read a binding that does not exist.
import type { Role } from './db/schema.js';

export interface Bindings {
  DB: D1Database;
  /** HMAC secret for signed tokens (`cxm_t`, tracked links). A dev value lives in wrangler.jsonc. */
  TOKEN_SECRET: string;
  /**
   * LOCAL DEVELOPMENT ONLY: `"true"` lets the webhook URL be http(s)://localhost, 127.0.0.1 or
   * [::1] (the demo's receiver). Unset in production: webhooks then go to public https names only.
   */
  ALLOW_LOCAL_WEBHOOKS?: string;
  /**
   * Optional queue between `/v1/collect` and the writer. Unbound by default: collect then
   * writes to D1 itself. See README "Scale". Its messages are `IngestMessage`s
   * (endpoints/collect/write-beacon.ts), typed where they are sent and consumed.
   */
  INGEST_QUEUE?: Queue;
  /**
   * The tracker's build (packages/tracker/dist) as Workers Static Assets; the worker runs
   * first and serves `/t.js` and `/t/*` from it (see endpoints/collect/tracker-script.ts).
   */
  ASSETS?: Fetcher;
}

/** The caller behind an API key, set by `requireRole`. */
export interface ApiCaller {
  keyId: string;
  orgId: string;
  role: Role;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    caller: ApiCaller;
    /** The parsed JSON body, set by the `jsonBody` middleware. */
    body: unknown;
  };
}
