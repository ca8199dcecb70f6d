// Tracked links in text messages. A send with a `url` gets one link of its own: an opaque random
// code (`/v1/m/{code}`) stored on the message with its destination, short enough for an SMS
// (a link token would be ~200 characters). Following it
// records a `click_message` engagement for the candidate, counts a person's click on the message,
// and redirects only to the destination stored with it, so the redirect is never open.

import { appendClickIdentity } from '../../auth/click-identity.js';
import type { Db } from '../../db/client.js';
import { loadOrg, siteOrigins } from '../../orgs/context.js';
import { orgSettings } from '../../orgs/sites.js';
import { isBotUserAgent } from '../../utils/bots.js';
import { writeEngagements } from '../engagements/write-engagements.js';

/** Where a body says the link goes; without it the link is appended after the text. */
export const LINK_PLACEHOLDER = '{link}';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Messaging apps fetch a link as the message arrives to draw its preview (iMessage announces
 * itself as facebookexternalhit and Twitterbot, WhatsApp and Telegram by name, Android Messages
 * through Google's renderer). Such fetches are stored as `machine` and do not count as clicks.
 */
const PREVIEW_PATTERN = /WhatsApp\/|TelegramBot|Twitterbot|SkypeUriPreview|Google-PageRenderer/i;
/** A click this soon after the message went is a preview, not a person reading it. */
export const PREVIEW_WINDOW_MS = 5_000;

export function isMachineMessageClick(userAgent: string | undefined, msSinceSend: number): boolean {
  return (
    isBotUserAgent(userAgent) ||
    PREVIEW_PATTERN.test(userAgent ?? '') ||
    msSinceSend < PREVIEW_WINDOW_MS
  );
}

/** 96 random bits as 16 base64url characters: unguessable, and short in a text. */
export function newLinkCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_');
}

/** The tracked URL the candidate receives. */
export function messageLinkUrl(base: string, code: string): string {
  return `${base}/v1/m/${code}`;
}

/** The text with the tracked link where `{link}` stands, or after it when it does not. */
export function bodyWithLink(body: string, link: string): string {
  return body.includes(LINK_PLACEHOLDER)
    ? body.replaceAll(LINK_PLACEHOLDER, link)
    : `${body.trimEnd()} ${link}`;
}

interface LinkedMessage {
  id: string;
  org_id: string;
  external_id: string;
  link_url: string;
  created_at: number;
  updated_at: number;
  status: string;
}

export interface FollowedLink {
  target: URL;
  machine: boolean;
}

/**
 * The organisation whose text has this link code, and where the link leads, on this shard; null
 * when no text here has it. (Where it leads is read alone while its organisation moves.)
 */
export async function linkedText(
  d1: D1Database,
  code: string,
): Promise<{ orgId: string; target: string } | null> {
  const row = await d1
    .prepare('SELECT org_id, link_url FROM messages WHERE link_id = ?1 AND link_url IS NOT NULL')
    .bind(code)
    .first<{ org_id: string; link_url: string }>();
  return row ? { orgId: row.org_id, target: row.link_url } : null;
}

/**
 * Follows a message link: null when no message has this code (never sent, or purged). Records
 * the click under the organisation's scoring model: repeats within the hour, per message and
 * machine-or-person, are one engagement; every click by a person counts on the message.
 */
export async function followMessageLink(
  db: Db,
  d1: D1Database,
  input: { code: string; userAgent: string | undefined; now: number },
): Promise<(FollowedLink & { orgId: string; candidateId: string }) | null> {
  const row = await d1
    .prepare(
      `SELECT m.id, m.org_id, c.external_id, m.link_url, m.created_at, m.updated_at, m.status
       FROM messages m JOIN candidates c ON c.id = m.candidate_id
       WHERE m.link_id = ?1 AND m.link_url IS NOT NULL`,
    )
    .bind(input.code)
    .first<LinkedMessage>();
  if (!row) return null;
  const { now } = input;
  // The text went when it left `sending`; until then any fetch of its link is not a reader.
  const sentAt = row.status === 'queued' || row.status === 'scheduled' ? now : row.updated_at;
  const machine = isMachineMessageClick(input.userAgent, now - Math.min(sentAt, now));
  const { scoringModel } = await orgSettings(db, row.org_id);
  await writeEngagements(db, {
    orgId: row.org_id,
    scoringModel,
    receivedAt: now,
    items: [
      {
        id: `${row.id}:click`,
        eventKey: `mlk:${row.id}:${machine ? 'm' : 'p'}:${Math.floor(now / HOUR_MS)}`,
        source: 'message_link',
        candidateId: row.external_id,
        type: 'click_message',
        detail: row.link_url,
        occurredAt: now,
        machine,
      },
    ],
  });
  if (!machine) {
    await d1.prepare('UPDATE messages SET clicks = clicks + 1 WHERE id = ?1').bind(row.id).run();
  }
  return {
    target: new URL(row.link_url),
    machine,
    orgId: row.org_id,
    candidateId: row.external_id,
  };
}

/**
 * Appends an identity code (`cxm_t`, auth/click-identity.ts) when the destination is one of the
 * organisation's own sites (its tracker links the phone's browser to the candidate); never for
 * link-allowlist (third-party) origins, where it is of no use and none of their business.
 */
export async function appendIdentityForSites(
  db: Db,
  secret: string,
  input: { orgId: string; candidateId: string; now: number },
  target: URL,
): Promise<void> {
  const org = await loadOrg(db, input.orgId);
  if (org && siteOrigins(org).has(target.origin)) await appendClickIdentity(secret, input, target);
}
