// A candidate's contact details against a real D1: numbers parsed to E.164 with their country,
// refusals that write nothing, what a PUT keeps, clears and resets, the opt-outs shown, roles,
// organisations apart, and the audit entry without the number.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, createOrg, errorOf, json, rid, rows, type TestOrg } from '../../test/client.js';
import type { ContactDetailsReply } from './schema.js';

const path = (candidateId: string) => `/v1/candidates/${candidateId}/contact`;

function put(org: TestOrg, candidateId: string, body: unknown, key = org.keys.user) {
  return api('PUT', path(candidateId), key, body);
}

async function putOk(org: TestOrg, candidateId: string, body: unknown) {
  const response = await put(org, candidateId, body);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ContactDetailsReply;
}

function getContact(org: TestOrg, candidateId: string, key = org.keys.user) {
  return api('GET', path(candidateId), key);
}

interface AuditRow {
  actor: string;
  action: string;
  subject: string | null;
  details: string;
}

function auditOf(org: TestOrg) {
  return rows<AuditRow>(
    `SELECT actor, action, subject, details FROM audit_log
     WHERE org_id = ? AND action = 'candidate.contact_updated' ORDER BY at, rowid`,
    org.orgId,
  );
}

function candidateRows(org: TestOrg, externalId: string) {
  return rows(
    'SELECT id FROM candidates WHERE org_id = ? AND external_id = ?',
    org.orgId,
    externalId,
  );
}

function contactRows(org: TestOrg) {
  return rows('SELECT * FROM candidate_contact_details WHERE org_id = ?', org.orgId);
}

/** Sets opt-out times directly, as the inbound STOP handling would. */
async function optOut(org: TestOrg, externalId: string, at: number) {
  await env.DB.prepare(
    `UPDATE candidate_contact_details SET sms_opted_out_at = ?1, whatsapp_opted_out_at = ?1
     WHERE candidate_id = (SELECT id FROM candidates WHERE org_id = ?2 AND external_id = ?3)`,
  )
    .bind(at, org.orgId, externalId)
    .run();
}

const HOUR = 3600_000;
const consentAt = new Date(Date.now() - 2 * HOUR).toISOString();
const sms = { source: 'career-site form', at: consentAt };
const whatsapp = { source: 'ATS import', at: consentAt };

describe('PUT /v1/candidates/{id}/contact: numbers', () => {
  it('stores valid numbers of several countries as E.164 with their country', async () => {
    const org = await createOrg();
    const cases = [
      ['+1 415 555 0123', '+14155550123', 'US'],
      ['+1 (202) 555-0143', '+12025550143', 'US'],
      ['+44 7400 123456', '+447400123456', 'GB'],
      ['+1 787 234 5678', '+17872345678', 'PR'],
      ['+48 512 345 678', '+48512345678', 'PL'],
      ['+49 1512 3456789', '+4915123456789', 'DE'],
      ['+91 98765 43210', '+919876543210', 'IN'],
      [' +34.612.345.678 ', '+34612345678', 'ES'],
    ] as const;
    for (const [given, e164, country] of cases) {
      const cand = rid('cand');
      const reply = await putOk(org, cand, { phone: given });
      expect(reply, given).toMatchObject({ candidateId: cand, phone: e164, phoneCountry: country });
      const read = await json<ContactDetailsReply>(getContact(org, cand));
      expect(read, given).toEqual(reply);
    }
    const stored = await contactRows(org);
    expect(stored.map((row) => row.phone).sort()).toEqual(cases.map((c) => c[1]).sort());
  });

  it('refuses what is not a valid number in international format with a 400, writing nothing', async () => {
    const org = await createOrg();
    const refused = [
      '07400 123456', // national format, no +
      '447400123456', // no +
      '+44 74OO 123456', // letters (O for 0)
      'call +44 7400 123456', // prose around it
      '+44 7400', // too short
      '+4474001234567890', // too long
      '+44 7400 123456 ext. 5', // an extension
      '+1 415 555 0123x7',
      '+44 20 7946 09', // a digit short
      '+999 1234 5678', // no such country code
      '+',
      '',
    ];
    for (const phone of refused) {
      const cand = rid('cand');
      const response = await put(org, cand, { phone, firstName: 'Amara' });
      expect(response.status, phone).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_request');
      expect(error.issues).toEqual([
        {
          path: 'phone',
          code: 'invalid',
          message: 'Not a valid phone number in international format (E.164, e.g. +447400123456).',
        },
      ]);
      expect(await candidateRows(org, cand), phone).toEqual([]);
    }
    // A number is a string; a number of a country (not international freephone).
    expect((await put(org, rid('cand'), { phone: 447400123456 })).status).toBe(400);
    const freephone = await put(org, rid('cand'), { phone: '+800 1234 5678' });
    expect(freephone.status).toBe(400);
    expect((await errorOf(freephone)).issues?.[0]).toMatchObject({ path: 'phone' });
    expect(await contactRows(org)).toEqual([]);
    expect(await auditOf(org)).toEqual([]);
    expect(
      await rows('SELECT id FROM candidates WHERE org_id = ?', org.orgId),
      'no candidate created by a refused request',
    ).toEqual([]);
  });

  it('keeps the stored details when a change is refused', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const before = await putOk(org, cand, { phone: '+44 7400 123456', smsConsent: sms });
    expect((await put(org, cand, { phone: '07400 999999', smsConsent: null })).status).toBe(400);
    expect((await put(org, cand, { timeZone: 'Mars/Olympus', firstName: 'X' })).status).toBe(400);
    expect(await json(getContact(org, cand))).toEqual(before);
    expect(await auditOf(org)).toHaveLength(1);
  });
});

describe('PUT /v1/candidates/{id}/contact: the other fields', () => {
  it('takes IANA time zones in their own spelling and refuses unknown ones', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    expect((await putOk(org, cand, { timeZone: 'europe/london' })).timeZone).toBe('Europe/London');
    expect((await putOk(org, cand, { timeZone: 'America/Puerto_Rico' })).timeZone).toBe(
      'America/Puerto_Rico',
    );
    for (const timeZone of [
      'Mars/Olympus',
      'Europe/Londn',
      '+01:00',
      'GMT+1',
      '',
      'x'.repeat(65),
    ]) {
      const response = await put(org, cand, { timeZone });
      expect(response.status, timeZone).toBe(400);
      const { error } = await json<{ error: { issues: { path: string; message: string }[] } }>(
        response,
      );
      const [issue] = error.issues;
      expect(issue?.path).toBe('timeZone');
      expect(issue?.message ?? '').toMatch(/^Unknown time zone/);
    }
    expect((await json<ContactDetailsReply>(getContact(org, cand))).timeZone).toBe(
      'America/Puerto_Rico',
    );
  });

  it('trims the first name and checks its length, the consent source and time', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    expect((await putOk(org, cand, { firstName: '  Amara ' })).firstName).toBe('Amara');
    expect((await putOk(org, cand, { firstName: 'é'.repeat(100) })).firstName).toHaveLength(100);
    const bad: [unknown, string, string?][] = [
      [{ firstName: '   ' }, 'firstName'],
      [{ firstName: 'x'.repeat(101) }, 'firstName'],
      [{ firstName: 42 }, 'firstName'],
      [{ phone: '+14155550123', smsConsent: { source: ' ', at: consentAt } }, 'smsConsent.source'],
      [
        { phone: '+14155550123', smsConsent: { source: 'x'.repeat(101), at: consentAt } },
        'smsConsent.source',
      ],
      [{ phone: '+14155550123', smsConsent: { source: 'form' } }, 'smsConsent.at'],
      [{ phone: '+14155550123', smsConsent: { source: 'form', at: 'yesterday' } }, 'smsConsent.at'],
      [
        { phone: '+14155550123', smsConsent: { source: 'form', at: '2026-01-01T10:00:00' } },
        'smsConsent.at',
      ],
      [
        {
          phone: '+14155550123',
          whatsappOptIn: { source: 'form', at: new Date(Date.now() + 30 * HOUR).toISOString() },
        },
        'whatsappOptIn.at',
        'date_out_of_range',
      ],
      [
        { phone: '+14155550123', whatsappOptIn: { source: 'form', at: '1999-12-31T23:00:00Z' } },
        'whatsappOptIn.at',
        'date_out_of_range',
      ],
    ];
    for (const [body, issuePath, issueCode] of bad) {
      const response = await put(org, cand, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const issue = (await errorOf(response)).issues?.[0];
      expect(issue?.path, JSON.stringify(body)).toBe(issuePath);
      if (issueCode) expect(issue?.code).toBe(issueCode);
    }
    // A consent time a little ahead of the server clock is stored as now.
    const ahead = new Date(Date.now() + HOUR).toISOString();
    const reply = await putOk(org, cand, {
      phone: '+14155550123',
      smsConsent: { source: ' ATS import ', at: ahead },
    });
    expect(reply.smsConsent?.source).toBe('ATS import');
    expect(Date.parse(reply.smsConsent?.at ?? '')).toBeLessThanOrEqual(Date.now());
    // An offset is taken as given and returned in UTC.
    const offset = await putOk(org, cand, {
      whatsappOptIn: { source: 'form', at: '2026-01-05T09:30:00+01:00' },
    });
    expect(offset.whatsappOptIn).toEqual({ source: 'form', at: '2026-01-05T08:30:00.000Z' });
  });

  it('refuses unknown fields, opt-outs included, and an empty body', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const bodies: unknown[] = [
      { phone: '+14155550123', colour: 'blue' },
      { phone: '+14155550123', smsOptedOut: false },
      { phone: '+14155550123', smsOptedOutAt: null },
      { phone: '+14155550123', phoneCountry: 'GB' },
      { phone: '+14155550123', smsConsent: { ...sms, ip: '203.0.113.9' } },
      {},
      [],
    ];
    for (const body of bodies) {
      const response = await put(org, cand, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(response)).code).toBe('invalid_request');
    }
    expect(await candidateRows(org, cand)).toEqual([]);
    const text = await api('PUT', path(cand), org.keys.user, undefined, {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
  });

  it('needs a number for consent, given or stored', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const response = await put(org, cand, { firstName: 'Amara', smsConsent: sms });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.issues).toEqual([
      {
        path: 'smsConsent',
        code: 'invalid',
        message:
          'Consent belongs to a phone number: give `phone` with it, or set the number first.',
      },
    ]);
    expect(await candidateRows(org, cand)).toEqual([]);
    await putOk(org, cand, { phone: '+14155550123' });
    expect((await putOk(org, cand, { whatsappOptIn: whatsapp })).whatsappOptIn).toEqual({
      source: 'ATS import',
      at: new Date(consentAt).toISOString(),
    });
    expect((await put(org, cand, { phone: null, smsConsent: sms })).status).toBe(400);
    // Withdrawing a record needs no number.
    await putOk(org, cand, { phone: null });
    expect((await putOk(org, cand, { whatsappOptIn: null })).whatsappOptIn).toBeNull();
  });
});

describe('PUT /v1/candidates/{id}/contact: what it keeps, clears and resets', () => {
  it('keeps what is left out and clears what is null (clearing the number clears nothing else)', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const full = await putOk(org, cand, {
      phone: '+44 7400 123456',
      firstName: 'Amara',
      timeZone: 'Europe/London',
      smsConsent: sms,
      whatsappOptIn: whatsapp,
    });
    expect(full).toMatchObject({
      phone: '+447400123456',
      phoneCountry: 'GB',
      firstName: 'Amara',
      timeZone: 'Europe/London',
      smsConsent: { source: 'career-site form', at: new Date(consentAt).toISOString() },
      whatsappOptIn: { source: 'ATS import', at: new Date(consentAt).toISOString() },
    });
    const renamed = await putOk(org, cand, { firstName: 'Ama' });
    expect(renamed).toEqual({ ...full, firstName: 'Ama', updatedAt: renamed.updatedAt });
    const noZone = await putOk(org, cand, { timeZone: null, smsConsent: null });
    expect(noZone).toEqual({
      ...renamed,
      timeZone: null,
      smsConsent: null,
      updatedAt: noZone.updatedAt,
    });
    await optOut(org, cand, Date.now() - HOUR);
    const noPhone = await putOk(org, cand, { phone: null });
    expect(noPhone).toMatchObject({
      phone: null,
      phoneCountry: null,
      firstName: 'Ama',
      whatsappOptIn: full.whatsappOptIn,
      smsOptedOut: true,
      whatsappOptedOut: true,
    });
    const cleared = await putOk(org, cand, { firstName: null, whatsappOptIn: null });
    expect(cleared).toMatchObject({ firstName: null, whatsappOptIn: null, smsOptedOut: true });
  });

  it('a new number clears the consent and the opt-outs of the old one, unless given with it', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await putOk(org, cand, { phone: '+44 7400 123456', smsConsent: sms, whatsappOptIn: whatsapp });
    const stoppedAt = Date.now() - HOUR;
    await optOut(org, cand, stoppedAt);
    const before = await json<ContactDetailsReply>(getContact(org, cand));
    expect(before).toMatchObject({
      smsOptedOut: true,
      smsOptedOutAt: new Date(stoppedAt).toISOString(),
      whatsappOptedOut: true,
      whatsappOptedOutAt: new Date(stoppedAt).toISOString(),
    });

    // The same number written differently is not a new one: nothing is reset, nothing written.
    const same = await putOk(org, cand, { phone: '+447400123456' });
    expect(same).toEqual(before);

    const moved = await putOk(org, cand, { phone: '+48 512 345 678', smsConsent: sms });
    expect(moved).toMatchObject({
      phone: '+48512345678',
      phoneCountry: 'PL',
      smsConsent: before.smsConsent,
      whatsappOptIn: null,
      smsOptedOut: false,
      smsOptedOutAt: null,
      whatsappOptedOut: false,
      whatsappOptedOutAt: null,
    });
    const [, last] = await auditOf(org);
    expect(JSON.parse(last?.details ?? '{}')).toMatchObject({
      changed: {
        phone: 'changed',
        whatsappOptIn: null,
        smsOptOut: 'cleared',
        whatsappOptOut: 'cleared',
      },
      reset: ['whatsappOptIn', 'smsOptOut', 'whatsappOptOut'],
    });

    const again = await putOk(org, cand, { phone: '+1 415 555 0123' });
    expect(again).toMatchObject({ phone: '+14155550123', smsConsent: null, whatsappOptIn: null });
  });

  it('a number where none was stored clears consent on record but keeps the opt-outs', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await putOk(org, cand, { phone: '+44 7400 123456', smsConsent: sms, whatsappOptIn: whatsapp });
    await optOut(org, cand, Date.now() - HOUR);
    await putOk(org, cand, { phone: null });
    const back = await putOk(org, cand, { phone: '+44 7400 123456', whatsappOptIn: whatsapp });
    expect(back).toMatchObject({
      phone: '+447400123456',
      smsConsent: null,
      whatsappOptIn: { source: 'ATS import' },
      smsOptedOut: true,
      whatsappOptedOut: true,
    });
  });

  it('creates an unknown candidate, with a score row, and answers the same for the same request', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const first = await putOk(org, cand, { phone: '+14155550123', firstName: 'Amara' });
    expect(await candidateRows(org, cand)).toHaveLength(1);
    const score = await api('GET', `/v1/candidates/${cand}/score`, org.keys.user);
    expect(score.status).toBe(200);
    expect((await score.json()) as { tier: string }).toMatchObject({ tier: 'inactive' });
    // Repeating it changes nothing: same reply, same time, one audit entry.
    expect(await putOk(org, cand, { phone: '+1 415-555-0123', firstName: 'Amara' })).toEqual(first);
    expect(await auditOf(org)).toHaveLength(1);
    // A candidate known from elsewhere (tags) gets the details on its own row.
    const tagged = rid('cand');
    await api('PUT', `/v1/candidates/${tagged}/tags`, org.keys.user, { tags: ['java'] });
    await putOk(org, tagged, { phone: '+14155550124' });
    expect(await candidateRows(org, tagged)).toHaveLength(1);
  });

  it('settles concurrent first writes of one candidate on one row', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const replies = await Promise.all([
      put(org, cand, { phone: '+14155550123' }),
      put(org, cand, { firstName: 'Amara' }),
      put(org, cand, { timeZone: 'America/New_York' }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await candidateRows(org, cand)).toHaveLength(1);
    expect(await json(getContact(org, cand))).toMatchObject({
      phone: '+14155550123',
      firstName: 'Amara',
      timeZone: 'America/New_York',
    });
    expect(await auditOf(org)).toHaveLength(3);
  });

  it('keeps every field of concurrent changes to one row, each audited once', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await putOk(org, cand, { phone: '+14155550123' });
    const replies = await Promise.all([
      put(org, cand, { firstName: 'Amara' }),
      put(org, cand, { timeZone: 'America/Los_Angeles' }),
      put(org, cand, { smsConsent: sms }),
      put(org, cand, { whatsappOptIn: whatsapp }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await json(getContact(org, cand))).toMatchObject({
      phone: '+14155550123',
      firstName: 'Amara',
      timeZone: 'America/Los_Angeles',
      smsConsent: { source: sms.source },
      whatsappOptIn: { source: whatsapp.source },
    });
    expect(await auditOf(org)).toHaveLength(5);
  });
});

describe('GET /v1/candidates/{id}/contact', () => {
  it('answers the details with the opt-out state of each channel', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const put = await putOk(org, cand, {
      phone: '+91 98765 43210',
      firstName: 'Priya',
      timeZone: 'Asia/Kolkata',
      whatsappOptIn: whatsapp,
    });
    const read = await json<ContactDetailsReply>(getContact(org, cand));
    expect(read).toEqual(put);
    expect(Object.keys(read).sort()).toEqual(
      [
        'candidateId',
        'phone',
        'phoneCountry',
        'firstName',
        'timeZone',
        'smsConsent',
        'whatsappOptIn',
        'smsOptedOut',
        'smsOptedOutAt',
        'whatsappOptedOut',
        'whatsappOptedOutAt',
        'updatedAt',
      ].sort(),
    );
    expect(read).toMatchObject({
      candidateId: cand,
      phone: '+919876543210',
      phoneCountry: 'IN',
      smsConsent: null,
      smsOptedOut: false,
      smsOptedOutAt: null,
      whatsappOptedOut: false,
      whatsappOptedOutAt: null,
    });
    const at = Date.UTC(2026, 0, 10, 12);
    await env.DB.prepare(
      `UPDATE candidate_contact_details SET whatsapp_opted_out_at = ?1
       WHERE candidate_id = (SELECT id FROM candidates WHERE org_id = ?2 AND external_id = ?3)`,
    )
      .bind(at, org.orgId, cand)
      .run();
    expect(await json(getContact(org, cand))).toMatchObject({
      smsOptedOut: false,
      smsOptedOutAt: null,
      whatsappOptedOut: true,
      whatsappOptedOutAt: '2026-01-10T12:00:00.000Z',
    });
    // A change of other fields leaves the opt-out as it is.
    expect(await putOk(org, cand, { firstName: 'Priya R' })).toMatchObject({
      whatsappOptedOut: true,
    });
  });

  it('answers 404 for an unknown candidate and for one without contact details', async () => {
    const org = await createOrg();
    const ghost = await getContact(org, 'ghost');
    expect(ghost.status).toBe(404);
    expect(await errorOf(ghost)).toEqual({
      code: 'not_found',
      message: 'No candidate ghost in this organisation.',
    });
    const cand = rid('cand');
    await api('PUT', `/v1/candidates/${cand}/tags`, org.keys.user, { tags: ['java'] });
    const none = await getContact(org, cand);
    expect(none.status).toBe(404);
    expect(await errorOf(none)).toEqual({
      code: 'not_found',
      message: `Candidate ${cand} has no contact details yet.`,
    });
  });
});

describe('contact details: roles, organisations, audit', () => {
  it('lets the user role and above read and write; no key or a wrong one gets 401', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    for (const role of ['user', 'reporter', 'manager', 'admin'] as const) {
      const response = await put(org, cand, { firstName: role }, org.keys[role]);
      expect(response.status, role).toBe(200);
      expect((await getContact(org, cand, org.keys[role])).status, role).toBe(200);
    }
    for (const key of [undefined, 'sk_wrong_key']) {
      const write = await api('PUT', path(cand), key, { firstName: 'x' });
      expect(write.status).toBe(401);
      expect((await errorOf(write)).code).toBe('unauthorized');
      expect((await api('GET', path(cand), key)).status).toBe(401);
    }
    expect((await json<ContactDetailsReply>(getContact(org, cand))).firstName).toBe('admin');
  });

  it("never reads or writes another organisation's candidate", async () => {
    const a = await createOrg();
    const b = await createOrg();
    const cand = 'cand-shared-name';
    const mine = await putOk(a, cand, { phone: '+44 7400 123456', firstName: 'Amara' });
    expect((await getContact(b, cand, b.keys.admin)).status).toBe(404);
    // b's write creates b's own candidate; a's stays as it was.
    const theirs = await putOk(b, cand, { phone: '+1 415 555 0123' });
    expect(theirs).toMatchObject({ phone: '+14155550123', firstName: null });
    expect(await json(getContact(a, cand))).toEqual(mine);
    const [aId] = await candidateRows(a, cand);
    const [bId] = await candidateRows(b, cand);
    expect(aId?.id).not.toBe(bId?.id);
    expect(await contactRows(b)).toHaveLength(1);
    expect((await contactRows(a))[0]).toMatchObject({ phone: '+447400123456' });
  });

  it('audits each change with its actor and the fields changed, never the number', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await putOk(org, cand, {
      phone: '+44 7400 123456',
      firstName: 'Amara',
      timeZone: 'Europe/London',
      smsConsent: sms,
    });
    await putOk(org, cand, { phone: '+48 512 345 678', firstName: null });
    const audit = await auditOf(org);
    expect(audit).toHaveLength(2);
    const [candidate] = await candidateRows(org, cand);
    for (const entry of audit) {
      expect(entry).toMatchObject({
        actor: `key:key_${org.orgId}_user`,
        action: 'candidate.contact_updated',
        subject: candidate?.id,
      });
      for (const secret of ['7400', '123456', '512', '345', 'Amara', 'London']) {
        expect(entry.details, secret).not.toContain(secret);
      }
    }
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({
      candidate: cand,
      created: true,
      changed: {
        phone: 'changed',
        firstName: 'changed',
        timeZone: 'changed',
        smsConsent: { source: 'career-site form', at: new Date(consentAt).toISOString() },
      },
      reset: [],
    });
    expect(JSON.parse(audit[1]?.details ?? '{}')).toEqual({
      candidate: cand,
      created: false,
      changed: { phone: 'changed', firstName: 'cleared', smsConsent: null },
      reset: ['smsConsent'],
    });
  });

  it('documents both operations and every status in the OpenAPI document', async () => {
    const doc = await json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>(api('GET', '/v1/openapi.json'));
    const item = doc.paths['/v1/candidates/{candidateId}/contact'];
    expect(Object.keys(item?.get?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '429',
      '503',
    ]);
    expect(Object.keys(item?.put?.responses ?? {}).sort()).toEqual(
      ['200', '400', '401', '403', '413', '415', '429', '503'].sort(),
    );
  });
});
