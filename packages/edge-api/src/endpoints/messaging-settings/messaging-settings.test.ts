// The organisation's messaging settings (`/v1/settings/messaging`): the round trip as sending
// reads it, every refusal at its edge with nothing written, sender numbers that belong to one
// organisation (both ways, and raced), one audit entry per effective change and none for a no-op,
// who may read and change them, and organisations kept apart.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePhone } from '../../schemas/phone.js';
import { api, createOrg, errorOf, rows, type TestOrg } from '../../test/client.js';
import {
  addCandidate,
  freezeClock,
  NOON,
  personToken,
  sendOk,
  sms,
  thawClock,
} from '../../test/messaging.js';
import { parseSenders } from '../messages/load-send.js';
import { MAX_ALLOWANCE, WIDENING_MESSAGE } from './schema.js';

interface Settings {
  monthlyContactAllowance: number;
  timeZone: string;
  sendHours: { start: number; end: number };
  senderNumbers: Record<string, string>;
  whatsappSender: string | null;
}

interface Issue {
  path: string;
  code: string;
  message: string;
}

afterEach(() => thawClock());

const PATH = '/v1/settings/messaging';

/** A valid number of `country` nobody else has: `prefix` and random digits up to `length`. */
function freshNumber(country: string, prefix: string, length: number): string {
  for (;;) {
    const digits = Array.from(
      crypto.getRandomValues(new Uint8Array(length - prefix.length)),
      (b) => b % 10,
    ).join('');
    const parsed = parsePhone(`${prefix}${digits}`);
    // Some ranges of a calling code are another country's (+44 7700 900… is Jersey's).
    if (!('problem' in parsed) && parsed.country === country) return parsed.number;
  }
}

/** A UK mobile (+44 7400 …), as E.164. */
const gbNumber = () => freshNumber('GB', '+447400', 13);
/** A US number in San Francisco (+1 415 …), as E.164. */
const usNumber = () => freshNumber('US', '+1415', 12);

function put(key: string, body: unknown) {
  return api('PUT', PATH, key, body);
}

async function settingsOf(org: TestOrg): Promise<Settings> {
  const response = await api('GET', PATH, org.keys.manager);
  expect(response.status).toBe(200);
  return (await response.json()) as Settings;
}

async function putOk(key: string, body: unknown): Promise<Settings> {
  const response = await put(key, body);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Settings;
}

async function orgRow(org: TestOrg) {
  const [row] = await rows<Record<string, unknown>>(
    `SELECT monthly_contact_allowance, time_zone, quiet_start_hour, quiet_end_hour, sender_numbers,
       whatsapp_sender FROM organisations WHERE id = ?`,
    org.orgId,
  );
  return row;
}

async function auditOf(org: TestOrg) {
  return rows<{ actor: string; action: string; subject: string; details: string }>(
    `SELECT actor, action, subject, details FROM audit_log
     WHERE org_id = ? AND action = 'settings.messaging' ORDER BY at, rowid`,
    org.orgId,
  );
}

/** A refused PUT: its status, code and issues, and proof that nothing was written. */
async function refused(org: TestOrg, body: unknown, status = 400) {
  const before = await orgRow(org);
  const audits = (await auditOf(org)).length;
  const response = await put(org.keys.manager, body);
  expect(response.status, JSON.stringify(body)).toBe(status);
  const error = await errorOf(response);
  expect(await orgRow(org)).toEqual(before);
  expect(await auditOf(org)).toHaveLength(audits);
  return error as { code: string; message: string; issues?: Issue[] };
}

describe('messaging settings: round trip', () => {
  it('answers the defaults of a new organisation', async () => {
    const org = await createOrg();
    expect(await settingsOf(org)).toEqual({
      monthlyContactAllowance: 0,
      timeZone: 'UTC',
      sendHours: { start: 8, end: 20 },
      senderNumbers: {},
      whatsappSender: null,
    });
  });

  it('stores what it was given, normalised, as sending reads it, and answers the whole settings', async () => {
    const org = await createOrg();
    const gb = gbNumber();
    const us = usNumber();
    const wa = usNumber();
    const spaced = `${gb.slice(0, 3)} ${gb.slice(3, 7)} ${gb.slice(7)}`;
    const saved = await putOk(org.keys.manager, {
      monthlyContactAllowance: 250,
      timeZone: 'europe/london',
      sendHours: { start: 9, end: 18 },
      senderNumbers: { gb: spaced, US: ` ${us} ` },
      whatsappSender: wa,
    });
    const expected = {
      monthlyContactAllowance: 250,
      timeZone: 'Europe/London',
      sendHours: { start: 9, end: 18 },
      senderNumbers: { GB: gb, US: us },
      whatsappSender: wa,
    };
    expect(saved).toEqual(expected);
    expect(await settingsOf(org)).toEqual(expected);
    const row = await orgRow(org);
    expect(row).toMatchObject({
      monthly_contact_allowance: 250,
      time_zone: 'Europe/London',
      quiet_start_hour: 9,
      quiet_end_hour: 18,
      whatsapp_sender: wa,
    });
    // The shape sending reads: a list per country, first preferred.
    expect(parseSenders(String(row?.sender_numbers))).toEqual({ GB: [gb], US: [us] });
  });

  it('changes only the fields given', async () => {
    const org = await createOrg();
    const gb = gbNumber();
    await putOk(org.keys.manager, {
      monthlyContactAllowance: 10,
      timeZone: 'Asia/Manila',
      senderNumbers: { GB: gb },
    });
    const after = await putOk(org.keys.manager, { sendHours: { start: 10, end: 16 } });
    expect(after).toEqual({
      monthlyContactAllowance: 10,
      timeZone: 'Asia/Manila',
      sendHours: { start: 10, end: 16 },
      senderNumbers: { GB: gb },
      whatsappSender: null,
    });
    // Sender numbers are replaced as a whole: a country left out has none; null removes WhatsApp.
    const us = usNumber();
    const wa = usNumber();
    await putOk(org.keys.manager, { whatsappSender: wa });
    const replaced = await putOk(org.keys.manager, {
      senderNumbers: { US: us },
      whatsappSender: null,
    });
    expect(replaced.senderNumbers).toEqual({ US: us });
    expect(replaced.whatsappSender).toBeNull();
    expect((await putOk(org.keys.manager, { senderNumbers: {} })).senderNumbers).toEqual({});
  });

  it('keeps a country’s other stored numbers unless its number changes', async () => {
    const org = await createOrg();
    const [first, second] = [gbNumber(), gbNumber()];
    await env.DB.prepare('UPDATE organisations SET sender_numbers = ?1 WHERE id = ?2')
      .bind(JSON.stringify({ GB: [first, second] }), org.orgId)
      .run();
    expect((await settingsOf(org)).senderNumbers).toEqual({ GB: first });
    // Saving the numbers as shown (with another field) changes no number: the list stays whole.
    await putOk(org.keys.manager, { monthlyContactAllowance: 5, senderNumbers: { GB: first } });
    expect(JSON.parse(String((await orgRow(org))?.sender_numbers))).toEqual({
      GB: [first, second],
    });
  });

  it('is what the next text goes by: the new sender number, and the narrowed hours', async () => {
    freezeClock(NOON); // 15:00 in London
    const org = await createOrg();
    await env.DB.prepare('UPDATE api_keys SET messaging = 1 WHERE org_id = ?1')
      .bind(org.orgId)
      .run();
    const gb = gbNumber();
    await putOk(org.keys.manager, { monthlyContactAllowance: 5, senderNumbers: { GB: gb } });
    const londoner = await addCandidate(org, {
      phone: freshNumber('GB', '+447700', 13),
      timeZone: 'Europe/London',
    });
    const first = await sendOk(org.keys.user, sms(londoner));
    expect(first.reply).toMatchObject({ status: 'queued', from: gb });
    // Until 15:00 only: the same send is now held for tomorrow's 09:00 in London.
    await putOk(org.keys.manager, { sendHours: { start: 9, end: 15 } });
    const second = await sendOk(org.keys.user, sms(londoner));
    expect(second.reply.status).toBe('scheduled');
    expect(second.reply.scheduledFor).toBe('2026-03-05T09:00:00.000Z');
  });
});

describe('messaging settings: refusals write nothing', () => {
  it('lets the send hours narrow 08:00-20:00, never widen it', async () => {
    const org = await createOrg();
    for (const hours of [
      { start: 8, end: 20 },
      { start: 8, end: 9 },
      { start: 19, end: 20 },
      { start: 12, end: 13 },
    ]) {
      expect((await putOk(org.keys.manager, { sendHours: hours })).sendHours).toEqual(hours);
    }
    const widen = await refused(org, { sendHours: { start: 7, end: 20 } });
    expect(widen.issues).toEqual([
      { path: 'sendHours.start', code: 'invalid', message: WIDENING_MESSAGE },
    ]);
    expect(WIDENING_MESSAGE).toContain('may narrow these hours, never widen them');
    const late = await refused(org, { sendHours: { start: 8, end: 21 } });
    expect(late.issues).toEqual([
      { path: 'sendHours.end', code: 'invalid', message: WIDENING_MESSAGE },
    ]);
    const both = await refused(org, { sendHours: { start: 0, end: 24 } });
    expect(both.issues?.map((issue) => issue.path)).toEqual(['sendHours.start', 'sendHours.end']);
  });

  it('refuses an end that is not after the start, part hours, and half a window', async () => {
    const org = await createOrg();
    const same = await refused(org, { sendHours: { start: 12, end: 12 } });
    expect(same.issues).toEqual([
      {
        path: 'sendHours.end',
        code: 'invalid',
        message: 'The end (12:00) must be after the start (12:00).',
      },
    ]);
    const backwards = await refused(org, { sendHours: { start: 18, end: 9 } });
    expect(backwards.issues?.[0]?.message).toBe('The end (09:00) must be after the start (18:00).');
    const half = await refused(org, { sendHours: { start: 8.5, end: 20 } });
    expect(half.issues).toEqual([
      { path: 'sendHours.start', code: 'invalid', message: 'A whole hour, e.g. 9.' },
    ]);
    expect((await refused(org, { sendHours: { start: 9 } })).issues?.[0]?.path).toBe(
      'sendHours.end',
    );
    expect((await refused(org, { sendHours: { start: '9', end: 18 } })).code).toBe(
      'invalid_request',
    );
  });

  it('refuses a time zone Intl does not know, and offsets', async () => {
    const org = await createOrg();
    for (const zone of [
      'Mars/Olympus_Mons',
      'Europe/Londn',
      '+01:00',
      'GMT+1',
      '',
      'x'.repeat(65),
    ]) {
      const error = await refused(org, { timeZone: zone });
      expect(error.issues?.[0]?.path, zone).toBe('timeZone');
    }
    const unknown = await refused(org, { timeZone: 'Europe/Londn' });
    expect(unknown.issues?.[0]?.message).toBe(
      'Unknown time zone "Europe/Londn": give an IANA time zone name, e.g. Europe/London.',
    );
    // A name Intl knows is stored as Intl spells it (its case, its canonical link).
    const argentina = 'america/argentina/buenos_aires';
    const canonical = new Intl.DateTimeFormat('en', { timeZone: argentina }).resolvedOptions()
      .timeZone;
    expect((await putOk(org.keys.manager, { timeZone: argentina })).timeZone).toBe(canonical);
  });

  it('takes an allowance from 0 to a million, whole', async () => {
    const org = await createOrg();
    for (const allowance of [-1, 1.5, MAX_ALLOWANCE + 1, '100', null]) {
      const error = await refused(org, { monthlyContactAllowance: allowance });
      expect(error.issues?.[0]?.path, String(allowance)).toBe('monthlyContactAllowance');
    }
    expect(
      (await putOk(org.keys.manager, { monthlyContactAllowance: MAX_ALLOWANCE }))
        .monthlyContactAllowance,
    ).toBe(MAX_ALLOWANCE);
    expect(
      (await putOk(org.keys.manager, { monthlyContactAllowance: 0 })).monthlyContactAllowance,
    ).toBe(0);
  });

  it('refuses a sender number of another country, a country SMS does not reach, and non-numbers, each by country', async () => {
    const org = await createOrg();
    const error = await refused(org, {
      senderNumbers: {
        GB: '+14155550123',
        DE: '+4930123456',
        GBR: gbNumber(),
        US: '+1 415 555',
        PR: '+14155550123',
        CA: 'call me',
      },
    });
    expect(error.code).toBe('invalid_request');
    const byPath = Object.fromEntries(
      (error.issues ?? []).map((issue) => [issue.path, issue.message]),
    );
    expect(byPath).toEqual({
      'senderNumbers.GB':
        '+14155550123 is a number of the United States (US), not of the United Kingdom: texts to GB go from a GB number.',
      'senderNumbers.DE': expect.stringMatching(
        /^SMS is not supported to Germany \(DE\), so it takes no sender number; SMS countries: CA, US, /,
      ),
      'senderNumbers.GBR': '"GBR" is not a country code: use ISO 3166-1 alpha-2, e.g. GB.',
      'senderNumbers.US':
        'Not a valid phone number in international format (E.164, e.g. +447400123456).',
      'senderNumbers.PR':
        '+14155550123 is a number of the United States (US), not of Puerto Rico: texts to PR go from a PR number.',
      'senderNumbers.CA':
        'Not a valid phone number in international format (E.164, e.g. +447400123456).',
    });
    // Puerto Rico's own numbers share +1 and are told apart by the full metadata.
    const pr = freshNumber('PR', '+1787', 12);
    expect((await putOk(org.keys.manager, { senderNumbers: { PR: pr } })).senderNumbers).toEqual({
      PR: pr,
    });
  });

  it('refuses a WhatsApp sender that is not a number, an empty body and unknown fields', async () => {
    const org = await createOrg();
    expect((await refused(org, { whatsappSender: '0800 123' })).issues?.[0]?.path).toBe(
      'whatsappSender',
    );
    expect((await refused(org, {})).issues?.[0]?.message).toBe('Nothing to change.');
    expect((await refused(org, { seats: 100 })).code).toBe('invalid_request');
    expect((await refused(org, { monthlyContactAllowance: 5, colour: 'red' })).code).toBe(
      'invalid_request',
    );
    // Nothing of a body with one bad field is kept, the good fields included.
    await refused(org, { monthlyContactAllowance: 5, timeZone: 'Nowhere/Land' });
    expect((await settingsOf(org)).monthlyContactAllowance).toBe(0);
  });
});

describe('messaging settings: a sender number belongs to one organisation', () => {
  it("refuses another organisation's SMS or WhatsApp sender, or one of its people's own number (409)", async () => {
    const owner = await createOrg();
    const [gb, wa, own] = [gbNumber(), usNumber(), gbNumber()];
    await putOk(owner.keys.manager, { senderNumbers: { GB: gb }, whatsappSender: wa });
    await personToken(owner.orgId, 'user', { senderPhone: own });
    const other = await createOrg();
    for (const [body, number] of [
      [{ senderNumbers: { GB: gb } }, gb],
      [{ whatsappSender: gb }, gb],
      [{ senderNumbers: { US: wa } }, wa],
      [{ whatsappSender: wa }, wa],
      [{ senderNumbers: { GB: own } }, own],
    ] as const) {
      const error = await refused(other, body, 409);
      expect(error).toMatchObject({
        code: 'sender_number_taken',
        message: `${number} is already a sender number elsewhere; a sender number belongs to one organisation.`,
      });
    }
    // Written in another format, it is the same number.
    const spaced = `${gb.slice(0, 3)} (${gb.slice(3, 7)}) ${gb.slice(7)}`;
    expect((await refused(other, { senderNumbers: { GB: spaced } }, 409)).code).toBe(
      'sender_number_taken',
    );
  });

  it("and the other way: a person's own number may not be another organisation's sender", async () => {
    const owner = await createOrg();
    const gb = gbNumber();
    await putOk(owner.keys.manager, { senderNumbers: { GB: gb } });
    const other = await createOrg();
    const created = await api('POST', '/v1/users', other.keys.admin, {
      email: `claims-${crypto.randomUUID()}@x.test`,
      displayName: 'Claims',
      senderPhone: gb,
    });
    expect(created.status).toBe(409);
    expect((await errorOf(created)).code).toBe('sender_number_taken');
  });

  it('lets an organisation keep its own numbers, share one with its own people, and move them between its fields', async () => {
    const org = await createOrg();
    const [gb, us] = [gbNumber(), usNumber()];
    await personToken(org.orgId, 'user', { senderPhone: gb });
    await putOk(org.keys.manager, { senderNumbers: { GB: gb, US: us } });
    // Saved again, with something else changed: its own numbers do not count against it.
    await putOk(org.keys.manager, {
      senderNumbers: { GB: gb, US: us },
      monthlyContactAllowance: 3,
    });
    expect((await putOk(org.keys.manager, { whatsappSender: us })).whatsappSender).toBe(us);
  });

  it('gives a number two organisations race for to exactly one of them', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = [await createOrg(), await createOrg()];
      const gb = gbNumber();
      const replies = await Promise.all([
        put(a.keys.manager, { senderNumbers: { GB: gb } }),
        put(b.keys.manager, { senderNumbers: { GB: gb } }),
      ]);
      expect(replies.map((reply) => reply.status).sort(), `round ${round}`).toEqual([200, 409]);
      const holders = await rows<{ id: string }>(
        `SELECT id FROM organisations WHERE id IN (?1, ?2) AND sender_numbers LIKE ?3`,
        a.orgId,
        b.orgId,
        `%${gb}%`,
      );
      expect(holders).toHaveLength(1);
      const loser = replies[0]?.status === 409 ? a : b;
      expect(await auditOf(loser)).toEqual([]);
    }
  });
});

describe('messaging settings: audit', () => {
  it('writes one entry per effective change, with each changed field before and after', async () => {
    const org = await createOrg();
    const [keyRow] = await rows<{ id: string }>(
      "SELECT id FROM api_keys WHERE org_id = ? AND role = 'manager'",
      org.orgId,
    );
    const gb = gbNumber();
    await putOk(org.keys.manager, { monthlyContactAllowance: 100 });
    await putOk(org.keys.manager, {
      monthlyContactAllowance: 500,
      sendHours: { start: 8, end: 20 },
      senderNumbers: { GB: gb },
    });
    const entries = await auditOf(org);
    expect(entries).toHaveLength(2);
    expect(entries.map((entry) => [entry.actor, entry.subject])).toEqual([
      [`key:${keyRow?.id}`, org.orgId],
      [`key:${keyRow?.id}`, org.orgId],
    ]);
    expect(JSON.parse(entries[0]!.details)).toEqual({
      changes: { monthlyContactAllowance: [0, 100] },
    });
    // The hours were given as they were: only what changed is in the entry.
    expect(JSON.parse(entries[1]!.details)).toEqual({
      changes: { monthlyContactAllowance: [100, 500], senderNumbers: [{}, { GB: gb }] },
    });
  });

  it('writes nothing for a change to the same values, however they are written', async () => {
    const org = await createOrg();
    const gb = gbNumber();
    const body = {
      monthlyContactAllowance: 40,
      timeZone: 'Europe/Warsaw',
      sendHours: { start: 9, end: 17 },
      senderNumbers: { GB: gb },
      whatsappSender: null,
    };
    const saved = await putOk(org.keys.manager, body);
    const row = await orgRow(org);
    expect(await auditOf(org)).toHaveLength(1);
    const again = await putOk(org.keys.manager, {
      ...body,
      timeZone: 'europe/warsaw',
      senderNumbers: { gb: `${gb.slice(0, 3)} ${gb.slice(3)}` },
    });
    expect(again).toEqual(saved);
    expect(await putOk(org.keys.manager, { monthlyContactAllowance: 40 })).toEqual(saved);
    expect(await orgRow(org)).toEqual(row);
    expect(await auditOf(org)).toHaveLength(1);
  });

  it('names the person when the change comes from a console session', async () => {
    const org = await createOrg();
    const manager = await personToken(org.orgId, 'manager');
    await putOk(manager.token, { monthlyContactAllowance: 900 });
    const [entry] = await auditOf(org);
    expect(entry?.actor).toBe(`user:${manager.id}`);
    expect(JSON.parse(entry!.details)).toEqual({ changes: { monthlyContactAllowance: [0, 900] } });
  });
});

describe('messaging settings: who may', () => {
  it('lets managers and admins read and change them; users and reporters get 403 and change nothing', async () => {
    const org = await createOrg();
    for (const role of ['user', 'reporter'] as const) {
      const read = await api('GET', PATH, org.keys[role]);
      expect(read.status, role).toBe(403);
      expect((await errorOf(read)).code).toBe('forbidden');
      const person = await personToken(org.orgId, role);
      for (const credential of [org.keys[role], person.token]) {
        const write = await put(credential, { monthlyContactAllowance: 1000 });
        expect(write.status, role).toBe(403);
      }
    }
    expect((await settingsOf(org)).monthlyContactAllowance).toBe(0);
    expect(await auditOf(org)).toEqual([]);
    for (const role of ['manager', 'admin'] as const) {
      expect((await api('GET', PATH, org.keys[role])).status, role).toBe(200);
      expect(
        (await putOk(org.keys[role], { monthlyContactAllowance: role === 'admin' ? 2 : 1 }))
          .monthlyContactAllowance,
      ).toBe(role === 'admin' ? 2 : 1);
    }
    expect((await put('sk_nobody', { monthlyContactAllowance: 1 })).status).toBe(401);
  });

  it('keeps organisations apart: each reads and changes its own', async () => {
    const [a, b] = [await createOrg(), await createOrg()];
    const gb = gbNumber();
    await putOk(a.keys.manager, { monthlyContactAllowance: 77, senderNumbers: { GB: gb } });
    await putOk(b.keys.admin, { monthlyContactAllowance: 5, timeZone: 'Asia/Tokyo' });
    expect(await settingsOf(a)).toMatchObject({
      monthlyContactAllowance: 77,
      timeZone: 'UTC',
      senderNumbers: { GB: gb },
    });
    expect(await settingsOf(b)).toMatchObject({
      monthlyContactAllowance: 5,
      timeZone: 'Asia/Tokyo',
      senderNumbers: {},
    });
    expect(await auditOf(a)).toHaveLength(1);
    expect(await auditOf(b)).toHaveLength(1);
  });
});
