// A sender number belongs to one organisation: inbound texts find their organisation by the
// number they were sent to (endpoints/provider-webhooks/inbound.ts), so a number one organisation
// texts from (an SMS sender, its WhatsApp sender, a person's own) may not be another's. The rule
// is written once, for both writers that add sender numbers (the organisation's messaging
// settings and a user's own number): checked before the write to refuse in words, and repeated
// inside the write's statement so two organisations racing for one number cannot both get it.
// With shards (src/shards) the other organisation may be on another database: each number new to
// an organisation is also claimed in the directory (`dir_sender_numbers`, first come), and a
// claim another organisation holds refuses it, unless that organisation's shard says it no longer
// sends from the number (then the claim passes on).
import type { Bindings } from '../env.js';
import { routeOrg } from '../shards/route.js';
import { directoryDb, isSharded } from '../shards/shards.js';
import type { ErrorCode } from '../utils/errors.js';

/** SQL true when `number` is another organisation's than `org` (both SQL expressions). */
function numberElsewhere(org: string, number: string): string {
  return `(EXISTS (SELECT 1 FROM organisations o WHERE o.id != ${org} AND (o.whatsapp_sender = ${number}
      OR EXISTS (SELECT 1 FROM json_each(o.sender_numbers) AS c, json_each(c.value) AS n
                 WHERE n.value = ${number})))
    OR EXISTS (SELECT 1 FROM users u WHERE u.org_id != ${org} AND u.sender_phone = ${number}))`;
}

/**
 * SQL that is true when a number of the JSON array `numbers` is a sender number of an
 * organisation other than `org`, or the own number of one of its people (deactivated ones
 * included: they may be reactivated). Both arguments are SQL expressions, e.g. `?1`.
 */
export function heldElsewhere(org: string, numbers: string): string {
  return `EXISTS (SELECT 1 FROM json_each(${numbers}) AS mine WHERE ${numberElsewhere(org, 'mine.value')})`;
}

/**
 * The first of `numbers` (E.164) that another organisation sends from, or null: on the
 * organisation's own database (`env.DB`), then by the directory's claims (which it makes for
 * `orgId`).
 */
export async function takenNumber(
  env: Bindings,
  orgId: string,
  numbers: readonly string[],
): Promise<string | null> {
  if (numbers.length === 0) return null;
  return (await takenHere(env.DB, orgId, numbers)) ?? claimNumbers(env, orgId, numbers);
}

async function takenHere(
  db: D1Database,
  orgId: string,
  numbers: readonly string[],
): Promise<string | null> {
  const taken = await db
    .prepare(
      `SELECT mine.value AS number FROM json_each(?2) AS mine
       WHERE ${numberElsewhere('?1', 'mine.value')} ORDER BY mine.key LIMIT 1`,
    )
    .bind(orgId, JSON.stringify(numbers))
    .first<{ number: string }>();
  return taken?.number ?? null;
}

/** A claim younger than this is held even if its write has not landed on its shard yet. */
const CLAIM_SETTLE_MS = 60_000;

/** Whether `orgId` sends from `number`, on its own shard. */
async function holds(db: D1Database, orgId: string, number: string): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT 1 FROM organisations o WHERE o.id = ?1 AND (o.whatsapp_sender = ?2
         OR EXISTS (SELECT 1 FROM json_each(o.sender_numbers) AS c, json_each(c.value) AS n
                    WHERE n.value = ?2))
       UNION ALL SELECT 1 FROM users u WHERE u.org_id = ?1 AND u.sender_phone = ?2 LIMIT 1`,
    )
    .bind(orgId, number)
    .first();
  return row !== null;
}

/**
 * Claims `numbers` for `orgId` in the directory; the first one another organisation holds, or
 * null when all are this organisation's now. With one database the database's own check decided
 * already: the claims just follow it (so the directory is right when shards are added).
 */
export async function claimNumbers(
  env: Bindings,
  orgId: string,
  numbers: readonly string[],
  now = Date.now(),
): Promise<string | null> {
  const dir = directoryDb(env);
  const sharded = isSharded(env);
  await dir.batch(
    numbers.map((number) =>
      dir
        .prepare(
          `INSERT INTO dir_sender_numbers (number, org_id, claimed_at) VALUES (?1, ?2, ?3)
           ON CONFLICT (number) DO ${sharded ? 'NOTHING' : 'UPDATE SET org_id = ?2, claimed_at = ?3'}`,
        )
        .bind(number, orgId, now),
    ),
  );
  if (!sharded) return null;
  const { results } = await dir
    .prepare(
      `SELECT number, org_id, claimed_at FROM dir_sender_numbers
       WHERE number IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(numbers))
    .all<{ number: string; org_id: string; claimed_at: number }>();
  for (const claim of results) {
    if (!(await claimed(env, orgId, claim, now))) return claim.number;
  }
  return null;
}

/**
 * Whether `orgId` holds `claim` now: its own claim, renewed (so no other organisation can pass it
 * on while this write lands), or another's that passes on because that organisation's shard no
 * longer sends from the number. Each step is conditional on the claim as read: a claim changed in
 * between is not this organisation's.
 */
async function claimed(
  env: Bindings,
  orgId: string,
  claim: { number: string; org_id: string; claimed_at: number },
  now: number,
): Promise<boolean> {
  const dir = directoryDb(env);
  const take = (from: string) =>
    dir
      .prepare(
        `UPDATE dir_sender_numbers SET org_id = ?2, claimed_at = ?5
         WHERE number = ?1 AND org_id = ?3 AND claimed_at = ?4`,
      )
      .bind(claim.number, orgId, from, claim.claimed_at, Math.max(now, claim.claimed_at + 1))
      .run();
  if (claim.org_id === orgId) return ((await take(orgId)).meta.changes ?? 0) === 1;
  if (now - claim.claimed_at < CLAIM_SETTLE_MS) return false;
  const holder = await routeOrg(env, claim.org_id);
  if (holder.kind === 'moving' || (await holds(holder.env.DB, claim.org_id, claim.number))) {
    return false;
  }
  return ((await take(claim.org_id)).meta.changes ?? 0) === 1;
}

export function takenRefusal(number: string): { code: ErrorCode; message: string } {
  return {
    code: 'sender_number_taken',
    message: `${number} is already a sender number elsewhere; a sender number belongs to one organisation.`,
  };
}
