// The Worker's bindings and the per-request variables, declared once and threaded through
// `OpenAPIHono<AppEnv>` so a handler cannot read a binding that does not exist.
import type { Role } from './db/schema.js';

export interface Bindings {
  /**
   * The directory (src/shards: organisations' shards, site keys, key hashes, sessions) and the
   * first shard. Inside a request or job of one organisation (`shardEnv`) it is that
   * organisation's shard, and DIRECTORY the directory.
   */
  DB: D1Database;
  /**
   * The D1 bindings holding organisations' data, comma-separated, `DB` first (the shard of every
   * organisation without a directory entry). Unset: `DB` alone, directory and only shard at once
   * (the local default). Each name listed is a `d1_databases` binding of wrangler.jsonc.
   */
  SHARDS?: string;
  /** Set by `shardEnv` only: the directory, while DB is an organisation's shard. */
  DIRECTORY?: D1Database;
  /** Set by `shardEnv` only: the binding name of the shard DB is. */
  SHARD?: string;
  /**
   * Authorises the operator commands (`pnpm org:create`, `pnpm org:move`; src/endpoints/ops/route.ts):
   * an optional secret. Unset, `/ops/*` answers 404.
   */
  OPERATOR_TOKEN?: string;
  /**
   * `"development"` in local development only (.dev.vars, `wrangler dev --var`); wrangler.jsonc
   * says `"production"`. Anything else is a deployment, which refuses to serve while a required
   * secret is missing or a development value or flag is set (src/middleware/configuration.ts).
   */
  ENVIRONMENT?: string;
  /**
   * Signs and encrypts tokens (`cxm_t`, tracked links): a required secret
   * (`wrangler secret put TOKEN_SECRET`); the development value is in .dev.vars.
   */
  TOKEN_SECRET: string;
  /**
   * LOCAL DEVELOPMENT ONLY: `"true"` lets the webhook URL be http(s)://localhost, 127.0.0.1 or
   * [::1] (the demo's receiver). `"false"` in production: webhooks go to public https names only.
   */
  ALLOW_LOCAL_WEBHOOKS?: string;
  /**
   * Seals secrets at rest (the identity provider's client secret; `src/utils/sealed.ts`) and keys
   * the purge audit's hash: a required secret (`wrangler secret put SECRETS_KEY`); the development
   * value is in .dev.vars. When rotating, the old value goes to SECRETS_KEY_PREVIOUS until every
   * sealed value has been saved again.
   */
  SECRETS_KEY: string;
  SECRETS_KEY_PREVIOUS?: string;
  /**
   * LOCAL DEVELOPMENT ONLY: `"true"` lets an organisation's identity provider be plain
   * http://127.0.0.1 or localhost (the demo's provider), and makes the sign-in page name the demo
   * organisation and people. `"false"` in production: identity providers are https only.
   */
  LOCAL_DEMO?: string;
  /**
   * `"queue"` (wrangler.jsonc): `/v1/collect` enqueues each beacon on INGEST_QUEUE and answers
   * 202; `"direct"` (local development, .dev.vars): it writes the beacon before answering. Unset:
   * queued when INGEST_QUEUE is bound.
   */
  COLLECT_MODE?: string;
  /**
   * The queue between `/v1/collect` and the writer (`src/jobs/ingest-queue.ts`, up to 100 beacons
   * per D1 batch). Its messages are `IngestMessage`s (endpoints/collect/write-beacon.ts), typed
   * where they are sent and consumed.
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
   * a page never waits behind the texts the page before it queued. Also the cron's pages of
   * campaigns to start after its first (`campaign-starts` jobs, campaigns/start-runs.ts).
   */
  CAMPAIGN_QUEUE?: Queue;
  /**
   * Score maintenance pages, a job each (`src/jobs/rescore-queue.ts`; messages are
   * `ScoringJob`s): a rescore's after a scoring model change, and the daily decay's
   * (`decay-queue.ts`). Unbound (an older local setup), the settings `PUT` rescores every page
   * itself before answering and the daily cron settles the decay itself.
   */
  RESCORE_QUEUE?: Queue;
  /**
   * The texting provider (Twilio's Messages API or the local stand-in): optional secrets, never
   * vars. `npm start` passes the stand-in's to `wrangler dev` as `--var`s (wrangler takes from
   * .dev.vars only the required secrets and the names in `vars`).
   */
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  /** `https://api.twilio.com` unless set (the stand-in's origin locally). */
  TWILIO_API_BASE?: string;
  /**
   * The origin providers call back (status callbacks, inbound texts) and campaign links name, e.g.
   * `https://api.example.com`: a required secret in a deployment. In local development it may be
   * unset: then the origin of the request that queued the text.
   */
  PUBLIC_ORIGIN?: string;
  /**
   * The tracker's build (packages/tracker/dist) as Workers Static Assets; the worker runs
   * first and serves `/t.js` and `/t/*` from it (see endpoints/collect/tracker-script.ts).
   */
  ASSETS?: Fetcher;
  /**
   * Abuse limits (wrangler.jsonc `ratelimits`; limits, periods and keys in
   * src/limits/rate-limit.ts). Optional so a test or tool without them still runs: an absent
   * one limits nothing.
   */
  COLLECT_LIMITER?: RateLimit;
  SCRIPT_LIMITER?: RateLimit;
  LINK_LIMITER?: RateLimit;
  API_LIMITER?: RateLimit;
  AUTH_FAILURE_LIMITER?: RateLimit;
  SIGN_IN_LIMITER?: RateLimit;
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
