// A month of the organisation's contacts: the count the send rule compares with the allowance
// (rows of `contact_usage` with the month's label, as `messages/load-send.ts` counts them) and a
// page of the contacts themselves, newest first. The month is the organisation's calendar month
// (`periodOf`), so its start and renewal are local midnights, daylight saving included.
import { periodOf } from '../../messaging/rules/index.js';
import { zonedEpoch } from '../../messaging/rules/zoned-time.js';
import type { CursorCodec } from '../../utils/cursor.js';
import type { Issue } from '../../utils/errors.js';
import { PERIOD } from './schema.js';

/** Where the next page starts: after the contact used at `t` by message `m`. */
export interface UsageCursor {
  t: number;
  m: string;
}

export function isUsageCursor(value: unknown): value is UsageCursor {
  const v = value as UsageCursor | null;
  return typeof v?.t === 'number' && typeof v.m === 'string';
}

interface ContactRow {
  candidateId: string;
  usedAt: number;
  messageId: string;
}

/** The month labelled `label` on `zone`'s calendar (any instant inside it finds it). */
function periodLabelled(label: string, zone: string) {
  const [, year, month] = PERIOD.exec(label) ?? [];
  return periodOf(zonedEpoch({ year: Number(year), month: Number(month), day: 15 }, zone), zone);
}

export async function readUsage(
  db: D1Database,
  input: {
    orgId: string;
    period: string | undefined;
    cursor: UsageCursor | null;
    /** Seals `nextCursor`. */
    cursors: CursorCodec;
    limit: number;
    now: number;
  },
) {
  const org = await db
    .prepare('SELECT time_zone, monthly_contact_allowance FROM organisations WHERE id = ?1')
    .bind(input.orgId)
    .first<{ time_zone: string; monthly_contact_allowance: number }>();
  if (!org) throw new Error(`organisation ${input.orgId} has no row`);
  const zone = org.time_zone;
  const current = periodOf(input.now, zone);
  // Labels compare as months do: YYYY-MM.
  if (input.period !== undefined && input.period > current.label) {
    const issue: Issue = {
      path: 'period',
      code: 'invalid',
      message: `must not be after the current month (${current.label} in ${zone})`,
    };
    return { ok: false as const, issue };
  }
  const period = input.period === undefined ? current : periodLabelled(input.period, zone);
  const { cursor } = input;
  const [counted, page] = await db.batch<Record<string, unknown>>([
    db
      .prepare('SELECT count(*) AS used FROM contact_usage WHERE org_id = ?1 AND period = ?2')
      .bind(input.orgId, period.label),
    db
      .prepare(
        `SELECT c.external_id AS candidateId, u.used_at AS usedAt, u.message_id AS messageId
         FROM contact_usage u JOIN candidates c ON c.id = u.candidate_id AND c.org_id = u.org_id
         WHERE u.org_id = ?1 AND u.period = ?2
           AND (?3 IS NULL OR u.used_at < ?3 OR (u.used_at = ?3 AND u.message_id < ?4))
         ORDER BY u.used_at DESC, u.message_id DESC
         LIMIT ?5`,
      )
      .bind(input.orgId, period.label, cursor?.t ?? null, cursor?.m ?? '', input.limit + 1),
  ]);
  const used = Number((counted?.results[0] as { used: number } | undefined)?.used ?? 0);
  const rows = (page?.results ?? []) as unknown as ContactRow[];
  const shown = rows.slice(0, input.limit);
  const last = shown.at(-1);
  const allowance = org.monthly_contact_allowance;
  return {
    ok: true as const,
    usage: {
      period: period.label,
      periodStart: new Date(period.start).toISOString(),
      renewsAt: new Date(period.end).toISOString(),
      timeZone: zone,
      allowance,
      used,
      remaining: Math.max(0, allowance - used),
      contacts: shown.map((row) => ({
        candidateId: row.candidateId,
        usedAt: new Date(row.usedAt).toISOString(),
        messageId: row.messageId,
      })),
      nextCursor:
        rows.length > input.limit && last
          ? input.cursors.encode({ t: last.usedAt, m: last.messageId })
          : null,
    },
  };
}
