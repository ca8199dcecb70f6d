// The one path the open pixel and the click redirect share: verify the token, find its link,
// record the engagement (machine or person), and hand back what the reply needs.
import type { Context } from 'hono';
import { type TokenPayload, verifyToken } from '../../auth/tokens.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { routeOrgWaiting } from '../../shards/route.js';
import { deliverAfterResponse } from '../../webhooks/after-response.js';
import { findLink, type LinkKind, recordLinkEvent, type TrackedHit } from './tracked-links.js';

/**
 * Follows a link token of `kind`. A forged, malformed or wrong-kind token is a bad link (null:
 * answer 404), and so is one `read` cannot take its reply from (null). An expired token, or one
 * whose link is gone (a purge deletes it), still gets its reply, untracked (`tracked` null): the
 * reader lands where the email promised.
 */
export async function followLink<Reply>(
  c: Context<AppEnv>,
  link: { kind: LinkKind; token: string; read: (payload: TokenPayload) => Reply | null },
): Promise<{ reply: Reply; tracked: TrackedHit | null } | null> {
  const now = Date.now();
  const verified = await verifyToken(c.env.TOKEN_SECRET, link.token, { kind: link.kind, now });
  if (!verified.ok && verified.reason !== 'expired') return null;
  const reply = link.read(verified.payload);
  if (reply === null) return null;
  if (!verified.ok) return { reply, tracked: null };
  const { payload } = verified;
  // Nobody sends a click again: while the organisation moves, wait for the move (seconds); past
  // the wait the reader still lands, from the shard being copied, and the event is not stored.
  const route = await routeOrgWaiting(c.env, payload.o);
  c.env = route.env;
  const db = database(c.env.DB);
  const row = await findLink(db, payload);
  if (!row) return { reply, tracked: null };
  if (route.kind === 'moving') {
    console.warn(`link ${link.kind} of ${payload.o} not stored: the organisation is moving`);
    return { reply, tracked: { db, payload, now } };
  }
  await recordLinkEvent(db, {
    kind: link.kind,
    payload,
    link: row,
    userAgent: c.req.header('user-agent'),
    now,
  });
  deliverAfterResponse(c, payload.o);
  return { reply, tracked: { db, payload, now } };
}
