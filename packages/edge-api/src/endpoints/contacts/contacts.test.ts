// `POST /v1/contacts` and last contacted: validation (a 400 stores nothing), idempotency,
// last contacted never going backwards (within a batch, across batches, under concurrent batches
// for one candidate), unknown candidates created with an empty score row, organisations apart,
// the statements the message sender records a text with, and where last contacted shows.
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { database, runBatch } from '../../db/client.js';
import { scores } from '../../db/schema.js';
import {
  api,
  createOrg,
  DAY_MS,
  errorOf,
  json,
  postJson,
  request,
  rid,
  rows,
  sendEngagements,
} from '../../test/client.js';
import { page, signedInAs } from '../../test/console.js';
import {
  contactStatements,
  emptyScoreRow,
  lastContactedUpdate,
  messageContactKey,
} from './write-contacts.js';

interface ContactInput {
  id: string;
  candidateId: string;
  kind: string;
  occurredAt: string;
}

function contact(overrides: Partial<ContactInput> = {}): ContactInput {
  return {
    id: rid('ct'),
    candidateId: rid('cand'),
    kind: 'phone_call',
    occurredAt: new Date(Date.now() - DAY_MS).toISOString(),
    ...overrides,
  };
}

function send(key: string, contacts: unknown[]) {
  return postJson('/v1/contacts', { contacts }, key);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The candidate's score row as stored (undefined: no candidate or no row). */
async function scoreRow(orgId: string, externalId: string) {
  const [row] = await rows<{
    last_contacted_at: number | null;
    version: number;
    tier: string;
    engagement_count: number;
    scored_through: number;
    sort_key: number | null;
    state: string;
  }>(
    `SELECT s.last_contacted_at, s.version, s.tier, s.engagement_count, s.scored_through,
       s.sort_key, s.state
     FROM scores s JOIN candidates c ON c.id = s.candidate_id
     WHERE c.org_id = ? AND c.external_id = ?`,
    orgId,
    externalId,
  );
  return row;
}

async function contactRows(orgId: string) {
  return rows<{ contact_key: string; kind: string; occurred_at: number }>(
    'SELECT contact_key, kind, occurred_at FROM contacts WHERE org_id = ? ORDER BY contact_key',
    orgId,
  );
}

async function candidateRowId(orgId: string, externalId: string) {
  const [row] = await rows<{ id: string }>(
    'SELECT id FROM candidates WHERE org_id = ? AND external_id = ?',
    orgId,
    externalId,
  );
  return row?.id;
}

describe('POST /v1/contacts: storing', () => {
  it('stores contacts, answers retries as duplicates, and moves last contacted to the latest', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const t = Date.now() - 10 * DAY_MS;
    const items = [
      contact({ candidateId: cand, kind: 'email', occurredAt: iso(t) }),
      contact({ candidateId: cand, kind: 'phone_call', occurredAt: iso(t + 3 * DAY_MS) }),
      contact({ candidateId: cand, kind: 'sms', occurredAt: iso(t + DAY_MS) }),
    ];
    const first = await send(org.keys.user, items);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });
    expect((await scoreRow(org.orgId, cand))?.last_contacted_at).toBe(t + 3 * DAY_MS);
    const stored = await contactRows(org.orgId);
    expect(stored.map((row) => row.contact_key).sort()).toEqual(
      items.map((item) => `api:${item.id}`).sort(),
    );

    // A retry stores nothing and changes nothing, even with other times for the same ids.
    const before = await scoreRow(org.orgId, cand);
    const again = await send(
      org.keys.user,
      items.map((item) => ({ ...item, occurredAt: iso(Date.now()) })),
    );
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 3 });
    expect(await scoreRow(org.orgId, cand)).toEqual(before);
    expect(await contactRows(org.orgId)).toEqual(stored);

    // The same id twice in one body counts once; a mixed batch stores only the new one.
    const fresh = contact({ candidateId: cand, occurredAt: iso(t + 2 * DAY_MS) });
    const mixed = await send(org.keys.user, [items[0], fresh, fresh]);
    expect(await mixed.json()).toEqual({ accepted: 1, duplicates: 2 });
    expect(await contactRows(org.orgId)).toHaveLength(4);

    const score = await json<{ lastContactedAt: string | null }>(
      api('GET', `/v1/candidates/${cand}/score`, org.keys.user),
    );
    expect(score.lastContactedAt).toBe(iso(t + 3 * DAY_MS));
  });

  it('never moves last contacted backwards, and moves it forwards', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const late = Date.now() - DAY_MS;
    await send(org.keys.user, [contact({ candidateId: cand, occurredAt: iso(late) })]);
    const moved = await scoreRow(org.orgId, cand);
    expect(moved?.last_contacted_at).toBe(late);

    // An older contact is stored, but last contacted stays (and the row is not even touched).
    const older = await send(org.keys.user, [
      contact({ candidateId: cand, occurredAt: iso(late - 5 * DAY_MS) }),
    ]);
    expect(await older.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await scoreRow(org.orgId, cand)).toEqual(moved);

    // One at the very same time does not touch it either; a later one moves it.
    await send(org.keys.user, [contact({ candidateId: cand, occurredAt: iso(late) })]);
    expect(await scoreRow(org.orgId, cand)).toEqual(moved);
    const later = Date.now() - 60_000;
    await send(org.keys.user, [contact({ candidateId: cand, occurredAt: iso(later) })]);
    const after = await scoreRow(org.orgId, cand);
    expect(after?.last_contacted_at).toBe(later);
    expect(after?.version).toBe(moved!.version + 1);
  });

  it('stores a time slightly ahead of the clock as the time received', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const sent = Date.now();
    await send(org.keys.user, [
      contact({ candidateId: cand, occurredAt: iso(sent + 2 * 60 * 60 * 1000) }),
    ]);
    const last = (await scoreRow(org.orgId, cand))!.last_contacted_at!;
    expect(last).toBeGreaterThanOrEqual(sent);
    expect(last).toBeLessThanOrEqual(Date.now());
  });

  it('ends at the latest contact of all when batches for one candidate race', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const base = Date.now() - 30 * DAY_MS;
    // Some exist first (so the racing batches update one row), some create the candidate.
    await sendEngagements(org.keys.user, cand, [{ type: 'attend_event', ago: 2 * DAY_MS }]);
    const batches = Array.from({ length: 12 }, (_, i) =>
      Array.from({ length: 5 }, (_, j) =>
        contact({ candidateId: cand, occurredAt: iso(base + ((i * 7 + j * 3) % 29) * DAY_MS) }),
      ),
    );
    const latest = Math.max(...batches.flat().map((item) => Date.parse(item.occurredAt)));
    // Each batch twice, concurrently: the retries are duplicates.
    const replies = await Promise.all(
      [...batches, ...batches].map(async (items) => {
        const response = await send(org.keys.user, items);
        expect(response.status).toBe(202);
        return json<{ accepted: number; duplicates: number }>(response);
      }),
    );
    expect(replies.reduce((sum, reply) => sum + reply.accepted, 0)).toBe(60);
    expect(replies.reduce((sum, reply) => sum + reply.duplicates, 0)).toBe(60);
    const row = await scoreRow(org.orgId, cand);
    expect(row?.last_contacted_at).toBe(latest);
    // The score itself is untouched by contacts: one engagement folded.
    expect(row?.engagement_count).toBe(1);
    expect(await contactRows(org.orgId)).toHaveLength(60);
  });

  it('keeps last contacted when engagements settle the score afterwards, and the score when contacted', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const contacted = Date.now() - 3 * DAY_MS;
    await send(org.keys.user, [contact({ candidateId: cand, occurredAt: iso(contacted) })]);
    await sendEngagements(org.keys.user, cand, [
      { type: 'attend_event', ago: DAY_MS },
      { type: 'submit_form', ago: 2 * DAY_MS },
    ]);
    const row = await scoreRow(org.orgId, cand);
    expect(row?.last_contacted_at).toBe(contacted);
    expect(row?.engagement_count).toBe(2);
    expect(row?.tier).not.toBe('inactive');
  });

  it('creates an unknown candidate with the empty score row the pipeline makes (nothing folded)', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const at = Date.now() - DAY_MS;
    const reply = await send(org.keys.user, [contact({ candidateId: cand, occurredAt: iso(at) })]);
    expect(await reply.json()).toEqual({ accepted: 1, duplicates: 0 });
    const id = await candidateRowId(org.orgId, cand);
    expect(id).toBeDefined();
    const row = await scoreRow(org.orgId, cand);
    const empty = emptyScoreRow({ orgId: org.orgId, candidateId: id!, now: 0 });
    expect(row).toMatchObject({
      last_contacted_at: at,
      tier: 'inactive',
      engagement_count: 0,
      scored_through: 0,
      sort_key: null,
      state: empty.state,
    });
    // Created (version 1), then last contacted moved (version 2).
    expect(row?.version).toBe(2);

    const score = await json<{
      tier: string;
      points: number;
      engagementCount: number;
      lastEngagedAt: string | null;
      lastContactedAt: string | null;
    }>(api('GET', `/v1/candidates/${cand}/score`, org.keys.user));
    expect(score).toMatchObject({
      tier: 'inactive',
      points: 0,
      engagementCount: 0,
      lastEngagedAt: null,
      lastContactedAt: iso(at),
    });

    // Its first engagements are folded from the watermark 0: all of them count.
    await sendEngagements(org.keys.user, cand, [
      { type: 'attend_event', ago: 2 * DAY_MS },
      { type: 'register_event', ago: 3 * DAY_MS },
    ]);
    const settled = await scoreRow(org.orgId, cand);
    expect(settled?.engagement_count).toBe(2);
    expect(settled?.scored_through).toBeGreaterThan(0);
    expect(settled?.last_contacted_at).toBe(at);
    const backlog = await rows('SELECT * FROM score_backlog WHERE candidate_id = ?', id);
    expect(backlog).toEqual([]);
  });

  it('gives a candidate that has no score row one (a row lost or never written)', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await env.DB.prepare('INSERT INTO candidates (id, org_id, external_id) VALUES (?, ?, ?)')
      .bind(rid('c'), org.orgId, cand)
      .run();
    const at = Date.now() - DAY_MS;
    await send(org.keys.user, [contact({ candidateId: cand, occurredAt: iso(at) })]);
    expect(await scoreRow(org.orgId, cand)).toMatchObject({
      last_contacted_at: at,
      tier: 'inactive',
      scored_through: 0,
    });
  });

  it('accepts a batch of 500 for many candidates', async () => {
    const org = await createOrg();
    const at = Date.now() - DAY_MS;
    const items = Array.from({ length: 500 }, (_, i) =>
      contact({ candidateId: `bulk-${i % 120}`, occurredAt: iso(at - (i % 7) * 60_000) }),
    );
    const response = await send(org.keys.user, items);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 500, duplicates: 0 });
    const expected = new Map<string, number>();
    for (const item of items) {
      const ms = Date.parse(item.occurredAt);
      expected.set(item.candidateId, Math.max(expected.get(item.candidateId) ?? 0, ms));
    }
    const stored = await rows<{ external_id: string; last_contacted_at: number }>(
      `SELECT c.external_id, s.last_contacted_at FROM scores s
       JOIN candidates c ON c.id = s.candidate_id WHERE s.org_id = ?`,
      org.orgId,
    );
    expect(new Map(stored.map((row) => [row.external_id, row.last_contacted_at]))).toEqual(
      expected,
    );
  });
});

describe('POST /v1/contacts: organisations are apart', () => {
  it("stores another organisation's same ids and candidate names as its own, touching nothing here", async () => {
    const a = await createOrg();
    const b = await createOrg();
    const cand = 'cand-shared-name';
    const id = rid('ct');
    const early = Date.now() - 5 * DAY_MS;
    expect(
      await json(send(a.keys.user, [contact({ id, candidateId: cand, occurredAt: iso(early) })])),
    ).toEqual({ accepted: 1, duplicates: 0 });
    const aRow = await scoreRow(a.orgId, cand);

    // The same id and candidate in organisation B: not a duplicate there, and A is unchanged.
    expect(
      await json(
        send(b.keys.user, [contact({ id, candidateId: cand, occurredAt: iso(Date.now()) })]),
      ),
    ).toEqual({ accepted: 1, duplicates: 0 });
    expect(await scoreRow(a.orgId, cand)).toEqual(aRow);
    expect(await contactRows(a.orgId)).toHaveLength(1);
    expect(await contactRows(b.orgId)).toHaveLength(1);
    const aScore = await json<{ lastContactedAt: string }>(
      api('GET', `/v1/candidates/${cand}/score`, a.keys.user),
    );
    expect(aScore.lastContactedAt).toBe(iso(early));
  });
});

describe('POST /v1/contacts: rejecting', () => {
  it('rejects the whole request, listing every problem by index and field, storing nothing', async () => {
    const org = await createOrg();
    const good = contact();
    const response = await send(org.keys.user, [
      good,
      contact({ kind: 'pigeon' }),
      contact({ occurredAt: 'yesterday' }),
      contact({ candidateId: '' }),
      contact({ id: '' }),
      contact({ occurredAt: '1999-12-31T23:59:59Z' }),
    ]);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.issues).toMatchObject([
      { path: 'contacts.1.kind', code: 'invalid' },
      { path: 'contacts.2.occurredAt', code: 'invalid' },
      { path: 'contacts.3.candidateId', code: 'invalid' },
      { path: 'contacts.4.id', code: 'invalid' },
      { path: 'contacts.5.occurredAt', code: 'date_out_of_range' },
    ]);
    expect(await contactRows(org.orgId)).toEqual([]);
    expect(await rows('SELECT * FROM candidates WHERE org_id = ?', org.orgId)).toEqual([]);
    expect(await rows('SELECT * FROM scores WHERE org_id = ?', org.orgId)).toEqual([]);
  });

  it('answers 400 date_out_of_range for dates before 2000 or more than 24 hours ahead', async () => {
    const org = await createOrg();
    const response = await send(org.keys.user, [
      contact({ occurredAt: '1999-12-31T23:59:59Z' }),
      contact({ occurredAt: iso(Date.now() + 25 * 60 * 60 * 1000) }),
    ]);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('date_out_of_range');
    expect(error.issues?.map((issue) => issue.path)).toEqual([
      'contacts.0.occurredAt',
      'contacts.1.occurredAt',
    ]);
    expect(await contactRows(org.orgId)).toEqual([]);
  });

  it('answers 400 for more than 500 contacts, none, unknown fields missing, or no list', async () => {
    const org = await createOrg();
    const tooMany = await send(
      org.keys.user,
      Array.from({ length: 501 }, () => contact()),
    );
    expect(tooMany.status).toBe(400);
    expect((await errorOf(tooMany)).issues?.[0]?.path).toBe('contacts');
    const none = await send(org.keys.user, []);
    expect(none.status).toBe(400);
    const missing = await send(org.keys.user, [{ id: rid('ct'), candidateId: rid('cand') }]);
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).issues?.map((issue) => issue.path)).toEqual([
      'contacts.0.kind',
      'contacts.0.occurredAt',
    ]);
    const wrong = await postJson('/v1/contacts', { engagements: [contact()] }, org.keys.user);
    expect(wrong.status).toBe(400);
    expect(await contactRows(org.orgId)).toEqual([]);
  });

  it('answers 415, 400 invalid_json and 413 for bodies of the wrong kind, 401 and 403 for callers', async () => {
    const org = await createOrg();
    const auth = { authorization: `Bearer ${org.keys.user}` };
    const plain = await request('/v1/contacts', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(plain.status).toBe(415);
    expect((await errorOf(plain)).code).toBe('unsupported_media_type');
    const broken = await request('/v1/contacts', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"contacts": [',
    });
    expect(broken.status).toBe(400);
    expect((await errorOf(broken)).code).toBe('invalid_json');
    const huge = await request('/v1/contacts', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ contacts: [contact({ id: 'x'.repeat(600 * 1024) })] }),
    });
    expect(huge.status).toBe(413);
    expect((await errorOf(huge)).code).toBe('payload_too_large');
    expect((await send('sk_nope', [contact()])).status).toBe(401);
    expect((await postJson('/v1/contacts', { contacts: [contact()] })).status).toBe(401);
    expect(await contactRows(org.orgId)).toEqual([]);
  });
});

describe('contactStatements: the message sender records a text as a contact', () => {
  it('records once per message key, in the caller batch, never moving last contacted back', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [{ type: 'attend_event', ago: DAY_MS }]);
    const candidateId = (await candidateRowId(org.orgId, cand))!;
    const db = database(env.DB);
    const messageId = rid('msg');
    const sentAt = Date.now() - 60 * 60 * 1000;
    const record = {
      orgId: org.orgId,
      candidateId,
      key: messageContactKey(messageId),
      kind: 'sms' as const,
      occurredAt: sentAt,
      now: Date.now(),
    };
    await runBatch(db, contactStatements(db, record));
    const once = await scoreRow(org.orgId, cand);
    expect(once?.last_contacted_at).toBe(sentAt);
    expect(once?.engagement_count).toBe(1);
    // A redelivered queue message records it again, perhaps later: nothing new, nothing moves.
    await runBatch(
      db,
      contactStatements(db, { ...record, occurredAt: Date.now(), now: Date.now() }),
    );
    expect(await scoreRow(org.orgId, cand)).toEqual(once);
    expect(await contactRows(org.orgId)).toEqual([
      { contact_key: `msg:${messageId}`, kind: 'sms', occurred_at: sentAt },
    ]);
    // An older message (recorded late) is stored but leaves last contacted where it is.
    await runBatch(
      db,
      contactStatements(db, {
        ...record,
        key: messageContactKey(rid('msg')),
        occurredAt: sentAt - DAY_MS,
      }),
    );
    expect(await scoreRow(org.orgId, cand)).toEqual(once);
    expect(await contactRows(org.orgId)).toHaveLength(2);
  });

  it('gives a candidate without a score row the empty one, and refuses a candidate that is gone', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const candidateId = rid('c');
    await env.DB.prepare('INSERT INTO candidates (id, org_id, external_id) VALUES (?, ?, ?)')
      .bind(candidateId, org.orgId, cand)
      .run();
    const db = database(env.DB);
    const at = Date.now() - 1000;
    const record = {
      orgId: org.orgId,
      candidateId,
      key: messageContactKey(rid('msg')),
      kind: 'whatsapp' as const,
      occurredAt: at,
      now: Date.now(),
    };
    await runBatch(db, contactStatements(db, record));
    expect(await scoreRow(org.orgId, cand)).toMatchObject({
      last_contacted_at: at,
      tier: 'inactive',
      engagement_count: 0,
      scored_through: 0,
    });
    await expect(
      runBatch(db, contactStatements(db, { ...record, candidateId: rid('gone') })),
    ).rejects.toThrow(/FOREIGN KEY/);
  });
});

describe('the last-contacted update', () => {
  it("reads the candidate's latest contact from the (org_id, candidate_id, occurred_at) index alone", async () => {
    const db = database(env.DB);
    const update = lastContactedUpdate(db, 'demo', eq(scores.candidateId, 'x')) as unknown as {
      toSQL(): { sql: string; params: unknown[] };
    };
    const query = update.toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join('\n');
    expect(details).toMatch(
      /SEARCH scores USING INDEX sqlite_autoindex_scores_1 \(candidate_id=\?\)/,
    );
    expect(details).toMatch(
      /SEARCH c USING COVERING INDEX contacts_org_candidate \(org_id=\? AND candidate_id=\?\)/,
    );
    expect(details).not.toMatch(/SCAN/);
  });
});

describe('last contacted in the console', () => {
  it('shows Never, then the date, next to last engaged', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [{ type: 'attend_event', ago: DAY_MS }]);
    const person = await signedInAs(org.keys.user);
    const before = await (await page(`/console/candidates/${cand}`, person.cookie)).text();
    expect(before).toContain('<dt>Last contacted</dt><dd>Never</dd>');
    // Two days ago, on the minute.
    const at = Math.floor((Date.now() - 2 * DAY_MS) / 60_000) * 60_000;
    await send(org.keys.user, [contact({ candidateId: cand, occurredAt: iso(at) })]);
    const after = await (await page(`/console/candidates/${cand}`, person.cookie)).text();
    const shown = `${iso(at).slice(0, 16).replace('T', ' ')} UTC`;
    expect(after).toContain(`<dt>Last contacted</dt><dd>${shown}</dd>`);
    expect(after.indexOf('Last engaged')).toBeLessThan(after.indexOf('Last contacted'));
  });
});
