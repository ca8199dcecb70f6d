// The link rules (issue 14, "Identity: never merge two people"), through the HTTP API as a user
// meets them, for both ways of identifying a device: `POST /v1/visitors/{id}/link` and a beacon
// carrying an identity token (`identity`, minted by `POST /v1/identity-tokens`).
//
// - anonymous → A: the device's anonymous past moves to A;
// - A → B: from then on its events are B's, A's past (and score) stays A's, and the audit log
//   records the switch with the previous candidate's external id;
// - the same link twice is a no-op: no new audit entry, `alreadyLinked: true`;
// - a link racing beacons never leaves an event on the wrong person (see the last describe).

import { env } from 'cloudflare:workers';
import { score } from '@cxm/scoring';
import type { BeaconEvent } from '@cxm/tracker/wire';
import { beforeAll, describe, expect, it } from 'vitest';
import { purgedSubject } from '../endpoints/candidates/purge.js';
import {
  api,
  beacon,
  createOrg,
  json,
  postJson,
  rid,
  rows,
  sendBeacon,
  type TestOrg,
  visit,
} from '../test/client.js';

const MINUTE = 60_000;

/** A device on the test organisation's career site. */
interface Device {
  org: TestOrg;
  id: string;
}

async function newDevice(): Promise<Device> {
  return { org: await createOrg(), id: rid('v') };
}

/** A page view of a page of its own (so no window dedupe applies), `ago` ms ago. */
function pageView(device: Device, ago = 0): BeaconEvent {
  return visit(`${device.org.origin}/jobs/${rid('p')}`, Date.now() - ago);
}

async function send(device: Device, events: BeaconEvent[], identity?: string) {
  const body = beacon({
    site: device.org.siteKey,
    visitor: { id: device.id, kind: 'stored' },
    events,
    ...(identity === undefined ? {} : { identity }),
  });
  const response = await sendBeacon(body, { origin: device.org.origin });
  expect(response.status).toBe(202);
  return json<{ accepted: number; duplicates: number }>(response);
}

async function mintToken(org: TestOrg, candidate: string): Promise<string> {
  const response = await api('POST', '/v1/identity-tokens', org.keys.user, {
    candidateId: candidate,
  });
  expect(response.status).toBe(201);
  return (await json<{ token: string }>(response)).token;
}

interface LinkReply {
  alreadyLinked: boolean;
  linkedEngagements: number;
}

/** One way of identifying a device as a candidate. */
interface Way {
  via: 'api' | 'identity_token';
  actor(org: TestOrg): string;
  /** Readies an identification (mints the token), so that `run` is one request. */
  prepare(device: Device, candidate: string): Promise<Identification>;
}

interface Identification {
  candidate: string;
  /** What the identifying request itself stores: the token's beacon carries a page view. */
  events: BeaconEvent[];
  run(): Promise<LinkReply | null>;
}

const linkApi: Way = {
  via: 'api',
  actor: (org) => `key:key_${org.orgId}_user`,
  async prepare(device, candidate) {
    const run = async () => {
      const path = `/v1/visitors/${device.id}/link`;
      const response = await postJson(path, { candidateId: candidate }, device.org.keys.user);
      expect(response.status).toBe(200);
      return json<LinkReply>(response);
    };
    return { candidate, events: [], run };
  },
};

const identityToken: Way = {
  via: 'identity_token',
  actor: (org) => `tracker:site_${org.orgId}`,
  async prepare(device, candidate) {
    const token = await mintToken(device.org, candidate);
    const events = [pageView(device)];
    return {
      candidate,
      events,
      run: async () => {
        expect(await send(device, events, token)).toMatchObject({ accepted: 1 });
        return null;
      },
    };
  },
};

async function identify(way: Way, device: Device, candidate: string) {
  const identification = await way.prepare(device, candidate);
  return { events: identification.events, reply: await identification.run() };
}

interface StoredEvent {
  /** The engagement's rowid: rowids grow with each insert, so this is the commit order. */
  seq: number;
  eventId: string;
  candidate: string | null;
  type: string;
  detail: string | null;
  occurredAt: number;
}

/** The device's stored events in commit order, each with its candidate's external id. */
async function storedEvents(device: Device): Promise<StoredEvent[]> {
  const found = await rows<StoredEvent & { eventKey: string }>(
    `SELECT e.rowid AS seq, e.event_key AS eventKey, c.external_id AS candidate, e.type,
       e.detail, e.occurred_at AS occurredAt
     FROM engagements e JOIN visitors v ON v.id = e.visitor_id
     LEFT JOIN candidates c ON c.id = e.candidate_id
     WHERE v.org_id = ? AND v.device_id = ? ORDER BY e.rowid`,
    device.org.orgId,
    device.id,
  );
  const prefix = `trk:${device.id}:`;
  return found.map(({ eventKey, ...event }) => ({
    ...event,
    eventId: eventKey.slice(prefix.length),
  }));
}

/** Each event's candidate, by the event id the tracker gave it. */
async function ownerOf(device: Device): Promise<Record<string, string | null>> {
  const stored = await storedEvents(device);
  return Object.fromEntries(stored.map((event) => [event.eventId, event.candidate]));
}

function owned(events: readonly BeaconEvent[], candidate: string | null) {
  return Object.fromEntries(events.map((event) => [event.id, candidate]));
}

interface ScoreReply {
  points: number;
  engagementCount: number;
  asOf: string;
}

async function scoreOf(org: TestOrg, candidate: string): Promise<ScoreReply> {
  const response = await api('GET', `/v1/candidates/${candidate}/score`, org.keys.user);
  expect(response.status).toBe(200);
  return json<ScoreReply>(response);
}

/**
 * The candidate's score is exactly that of `eventIds` (the events the rules give them): their
 * count, and the points `score()` gives those stored events at the reply's moment.
 */
async function expectScoreOf(device: Device, candidate: string, eventIds: readonly string[]) {
  const reply = await scoreOf(device.org, candidate);
  const stored = await storedEvents(device);
  const theirs = stored.filter((event) => eventIds.includes(event.eventId));
  expect(theirs).toHaveLength(eventIds.length);
  const expected = score(
    theirs.map((event) => ({
      type: event.type as 'visit_landing_page',
      detail: event.detail ?? undefined,
      occurredAt: event.occurredAt,
    })),
    { now: Date.parse(reply.asOf) },
  );
  expect({ candidate, count: reply.engagementCount }).toEqual({
    candidate,
    count: eventIds.length,
  });
  expect(reply.points).toBeCloseTo(expected.points, 6);
}

interface LinkEntry {
  actor: string;
  details: {
    candidate: string;
    via: string;
    previousCandidate: string | null;
    linkedEngagements: number;
  };
}

/** The device's `visitor.link` audit entries, oldest first. */
async function linkAudit(device: Device): Promise<LinkEntry[]> {
  const found = await rows<{ actor: string; details: string }>(
    `SELECT actor, details FROM audit_log
     WHERE org_id = ? AND action = 'visitor.link' AND subject = ? ORDER BY rowid`,
    device.org.orgId,
    device.id,
  );
  return found.map((row) => ({ actor: row.actor, details: JSON.parse(row.details) }));
}

async function visitorRow(device: Device) {
  const [row] = await rows<{
    candidate: string | null;
    link_source: string | null;
    linked_at: number | null;
  }>(
    `SELECT c.external_id AS candidate, v.link_source, v.linked_at
     FROM visitors v LEFT JOIN candidates c ON c.id = v.candidate_id
     WHERE v.org_id = ? AND v.device_id = ?`,
    device.org.orgId,
    device.id,
  );
  return row;
}

const ids = (events: readonly { id: string }[]) => events.map((event) => event.id);

describe.each([linkApi, identityToken])('link rules, identified by $via', (way) => {
  const entry = (device: Device, details: Partial<LinkEntry['details']>) => ({
    actor: way.actor(device.org),
    details: { via: way.via, linkedEngagements: 0, previousCandidate: null, ...details },
  });

  it('anonymous → A: the anonymous past moves to A, audited with no previous candidate', async () => {
    const device = await newDevice();
    const anonymous = [pageView(device, 3 * MINUTE), pageView(device, 2 * MINUTE)];
    await send(device, anonymous);
    expect(Object.values(await ownerOf(device))).toEqual([null, null]);

    const a = rid('cand');
    const linked = await identify(way, device, a);
    if (linked.reply)
      expect(linked.reply).toMatchObject({ alreadyLinked: false, linkedEngagements: 2 });

    expect(await ownerOf(device)).toEqual(owned([...anonymous, ...linked.events], a));
    await expectScoreOf(device, a, ids([...anonymous, ...linked.events]));
    expect(await visitorRow(device)).toMatchObject({ candidate: a, link_source: way.via });
    expect(await linkAudit(device)).toEqual([
      entry(device, { candidate: a, linkedEngagements: 2 }),
    ]);
  });

  it("A → B: later events are B's, A's past and score stay A's, the switch is audited", async () => {
    const device = await newDevice();
    const anonymous = [pageView(device, 5 * MINUTE)];
    await send(device, anonymous);
    const [a, b] = [rid('cand'), rid('cand')];
    const asA = (await identify(way, device, a)).events;
    const laterA = [pageView(device, 4 * MINUTE)];
    await send(device, laterA);
    const aEvents = ids([...anonymous, ...asA, ...laterA]);
    const aBefore = await scoreOf(device.org, a);
    expect(aBefore.engagementCount).toBe(aEvents.length);

    const switched = await identify(way, device, b);
    if (switched.reply)
      expect(switched.reply).toMatchObject({ alreadyLinked: false, linkedEngagements: 0 });
    const asB = [...switched.events, pageView(device)];
    await send(device, asB.slice(switched.events.length));

    expect(await ownerOf(device)).toEqual({
      ...owned([...anonymous, ...asA, ...laterA], a),
      ...owned(asB, b),
    });
    await expectScoreOf(device, a, aEvents);
    expect((await scoreOf(device.org, a)).engagementCount).toBe(aBefore.engagementCount);
    await expectScoreOf(device, b, ids(asB));
    expect(await visitorRow(device)).toMatchObject({ candidate: b, link_source: way.via });
    expect(await linkAudit(device)).toEqual([
      entry(device, { candidate: a, linkedEngagements: 1 }),
      entry(device, { candidate: b, previousCandidate: a }),
    ]);

    // And back: B's past stays B's too.
    const back = (await identify(way, device, a)).events;
    expect(await ownerOf(device)).toEqual({
      ...owned([...anonymous, ...asA, ...laterA, ...back], a),
      ...owned(asB, b),
    });
    await expectScoreOf(device, b, ids(asB));
    await expectScoreOf(device, a, [...aEvents, ...ids(back)]);
    expect((await linkAudit(device)).at(-1)).toEqual(
      entry(device, { candidate: a, previousCandidate: b }),
    );
  });

  it('the same link twice is a no-op: no new audit entry, the link unchanged', async () => {
    const device = await newDevice();
    const anonymous = [pageView(device, MINUTE)];
    await send(device, anonymous);
    const a = rid('cand');
    const first = (await identify(way, device, a)).events;
    const linkedBefore = await visitorRow(device);
    const scoreBefore = await scoreOf(device.org, a);

    const again = await identify(way, device, a);
    if (again.reply) {
      expect(again.reply).toEqual(
        expect.objectContaining({ alreadyLinked: true, linkedEngagements: 0 }),
      );
      // Nothing was written: the score is the one before.
      expect((await scoreOf(device.org, a)).engagementCount).toBe(scoreBefore.engagementCount);
    }
    // The token's beacon still counts its page view, for A: the event, not the link, is new.
    expect(await ownerOf(device)).toEqual(owned([...anonymous, ...first, ...again.events], a));
    await expectScoreOf(device, a, ids([...anonymous, ...first, ...again.events]));
    expect(await visitorRow(device)).toEqual(linkedBefore);
    expect(await linkAudit(device)).toEqual([
      entry(device, { candidate: a, linkedEngagements: 1 }),
    ]);
  });

  it('the same link twice at once is one link', async () => {
    const device = await newDevice();
    const anonymous = [pageView(device, MINUTE)];
    await send(device, anonymous);
    const a = rid('cand');
    const both = await Promise.all([way.prepare(device, a), way.prepare(device, a)]);
    const replies = await Promise.all(both.map((identification) => identification.run()));
    if (way.via === 'api') {
      expect(replies.map((reply) => reply?.alreadyLinked).sort()).toEqual([false, true]);
    }
    const events = [...anonymous, ...both.flatMap((identification) => identification.events)];
    expect(await ownerOf(device)).toEqual(owned(events, a));
    await expectScoreOf(device, a, ids(events));
    expect(await linkAudit(device)).toEqual([
      entry(device, { candidate: a, linkedEngagements: 1 }),
    ]);
  });

  // The window dedupe compares with the device's counted views of the same candidate only
  // (it used to compare with all of them, dropping B's view as a repeat of A's).
  it("B's first view of a page A just viewed on the device counts for B", async () => {
    const device = await newDevice();
    const [a, b] = [rid('cand'), rid('cand')];
    await identify(way, device, a);
    const page = `${device.org.origin}/jobs/shared-${rid('p')}`;
    const seenByA = visit(page, Date.now() - MINUTE);
    await send(device, [seenByA]);
    const switched = await identify(way, device, b);
    const seenByB = visit(page);
    expect(await send(device, [seenByB])).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await ownerOf(device)).toMatchObject({ [seenByA.id]: a, [seenByB.id]: b });
    await expectScoreOf(device, b, ids([...switched.events, seenByB]));
  });

  // The purge replaces the purged candidate's id in earlier audit entries' `candidate` and
  // `previousCandidate` alike (it used to miss the latter).
  it('a purge of A leaves no audit entry naming A, the switch to B included', async () => {
    const device = await newDevice();
    const [a, b] = [rid('cand'), rid('cand')];
    await identify(way, device, a);
    await identify(way, device, b);
    const purge = await api('DELETE', `/v1/candidates/${a}`, device.org.keys.admin);
    expect(purge.status).toBe(200);
    const hash = await purgedSubject(env.SECRETS_KEY, device.org.orgId, a);
    expect(await linkAudit(device)).toEqual([
      entry(device, { candidate: hash }),
      entry(device, { candidate: b, previousCandidate: hash }),
    ]);
  });
});

// A link racing beacons of the same device. The rule: every event ends on the candidate the
// device was linked to when that event's write committed; an event committed while the device
// was anonymous ends on the first candidate it was linked to after. So no event committed before
// a switch A → B is B's, and none committed after it is A's.
//
// Commit order is not visible through the API, so a probe records it: a trigger on `visitors`
// notes, inside each transaction that changes a visitor's candidate, the highest engagement rowid
// at that moment. Rowids are handed out in insert order and D1 commits one batch at a time, so an
// event with a rowid at or below a switch's mark was committed before that switch, one above it
// after. The events an identity token's own beacon carries are the new candidate's (they are
// written in the switching batch). The probe only observes: it writes to a table of its own, in
// this file's D1 (storage is per test file).
const ROUNDS = 6;
const BEACONS = 5;

interface Switch {
  mark: number;
  from: string | null;
  to: string | null;
}

async function switchesOf(device: Device): Promise<Switch[]> {
  return rows<Switch>(
    `SELECT s.last_engagement AS mark, was.external_id AS "from", now.external_id AS "to"
     FROM test_visitor_switches s JOIN visitors v ON v.id = s.visitor_id
     LEFT JOIN candidates was ON was.id = s.old_candidate
     LEFT JOIN candidates now ON now.id = s.new_candidate
     WHERE v.org_id = ? AND v.device_id = ? ORDER BY s.seq`,
    device.org.orgId,
    device.id,
  );
}

/** Who the rule gives a stored event to, from the switches around its commit. */
function rightfulOwner(event: StoredEvent, switches: readonly Switch[]): string | null {
  const before = switches.filter((s) => s.mark < event.seq).at(-1);
  const linked = before ? before.to : (switches[0]?.from ?? null);
  if (linked !== null) return linked;
  // Anonymous when committed: the first link after it takes it along.
  return switches.find((s) => s.mark >= event.seq)?.to ?? null;
}

/**
 * Checks one raced device: every sent event stored once, each on its rightful owner (the
 * identity tokens' own page views on their token's candidate), the audit log naming each switch
 * in order, and each candidate's score exactly their events.
 */
async function expectRightfulOwners(
  device: Device,
  sent: readonly string[],
  tokenEvents: Readonly<Record<string, string>>,
) {
  const [stored, switches] = await Promise.all([storedEvents(device), switchesOf(device)]);
  expect(stored.map((event) => event.eventId).sort()).toEqual([...sent].sort());
  const owner = (event: StoredEvent) =>
    tokenEvents[event.eventId] ?? rightfulOwner(event, switches);
  expect(stored.map((event) => [event.seq, event.candidate])).toEqual(
    stored.map((event) => [event.seq, owner(event)]),
  );
  // Each switch starts from where the one before it left the device.
  expect(switches.slice(1).map((s) => s.from)).toEqual(switches.slice(0, -1).map((s) => s.to));
  const audit = await linkAudit(device);
  expect(audit.map((entry) => [entry.details.previousCandidate, entry.details.candidate])).toEqual(
    switches.map((s) => [s.from, s.to]),
  );
  for (const candidate of new Set(switches.map((s) => s.to))) {
    if (candidate === null) continue;
    const theirs = stored.filter((event) => event.candidate === candidate);
    await expectScoreOf(
      device,
      candidate,
      theirs.map((event) => event.eventId),
    );
  }
  return switches;
}

/**
 * One round: the device's `history` is sent first (then `linkedTo`, when given, identifies it),
 * then `racing` identifications and BEACONS beacons of one page view each are sent at once.
 */
async function race(way: Way, device: Device, linkedTo: string | null, racing: string[]) {
  const history = [pageView(device, 10 * MINUTE)];
  await send(device, history);
  const sent = ids(history);
  const tokenEvents: Record<string, string> = {};
  const note = (identified: { events: BeaconEvent[] }, candidate: string) => {
    for (const id of ids(identified.events)) tokenEvents[id] = candidate;
    sent.push(...ids(identified.events));
  };
  if (linkedTo !== null) {
    note(await identify(way, device, linkedTo), linkedTo);
    const asLinked = [pageView(device, 9 * MINUTE)];
    await send(device, asLinked);
    sent.push(...ids(asLinked));
  }
  const identifications = await Promise.all(racing.map((c) => way.prepare(device, c)));
  for (const identification of identifications) note(identification, identification.candidate);
  const beacons = Array.from({ length: BEACONS }, (_, i) => [pageView(device, (8 - i) * MINUTE)]);
  sent.push(...beacons.flatMap(ids));
  await Promise.all([
    ...identifications.map((identification) => identification.run()),
    // Spread over the link's own reads and write, so that some beacons read before it commits
    // and write after: beacon i starts after i round trips to D1 (workerd's timers would not
    // fire while requests are in flight).
    ...beacons.map(async (events, i) => {
      for (let trip = 0; trip < i; trip++) await env.DB.prepare('SELECT 1').first();
      return send(device, events);
    }),
  ]);
  return expectRightfulOwners(device, sent, tokenEvents);
}

describe('a link racing beacons never leaves an event on the wrong person', () => {
  beforeAll(async () => {
    await env.DB.prepare(
      `CREATE TABLE IF NOT EXISTS test_visitor_switches (seq INTEGER PRIMARY KEY,
         visitor_id TEXT NOT NULL, old_candidate TEXT, new_candidate TEXT, last_engagement INTEGER)`,
    ).run();
    await env.DB.prepare(
      `CREATE TRIGGER IF NOT EXISTS test_visitor_switch AFTER UPDATE OF candidate_id ON visitors
       WHEN OLD.candidate_id IS NOT NEW.candidate_id
       BEGIN
         INSERT INTO test_visitor_switches (visitor_id, old_candidate, new_candidate, last_engagement)
         VALUES (NEW.id, OLD.candidate_id, NEW.candidate_id, (SELECT MAX(rowid) FROM engagements));
       END`,
    ).run();
  });

  it.each([linkApi, identityToken])(
    'A → B racing beacons, identified by $via',
    async (way) => {
      const org = await createOrg();
      for (let round = 0; round < ROUNDS; round++) {
        const device = { org, id: rid('v') };
        const [a, b] = [rid('cand'), rid('cand')];
        const switches = await race(way, device, a, [b]);
        expect(switches.map((s) => [s.from, s.to])).toEqual([
          [null, a],
          [a, b],
        ]);
      }
    },
    60_000,
  );

  it.each([linkApi, identityToken])(
    'anonymous → A and → B at once, racing beacons, identified by $via',
    async (way) => {
      const org = await createOrg();
      for (let round = 0; round < ROUNDS; round++) {
        const device = { org, id: rid('v') };
        const [a, b] = [rid('cand'), rid('cand')];
        const switches = await race(way, device, null, [a, b]);
        // Whichever link committed first took the anonymous past; the other switched from it.
        expect(switches).toHaveLength(2);
        expect(switches[0]?.from).toBeNull();
        expect([switches[0]?.to, switches[1]?.to].sort()).toEqual([a, b].sort());
      }
    },
    60_000,
  );
});
