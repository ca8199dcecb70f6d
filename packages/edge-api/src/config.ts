// Tunables of the ingestion path, with their defaults in one place. Per-organisation settings
// (dedupe windows, scoring model) live in the `organisations` row; these are the fallbacks and
// the hard limits of the API itself.
import { MAX_BEACON_BYTES, MAX_BEACON_EVENTS } from '@cxm/tracker/wire';

export const OPTIONS = {
  /** `POST /v1/collect`: body size and events per beacon (shared with the tracker). */
  maxBeaconBytes: MAX_BEACON_BYTES,
  maxBeaconEvents: MAX_BEACON_EVENTS,
  /** `POST /v1/engagements`: items per request and body size. */
  maxEngagementsPerRequest: 500,
  maxEngagementBytes: 512 * 1024,
  /** Reloads of the same page by the same visitor within this window count once. */
  visitWindowMinutes: 30,
  /** Repeated submits of the same form by the same visitor within this window count once. */
  formWindowMinutes: 5,
  /** Earliest accepted engagement time. */
  minOccurredAt: Date.UTC(2000, 0, 1),
  /**
   * How far in the future an engagement may claim to be (client clocks drift). Times between
   * now and this are stored as "now" so that no engagement scores more than full weight.
   */
  maxFutureSkewMs: 24 * 60 * 60 * 1000,
  /** Longest detail stored (URLs, subjects, event names). */
  maxDetailLength: 2048,
  /** Optimistic-lock retries of one write before giving up (contention on one candidate). */
  writeAttempts: 12,
  /**
   * Guarded score writes one settle tries before leaving the rest to the candidate's next write
   * or the cron (`src/scoring/settle.ts`). Concurrent settles need at most three reads each.
   */
  settleAttempts: 12,
  /**
   * Candidates one page of a rescore rebuilds (`src/scoring/rescore.ts`): one queue job and one
   * guarded D1 batch each, so a page stays well inside an invocation's limits at any size.
   */
  rescorePageSize: 500,
  /** D1 allows 100 bound parameters per statement; multi-row inserts are chunked below it. */
  maxBoundParameters: 100,
} as const;

export type Options = typeof OPTIONS;
