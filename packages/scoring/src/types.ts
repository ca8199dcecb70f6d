// The vocabulary shared by every package: engagement types, tiers, the model and the results.

/**
 * Wire names of the engagement types, in a fixed order used for breakdowns and indexes. New types
 * are only ever appended: stored score states keep their per-type sums by position.
 */
export const ENGAGEMENT_TYPES = [
  'open_email',
  'click_email',
  'visit_landing_page',
  'submit_form',
  'register_event',
  'attend_event',
  'click_message',
] as const;
export type EngagementType = (typeof ENGAGEMENT_TYPES)[number];

/** Tiers from lowest to highest. */
export const TIERS = ['inactive', 'engaged', 'highly_engaged'] as const;
export type Tier = (typeof TIERS)[number];

/** A moment: a `Date`, an ISO 8601 string, or epoch milliseconds. */
export type TimeInput = Date | string | number;

export interface Engagement {
  type: EngagementType;
  /**
   * Email subject, page URL, form's landing page, event name, or a text message's link. Used to
   * collapse repeats.
   */
  detail?: string | undefined;
  occurredAt: TimeInput;
  /**
   * Set when the engagement was produced by a machine rather than a person, e.g. an email
   * open fetched by a mail privacy proxy. It then counts `model.machineFactor` of its weight.
   */
  machine?: boolean | undefined;
}

export interface ScoringModel {
  /** Points one engagement of each type is worth at the moment it happens. */
  weights: Record<EngagementType, number>;
  /** Days after which an engagement is worth half its points. */
  halfLifeDays: number;
  /** Minimum points (decayed to now) for each tier above `inactive`; strictly increasing. */
  thresholds: { engaged: number; highlyEngaged: number };
  /**
   * Guards against one behaviour dominating. Time is cut into fixed windows of `hours`
   * (aligned to the Unix epoch, so UTC days by default). Within one window, engagements of
   * the same type and detail count once, and at most `caps[type]` distinct details of a type
   * count. Where more happened, the latest ones count.
   */
  window: { hours: number; caps: Record<EngagementType, number> };
  /** Share of its weight a `machine` engagement counts, from 0 (ignored) to 1 (in full). */
  machineFactor: number;
  /**
   * Hysteresis for stored tiers: a candidate keeps a tier until its points fall this share
   * below that tier's threshold (0.1 = 10 % below). Rising is immediate. 0 disables it.
   */
  hysteresis: number;
}

export interface BreakdownEntry {
  type: EngagementType;
  /** This type's share of `points`, decayed to `asOf`. */
  points: number;
  /** Engagements of this type that counted (after the window guards). */
  count: number;
}

export interface ScoreResult {
  tier: Tier;
  /** Total points decayed to `asOf`. */
  points: number;
  /** The moment the score is for, as an ISO 8601 string. */
  asOf: string;
  /** One entry per engagement type, in `ENGAGEMENT_TYPES` order. */
  breakdown: BreakdownEntry[];
  /** When the latest engagement with a positive weight happened, or null. */
  lastEngagedAt: string | null;
}

export interface ModelError {
  /** Dotted path of the offending field, e.g. `weights.open_email`. */
  path: string;
  message: string;
}

export type ModelValidation = { ok: true } | { ok: false; errors: ModelError[] };
