// How the console names things: tiers, engagement types, attributions, roles, dates.
import type { EngagementType, Tier } from '@cxm/scoring';
import type { Engagements } from '../client/index.js';

export const TIER_LABELS: Record<Tier, string> = {
  inactive: 'Inactive',
  engaged: 'Engaged',
  highly_engaged: 'Highly Engaged',
};

export const TYPE_LABELS: Record<EngagementType, string> = {
  open_email: 'Email opened',
  click_email: 'Email link clicked',
  visit_landing_page: 'Career-site visit',
  submit_form: 'Form submitted',
  register_event: 'Event registration',
  attend_event: 'Event attended',
  click_message: 'Text link clicked',
};

/** Okabe-Ito colours: tell-apart-able for the common colour-vision deficiencies. */
export const TYPE_COLOURS: Record<EngagementType, string> = {
  open_email: '#56B4E9',
  click_email: '#0072B2',
  visit_landing_page: '#E69F00',
  submit_form: '#D55E00',
  register_event: '#CC79A7',
  attend_event: '#009E73',
  click_message: '#000000',
};

export const TIER_COLOURS: Record<Tier, string> = {
  inactive: '#6b7280',
  engaged: '#1f5fbf',
  highly_engaged: '#1e7a46',
};

/** How an engagement came to be the candidate's, as the API says it (null: not recorded). */
export type Attribution = Engagements['engagements'][number]['attribution'];

export interface AttributionText {
  /** The words in the Engagement tab's row. */
  label: string;
  /** What it means, for the legend and the row's tooltip. */
  meaning: string;
  /** How much a recruiter can rely on it. */
  trust: string;
}

/** In the order the legend lists them: the surest first. */
export const ATTRIBUTION_TEXTS: Record<NonNullable<Attribution> | 'none', AttributionText> = {
  api: {
    label: 'Sent by your ATS',
    meaning:
      'Sent by one of your systems (ATS, CRM, events tool) through the API, naming this candidate.',
    trust: 'As sure as that system’s records.',
  },
  email_link: {
    label: 'Tracked email link',
    meaning: 'An open or a click of a tracked email sent to this candidate.',
    trust:
      'Sure it was their email. Opens marked (machine) come from a mail privacy proxy or a link scanner, not necessarily from them.',
  },
  message_link: {
    label: 'Tracked link in a text',
    meaning: 'A click of the tracked link in a text message sent to this candidate.',
    trust:
      'Sure it was their phone’s message. Clicks marked (machine) are link previews fetched by a messaging app, not necessarily them.',
  },
  identity_token: {
    label: 'Identity link in an email',
    meaning:
      'The career-site page was opened through a personal link made for this candidate: a click in a tracked email, or a link from your candidate portal.',
    trust: 'Strong. Only a forwarded email would credit someone else.',
  },
  visitor: {
    label: 'This browser (linked earlier)',
    meaning:
      'A career-site visit or form from a browser already linked to this candidate, when they applied, signed up or followed an identity link before.',
    trust:
      'Good: as sure as that earlier link. Someone else using the same browser would count here too.',
  },
  link: {
    label: 'Earlier visit, linked later',
    meaning:
      'Visited before we knew who it was; counted for this candidate once this browser was linked to them, when they applied or signed up on your site (or later followed an identity link).',
    trust:
      'Good: as sure as that link. Visits by someone else on the same browser before then would be included too.',
  },
  fingerprint: {
    label: 'Recognised by device fingerprint',
    meaning:
      'A visit from a browser that was never linked itself, on a device where only this candidate had been identified: most likely them after clearing their cookies. Moved to whoever that browser turns out to be when it is linked.',
    trust:
      'Weak: every browser of one kind on one device (a shared or family computer, identical company laptops) has the same fingerprint. Once a second person shows up on the device it is no longer used.',
  },
  none: {
    label: 'Not recorded',
    meaning: 'Stored before we recorded how engagements are attributed.',
    trust: 'Unknown.',
  },
};

export function attributionText(attribution: Attribution): AttributionText {
  return ATTRIBUTION_TEXTS[attribution ?? 'none'] ?? ATTRIBUTION_TEXTS.none;
}

export function tierLabel(tier: string): string {
  return TIER_LABELS[tier as Tier] ?? tier;
}

export function typeLabel(type: string): string {
  return TYPE_LABELS[type as EngagementType] ?? type;
}

/** `2026-11-20 15:04 UTC`: the console shows times in UTC, like the API. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatPoints(points: number): string {
  return points.toFixed(points >= 100 ? 0 : 1);
}
