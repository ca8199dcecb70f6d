import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database, newId, runBatchResults } from '../../db/client.js';
import { createOrg, rid } from '../../test/client.js';
import { insertUnlessRepeat, splitFresh } from './dedupe.js';

const MIN = 60_000;
const windows = { visitMs: 30 * MIN, formMs: 5 * MIN };
const view = (key: string, at: number, detail = '/a') => ({
  eventKey: key,
  type: 'visit_landing_page',
  detail,
  occurredAt: at,
});

describe('splitFresh', () => {
  it('counts views of one page within 30 minutes of a counted one once (sliding, anchored on counted)', () => {
    const { fresh, repeats } = splitFresh(
      [view('a', 0), view('b', 20 * MIN), view('c', 40 * MIN), view('d', 60 * MIN)],
      new Set(),
      [],
      windows,
    );
    expect(fresh.map((event) => event.eventKey)).toEqual(['a', 'c']);
    expect(repeats).toBe(2);
  });

  it('drops ids already stored and repeats of stored events', () => {
    const { fresh } = splitFresh(
      [view('a', 0), view('b', 100 * MIN), view('c', 200 * MIN, '/b')],
      new Set(['a']),
      [{ type: 'visit_landing_page', detail: '/a', occurredAt: 90 * MIN }],
      windows,
    );
    expect(fresh.map((event) => event.eventKey)).toEqual(['c']);
  });
});

describe('insertUnlessRepeat: the same rules inside the insert', () => {
  const db = database(env.DB);

  async function visitor(orgId: string): Promise<string> {
    const deviceId = rid('v');
    await env.DB.prepare(
      'INSERT INTO visitors (id, org_id, device_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, 0, 0)',
    )
      .bind(newId(), orgId, deviceId)
      .run();
    return deviceId;
  }

  /** Inserts events (one statement each, in time order, one batch); the keys stored. */
  async function insert(orgId: string, deviceId: string, events: ReturnType<typeof view>[]) {
    const ordered = [...events].sort((a, b) => a.occurredAt - b.occurredAt);
    const results = await runBatchResults(
      db,
      ordered.map((event) =>
        insertUnlessRepeat(
          {
            ...event,
            id: newId(),
            orgId,
            siteId: `site_${orgId}`,
            deviceId,
            receivedAt: Date.now(),
          },
          windows,
        ),
      ),
    );
    return ordered
      .filter((_, i) => (results[i]?.results?.length ?? 0) === 1)
      .map((e) => e.eventKey);
  }

  const submit = (key: string, at: number, form = '/apply form:f') => ({
    ...view(key, at, form),
    type: 'submit_form',
  });

  it('stores exactly what splitFresh keeps, within a beacon and against stored events', async () => {
    const { orgId } = await createOrg();
    const deviceId = await visitor(orgId);
    const first = [
      view('v0', 0),
      view('v20', 20 * MIN),
      view('v40', 40 * MIN),
      view('b10', 10 * MIN, '/b'),
      submit('f0', 0),
      submit('f4', 4 * MIN),
      submit('f6', 6 * MIN),
      submit('g1', MIN, '/apply form:g'),
      view('v0', 0),
    ];
    const expected = splitFresh(first, new Set(), [], windows).fresh.map((e) => e.eventKey);
    expect(await insert(orgId, deviceId, first)).toEqual(expected);

    // A later beacon, with times before, between and after what is stored.
    const second = [
      view('v69', 69 * MIN),
      view('v71', 71 * MIN),
      view('vm31', -31 * MIN),
      view('vm29', -29 * MIN),
      submit('f10', 10 * MIN),
      view('v40', 40 * MIN),
    ];
    const storedNow = [...first.filter((e) => expected.includes(e.eventKey))];
    const keys = new Set(storedNow.map((e) => e.eventKey));
    const again = splitFresh(second, keys, storedNow, windows).fresh.map((e) => e.eventKey);
    expect(await insert(orgId, deviceId, second)).toEqual(again);
  });
});
