// The candidate list's view as the URL keeps it: the filters and sort of `GET /v1/audiences`,
// under the API's own parameter names, so a shared link reproduces the view and the export of
// that view is the same query. Values are passed on unchecked: the API checks them and the page
// shows its refusal in words.
import type { Tier } from '@cxm/scoring';
import type { AudienceExportQuery } from '../client/index.js';

export interface ListView {
  tiers: string[];
  tags: string;
  tagMatch: string;
  lastEngagedAfter: string;
  lastEngagedBefore: string;
  lastContactedAfter: string;
  lastContactedBefore: string;
  sort: string;
}

const TEXT_FIELDS = [
  'tags',
  'tagMatch',
  'lastEngagedAfter',
  'lastEngagedBefore',
  'lastContactedAfter',
  'lastContactedBefore',
  'sort',
] as const;

/** The view in a request's query (`tier` repeatable, blanks as none). */
export function viewOf(query: (name: string) => string | undefined, tiers: string[]): ListView {
  const view = { tiers: tiers.filter(Boolean) } as ListView;
  for (const name of TEXT_FIELDS) view[name] = query(name)?.trim() ?? '';
  return view;
}

/** The view as the API's query: blanks left out, the rest as typed. */
export function apiQuery(view: ListView): AudienceExportQuery {
  const tags = view.tags
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  const query: AudienceExportQuery = {};
  if (view.tiers.length > 0) query.tier = view.tiers as Tier[];
  if (tags.length > 0) query.tags = tags;
  if (view.tagMatch) query.tagMatch = view.tagMatch as 'all' | 'any';
  if (view.lastEngagedAfter) query.lastEngagedAfter = view.lastEngagedAfter;
  if (view.lastEngagedBefore) query.lastEngagedBefore = view.lastEngagedBefore;
  if (view.lastContactedAfter) query.lastContactedAfter = view.lastContactedAfter;
  if (view.lastContactedBefore) query.lastContactedBefore = view.lastContactedBefore;
  if (view.sort) query.sort = view.sort as 'score' | 'lastEngaged';
  return query;
}

/** The view as URL parameters (blanks left out), for links that keep it. */
export function viewParams(view: ListView): [string, string][] {
  const params: [string, string][] = view.tiers.map((tier) => ['tier', tier]);
  for (const name of TEXT_FIELDS) if (view[name]) params.push([name, view[name]]);
  return params;
}

/** `path` with the view and `extra` in its query string. */
export function viewHref(path: string, view: ListView, extra: [string, string][] = []): string {
  const text = new URLSearchParams([...viewParams(view), ...extra]).toString();
  return text ? `${path}?${text}` : path;
}
