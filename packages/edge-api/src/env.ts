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
   * Seals secrets at rest (the identity provider's client secret; `src/utils/sealed.ts`). A dev
   * value lives in wrangler.jsonc; in production `wrangler secret put SECRETS_KEY`. When rotating,
   * the old value goes to SECRETS_KEY_PREVIOUS until every sealed value has been saved again.
   */
  SECRETS_KEY: string;
  SECRETS_KEY_PREVIOUS?: string;
  /**
   * LOCAL DEVELOPMENT ONLY: `"true"` lets an organisation's identity provider be plain
   * http://127.0.0.1 or localhost (the demo's provider), and makes the sign-in page name the demo
   * organisation and people. Unset in production: identity providers are https only.
   */
  LOCAL_DEMO?: string;
  /**
   * Optional queue between `/v1/collect` and the writer. Unbound by default: collect then
   * writes to D1 itself. See README "Scale". Its messages are `IngestMessage`s
   * (endpoints/collect/write-beacon.ts), typed where they are sent and consumed.
   */
  INGEST_QUEUE?: Queue;
  /**
   * Outgoing texts (`POST /v1/messages`, campaigns) wait here for the sender
   * (`src/jobs/message-queue.ts`): retries with backoff, then the dead-letter queue. Its messages
   * are `OutboundJob`s (src/endpoints/messages/deliver.ts).
   */
  MESSAGE_QUEUE?: Queue;
  /**
   * A campaign run's pages, a job each (`src/jobs/campaign-queue.ts`): kept off MESSAGE_QUEUE so
   * a page never waits behind the texts the page before it queued.
   */
  CAMPAIGN_QUEUE?: Queue;
  /**
   * The texting provider (Twilio's Messages API or the local stand-in): secrets, never vars. In
   * local development `.dev.vars` holds the stand-in's (written by `npm start`).
   */
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  /** `https://api.twilio.com` unless set (the stand-in's origin locally). */
  TWILIO_API_BASE?: string;
  /**
   * The origin providers call back (status callbacks, inbound texts), e.g. `https://api.example.com`.
   * Unset: the origin of the request that queued the text.
   */
  PUBLIC_ORIGIN?: string;
  /**
   * The tracker's build (packages/tracker/dist) as Workers Static Assets; the worker runs
   * first and serves `/t.js` and `/t/*` from it (see endpoints/collect/tracker-script.ts).
   */
  ASSETS?: Fetcher;
}

/** Who is calling, set by `requireRole`: an API key (a backend) or a person's console session. */
export interface ApiCaller {
  kind: 'key' | 'user';
  /** The key's or the user's id. */
  id: string;
  orgId: string;
  role: Role;
  /** May send texts: a user's messaging licence, a key's messaging permission. */
  licence: boolean;
  /** Who did it, for the audit log: `key:<id>` or `user:<id>`. */
  actor: string;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    caller: ApiCaller;
    /** The parsed JSON body, set by the `jsonBody` middleware. */
    body: unknown;
  };
}
