// Reading and changing the organisation's messaging settings. A change is one D1 batch: the
// update, guarded by the values it was decided from and by the rule that a sender number belongs
// to one organisation, then its audit entry, written only if the update changed the row. A write
// that lost a race changes nothing and is decided again from fresh reads; a change to nothing
// writes nothing, not even an audit entry.
import { auditAfterChange } from '../../db/audit.js';
import { WriteContention } from '../../db/retry.js';
import type { ApiCaller, Bindings } from '../../env.js';
import { heldElsewhere, takenNumber, takenRefusal } from '../../orgs/sender-numbers.js';
import type { ErrorCode } from '../../utils/errors.js';
import { parseSenders } from '../messages/load-send.js';
import type { MessagingSettings, MessagingSettingsBody } from './schema.js';

const ATTEMPTS = 4;

interface OrgRow {
  monthly_contact_allowance: number;
  time_zone: string;
  quiet_start_hour: number;
  quiet_end_hour: number;
  sender_numbers: string;
  whatsapp_sender: string | null;
}

const COLUMNS =
  'monthly_contact_allowance, time_zone, quiet_start_hour, quiet_end_hour, sender_numbers, whatsapp_sender';

async function readRow(db: D1Database, orgId: string): Promise<OrgRow | null> {
  return db.prepare(`SELECT ${COLUMNS} FROM organisations WHERE id = ?1`).bind(orgId).first();
}

/**
 * The settings as the API shows them. Storage keeps a list of numbers per country in order of
 * preference and sending uses the first; the API edits that one (this API writes no other).
 */
function settingsOf(row: OrgRow): MessagingSettings {
  const senderNumbers: Record<string, string> = {};
  for (const [country, numbers] of Object.entries(parseSenders(row.sender_numbers)).sort()) {
    if (numbers[0]) senderNumbers[country] = numbers[0];
  }
  return {
    monthlyContactAllowance: row.monthly_contact_allowance,
    timeZone: row.time_zone,
    sendHours: { start: row.quiet_start_hour, end: row.quiet_end_hour },
    senderNumbers,
    whatsappSender: row.whatsapp_sender,
  };
}

export async function readMessagingSettings(db: D1Database, orgId: string) {
  const row = await readRow(db, orgId);
  return row ? settingsOf(row) : null;
}

type Field = keyof MessagingSettings;

/** Comparable text of a value: sender numbers in country order, whatever order they came in. */
function canonical(field: Field, value: unknown): string {
  if (field !== 'senderNumbers') return JSON.stringify(value);
  return JSON.stringify(Object.entries(value as Record<string, string>).sort());
}

/** What changes, `{ field: [from, to] }`: the audit entry's details, and empty for a no-op. */
function diff(before: MessagingSettings, after: MessagingSettings) {
  const out: Partial<Record<Field, [unknown, unknown]>> = {};
  for (const field of Object.keys(before) as Field[]) {
    if (canonical(field, before[field]) !== canonical(field, after[field])) {
      out[field] = [before[field], after[field]];
    }
  }
  return out;
}

/** Every number the organisation sends from now: the stored lists whole, and WhatsApp's. */
function numbersOf(row: OrgRow): Set<string> {
  const numbers = Object.values(parseSenders(row.sender_numbers)).flat();
  if (row.whatsapp_sender) numbers.push(row.whatsapp_sender);
  return new Set(numbers);
}

/** The row to write: sender numbers are written only when they change (so a list stays whole). */
function nextRow(row: OrgRow, after: MessagingSettings, changes: Partial<Record<Field, unknown>>) {
  return {
    monthly_contact_allowance: after.monthlyContactAllowance,
    time_zone: after.timeZone,
    quiet_start_hour: after.sendHours.start,
    quiet_end_hour: after.sendHours.end,
    sender_numbers:
      'senderNumbers' in changes
        ? JSON.stringify(
            Object.fromEntries(
              Object.entries(after.senderNumbers)
                .sort()
                .map(([country, number]) => [country, [number]]),
            ),
          )
        : row.sender_numbers,
    whatsapp_sender: after.whatsappSender,
  } satisfies OrgRow;
}

export type WriteResult =
  | { ok: true; settings: MessagingSettings }
  | { ok: false; refusal: { code: ErrorCode; message: string } };

export async function updateMessagingSettings(
  env: Bindings,
  caller: ApiCaller,
  body: MessagingSettingsBody,
  now: number,
): Promise<WriteResult> {
  const db = env.DB;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await readRow(db, caller.orgId);
    if (!row) throw new Error(`organisation ${caller.orgId} has no row`);
    const before = settingsOf(row);
    const after: MessagingSettings = { ...before, ...body };
    const changes = diff(before, after);
    if (Object.keys(changes).length === 0) return { ok: true, settings: before };
    const next = nextRow(row, after, changes);
    // Only numbers new to the organisation are checked: one it already sends from stays its own.
    const held = numbersOf(row);
    const added = [...numbersOf(next)].filter((number) => !held.has(number));
    const taken = await takenNumber(env, caller.orgId, added);
    if (taken) return { ok: false, refusal: takenRefusal(taken) };
    const [updated] = await db.batch<OrgRow>([
      db
        .prepare(
          `UPDATE organisations SET monthly_contact_allowance = ?2, time_zone = ?3,
             quiet_start_hour = ?4, quiet_end_hour = ?5, sender_numbers = ?6, whatsapp_sender = ?7
           WHERE id = ?1 AND monthly_contact_allowance = ?8 AND time_zone = ?9
             AND quiet_start_hour = ?10 AND quiet_end_hour = ?11 AND sender_numbers = ?12
             AND whatsapp_sender IS ?13 AND NOT ${heldElsewhere('?1', '?14')}
           RETURNING ${COLUMNS}`,
        )
        .bind(
          caller.orgId,
          next.monthly_contact_allowance,
          next.time_zone,
          next.quiet_start_hour,
          next.quiet_end_hour,
          next.sender_numbers,
          next.whatsapp_sender,
          row.monthly_contact_allowance,
          row.time_zone,
          row.quiet_start_hour,
          row.quiet_end_hour,
          row.sender_numbers,
          row.whatsapp_sender,
          JSON.stringify(added),
        ),
      auditAfterChange(db, {
        orgId: caller.orgId,
        actor: caller.actor,
        at: now,
        action: 'settings.messaging',
        subject: caller.orgId,
        details: { changes },
      }),
    ]);
    const written = updated?.results[0];
    if (written) return { ok: true, settings: settingsOf(written) };
  }
  throw new WriteContention(ATTEMPTS);
}
