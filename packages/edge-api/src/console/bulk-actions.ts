// What a bulk action on the candidate list does, through the API as the signed-in person: which
// candidates it acts on (the ticked rows, or every match of the view read page by page), then
// tags set or taken off (`POST /v1/tag-changes`, 500 at a time), a campaign's tags set so the
// candidates match its filters, or one text each (`POST /v1/messages`, every rule of a single
// text applying to each). Refusals the console can see before calling the API are said here in
// plain words; everything else is the API's own answer.
import type { ApiError, Campaign, Client, SentMessage } from '../client/index.js';
import { settle } from './api.js';
import { apiQuery, type ListView } from './candidate-list-view.js';

export const BULK_LIMITS = {
  /** Candidates one tagging or campaign action takes: ten pages of the API's largest. */
  tags: 5000,
  /** Candidates texted at once from the list: beyond that is a campaign's job. */
  messages: 100,
} as const;

/** Ids per `POST /v1/tag-changes`. */
const TAG_CHUNK = 500;
/** Texts sent at once: each is a D1 batch and a queue send; a few in flight, not a hundred. */
const SEND_CONCURRENCY = 5;

export interface BulkForm {
  action: string;
  scope: 'ticked' | 'all';
  ids: string[];
  tags: string[];
  campaignId: string;
  message: string;
}

export type MessageResult =
  | { candidateId: string; ok: true; status: SentMessage['status'] }
  | { candidateId: string; ok: false; problem: ApiError };

export type BulkOutcome =
  | {
      kind: 'tags';
      add: string[];
      remove: string[];
      candidates: number;
      added: number;
      removed: number;
      campaign: Campaign | null;
    }
  | { kind: 'messages'; results: MessageResult[] }
  | { kind: 'refused'; message: string }
  | {
      kind: 'problem';
      problem: ApiError;
      /** Candidates already changed by earlier parts (500 a request) before the refusal. */
      done: number;
    };

function refused(message: string): BulkOutcome {
  return { kind: 'refused', message };
}

/** The ids acted on, or why none: ticked rows as posted, or every match up to `limit`. */
async function targets(
  client: Client,
  view: ListView,
  form: BulkForm,
  limit: number,
): Promise<string[] | BulkOutcome> {
  if (form.scope === 'ticked') {
    const ids = [...new Set(form.ids)];
    if (ids.length === 0) {
      return refused('No rows were ticked. Tick the candidates to act on, or choose all matches.');
    }
    if (ids.length > limit) return refused(`At most ${limit} at once; ${ids.length} were ticked.`);
    return ids;
  }
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await settle(
      client.audience({ ...apiQuery(view), limit: 500, ...(cursor ? { cursor } : {}) }),
    );
    if (!page.ok) return { kind: 'problem', problem: page.problem, done: 0 };
    if (page.data.total > limit) {
      return refused(
        `${page.data.total} candidates match; this action takes at most ${limit} at once. ` +
          'Narrow the filters, or tick rows.',
      );
    }
    ids.push(...page.data.candidates.map((candidate) => candidate.candidateId));
    cursor = page.data.nextCursor ?? undefined;
  } while (cursor);
  if (ids.length === 0) return refused('No candidates match these filters.');
  return ids;
}

async function changeTags(
  client: Client,
  ids: string[],
  change: { add: string[]; remove: string[]; campaign: Campaign | null },
): Promise<BulkOutcome> {
  let added = 0;
  let removed = 0;
  for (let i = 0; i < ids.length; i += TAG_CHUNK) {
    const reply = await settle(
      client.changeTags({
        candidateIds: ids.slice(i, i + TAG_CHUNK),
        ...(change.add.length ? { add: change.add } : {}),
        ...(change.remove.length ? { remove: change.remove } : {}),
      }),
    );
    if (!reply.ok) return { kind: 'problem', problem: reply.problem, done: i };
    added += reply.data.added;
    removed += reply.data.removed;
  }
  return { kind: 'tags', ...change, candidates: ids.length, added, removed };
}

async function textEach(client: Client, ids: string[], body: string): Promise<BulkOutcome> {
  const results: MessageResult[] = [];
  for (let i = 0; i < ids.length; i += SEND_CONCURRENCY) {
    const part = ids.slice(i, i + SEND_CONCURRENCY);
    const replies = await Promise.all(
      part.map((candidateId) => settle(client.sendMessage({ candidateId, channel: 'sms', body }))),
    );
    replies.forEach((reply, n) => {
      const candidateId = part[n] as string;
      results.push(
        reply.ok
          ? { candidateId, ok: true, status: reply.data.status }
          : { candidateId, ok: false, problem: reply.problem },
      );
    });
  }
  return { kind: 'messages', results };
}

async function joinCampaign(client: Client, ids: string[], campaignId: string) {
  if (!campaignId) return refused('Choose the campaign to add them to.');
  const found = await settle(client.campaign(campaignId));
  if (!found.ok) return { kind: 'problem', problem: found.problem, done: 0 } as const;
  const campaign = found.data;
  if (campaign.state === 'archived') return refused(`${campaign.name} is archived.`);
  if (campaign.tags.length === 0) {
    return refused(
      `${campaign.name} selects by last contacted only, not by tags: everyone in its timeframe ` +
        'is already in it.',
    );
  }
  // Every tag of the campaign: that matches "all of" and "any of" alike.
  return changeTags(client, ids, { add: campaign.tags, remove: [], campaign });
}

/** Runs the form's action; refusals before any call change nothing. */
export async function runBulkAction(
  client: Client,
  view: ListView,
  form: BulkForm,
): Promise<BulkOutcome> {
  const { action } = form;
  if (action === 'add-tags' || action === 'remove-tags') {
    if (form.tags.length === 0) return refused('Type the tags, separated by commas.');
    const ids = await targets(client, view, form, BULK_LIMITS.tags);
    if (!Array.isArray(ids)) return ids;
    return action === 'add-tags'
      ? changeTags(client, ids, { add: form.tags, remove: [], campaign: null })
      : changeTags(client, ids, { add: [], remove: form.tags, campaign: null });
  }
  if (action === 'campaign') {
    const ids = await targets(client, view, form, BULK_LIMITS.tags);
    if (!Array.isArray(ids)) return ids;
    return joinCampaign(client, ids, form.campaignId);
  }
  if (action === 'message') {
    const body = form.message.trim();
    if (!body) return refused('Type the text to send.');
    const ids = await targets(client, view, form, BULK_LIMITS.messages);
    if (!Array.isArray(ids)) return ids;
    return textEach(client, ids, body);
  }
  return refused('Choose an action: add tags, remove tags, add to a campaign or text them.');
}
