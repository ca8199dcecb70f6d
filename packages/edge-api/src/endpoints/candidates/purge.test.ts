// The purge's corners the endpoint tests do not reach: a device relinked to another candidate,
// a linked device's anonymous rows, undelivered webhooks, earlier audit entries, and the
// candidate's messaging data (contacts, messages, contact details, monthly contact usage).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  api,
  createOrg,
  DAY_MS,
  json,
  rid,
  rows,
  sendEngagements,
  type TestOrg,
} from '../../test/client.js';
import { purgedSubject } from './purge.js';

async function candidateRowId(orgId: string, externalId: string): Promise<string> {
  const [row] = await rows<{ id: string }>(
    'SELECT id FROM candidates WHERE org_id = ? AND external_id = ?',
    orgId,
    externalId,
  );
  return row!.id;
}

async function visitorRowId(orgId: string, deviceId: string): Promise<string> {
  const [row] = await rows<{ id: string }>(
    'SELECT id FROM visitors WHERE org_id = ? AND device_id = ?',
    orgId,
    deviceId,
  );
  return row!.id;
}

/** An engagement row as the tracker would store it, for `candidateId` (null: anonymous). */
async function insertVisit(orgId: string, candidateId: string | null, visitorId: string) {
  const id = rid('e');
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO engagements (id, org_id, candidate_id, visitor_id, type, occurred_at, received_at, source, event_key)
     VALUES (?, ?, ?, ?, 'visit_career_site', ?, ?, 'tracker', ?)`,
  )
    .bind(id, orgId, candidateId, visitorId, now, now, `trk:${visitorId}:${id}`)
    .run();
  return id;
}

describe('purge', () => {
  it('keeps a relinked device (unlinked), removes a linked device with its anonymous rows, undelivered webhooks, and the id from earlier audit entries', async () => {
    const org = await createOrg();
    const purged = rid('cand');
    const other = rid('cand');
    await sendEngagements(org.keys.user, purged, [{ type: 'attend_event', ago: DAY_MS }]);
    await sendEngagements(org.keys.user, other, [{ type: 'attend_event', ago: DAY_MS }]);
    const purgedId = await candidateRowId(org.orgId, purged);
    const otherId = await candidateRowId(org.orgId, other);

    // A device of the purged candidate's only, with an anonymous row of its own.
    const own = rid('v');
    const link = (device: string, candidateId: string) =>
      api('POST', `/v1/visitors/${device}/link`, org.keys.user, { candidateId });
    expect((await link(own, purged)).status).toBe(200);
    const ownRow = await visitorRowId(org.orgId, own);
    const anonymous = await insertVisit(org.orgId, null, ownRow);
    // A device first linked to the other candidate, with their visit, then relinked.
    const shared = rid('v');
    expect((await link(shared, other)).status).toBe(200);
    const sharedRow = await visitorRowId(org.orgId, shared);
    const othersVisit = await insertVisit(org.orgId, otherId, sharedRow);
    expect((await link(shared, purged)).status).toBe(200);
    // An undelivered webhook about the purged candidate, and one about the other.
    const now = Date.now();
    for (const candidateId of [purgedId, otherId]) {
      await env.DB.prepare(
        `INSERT INTO webhook_deliveries (id, org_id, candidate_id, payload, next_attempt_at, created_at)
         VALUES (?, ?, ?, '{}', ?, ?)`,
      )
        .bind(rid('wd'), org.orgId, candidateId, now, now)
        .run();
    }

    const reply = await api('DELETE', `/v1/candidates/${purged}`, org.keys.admin);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({
      candidateId: purged,
      purged: true,
      removed: {
        engagements: 2,
        trackedLinks: 0,
        tags: 0,
        scores: 1,
        visitors: 2,
        webhookDeliveries: 1,
        contacts: 0,
        messages: 0,
        contactDetails: 0,
        contactUsage: 0,
      },
    });

    const visitors = await rows(
      'SELECT id, candidate_id, link_source, linked_at FROM visitors WHERE org_id = ?',
      org.orgId,
    );
    expect(visitors).toEqual([
      { id: sharedRow, candidate_id: null, link_source: null, linked_at: null },
    ]);
    const left = await rows<{ id: string }>(
      'SELECT id FROM engagements WHERE org_id = ? AND visitor_id IS NOT NULL',
      org.orgId,
    );
    expect(left.map((row) => row.id)).toEqual([othersVisit]);
    expect(left.map((row) => row.id)).not.toContain(anonymous);
    const deliveries = await rows<{ candidate_id: string }>(
      'SELECT candidate_id FROM webhook_deliveries WHERE org_id = ?',
      org.orgId,
    );
    expect(deliveries.map((row) => row.candidate_id)).toEqual([otherId]);

    // The link entries keep the event, with the purge's hash where the id was.
    const subject = await purgedSubject(env.SECRETS_KEY, org.orgId, purged);
    const audit = await rows<{ action: string; details: string }>(
      'SELECT action, details FROM audit_log WHERE org_id = ? ORDER BY at',
      org.orgId,
    );
    expect(JSON.stringify(audit)).not.toContain(purged);
    const named = audit.filter((entry) => JSON.parse(entry.details).candidate === subject);
    // The two links to the purged candidate.
    expect(named.map((entry) => entry.action)).toHaveLength(2);
    const purge = audit.filter((entry) => entry.action === 'candidate.purge');
    expect(purge).toHaveLength(1);
    expect(JSON.parse(purge[0]!.details)).toEqual({
      removed: {
        engagements: 2,
        trackedLinks: 0,
        tags: 0,
        scores: 1,
        visitors: 2,
        webhookDeliveries: 1,
        contacts: 0,
        messages: 0,
        contactDetails: 0,
        contactUsage: 0,
      },
    });
    // The other candidate is untouched.
    expect((await api('GET', `/v1/candidates/${other}/score`, org.keys.user)).status).toBe(200);
  });

  // A fixed salt would let anyone with a copy of the audit log test guessed ids; the HMAC needs
  // the Worker's SECRETS_KEY.
  it("hashes the audit entry's id with HMAC under SECRETS_KEY, not a fixed salt", async () => {
    const subject = await purgedSubject('key-one', 'org', 'cand-42');
    expect(subject).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(await purgedSubject('key-one', 'org', 'cand-42')).toBe(subject);
    expect(await purgedSubject('key-two', 'org', 'cand-42')).not.toBe(subject);
    expect(await purgedSubject('key-one', 'other-org', 'cand-42')).not.toBe(subject);
    const salted = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode('cxm-purge:org:cand-42')),
    );
    const saltedHex = [...salted].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    expect(subject).not.toContain(saltedHex);

    const org = await createOrg();
    const purged = rid('cand');
    await sendEngagements(org.keys.user, purged, [{ type: 'open_email', ago: DAY_MS }]);
    expect((await api('DELETE', `/v1/candidates/${purged}`, org.keys.admin)).status).toBe(200);
    const [entry] = await rows<{ subject: string }>(
      "SELECT subject FROM audit_log WHERE org_id = ? AND action = 'candidate.purge'",
      org.orgId,
    );
    expect(entry?.subject).toBe(await purgedSubject(env.SECRETS_KEY, org.orgId, purged));
  });
});

/** The messaging rows of a candidate (issue 16), written as the messaging code stores them. */
async function messagingRows(org: TestOrg, externalId: string) {
  const { orgId } = org;
  const now = Date.now();
  const contacted = await api('POST', '/v1/contacts', org.keys.user, {
    contacts: [
      {
        id: rid('ct'),
        candidateId: externalId,
        kind: 'phone_call',
        occurredAt: new Date(now - DAY_MS).toISOString(),
      },
      {
        id: rid('ct'),
        candidateId: externalId,
        kind: 'email',
        occurredAt: new Date(now - 2 * DAY_MS).toISOString(),
      },
    ],
  });
  expect(contacted.status).toBe(202);
  const candidateId = await candidateRowId(orgId, externalId);
  const outbound = rid('msg');
  const inbound = rid('msg');
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO candidate_contact_details (candidate_id, org_id, phone, phone_country, first_name,
         sms_consent_source, sms_consent_at, updated_at)
       VALUES (?, ?, ?, 'US', 'Ada', 'form', ?, ?)`,
    ).bind(
      candidateId,
      orgId,
      `+1202555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`,
      now,
      now,
    ),
    ...[
      [outbound, 'outbound', 'delivered'],
      [inbound, 'inbound', 'received'],
    ].map(([id, direction, status]) =>
      env.DB.prepare(
        `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
           body, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'sms', '+12025550100', '+12025550199', 'Hello', ?, ?, ?)`,
      ).bind(id, orgId, candidateId, direction, status, now, now),
    ),
    env.DB.prepare(
      `INSERT INTO contacts (id, org_id, candidate_id, contact_key, kind, occurred_at, received_at)
       VALUES (?, ?, ?, ?, 'sms', ?, ?)`,
    ).bind(rid('c'), orgId, candidateId, `msg:${outbound}`, now, now),
    ...['2026-10', '2026-11'].map((period) =>
      env.DB.prepare(
        `INSERT INTO contact_usage (org_id, period, candidate_id, message_id, used_at)
         VALUES (?, ?, ?, ?, ?)`,
      ).bind(orgId, period, candidateId, outbound, now),
    ),
  ]);
  return candidateId;
}

describe('purge of messaging data', () => {
  it("removes the candidate's contacts, messages, contact details and contact usage, and counts them; another candidate's stay", async () => {
    const org = await createOrg();
    const purged = rid('cand');
    const other = rid('cand');
    const purgedId = await messagingRows(org, purged);
    const otherId = await messagingRows(org, other);
    const tables = ['contacts', 'messages', 'candidate_contact_details', 'contact_usage'];
    const countsOf = async (candidateId: string) =>
      Promise.all(
        tables.map(async (table) => {
          const [row] = await rows<{ n: number }>(
            `SELECT COUNT(*) AS n FROM ${table} WHERE candidate_id = ?`,
            candidateId,
          );
          return row!.n;
        }),
      );
    expect(await countsOf(purgedId)).toEqual([3, 2, 1, 2]);

    const reply = await api('DELETE', `/v1/candidates/${purged}`, org.keys.admin);
    expect(reply.status).toBe(200);
    const body = await json<{ removed: Record<string, number> }>(reply);
    expect(body.removed).toEqual({
      engagements: 0,
      trackedLinks: 0,
      tags: 0,
      scores: 1,
      visitors: 0,
      webhookDeliveries: 0,
      contacts: 3,
      messages: 2,
      contactDetails: 1,
      contactUsage: 2,
    });

    // Nothing of the purged candidate is left in any of them, by id or by external id.
    for (const table of tables) {
      const left = await rows(`SELECT * FROM ${table} WHERE org_id = ?`, org.orgId);
      expect(JSON.stringify(left), table).not.toContain(purgedId);
      expect(JSON.stringify(left), table).not.toContain(purged);
    }
    expect(await countsOf(purgedId)).toEqual([0, 0, 0, 0]);
    expect(await countsOf(otherId)).toEqual([3, 2, 1, 2]);
    const audit = await rows<{ details: string }>(
      "SELECT details FROM audit_log WHERE org_id = ? AND action = 'candidate.purge'",
      org.orgId,
    );
    expect(JSON.parse(audit[0]!.details).removed).toEqual(body.removed);
    const score = await json<{ lastContactedAt: string | null }>(
      api('GET', `/v1/candidates/${other}/score`, org.keys.user),
    );
    expect(score.lastContactedAt).not.toBeNull();
  });
});
