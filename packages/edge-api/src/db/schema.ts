// The D1 data model: the single source of truth from which drizzle-kit generates migrations.
//
// Every row carries `org_id` and every index used by a request starts with it, so each query
// is scoped to one organisation and the design splits cleanly into one database per
// organisation later. Times are epoch milliseconds (INTEGER); ids are text made by the worker
// (so one batch can insert a row and refer to it), except organisations, whose ids are slugs.
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

export const ROLES = ['user', 'reporter', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ENGAGEMENT_SOURCES = ['tracker', 'api', 'email_link', 'message_link'] as const;
export type EngagementSource = (typeof ENGAGEMENT_SOURCES)[number];

/**
 * How a stored engagement came to belong to its candidate (`engagements.attribution`):
 * - `visitor`: a tracker event stored while its browser profile's visitor id (the tracker's
 *   stored id) was already linked to the candidate;
 * - `identity_token`: a tracker event whose beacon carried a valid signed identity token
 *   (`cxm_t`) naming the candidate;
 * - `link`: a tracker event stored anonymously, moved to the candidate when its visitor was
 *   linked (`POST /v1/visitors/{id}/link`, e.g. by a form's hidden visitor field through the
 *   site's backend, or an identity token on a later beacon);
 * - `fingerprint`: a tracker event of a browser profile not identified itself, stored for the
 *   candidate its FingerprintJS id (`visitor.fp`) was linked to while that fingerprint was
 *   unambiguous (`fingerprints`): most likely the candidate's own browser with its storage
 *   cleared. A guess, shown as one; the profile's identification moves it (`identity/relink.ts`);
 * - `api`: sent by a backend caller naming the candidate (`POST /v1/engagements`);
 * - `email_link`: an open or click of a tracked email link minted for the candidate;
 * - `message_link`: a click of the tracked link in a text message sent to the candidate.
 * Null exactly while a tracker event is anonymous (no candidate), and for the few rows stored
 * before the column whose attribution the backfill could not tell.
 */
export const ENGAGEMENT_ATTRIBUTIONS = [
  'visitor',
  'identity_token',
  'link',
  'fingerprint',
  'api',
  'email_link',
  'message_link',
] as const;
export type EngagementAttribution = (typeof ENGAGEMENT_ATTRIBUTIONS)[number];

const now = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

/** A customer. Organisation-wide settings live here so the settings API edits one row. */
export const organisations = sqliteTable('organisations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Per-organisation `ScoringModel` as JSON; null means `DEFAULT_MODEL`. */
  scoringModel: text('scoring_model'),
  /** Dedupe windows for tracker events, in minutes (the defaults: 30 and 5). */
  visitWindowMinutes: integer('visit_window_minutes').notNull().default(30),
  formWindowMinutes: integer('form_window_minutes').notNull().default(5),
  /** How the tracker asks for consent: `none`, `onetrust`, or `explicit` (next issue). */
  consentMode: text('consent_mode').notNull().default('explicit'),
  oneTrustCategory: text('onetrust_category').notNull().default('C0004'),
  /** Tier-change webhooks (daily cron and on write); the secret signs the body. */
  webhookUrl: text('webhook_url'),
  /** Sealed (src/webhooks/secret.ts); a `whsec_` value is one stored before sealing. */
  webhookSecret: text('webhook_secret'),
  /** The secret before the last rotation, sealed: deliveries are signed with it too until… */
  webhookSecretPrevious: text('webhook_secret_previous'),
  /** …this time (ms), the rotation's grace period. */
  webhookSecretPreviousUntil: integer('webhook_secret_previous_until'),
  /**
   * JSON array of origins tracked email links may point to, besides the sites' allowed
   * origins (e.g. an events platform or the ATS's portal).
   */
  linkAllowlist: text('link_allowlist').notNull().default('[]'),
  /** Messaging licences the organisation holds: active users with a licence never exceed it. */
  seats: integer('seats').notNull().default(0),
  /**
   * The organisation's OpenID Provider for console sign-in (`/v1/settings/sign-in`): issuer URL,
   * client id, the client secret sealed (`src/utils/sealed.ts`, never returned), the ID token
   * claim holding the email, and whether an unknown but verified email gets a user (role user,
   * no licence) instead of a refusal.
   */
  oidcIssuer: text('oidc_issuer'),
  oidcClientId: text('oidc_client_id'),
  oidcClientSecret: text('oidc_client_secret'),
  oidcEmailClaim: text('oidc_email_claim').notNull().default('email'),
  autoProvision: integer('auto_provision', { mode: 'boolean' }).notNull().default(false),
  /** Messaging (issue 16): monthly contacts the organisation may use (raised to buy more). */
  monthlyContactAllowance: integer('monthly_contact_allowance').notNull().default(0),
  /** IANA zone: the allowance's calendar month, and quiet hours when a candidate's is unknown. */
  timeZone: text('time_zone').notNull().default('UTC'),
  /** Local hours texts may be delivered in: 08-20 at most; an organisation may narrow it. */
  quietStartHour: integer('quiet_start_hour').notNull().default(8),
  quietEndHour: integer('quiet_end_hour').notNull().default(20),
  /** JSON `{ "<country>": ["+E164", …] }`: SMS goes from a number in the recipient's country. */
  senderNumbers: text('sender_numbers').notNull().default('{}'),
  /** The WhatsApp sender (E.164), if the organisation has one. */
  whatsappSender: text('whatsapp_sender'),
  createdAt: integer('created_at').notNull().default(now),
});

/** A career site that runs the tracker. Tracking is off until the organisation turns it on. */
export const sites = sqliteTable(
  'sites',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    /** Public key the tracker sends (`pk_...`); not a secret. */
    publicKey: text('public_key').notNull(),
    name: text('name').notNull().default(''),
    /** JSON array of exact origins, e.g. `["https://careers.example.com"]`. */
    allowedOrigins: text('allowed_origins').notNull().default('[]'),
    trackingEnabled: integer('tracking_enabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('sites_public_key').on(t.publicKey), index('sites_org').on(t.orgId)],
);

/** Server-to-server credentials. Only the SHA-256 of the secret is stored. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull().default(''),
    /** First characters of the secret, shown in key lists so people can tell keys apart. */
    prefix: text('prefix').notNull(),
    /** Lowercase hex SHA-256 of the whole secret. */
    keyHash: text('key_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** The messaging permission: the key may send texts (`POST /v1/messages`). */
    messaging: integer('messaging', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull().default(now),
    /** Who made it: `user:<id>` or `key:<id>` (null for keys made before this was kept). */
    createdBy: text('created_by'),
    /** Written at most once a minute per key, after the reply (require-role.ts). */
    lastUsedAt: integer('last_used_at'),
    /** After this the key gets 401; null: no expiry. */
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.keyHash), index('api_keys_org').on(t.orgId)],
);

/**
 * A person who uses the console. `email` is stored lowercased and is unique per organisation;
 * a deactivated user keeps the row (history keeps the name) but holds no seat and cannot sign in.
 */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** A messaging licence: needed to text candidates; counted against `organisations.seats`. */
    licence: integer('licence', { mode: 'boolean' }).notNull().default(false),
    /** E.164; the number this person's texts go from where it fits the recipient's country. */
    senderPhone: text('sender_phone'),
    /** Sent when a candidate replies and no campaign auto-response applies. */
    autoReply: text('auto_reply'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    lastSignedInAt: integer('last_signed_in_at'),
    deactivatedAt: integer('deactivated_at'),
  },
  (t) => [uniqueIndex('users_org_email').on(t.orgId, t.email)],
);

/**
 * Console sessions. Only the SHA-256 of the opaque token in the cookie is stored; a session ends
 * 30 minutes after `last_seen_at` or 12 hours after `created_at`, and its row is deleted at
 * sign-out, on the user's deactivation and on a role change.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    orgId: text('org_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/**
 * A sign-in under way: what the callback needs to check the provider's answer (PKCE verifier,
 * nonce) keyed by the SHA-256 of `state`. Deleted when the callback uses it (so a replayed
 * callback finds nothing) or by the cron once expired.
 */
export const signInAttempts = sqliteTable(
  'sign_in_attempts',
  {
    stateHash: text('state_hash').primaryKey(),
    orgId: text('org_id').notNull(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    /** A console path to return to after sign-in (checked same-origin before it is stored). */
    returnTo: text('return_to'),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sign_in_attempts_expires').on(t.expiresAt)],
);

/** A person the organisation knows, named by the organisation's own id for them. */
export const candidates = sqliteTable(
  'candidates',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    externalId: text('external_id').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('candidates_org_external').on(t.orgId, t.externalId)],
);

/** Tags on candidates (audiences by tag, next issue). */
export const candidateTags = sqliteTable(
  'candidate_tags',
  {
    orgId: text('org_id').notNull(),
    candidateId: text('candidate_id')
      .notNull()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.candidateId, t.tag] }),
    index('candidate_tags_org_tag').on(t.orgId, t.tag),
  ],
);

/**
 * A browser as the tracker names it (a device hint, not an identity), per organisation.
 * `candidate_id` is the link to a candidate: set by `POST /v1/visitors/{id}/link` or by a
 * signed identity token. `version` is an optimistic lock on the link (see the guard trigger
 * migrations): an UPDATE that sets `version` or a link column must set `version` to exactly the
 * old value + 1. What a beacon records (`last_seen_at`, `kind`, `fingerprint_version`) commutes
 * and is updated in place without it, so one visitor's concurrent beacons never conflict.
 */
export const visitors = sqliteTable(
  'visitors',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    deviceId: text('device_id').notNull(),
    /** `fingerprint`, `stored` or `page`; null when first seen through the link API. */
    kind: text('kind'),
    fingerprintVersion: text('fingerprint_version'),
    /** The FingerprintJS id (`visitor.fp`) last sent with this visitor id; null: none yet. */
    fp: text('fp'),
    candidateId: text('candidate_id').references(() => candidates.id),
    /**
     * `api` or `identity_token`: identified. `fingerprint`: recognised by its fingerprint only
     * (a provisional link, dropped when the fingerprint turns out shared; see `fingerprints`).
     */
    linkSource: text('link_source'),
    linkedAt: integer('linked_at'),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('visitors_org_device').on(t.orgId, t.deviceId),
    index('visitors_org_candidate').on(t.orgId, t.candidateId),
    index('visitors_org_fp').on(t.orgId, t.fp),
  ],
);

/**
 * What a FingerprintJS id (`visitor.fp`, a device hint every profile of one browser build on one
 * device shares) is good for, per organisation: recognising a profile whose storage was cleared,
 * only while it is unambiguous (`src/identity/fingerprints.ts`).
 * - `visitor_id`: the profile seen with it most recently (the one a new profile takes over from);
 * - `candidate_id`: the candidate an identified profile seen with it was linked to (first one);
 * - `shared_at`: when it proved ambiguous (a profile it gave way to came back, or profiles with it
 *   were identified as two candidates); from then on it attributes nothing, for good.
 * `last_seen_at` moves when a beacon writes the row (a profile new to it), not on every sighting:
 * the beacons of the profile holding it skip the write.
 * `version` guards a recognition against a concurrent change of `candidate_id` or `shared_at`
 * (the guard trigger in migration 0007), as `visitors.version` guards links.
 */
export const fingerprints = sqliteTable(
  'fingerprints',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    fp: text('fp').notNull(),
    visitorId: text('visitor_id').notNull(),
    candidateId: text('candidate_id').references(() => candidates.id),
    sharedAt: integer('shared_at'),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.fp] }),
    index('fingerprints_org_candidate').on(t.orgId, t.candidateId),
  ],
);

/**
 * One engagement. `event_key` is what dedupes retries: `api:<caller id>` or
 * `trk:<visitor>:<event id>`, unique per organisation, so a retried send is refused by the
 * database itself (writers insert with ON CONFLICT DO NOTHING). Window dedupe (page reloads,
 * form resubmits) is decided inside the insert itself; see `src/endpoints/collect/dedupe.ts`.
 * The table's implicit `rowid` grows in commit order (D1 runs one write at a time and rows are
 * only deleted with their candidate's score row), which is what `scores.scored_through` counts.
 */
export const engagements = sqliteTable(
  'engagements',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    /** Null for visits by a visitor not linked (yet) to a candidate. */
    candidateId: text('candidate_id').references(() => candidates.id),
    visitorId: text('visitor_id').references(() => visitors.id),
    siteId: text('site_id').references(() => sites.id),
    type: text('type').notNull(),
    detail: text('detail'),
    occurredAt: integer('occurred_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    source: text('source', { enum: ENGAGEMENT_SOURCES }).notNull(),
    /** How it came to be the candidate's (`ENGAGEMENT_ATTRIBUTIONS`); null while anonymous. */
    attribution: text('attribution', { enum: ENGAGEMENT_ATTRIBUTIONS }),
    /** Produced by a machine (e.g. a mail privacy proxy's open); scored at a reduced weight. */
    machine: integer('machine', { mode: 'boolean' }).notNull().default(false),
    eventKey: text('event_key').notNull(),
  },
  (t) => [
    uniqueIndex('engagements_org_event_key').on(t.orgId, t.eventKey),
    index('engagements_org_candidate_time').on(t.orgId, t.candidateId, t.occurredAt),
    index('engagements_org_visitor_time').on(t.orgId, t.visitorId, t.occurredAt),
    // Reports: engagements per type per day over a date range, read from the index alone (with
    // `type` in it; without, 30 days of a 1 M-candidate organisation took 10 s, see BENCHMARKS.md).
    index('engagements_org_time_type').on(t.orgId, t.occurredAt, t.type),
  ],
);

/**
 * The tier report's engagements per organisation, UTC day and type (issue 20), so the report
 * reads a few hundred rows at any size instead of counting the engagements themselves. `day` is
 * `occurred_at / 86400000` (whole days since 1970-01-01 UTC), `count` every stored engagement
 * of that day and type, anonymous and machine ones too, exactly what a GROUP BY over
 * `engagements` would give. Written in the same D1 batch as the engagements
 * (`db/engagement-days.ts`) and decremented by a purge in the batch that deletes them.
 */
export const engagementDays = sqliteTable(
  'engagement_days',
  {
    orgId: text('org_id').notNull(),
    day: integer('day').notNull(),
    type: text('type').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day, t.type] })],
);

/**
 * How many of an organisation's score rows have their sort key in each sixteenth of a half-life
 * (two days at the default 30; `bucket = floor(sort_key * 16)`; a null key is bucket -2147483648), so "candidates
 * in each tier now" sums a few hundred rows plus one bucket's index range at any size (issue 20;
 * `tierCountsSql`). Kept by triggers on `scores` (migration 0019), so every writer, rescore and
 * purge keeps it without knowing; rows reaching 0 are deleted. Sixteen is a power of two: bucket
 * edges are exact in floating point, in SQL and in JavaScript alike. Never write `scores` with
 * INSERT OR REPLACE: its implicit delete fires no trigger, and the old bucket would keep its count.
 */
export const scoreKeyCounts = sqliteTable(
  'score_key_counts',
  {
    orgId: text('org_id').notNull(),
    bucket: integer('bucket').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucket] })],
);

/**
 * The materialized score of a candidate: its stored engagements up to `scored_through` folded
 * in. Writers store engagements first, then settle the score (`src/scoring/settle.ts`) before
 * they answer. `state` is `@cxm/scoring`'s `ScoreState` as JSON; `sort_key` its time-invariant
 * sort key, so "candidates in tier X now" is a range on `(org_id, sort_key)` (see
 * `tierKeyRange`). `version` is an optimistic lock: every UPDATE sets it to the old value + 1.
 */
export const scores = sqliteTable(
  'scores',
  {
    candidateId: text('candidate_id')
      .primaryKey()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    orgId: text('org_id').notNull(),
    state: text('state').notNull(),
    sortKey: real('sort_key'),
    /** The stored tier (with hysteresis), as of `updated_at`; the daily cron re-settles it. */
    tier: text('tier').notNull(),
    tierChangedAt: integer('tier_changed_at'),
    lastEngagedAt: integer('last_engaged_at'),
    /** The latest contact (outgoing text, call or email): what campaigns select on. */
    lastContactedAt: integer('last_contacted_at'),
    engagementCount: integer('engagement_count').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
    version: integer('version').notNull().default(1),
    /**
     * The watermark: the highest engagement `rowid` of this candidate folded into `state` (0:
     * none). Every engagement of the candidate up to it is counted, none after it: a settle folds
     * the candidate's rows with a larger rowid and moves it up, in the same guarded write.
     */
    scoredThrough: integer('scored_through').notNull().default(0),
  },
  (t) => [
    index('scores_org_sort_key').on(t.orgId, t.sortKey),
    index('scores_org_last_engaged').on(t.orgId, t.lastEngagedAt),
    index('scores_org_last_contacted').on(t.orgId, t.lastContactedAt),
    // The daily decay scan: stored tier X whose key fell below X's drop level.
    index('scores_org_tier_key').on(t.orgId, t.tier, t.sortKey),
    // A campaign's matched set (src/endpoints/campaigns/selection.ts): one last-contacted range,
    // paged by candidate, the tier read from the entry itself.
    index('scores_campaign_selection').on(t.orgId, t.lastContactedAt, t.candidateId, t.sortKey),
  ],
);

/**
 * Candidates with stored engagements their score row may not have folded yet. A writer's
 * insert batch adds the row when it leaves engagements past the watermark; the settle that
 * leaves none removes it. Normally gone before the request answers; a candidate still here
 * (a settle gave up under extreme contention, or the worker stopped between the two steps) is
 * settled by its next write or by the cron (`src/jobs/cron.ts`).
 */
export const scoreBacklog = sqliteTable('score_backlog', {
  candidateId: text('candidate_id')
    .primaryKey()
    .references(() => candidates.id, { onDelete: 'cascade' }),
  orgId: text('org_id').notNull(),
  /** When it was first left unsettled. */
  since: integer('since').notNull(),
});

/** Who did what to whose data: links, purges, key and settings changes. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    at: integer('at').notNull(),
    /** `key:<api key id>`, `user:<user id>`, `tracker:<site id>` or `system`. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject'),
    /** JSON with what the action needs to be understood later. */
    details: text('details'),
  },
  (t) => [index('audit_log_org_at').on(t.orgId, t.at)],
);

/**
 * Daily counters per site for what the collect endpoint did not store: bots, automation,
 * identity tokens it ignored. Nothing here identifies a person.
 */
export const collectStats = sqliteTable(
  'collect_stats',
  {
    orgId: text('org_id').notNull(),
    siteId: text('site_id').notNull(),
    /** UTC day, `YYYY-MM-DD`. */
    day: text('day').notNull(),
    accepted: integer('accepted').notNull().default(0),
    duplicates: integer('duplicates').notNull().default(0),
    droppedBots: integer('dropped_bots').notNull().default(0),
    ignoredTokens: integer('ignored_tokens').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day] }), index('collect_stats_org').on(t.orgId)],
);

/**
 * A tracked email (`POST /v1/links`): what its open pixel and click redirects record. Tokens
 * name the row, so purging a candidate deletes its links and their tokens then record nothing.
 */
export const trackedLinks = sqliteTable(
  'tracked_links',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    candidateId: text('candidate_id')
      .notNull()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    /** JSON array of the destinations, in the order the caller gave them. */
    destinations: text('destinations').notNull(),
    /** When the link was minted: the email's send time, near enough (machine-open rule). */
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('tracked_links_org_candidate').on(t.orgId, t.candidateId)],
);

/**
 * Identity codes (the `cxm_t` a tracked click appends to a landing URL, src/auth/click-identity.ts)
 * that a browser has used: the first device to present a code owns it, so a copy read from a log
 * links nobody else. A row lives as long as its code (an hour; the daily cron prunes it), and a
 * purge removes the candidate's.
 */
export const identityCodeClaims = sqliteTable(
  'identity_code_claims',
  {
    /** SHA-256 of the code, hex: the code itself is never stored. */
    codeHash: text('code_hash').primaryKey(),
    orgId: text('org_id').notNull(),
    /** The candidate's external id, as the code names it. */
    externalId: text('external_id').notNull(),
    /** The tracker's first-party device id that presented the code first. */
    deviceId: text('device_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    index('identity_code_claims_expiry').on(t.expiresAt),
    index('identity_code_claims_candidate').on(t.orgId, t.externalId),
  ],
);

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

/**
 * The webhook outbox: one row per event to post, written in the same batch as the change it
 * announces, posted by the cron (and right after the request), retried with backoff.
 */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** Internal candidate id, so a purge can remove undelivered events about the candidate. */
    candidateId: text('candidate_id'),
    /** The exact JSON body posted (and signed). */
    payload: text('payload').notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
    /** HTTP status or error of the last attempt, for support. */
    lastError: text('last_error'),
  },
  (t) => [
    index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_org_candidate').on(t.orgId, t.candidateId),
    // The delivery log, newest first (`GET /v1/webhook-deliveries`): a page walks the index
    // instead of sorting all of the organisation's deliveries (one per tier change) first.
    index('webhook_deliveries_org_created').on(t.orgId, t.createdAt, t.id),
  ],
);

export type ScoreInsertRow = typeof scores.$inferInsert;
export type EngagementInsertRow = typeof engagements.$inferInsert;

export const CHANNELS = ['sms', 'whatsapp', 'messenger', 'wechat'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CONTACT_KINDS = ['sms', 'whatsapp', 'phone_call', 'email'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/**
 * What texting a candidate needs and nothing more (purge deletes the row): the number (E.164)
 * and its country, a first name for mail merge, a time zone for quiet hours, consent and
 * opt-out per channel, and when the candidate last wrote on each channel (reply windows).
 */
export const candidateContactDetails = sqliteTable(
  'candidate_contact_details',
  {
    candidateId: text('candidate_id')
      .primaryKey()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    orgId: text('org_id').notNull(),
    phone: text('phone'),
    phoneCountry: text('phone_country'),
    firstName: text('first_name'),
    timeZone: text('time_zone'),
    smsConsentSource: text('sms_consent_source'),
    smsConsentAt: integer('sms_consent_at'),
    whatsappOptInSource: text('whatsapp_opt_in_source'),
    whatsappOptInAt: integer('whatsapp_opt_in_at'),
    smsOptedOutAt: integer('sms_opted_out_at'),
    whatsappOptedOutAt: integer('whatsapp_opted_out_at'),
    lastInboundSmsAt: integer('last_inbound_sms_at'),
    lastInboundWhatsappAt: integer('last_inbound_whatsapp_at'),
    lastInboundMessengerAt: integer('last_inbound_messenger_at'),
    lastInboundWechatAt: integer('last_inbound_wechat_at'),
    /** The last outbound message sent here: a monthly contact is used after 45 days without. */
    lastMessagedAt: integer('last_messaged_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('candidate_contact_details_org_phone').on(t.orgId, t.phone)],
);

/**
 * Contacts: outbound touches (texts sent here, calls and emails recorded from elsewhere).
 * `contact_key` dedupes retries like `engagements.event_key`: `api:<id>` or `msg:<message id>`.
 */
export const contacts = sqliteTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    candidateId: text('candidate_id')
      .notNull()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    contactKey: text('contact_key').notNull(),
    kind: text('kind', { enum: CONTACT_KINDS }).notNull(),
    occurredAt: integer('occurred_at').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [
    uniqueIndex('contacts_org_key').on(t.orgId, t.contactKey),
    index('contacts_org_candidate').on(t.orgId, t.candidateId, t.occurredAt),
  ],
);

/** Texts both ways. Outbound ones carry their delivery state; inbound ones are `received`. */
export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    candidateId: text('candidate_id')
      .notNull()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    direction: text('direction', { enum: ['outbound', 'inbound'] }).notNull(),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    fromAddress: text('from_address').notNull(),
    toAddress: text('to_address').notNull(),
    body: text('body'),
    templateId: text('template_id'),
    templateVariables: text('template_variables'),
    /**
     * The tracked link minted for the message's `url`: the opaque code of `/v1/m/{code}` (random,
     * unique), and where it redirects. Clicks by a person count in `clicks`.
     */
    linkId: text('link_id'),
    linkUrl: text('link_url'),
    status: text('status').notNull(),
    /** Held for quiet hours until this time. */
    scheduledFor: integer('scheduled_for'),
    providerSid: text('provider_sid'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    /** Who sent it (`user:<id>`, `key:<id>`, `campaign:<id>`), for the audit and the thread. */
    sentBy: text('sent_by'),
    campaignId: text('campaign_id'),
    /**
     * The campaign run that sent it (outbound) or that it answers (inbound: the run of the latest
     * text the candidate got from us), for the run's figures (`campaigns/runs.ts`).
     */
    campaignRunId: text('campaign_run_id'),
    /** Inbound only: the keyword it was (`opt_out`, `opt_in`, `help`), or null for a reply. */
    keyword: text('keyword'),
    usesContact: integer('uses_contact', { mode: 'boolean' }).notNull().default(false),
    attempts: integer('attempts').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('messages_org_candidate').on(t.orgId, t.candidateId, t.createdAt),
    uniqueIndex('messages_provider_sid').on(t.providerSid),
    uniqueIndex('messages_link').on(t.linkId),
    index('messages_scheduled').on(t.status, t.scheduledFor),
    // A run's figures count its texts and replies by direction and status: one range per run.
    index('messages_campaign_run')
      .on(t.campaignRunId, t.direction, t.status)
      .where(sql`${t.campaignRunId} IS NOT NULL`),
  ],
);

/** The monthly contacts used: one row per candidate per allowance period (`YYYY-MM`). */
export const contactUsage = sqliteTable(
  'contact_usage',
  {
    orgId: text('org_id').notNull(),
    period: text('period').notNull(),
    candidateId: text('candidate_id')
      .notNull()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    messageId: text('message_id').notNull(),
    usedAt: integer('used_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.period, t.candidateId] })],
);

export const CAMPAIGN_STATES = ['enabled', 'disabled', 'archived'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/**
 * Re-engagement campaigns (issue 17): a daily text, at `send_time` on the organisation's clock,
 * to the candidates last contacted more than `timeframe_days` ago (or never, `never_contacted`;
 * exactly one of the two is set) who carry `tags` (all or any). `reengagement` is set at creation
 * and never changes; `archived` is final. `created_by` is the actor (`user:<id>`, `key:<id>`).
 */
export const campaigns = sqliteTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    reengagement: integer('reengagement', { mode: 'boolean' }).notNull(),
    code: text('code'),
    url: text('url'),
    autoResponse: text('auto_response'),
    timeframeDays: integer('timeframe_days'),
    neverContacted: integer('never_contacted', { mode: 'boolean' }).notNull().default(false),
    /** JSON array of tags. */
    tags: text('tags').notNull().default('[]'),
    tagsMode: text('tags_mode', { enum: ['all', 'any'] })
      .notNull()
      .default('any'),
    senderUserId: text('sender_user_id')
      .notNull()
      .references(() => users.id),
    /** `HH:MM`, 24-hour, on the organisation's clock. */
    sendTime: text('send_time').notNull(),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    body: text('body'),
    templateId: text('template_id'),
    /** JSON object, or null. */
    templateVariables: text('template_variables'),
    state: text('state', { enum: CAMPAIGN_STATES }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('campaigns_org_state_name').on(t.orgId, t.state, t.name),
    index('campaigns_org_code').on(t.orgId, t.code),
  ],
);

export const CAMPAIGN_RUN_STATES = ['running', 'done', 'stopped', 'failed'] as const;
export type CampaignRunState = (typeof CAMPAIGN_RUN_STATES)[number];

/**
 * One run of a campaign: at most one per campaign and local date (the unique index is what makes
 * a run happen once however often the cron fires). A run selects at `as_of` and walks its matched
 * set a page at a time (`campaigns/run-page.ts`): `page` and the cursor say where it is, and only
 * the job that moves `page` on (setting its own `claim`) writes that page's texts. The skip
 * counters are the run's own; what happened to its texts is read from `messages` by
 * `campaign_run_id`.
 */
export const campaignRuns = sqliteTable(
  'campaign_runs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** `YYYY-MM-DD` on the organisation's clock. */
    localDate: text('local_date').notNull(),
    state: text('state', { enum: CAMPAIGN_RUN_STATES }).notNull(),
    /** The instant the run selects at (timeframe, tier, "today", quiet hours). */
    asOf: integer('as_of').notNull(),
    page: integer('page').notNull().default(0),
    cursorLastContactedAt: integer('cursor_last_contacted_at'),
    cursorCandidateId: text('cursor_candidate_id'),
    claim: text('claim'),
    matched: integer('matched').notNull().default(0),
    sent: integer('sent').notNull().default(0),
    skippedInactive: integer('skipped_inactive').notNull().default(0),
    skippedOptedOut: integer('skipped_opted_out').notNull().default(0),
    skippedNoNumber: integer('skipped_no_number').notNull().default(0),
    skippedTextedToday: integer('skipped_texted_today').notNull().default(0),
    skippedNoSender: integer('skipped_no_sender').notNull().default(0),
    skippedQuietHours: integer('skipped_quiet_hours').notNull().default(0),
    skippedNoContacts: integer('skipped_no_contacts').notNull().default(0),
    /** How many times the cron picked the run up again after it stalled. */
    resumes: integer('resumes').notNull().default(0),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    uniqueIndex('campaign_runs_once').on(t.campaignId, t.localDate),
    index('campaign_runs_state').on(t.state, t.updatedAt),
  ],
);

export const RESCORE_STATES = ['queued', 'running', 'done', 'failed'] as const;

/**
 * An organisation's latest rescore after a scoring model change (src/scoring/rescore.ts): one row
 * per organisation, replaced by each change (a new `run_id`, which supersedes the pages of the
 * one before). Each page moves `cursor` (the last candidate id rescored) and `done` in the same
 * guarded batch as its scores: `version` works like the score rows' (0018's trigger aborts a
 * batch that read an older row), so a page delivered twice, or one of a superseded run, writes
 * nothing.
 */
export const rescoreRuns = sqliteTable(
  'rescore_runs',
  {
    orgId: text('org_id')
      .primaryKey()
      .references(() => organisations.id),
    runId: text('run_id').notNull(),
    state: text('state', { enum: RESCORE_STATES }).notNull(),
    /** The external id of the last candidate rescored ('' before the first page). */
    cursor: text('cursor').notNull().default(''),
    done: integer('done').notNull().default(0),
    /** Candidates with a score row when the run started: an estimate (new ones may join). */
    total: integer('total').notNull().default(0),
    /** How many times the cron queued a stalled run's page again. */
    resumes: integer('resumes').notNull().default(0),
    startedAt: integer('started_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    finishedAt: integer('finished_at'),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('rescore_runs_state').on(t.state, t.updatedAt)],
);

// The directory (issue 20; src/shards): what must be found before the organisation is known, and
// where each organisation's data lives. Every database has these tables (one set of migrations
// for all), but only the directory (binding `DB`) fills them; with one database configured the
// directory and the only shard are the same database. Rows are routing hints: the shard's own
// rows decide (a key revoked, a session ended), so a stale hint can only end in a 401 or 404.

export const SHARD_ORG_STATES = ['active', 'moving'] as const;

/**
 * Each organisation's shard (a D1 binding named in `SHARDS`). `moving` while `endpoints/ops/move.ts`
 * copies it: its requests answer 503 with Retry-After and its queue jobs wait, so nothing is
 * written on either shard until the entry names the new one. An organisation without an entry
 * (created by SQL, e.g. the dev seed) lives on the first shard.
 */
export const dirOrgs = sqliteTable(
  'dir_orgs',
  {
    orgId: text('org_id').primaryKey(),
    shard: text('shard').notNull(),
    state: text('state', { enum: SHARD_ORG_STATES }).notNull().default('active'),
    /** While `moving`: the shard it is being copied to (a move cut short is cleaned up there). */
    movingTo: text('moving_to'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('dir_orgs_shard').on(t.shard)],
);

/** Each shard's size as last measured (D1's `size_after`): where a new organisation goes. */
export const dirShards = sqliteTable('dir_shards', {
  name: text('name').primaryKey(),
  sizeBytes: integer('size_bytes').notNull(),
  measuredAt: integer('measured_at').notNull(),
});

/** A site's public key (`pk_…`, in career sites' pages): its organisation. */
export const dirSiteKeys = sqliteTable('dir_site_keys', {
  publicKey: text('public_key').primaryKey(),
  orgId: text('org_id').notNull(),
});

/** An API key's SHA-256: its organisation. */
export const dirApiKeys = sqliteTable('dir_api_keys', {
  keyHash: text('key_hash').primaryKey(),
  orgId: text('org_id').notNull(),
});

/** A console session token's SHA-256: its organisation; swept 12 hours after sign-in. */
export const dirSessions = sqliteTable(
  'dir_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    orgId: text('org_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('dir_sessions_created').on(t.createdAt)],
);

/**
 * During a move, on the new shard: each copied engagement's rowid on the old shard and the new,
 * so `scores.scored_through` (a rowid watermark) is carried over; deleted when the move ends.
 */
export const moveRowids = sqliteTable(
  'move_rowids',
  {
    orgId: text('org_id').notNull(),
    oldRowid: integer('old_rowid').notNull(),
    newRowid: integer('new_rowid').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.oldRowid] })],
);

/**
 * A sender number (E.164: an SMS sender, a WhatsApp sender, a person's own) and the organisation
 * that claimed it: a number belongs to one organisation, across shards (orgs/sender-numbers.ts).
 * Claimed before the shard's write; a claim whose organisation no longer holds the number on its
 * shard (and older than a minute) is taken over by the next organisation that asks.
 */
export const dirSenderNumbers = sqliteTable('dir_sender_numbers', {
  number: text('number').primaryKey(),
  orgId: text('org_id').notNull(),
  claimedAt: integer('claimed_at').notNull(),
});
