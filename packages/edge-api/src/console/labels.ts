// How the console names things: tiers, engagement types, roles, dates.
import type { EngagementType, Tier } from '@cxm/scoring';

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
};

/** Okabe-Ito colours: tell-apart-able for the common colour-vision deficiencies. */
export const TYPE_COLOURS: Record<EngagementType, string> = {
  open_email: '#56B4E9',
  click_email: '#0072B2',
  visit_landing_page: '#E69F00',
  submit_form: '#D55E00',
  register_event: '#CC79A7',
  attend_event: '#009E73',
};

export const TIER_COLOURS: Record<Tier, string> = {
  inactive: '#6b7280',
  engaged: '#1f5fbf',
  highly_engaged: '#1e7a46',
};

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
