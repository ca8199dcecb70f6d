// Sealed cursors: they round-trip, show nothing of the position, and open only for the list and
// organisation they were made for, untouched.
import { describe, expect, it } from 'vitest';
import { api, createOrg, DAY_MS, json, sendEngagements } from '../test/client.js';
import { cursorCodec } from './cursor.js';
import { fromBase64url } from './encoding.js';

const isPosition = (value: unknown): value is { t: number; id: string } =>
  typeof (value as { t?: unknown } | null)?.t === 'number';

describe('cursorCodec', () => {
  const codec = cursorCodec('secret-a', 'org_1', 'engagements');
  const position = { t: 1_767_225_600_000, id: 'eng_internal_42' };

  it('round-trips a position', () => {
    expect(codec.decode(codec.encode(position), isPosition)).toEqual(position);
  });

  it('shows nothing of the position: no id, no time, different each time', () => {
    const one = codec.encode(position);
    const two = codec.encode(position);
    expect(one).not.toBe(two);
    const bytes = fromBase64url(one.slice(3)) ?? new Uint8Array();
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).not.toContain('eng_internal_42');
    expect(text).not.toContain('1767225600000');
    expect(one).not.toContain('eng_internal');
  });

  it('refuses a changed cursor, and one of another list, organisation or secret', () => {
    const cursor = codec.encode(position);
    const flipped = `${cursor.slice(0, -2)}${cursor.at(-2) === 'A' ? 'B' : 'A'}${cursor.at(-1)}`;
    expect(codec.decode(flipped, isPosition)).toBeNull();
    expect(cursorCodec('secret-a', 'org_2', 'engagements').decode(cursor, isPosition)).toBeNull();
    expect(cursorCodec('secret-a', 'org_1', 'audit').decode(cursor, isPosition)).toBeNull();
    expect(cursorCodec('secret-b', 'org_1', 'engagements').decode(cursor, isPosition)).toBeNull();
    for (const junk of ['', 'c1.', 'c1.AAAA', 'eyJ0IjoxfQ', 'x'.repeat(600)]) {
      expect(codec.decode(junk, isPosition), junk).toBeNull();
    }
  });

  it('refuses a cursor whose content fails the check', () => {
    expect(codec.decode(codec.encode({ other: true }), isPosition)).toBeNull();
  });
});

describe('cursors on the API', () => {
  it("page an organisation's list, and another organisation's cursor is a 400", async () => {
    const [org, other] = await Promise.all([createOrg(), createOrg()]);
    for (const o of [org, other]) {
      await sendEngagements(o.keys.user, 'ada', [
        { type: 'open_email', ago: DAY_MS },
        { type: 'open_email', ago: 2 * DAY_MS },
      ]);
    }
    const first = (await json(
      api('GET', '/v1/candidates/ada/engagements?limit=1', org.keys.user),
    )) as { nextCursor: string };
    expect(first.nextCursor).toMatch(/^c1\.[A-Za-z0-9_-]+$/);
    const next = await api(
      'GET',
      `/v1/candidates/ada/engagements?limit=1&cursor=${first.nextCursor}`,
      org.keys.user,
    );
    expect(next.status).toBe(200);
    const elsewhere = await api(
      'GET',
      `/v1/candidates/ada/engagements?limit=1&cursor=${first.nextCursor}`,
      other.keys.user,
    );
    expect(elsewhere.status).toBe(400);
    // A cursor of the engagements is no position in the audience.
    const audience = await api(
      'GET',
      `/v1/audiences?cursor=${first.nextCursor}`,
      org.keys.reporter,
    );
    expect(audience.status).toBe(400);
  });
});
