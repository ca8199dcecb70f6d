import { describe, expect, it } from 'vitest';
import {
  api,
  createOrg,
  engagement,
  errorOf,
  json,
  orgFootprint,
  rid,
  sendEngagements,
} from '../test/client.js';
import { parseInstant, parseUtcDay } from './common.js';

/** Days `Date.parse` takes and rolls over (or refuses), none of them in the calendar. */
const IMPOSSIBLE = ['2026-02-30', '2026-13-01', '2025-02-29', '2026-04-31', '2026-00-10'];
/** A leap day: real, so never refused as an impossible date. */
const LEAP_DAY = '2028-02-29';

describe('parsing dates', () => {
  it('takes calendar days only, leap days included', () => {
    for (const day of IMPOSSIBLE) expect(parseUtcDay(day), day).toBeNull();
    expect(parseUtcDay(LEAP_DAY)).toBe(Date.UTC(2028, 1, 29));
    expect(parseUtcDay('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(parseUtcDay('1900-02-29')).toBeNull();
    expect(parseUtcDay('2026-1-01')).toBeNull();
  });

  it('takes instants whose day, time and offset are all real', () => {
    expect(parseInstant('2028-02-29T23:59:59.123+05:30')).toBe(
      Date.parse('2028-02-29T23:59:59.123+05:30'),
    );
    expect(parseInstant(LEAP_DAY)).toBe(Date.UTC(2028, 1, 29));
    for (const text of [
      ...IMPOSSIBLE.map((day) => `${day}T10:00:00Z`),
      '2026-02-28T24:00:00Z',
      '2026-02-28T23:60:00Z',
      '2026-02-28T23:59:60Z',
      '2026-02-28T10:00:00+24:00',
      '2026-02-28T10:00:00+01:60',
      '2026-02-28T10:00:00',
    ]) {
      expect(parseInstant(text), text).toBeNull();
    }
  });
});

type Doc = {
  paths: Record<
    string,
    Record<string, { parameters?: { name: string; in: string; schema?: { example?: unknown } }[] }>
  >;
};

/**
 * Every query parameter that takes a date, read from the OpenAPI document (its example is one),
 * so a new one is checked as soon as it exists: `[path, parameter, the operation's others]`.
 */
async function dateQueries(): Promise<[path: string, param: string, others: string[]][]> {
  const doc = await json<Doc>(api('GET', '/v1/openapi.json'));
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.values(item).flatMap((operation) => {
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query');
      const names = query.map((p) => p.name);
      return query
        .filter(
          (p) => typeof p.schema?.example === 'string' && /^\d{4}-\d\d-\d\d/.test(p.schema.example),
        )
        .map((p): [string, string, string[]] => [path, p.name, names]);
    }),
  );
}

describe('impossible dates in a query', () => {
  it('are a 400 naming the parameter on every operation that takes a date', async () => {
    const org = await createOrg();
    const candidate = rid('cand');
    await sendEngagements(org.keys.user, candidate, [{ type: 'attend_event', ago: 3_600_000 }]);
    const queries = await dateQueries();
    // The reports, the candidate's engagements and the four audience filters of two operations.
    expect(queries.length).toBeGreaterThanOrEqual(14);
    for (const [path, param, others] of queries) {
      const base = path.replace(/\{\w+\}/, candidate);
      // A range's other end is the day next to the leap day, so the leap day makes a real range.
      const other =
        param === 'from' && others.includes('to')
          ? '&to=2028-03-01'
          : param === 'to' && others.includes('from')
            ? '&from=2028-02-28'
            : '';
      const url = (value: string) => `${base}?${param}=${value}${other}`;
      for (const value of [...IMPOSSIBLE, '2026-02-30T10:00:00Z']) {
        const reply = await api('GET', url(value), org.keys.admin);
        const label = `${path} ${param}=${value}`;
        expect(reply.status, label).toBe(400);
        const error = await errorOf(reply);
        expect(error.code, label).toBe('invalid_request');
        expect(
          error.issues?.map((issue) => issue.path),
          label,
        ).toEqual([param]);
      }
      // Taken: whatever else the operation may say, it does not refuse the leap day.
      const leap = await api('GET', url(LEAP_DAY), org.keys.admin);
      const refused = leap.status === 400 ? (await errorOf(leap)).issues : [];
      expect(
        refused?.map((issue) => issue.path),
        `${path} ${param}=${LEAP_DAY}`,
      ).not.toContain(param);
      expect(leap.status, `${path} ${param}=${LEAP_DAY}`).toBeLessThan(500);
    }
  }, 60_000);
});

describe('impossible dates in a body', () => {
  const at = (day: string) => `${day}T12:00:00Z`;

  it('are a 400 naming the field, and nothing is written', async () => {
    const org = await createOrg();
    const candidate = rid('cand');
    const bodies: [method: string, path: string, field: string, body: (at: string) => unknown][] = [
      [
        'POST',
        '/v1/engagements',
        'engagements.0.occurredAt',
        (occurredAt) => ({ engagements: [engagement({ candidateId: candidate, occurredAt })] }),
      ],
      [
        'POST',
        '/v1/contacts',
        'contacts.0.occurredAt',
        (occurredAt) => ({
          contacts: [{ id: rid('call'), candidateId: candidate, kind: 'phone_call', occurredAt }],
        }),
      ],
      ...(['smsConsent', 'whatsappOptIn'] as const).map(
        (name): [string, string, string, (at: string) => unknown] => [
          'PUT',
          `/v1/candidates/${candidate}/contact`,
          `${name}.at`,
          (given) => ({ phone: '+44 7400 123456', [name]: { source: 'form', at: given } }),
        ],
      ),
    ];
    for (const [method, path, field, body] of bodies) {
      const before = await orgFootprint(org.orgId);
      for (const day of IMPOSSIBLE) {
        const reply = await api(method, path, org.keys.user, body(at(day)));
        const label = `${path} ${field}=${day}`;
        expect(reply.status, label).toBe(400);
        const error = await errorOf(reply);
        expect(
          error.issues?.map((issue) => issue.path),
          label,
        ).toEqual([field]);
        expect(error.issues?.[0]?.code, label).toBe('invalid');
      }
      expect(await orgFootprint(org.orgId), path).toEqual(before);
      // A real leap day four years ahead is refused for being too late, not as no date.
      const ahead = await api(method, path, org.keys.user, body(at(LEAP_DAY)));
      expect(ahead.status, `${path} ${LEAP_DAY}`).toBe(400);
      expect((await errorOf(ahead)).issues?.[0]?.code).toBe('date_out_of_range');
      // And a past one is taken.
      const taken = await api(method, path, org.keys.user, body(at('2024-02-29')));
      expect(taken.status, `${path} 2024-02-29`).toBeLessThan(300);
    }
  }, 60_000);
});
