// `GET /v1/usage`: the month's contacts as the send rule counts them, on the organisation's
// calendar (a frozen clock across New York's midnight of 1 April, when UTC is already in April),
// past months, paging, refused queries, who may read it, and organisations kept apart.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { api, createOrg, errorOf, type TestOrg } from '../../test/client.js';
import {
  addCandidate,
  freezeClock,
  HOUR_MS,
  MINUTE_MS,
  messagingOrg,
  personToken,
  sendMessage,
  sendOk,
  setClock,
  sms,
  thawClock,
} from '../../test/messaging.js';

interface Usage {
  period: string;
  periodStart: string;
  renewsAt: string;
  timeZone: string;
  allowance: number;
  used: number;
  remaining: number;
  contacts: { candidateId: string; usedAt: string; messageId: string }[];
  nextCursor: string | null;
}

afterEach(() => thawClock());

/** New York's midnight starting 1 April 2026 (EDT, UTC-4): 04:00 UTC, four hours into April there. */
const NY_APRIL = Date.UTC(2026, 3, 1, 4, 0, 0);

async function usage(key: string, query = ''): Promise<Usage> {
  const response = await api('GET', `/v1/usage${query}`, key);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Usage;
}

/** A text that uses a contact, sent at `at`; its message id. */
async function textAt(org: TestOrg, at: number) {
  setClock(at);
  const candidate = await addCandidate(org);
  const { reply } = await sendOk(org.keys.user, sms(candidate));
  expect(reply.usesContact).toBe(true);
  return {
    candidateId: candidate.externalId,
    usedAt: new Date(at).toISOString(),
    messageId: reply.id,
  };
}

describe('GET /v1/usage', () => {
  it('counts contacts by the organisation’s month, across its midnight, not UTC’s', async () => {
    freezeClock(Date.UTC(2026, 2, 15, 16));
    const org = await messagingOrg({ allowance: 5, zone: 'America/New_York' });
    const mid = await textAt(org, Date.UTC(2026, 2, 15, 16));
    // 23:59 on 31 March in New York, already 1 April in UTC: still March's.
    const lastMinute = await textAt(org, NY_APRIL - MINUTE_MS);
    const april = await textAt(org, NY_APRIL);

    setClock(NY_APRIL - 1);
    const march = await usage(org.keys.reporter);
    expect(march).toEqual({
      period: '2026-03',
      // 1 March was still EST (UTC-5); the clocks changed on 8 March.
      periodStart: '2026-03-01T05:00:00.000Z',
      renewsAt: '2026-04-01T04:00:00.000Z',
      timeZone: 'America/New_York',
      allowance: 5,
      used: 2,
      remaining: 3,
      contacts: [lastMinute, mid],
      nextCursor: null,
    });

    setClock(NY_APRIL + HOUR_MS);
    expect(await usage(org.keys.reporter)).toEqual({
      period: '2026-04',
      periodStart: '2026-04-01T04:00:00.000Z',
      renewsAt: '2026-05-01T04:00:00.000Z',
      timeZone: 'America/New_York',
      allowance: 5,
      used: 1,
      remaining: 4,
      contacts: [april],
      nextCursor: null,
    });
    // March, asked for by name once it is over.
    expect(await usage(org.keys.reporter, '?period=2026-03')).toEqual({ ...march });
    expect((await usage(org.keys.reporter, '?period=2026-02')).used).toBe(0);
  });

  it('says what the send rule says: none remaining is a refusal, until the allowance is raised', async () => {
    freezeClock(Date.UTC(2026, 2, 4, 15));
    const org = await messagingOrg({ allowance: 2 });
    await textAt(org, Date.UTC(2026, 2, 4, 15));
    await textAt(org, Date.UTC(2026, 2, 4, 15, 1));
    const spent = await usage(org.keys.reporter);
    expect(spent).toMatchObject({ allowance: 2, used: 2, remaining: 0 });
    const third = await addCandidate(org);
    const { response } = await sendMessage(org.keys.user, sms(third));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('contacts_exhausted');

    const raised = await api('PUT', '/v1/settings/messaging', org.keys.manager, {
      monthlyContactAllowance: 3,
    });
    expect(raised.status).toBe(200);
    await sendOk(org.keys.user, sms(third));
    expect(await usage(org.keys.reporter)).toMatchObject({ allowance: 3, used: 3, remaining: 0 });
    // Lowered below what was used: nothing is negative.
    await api('PUT', '/v1/settings/messaging', org.keys.manager, { monthlyContactAllowance: 1 });
    expect(await usage(org.keys.reporter)).toMatchObject({ allowance: 1, used: 3, remaining: 0 });
  });

  it('pages the contacts newest first with limit and cursor, and counts them all', async () => {
    freezeClock(Date.UTC(2026, 2, 10, 12));
    const org = await messagingOrg({ allowance: 10 });
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await textAt(org, Date.UTC(2026, 2, 10, 12, i)));
    const newestFirst = sent.reverse();
    const seen = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Usage = await usage(
        org.keys.reporter,
        `?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.used).toBe(5);
      seen.push(...page.contacts);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);
  });

  it('refuses a malformed or future month, a bad limit and a cursor it did not make (400)', async () => {
    freezeClock(Date.UTC(2026, 2, 10, 12));
    const org = await messagingOrg({ zone: 'Pacific/Auckland' });
    for (const query of [
      '?period=2026-3',
      '?period=2026-13',
      '?period=2026-00',
      '?period=march',
      '?period=1999-12',
      '?period=2026-03-01',
      '?limit=0',
      '?limit=1001',
      '?limit=ten',
      '?cursor=not-ours',
      '?cursor=eyJ4IjoxfQ',
    ]) {
      const response = await api('GET', `/v1/usage${query}`, org.keys.reporter);
      expect(response.status, query).toBe(400);
      expect((await errorOf(response)).code, query).toBe('invalid_request');
    }
    const future = await api('GET', '/v1/usage?period=2026-04', org.keys.reporter);
    expect(future.status).toBe(400);
    expect((await errorOf(future)).issues).toEqual([
      {
        path: 'period',
        code: 'invalid',
        message: 'must not be after the current month (2026-03 in Pacific/Auckland)',
      },
    ]);
    // Auckland's April has begun at 11:00 UTC on 31 March (NZDT, UTC+13).
    setClock(Date.UTC(2026, 2, 31, 11));
    expect((await usage(org.keys.reporter, '?period=2026-04')).periodStart).toBe(
      '2026-03-31T11:00:00.000Z',
    );
    expect((await usage(org.keys.reporter, '?limit=1000')).period).toBe('2026-04');
  });

  it('lets reporters and above read it, not users, with a key or a session', async () => {
    const org = await createOrg();
    const refused = await api('GET', '/v1/usage', org.keys.user);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe('forbidden');
    const person = await personToken(org.orgId, 'user');
    expect((await api('GET', '/v1/usage', person.token)).status).toBe(403);
    for (const role of ['reporter', 'manager', 'admin'] as const) {
      expect((await usage(org.keys[role])).used, role).toBe(0);
    }
    const reporter = await personToken(org.orgId, 'reporter');
    expect((await usage(reporter.token)).allowance).toBe(0);
    expect((await api('GET', '/v1/usage')).status).toBe(401);
  });

  it("never shows another organisation's contacts, even with its cursor", async () => {
    freezeClock(Date.UTC(2026, 2, 10, 12));
    const a = await messagingOrg({ allowance: 10 });
    const b = await messagingOrg({ allowance: 7 });
    for (let i = 0; i < 3; i++) await textAt(a, Date.UTC(2026, 2, 10, 12, i));
    const mine = await textAt(b, Date.UTC(2026, 2, 10, 11));
    const page = await usage(a.keys.reporter, '?limit=1');
    expect(page.nextCursor).not.toBeNull();
    // Sealed for a's list: in b it does not open (a 400), so it pages nothing of either.
    const theirs = await api('GET', `/v1/usage?cursor=${page.nextCursor}`, b.keys.admin);
    expect(theirs.status).toBe(400);
    expect((await usage(b.keys.admin)).contacts).toEqual([mine]);
    const [row] = (
      await env.DB.prepare('SELECT count(*) AS n FROM contact_usage WHERE org_id = ?')
        .bind(a.orgId)
        .all<{ n: number }>()
    ).results;
    expect(row?.n).toBe(3);
  });
});
