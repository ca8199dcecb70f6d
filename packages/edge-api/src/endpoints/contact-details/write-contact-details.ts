// Reads and writes a candidate's contact details. A write reads the stored row, works out the
// new one (`planChange`, pure: the rules of what a new number resets live there), then writes
// only the columns that change, guarded by the `updated_at` it read, with its audit entry in the
// same batch; a lost race starts again from a fresh read. The opt-out columns are written only
// to clear them when a number replaces another: STOP and START are recorded elsewhere, and a
// write here never puts back an opt-out state it read before.
import { and, eq, sql } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
import { auditInsert } from '../../db/audit.js';
import { type CandidateRef, newCandidateStatements } from '../../db/candidates.js';
import { type Db, newId, runBatch, type Statement } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import { auditLog, candidateContactDetails, candidates } from '../../db/schema.js';
import { isoOrNull } from '../../schemas/common.js';
import { clampToNow } from '../../schemas/dates.js';
import type { Issue } from '../../utils/errors.js';
import type { ContactDetailsBody, ContactDetailsReply } from './schema.js';

type ContactRow = typeof candidateContactDetails.$inferSelect;

/** The columns this endpoint reads and may write. */
export interface ContactFields {
  phone: string | null;
  phoneCountry: string | null;
  firstName: string | null;
  timeZone: string | null;
  smsConsentSource: string | null;
  smsConsentAt: number | null;
  whatsappOptInSource: string | null;
  whatsappOptInAt: number | null;
  smsOptedOutAt: number | null;
  whatsappOptedOutAt: number | null;
}

const FIELD_NAMES = [
  'phone',
  'phoneCountry',
  'firstName',
  'timeZone',
  'smsConsentSource',
  'smsConsentAt',
  'whatsappOptInSource',
  'whatsappOptInAt',
  'smsOptedOutAt',
  'whatsappOptedOutAt',
] as const satisfies readonly (keyof ContactFields)[];

const NOTHING: ContactFields = {
  phone: null,
  phoneCountry: null,
  firstName: null,
  timeZone: null,
  smsConsentSource: null,
  smsConsentAt: null,
  whatsappOptInSource: null,
  whatsappOptInAt: null,
  smsOptedOutAt: null,
  whatsappOptedOutAt: null,
};

/** What a change did, for the audit log: no phone number, name or zone, only that they changed. */
export interface ContactAudit {
  /** `changed` or `cleared` for the number, name and zone; the consent record itself, or null. */
  changed: Record<string, string | { source: string; at: string } | null>;
  /** What a new number cleared: `smsConsent`, `whatsappOptIn`, `smsOptOut`, `whatsappOptOut`. */
  reset: string[];
}

export type Plan =
  | { ok: true; after: ContactFields; audit: ContactAudit }
  | { ok: false; issues: Issue[] };

type Channel = 'sms' | 'whatsapp';
const CONSENT = {
  sms: { field: 'smsConsent', source: 'smsConsentSource', at: 'smsConsentAt' },
  whatsapp: { field: 'whatsappOptIn', source: 'whatsappOptInSource', at: 'whatsappOptInAt' },
} as const;
const OPT_OUT = {
  sms: { field: 'smsOptOut', at: 'smsOptedOutAt' },
  whatsapp: { field: 'whatsappOptOut', at: 'whatsappOptedOutAt' },
} as const;

/**
 * The row after `body`, from the stored one (null: none yet). A number other than the stored one
 * is a new recipient: the consent of each channel not given in the same request is cleared, and
 * when it replaces another number the opt-outs are too (they are per number). After the number
 * was cleared, the next one keeps the opt-outs on record: it may be the same number again, and a
 * candidate wrongly held opted out can text START, while one wrongly texted cannot be unsent.
 */
export function planChange(
  before: ContactFields | null,
  body: ContactDetailsBody,
  now: number,
): Plan {
  const start = before ?? NOTHING;
  const after: ContactFields = { ...start };
  const reset: string[] = [];
  if (body.phone !== undefined) {
    after.phone = body.phone?.number ?? null;
    after.phoneCountry = body.phone?.country ?? null;
  }
  if (after.phone !== null && after.phone !== start.phone) {
    for (const channel of ['sms', 'whatsapp'] as const) {
      const consent = CONSENT[channel];
      if (bodyConsent(body, channel) === undefined && start[consent.source] !== null) {
        after[consent.source] = null;
        after[consent.at] = null;
        reset.push(consent.field);
      }
    }
    if (start.phone !== null) {
      for (const channel of ['sms', 'whatsapp'] as const) {
        const optOut = OPT_OUT[channel];
        if (start[optOut.at] !== null) {
          after[optOut.at] = null;
          reset.push(optOut.field);
        }
      }
    }
  }
  if (body.firstName !== undefined) after.firstName = body.firstName;
  if (body.timeZone !== undefined) after.timeZone = body.timeZone;
  const issues: Issue[] = [];
  for (const channel of ['sms', 'whatsapp'] as const) {
    const given = bodyConsent(body, channel);
    if (given === undefined) continue;
    const consent = CONSENT[channel];
    after[consent.source] = given?.source ?? null;
    after[consent.at] = given ? clampToNow(Date.parse(given.at), now) : null;
    if (given && after.phone === null) {
      issues.push({
        path: consent.field,
        code: 'invalid',
        message:
          'Consent belongs to a phone number: give `phone` with it, or set the number first.',
      });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, after, audit: { changed: changedFields(start, after), reset } };
}

function bodyConsent(body: ContactDetailsBody, channel: Channel) {
  return channel === 'sms' ? body.smsConsent : body.whatsappOptIn;
}

function changedFields(start: ContactFields, after: ContactFields): ContactAudit['changed'] {
  const changed: ContactAudit['changed'] = {};
  for (const field of ['phone', 'firstName', 'timeZone'] as const) {
    if (after[field] !== start[field])
      changed[field] = after[field] === null ? 'cleared' : 'changed';
  }
  for (const channel of ['sms', 'whatsapp'] as const) {
    const { field, source, at } = CONSENT[channel];
    if (after[source] !== start[source] || after[at] !== start[at]) {
      changed[field] = consentJson(after[source], after[at]);
    }
  }
  for (const channel of ['sms', 'whatsapp'] as const) {
    const { field, at } = OPT_OUT[channel];
    if (after[at] !== start[at]) changed[field] = 'cleared';
  }
  return changed;
}

function consentJson(source: string | null, at: number | null) {
  return source === null || at === null ? null : { source, at: new Date(at).toISOString() };
}

/** The columns of `after` that differ from `start`. */
function columnsChanged(start: ContactFields, after: ContactFields): Partial<ContactFields> {
  const set: Partial<ContactFields> = {};
  for (const name of FIELD_NAMES) {
    if (after[name] !== start[name]) Object.assign(set, { [name]: after[name] });
  }
  return set;
}

export function contactReply(
  externalId: string,
  row: ContactFields & { updatedAt: number },
): ContactDetailsReply {
  return {
    candidateId: externalId,
    phone: row.phone,
    phoneCountry: row.phoneCountry,
    firstName: row.firstName,
    timeZone: row.timeZone,
    smsConsent: consentJson(row.smsConsentSource, row.smsConsentAt),
    whatsappOptIn: consentJson(row.whatsappOptInSource, row.whatsappOptInAt),
    smsOptedOut: row.smsOptedOutAt !== null,
    smsOptedOutAt: isoOrNull(row.smsOptedOutAt),
    whatsappOptedOut: row.whatsappOptedOutAt !== null,
    whatsappOptedOutAt: isoOrNull(row.whatsappOptedOutAt),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

export interface StoredContact {
  candidate: CandidateRef | null;
  row: ContactRow | null;
}

/** The candidate of this organisation named `externalId`, and its contact details if any. */
export async function readContact(
  db: Db,
  orgId: string,
  externalId: string,
): Promise<StoredContact> {
  const c = candidateContactDetails;
  const [found] = await db
    .select({ id: candidates.id, externalId: candidates.externalId, row: c })
    .from(candidates)
    .leftJoin(c, and(eq(c.candidateId, candidates.id), eq(c.orgId, orgId)))
    .where(and(eq(candidates.orgId, orgId), eq(candidates.externalId, externalId)));
  if (!found) return { candidate: null, row: null };
  return { candidate: { id: found.id, externalId: found.externalId }, row: found.row };
}

export interface ContactWrite {
  orgId: string;
  externalId: string;
  actor: string;
  body: ContactDetailsBody;
}

export type WriteOutcome =
  | { ok: true; reply: ContactDetailsReply }
  | { ok: false; issues: Issue[] };

/** Lost a race with a concurrent write of the same row; `withRetries` starts again. */
class StaleContact extends Error {
  constructor() {
    super('stale_version: contact details changed since read');
  }
}

export function writeContact(db: Db, input: ContactWrite): Promise<WriteOutcome> {
  return withRetries(() => attempt(db, input), OPTIONS.writeAttempts);
}

async function attempt(db: Db, input: ContactWrite): Promise<WriteOutcome> {
  const { orgId, externalId } = input;
  const now = Date.now();
  const stored = await readContact(db, orgId, externalId);
  const plan = planChange(stored.row, input.body, now);
  if (!plan.ok) return plan;
  const { row } = stored;
  if (row && Object.keys(plan.audit.changed).length === 0) {
    // Nothing changes: no write, no audit entry.
    return { ok: true, reply: contactReply(externalId, row) };
  }
  const candidateId = stored.candidate?.id ?? newId();
  const details = { candidate: externalId, created: row === null, ...plan.audit };
  if (row === null) {
    const statements: Statement[] = stored.candidate
      ? []
      : newCandidateStatements(db, { orgId, id: candidateId, externalId, now });
    // A plain insert: a row a concurrent request created meanwhile fails it (primary key), as
    // does a candidate it created first (foreign key), and the retry reads theirs.
    await runBatch(db, [
      ...statements,
      db
        .insert(candidateContactDetails)
        .values({ candidateId, orgId, ...plan.after, updatedAt: now }),
      auditInsert(db, {
        orgId,
        at: now,
        actor: input.actor,
        action: 'candidate.contact_updated',
        subject: candidateId,
        details,
      }),
    ]);
    return { ok: true, reply: contactReply(externalId, { ...plan.after, updatedAt: now }) };
  }
  // Always later than the time read, so the guard of a concurrent writer sees the change even
  // within the same millisecond.
  const updatedAt = Math.max(now, row.updatedAt + 1);
  const c = candidateContactDetails;
  const [updated] = await db.batch([
    db
      .update(c)
      .set({ ...columnsChanged(row, plan.after), updatedAt })
      .where(
        and(eq(c.candidateId, row.candidateId), eq(c.orgId, orgId), eq(c.updatedAt, row.updatedAt)),
      )
      .returning(),
    // Written only when the guarded update above changed the row.
    db.insert(auditLog).select(
      db
        .select({
          id: sql`${newId()}`.as('id'),
          orgId: sql`${orgId}`.as('org_id'),
          at: sql`${now}`.as('at'),
          actor: sql`${input.actor}`.as('actor'),
          action: sql`'candidate.contact_updated'`.as('action'),
          subject: c.candidateId,
          details: sql`${JSON.stringify(details)}`.as('details'),
        })
        .from(c)
        .where(and(eq(c.candidateId, row.candidateId), sql`changes() = 1`)),
    ),
  ]);
  const [written] = updated;
  if (!written) throw new StaleContact();
  return { ok: true, reply: contactReply(externalId, written) };
}
