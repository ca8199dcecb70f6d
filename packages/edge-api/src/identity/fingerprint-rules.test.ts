// The fingerprint rules (issue 14): the FingerprintJS id (`visitor.fp`) recognises a browser
// profile whose storage was cleared, only while it is unambiguous, and never merges two people.
// Every profile here is a stored id of its own; profiles of one device share one `fp`, as fresh
// profiles of one browser build do (measured in the tracker's browser tests: always).
//
// - a new profile of a device whose fingerprint is linked to A is recognised as A: its events
//   (and its anonymous landing visit, sent before the fingerprint was known) are A's, marked
//   `fingerprint`;
// - a profile the fingerprint gave way to coming back, or profiles with it identified as two
//   candidates, make it shared: provisional links go, nothing more is attributed by it;
// - identifying a recognised profile moves what the fingerprint gave it to the candidate it is;
// - identified profiles, page ids and old trackers keep their own rules.

import { env } from 'cloudflare:workers';
import { score } from '@cxm/scoring';
import type { BeaconEvent } from '@cxm/tracker/wire';
import { describe, expect, it } from 'vitest';
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

interface Profile {
  org: TestOrg;
  id: string;
  kind: 'stored' | 'page' | 'fingerprint';
  fp: string;
}

interface CollectReply {
  accepted: number;
  duplicates: number;
  fingerprint: string;
}

/** A device: one fingerprint on an organisation's career site; `profile()` opens a profile on it. */
async function device() {
  const org = await createOrg();
  const fp = rid('fp');
  return {
    org,
    fp,
    profile: (kind: Profile['kind'] = 'stored'): Profile => ({ org, id: rid('v'), kind, fp }),
  };
}

function pageView(profile: Profile): BeaconEvent {
  return visit(`${profile.org.origin}/jobs/${rid('p')}`);
}

/** A beacon of page views; with the fingerprint unless `withFp` is false (a first beacon). */
async function send(
  profile: Profile,
  events: BeaconEvent[] = [pageView(profile)],
  options: { withFp?: boolean; identity?: string } = {},
): Promise<CollectReply> {
  const withFp = options.withFp ?? profile.kind !== 'fingerprint';
  const body = beacon({
    site: profile.org.siteKey,
    visitor: { id: profile.id, kind: profile.kind, ...(withFp ? { fp: profile.fp } : {}) },
    events,
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  });
  const response = await sendBeacon(body, { origin: profile.org.origin });
  expect(response.status).toBe(202);
  return json<CollectReply>(response);
}

async function link(profile: Profile, candidate: string) {
  const path = `/v1/visitors/${profile.id}/link`;
  const response = await postJson(path, { candidateId: candidate }, profile.org.keys.user);
  expect(response.status).toBe(200);
  return json<{ alreadyLinked: boolean; linkedEngagements: number }>(response);
}

interface Row {
  eventId: string;
  candidate: string | null;
  attribution: string | null;
}

/** The profile's stored events: candidate (external id) and attribution, by tracker event id. */
async function eventsOf(profile: Profile): Promise<Record<string, Omit<Row, 'eventId'>>> {
  const found = await rows<Row & { eventKey: string }>(
    `SELECT e.event_key AS eventKey, c.external_id AS candidate, e.attribution
     FROM engagements e JOIN visitors v ON v.id = e.visitor_id
     LEFT JOIN candidates c ON c.id = e.candidate_id
     WHERE v.org_id = ? AND v.device_id = ?`,
    profile.org.orgId,
    profile.id,
  );
  const prefix = `trk:${profile.id}:`;
  return Object.fromEntries(
    found.map((row) => [
      row.eventKey.slice(prefix.length),
      { candidate: row.candidate, attribution: row.attribution },
    ]),
  );
}

function expected(events: readonly BeaconEvent[], candidate: string | null, attribution: string) {
  return Object.fromEntries(
    events.map((event) => [
      event.id,
      { candidate, attribution: candidate === null ? null : attribution },
    ]),
  );
}

/** The candidate's score equals a recomputation from the engagements stored for it. */
async function expectScoreRecomputed(org: TestOrg, candidate: string, count: number) {
  const response = await api('GET', `/v1/candidates/${candidate}/score`, org.keys.user);
  expect(response.status).toBe(200);
  const reply = await json<{ points: number; engagementCount: number; asOf: string }>(response);
  const stored = await rows<{ type: string; detail: string; occurredAt: number }>(
    `SELECT e.type, e.detail, e.occurred_at AS occurredAt FROM engagements e
     JOIN candidates c ON c.id = e.candidate_id WHERE c.org_id = ? AND c.external_id = ?`,
    org.orgId,
    candidate,
  );
  expect(stored).toHaveLength(count);
  const recomputed = score(
    stored.map((e) => ({
      type: e.type as 'visit_landing_page',
      detail: e.detail,
      occurredAt: e.occurredAt,
    })),
    { now: Date.parse(reply.asOf) },
  );
  expect(reply.engagementCount).toBe(count);
  expect(reply.points).toBeCloseTo(recomputed.points, 6);
}

async function fingerprintRow(org: TestOrg, fp: string) {
  const found = await rows<{ candidate: string | null; shared: number }>(
    `SELECT c.external_id AS candidate, f.shared_at IS NOT NULL AS shared FROM fingerprints f
     LEFT JOIN candidates c ON c.id = f.candidate_id WHERE f.org_id = ? AND f.fp = ?`,
    org.orgId,
    fp,
  );
  return found[0] ?? null;
}

/** Profile A of a device, identified as candidate `a` (its one page view is a's). */
async function identifiedFirst() {
  const d = await device();
  const first = d.profile();
  const seen = [pageView(first)];
  expect(await send(first, seen)).toMatchObject({ accepted: 1, fingerprint: 'noted' });
  await link(first, 'cand-a');
  expect(await fingerprintRow(d.org, d.fp)).toEqual({ candidate: 'cand-a', shared: 0 });
  return { ...d, first, seen };
}

describe('fingerprint recognition', () => {
  it('recognises a profile whose storage was cleared as the candidate, with its landing visit', async () => {
    const { org, profile, first, seen } = await identifiedFirst();
    const cleared = profile();
    // The landing page's beacon goes before FingerprintJS has run: anonymous for now.
    const landing = [pageView(cleared)];
    expect(await send(cleared, landing, { withFp: false })).toMatchObject({ fingerprint: 'none' });
    expect(await eventsOf(cleared)).toEqual(expected(landing, null, ''));
    // The next one carries the fingerprint: recognised, and the landing visit goes with it.
    const next = [pageView(cleared)];
    expect(await send(cleared, next)).toMatchObject({ accepted: 1, fingerprint: 'recognised' });
    expect(await eventsOf(cleared)).toEqual(
      expected([...landing, ...next], 'cand-a', 'fingerprint'),
    );
    expect(await eventsOf(first)).toEqual(expected(seen, 'cand-a', 'link'));
    await expectScoreRecomputed(org, 'cand-a', 3);
    // Recorded like every link, with how it was made.
    const audit = await rows<{ details: string }>(
      `SELECT details FROM audit_log WHERE org_id = ? AND action = 'visitor.link' AND subject = ?`,
      org.orgId,
      cleared.id,
    );
    expect(audit.map((entry) => JSON.parse(entry.details))).toEqual([
      { candidate: 'cand-a', via: 'fingerprint', previousCandidate: null, linkedEngagements: 1 },
    ]);
  });

  it('attributes nothing by a fingerprint no identified profile is linked through', async () => {
    const d = await device();
    const one = d.profile();
    expect(await send(one)).toMatchObject({ fingerprint: 'noted' });
    const two = d.profile();
    const events = [pageView(two)];
    expect(await send(two, events)).toMatchObject({ fingerprint: 'noted' });
    expect(await eventsOf(two)).toEqual(expected(events, null, ''));
  });

  it('marks it shared when a profile it gave way to comes back: the provisional link goes, the rest is anonymous', async () => {
    const { org, fp, profile, first } = await identifiedFirst();
    const second = profile();
    const recognised = [pageView(second)];
    expect(await send(second, recognised)).toMatchObject({ fingerprint: 'recognised' });
    // The first profile is still in use: two profiles, two people maybe.
    const back = [pageView(first)];
    expect(await send(first, back)).toMatchObject({ accepted: 1, fingerprint: 'shared' });
    expect(await fingerprintRow(org, fp)).toEqual({ candidate: 'cand-a', shared: 1 });
    // Its own link still holds for the identified profile; the recognised one is anonymous
    // again, what it was given stays marked as a guess, and new profiles get nothing.
    expect((await eventsOf(first))[back[0]!.id]).toEqual({
      candidate: 'cand-a',
      attribution: 'visitor',
    });
    const later = [pageView(second)];
    expect(await send(second, later)).toMatchObject({ accepted: 1, fingerprint: 'shared' });
    expect(await eventsOf(second)).toEqual({
      ...expected(recognised, 'cand-a', 'fingerprint'),
      ...expected(later, null, ''),
    });
    const third = profile();
    const fresh = [pageView(third)];
    expect(await send(third, fresh)).toMatchObject({ fingerprint: 'shared' });
    expect(await eventsOf(third)).toEqual(expected(fresh, null, ''));
    await expectScoreRecomputed(org, 'cand-a', 3);
  });

  it('moves what it gave a profile to the candidate the profile is identified as, and marks it shared', async () => {
    const { org, fp, profile, first, seen } = await identifiedFirst();
    const second = profile();
    const guessed = [pageView(second), pageView(second)];
    expect(await send(second, guessed)).toMatchObject({ fingerprint: 'recognised' });
    await expectScoreRecomputed(org, 'cand-a', 3);
    // The second profile joins the talent network as someone else.
    expect(await link(second, 'cand-b')).toMatchObject({
      alreadyLinked: false,
      linkedEngagements: 2,
      tier: expect.any(String),
    });
    expect(await eventsOf(second)).toEqual(expected(guessed, 'cand-b', 'link'));
    expect(await eventsOf(first)).toEqual(expected(seen, 'cand-a', 'link'));
    await expectScoreRecomputed(org, 'cand-a', 1);
    await expectScoreRecomputed(org, 'cand-b', 2);
    expect(await fingerprintRow(org, fp)).toEqual({ candidate: 'cand-a', shared: 1 });
    const third = profile();
    const fresh = [pageView(third)];
    expect(await send(third, fresh)).toMatchObject({ fingerprint: 'shared' });
    expect(await eventsOf(third)).toEqual(expected(fresh, null, ''));
  });

  it('does the same when an identity token identifies the recognised profile', async () => {
    const { org, profile } = await identifiedFirst();
    const second = profile();
    const guessed = [pageView(second)];
    expect(await send(second, guessed)).toMatchObject({ fingerprint: 'recognised' });
    const minted = await api('POST', '/v1/identity-tokens', org.keys.user, {
      candidateId: 'cand-b',
    });
    const { token } = await json<{ token: string }>(minted);
    const landing = [pageView(second)];
    expect(await send(second, landing, { identity: token })).toMatchObject({
      accepted: 1,
      fingerprint: 'shared',
    });
    expect(await eventsOf(second)).toEqual({
      ...expected(guessed, 'cand-b', 'link'),
      ...expected(landing, 'cand-b', 'identity_token'),
    });
    await expectScoreRecomputed(org, 'cand-a', 1);
    await expectScoreRecomputed(org, 'cand-b', 2);
  });

  it('keeps it unambiguous when the recognised profile is identified as the same candidate', async () => {
    const { org, fp, profile } = await identifiedFirst();
    const second = profile();
    const guessed = [pageView(second)];
    await send(second, guessed);
    expect(await link(second, 'cand-a')).toMatchObject({
      alreadyLinked: false,
      linkedEngagements: 0,
    });
    expect(await eventsOf(second)).toEqual(expected(guessed, 'cand-a', 'link'));
    expect(await fingerprintRow(org, fp)).toEqual({ candidate: 'cand-a', shared: 0 });
    await expectScoreRecomputed(org, 'cand-a', 2);
    expect(await link(second, 'cand-a')).toMatchObject({ alreadyLinked: true });
  });

  it('never moves an identified profile: one identified as someone else makes the fingerprint shared', async () => {
    const { org, fp, profile } = await identifiedFirst();
    // A second person's profile, identified (its form's hidden field) before FingerprintJS ran.
    const other = profile();
    await link(other, 'cand-b');
    const events = [pageView(other)];
    expect(await send(other, events)).toMatchObject({ fingerprint: 'shared' });
    expect(await eventsOf(other)).toEqual(expected(events, 'cand-b', 'visitor'));
    expect(await fingerprintRow(org, fp)).toEqual({ candidate: 'cand-a', shared: 1 });
  });

  it('recognises page ids (storage refused) one page view at a time, and their return is no second profile', async () => {
    const { org, fp, profile } = await identifiedFirst();
    const pageOne = profile('page');
    const pageTwo = profile('page');
    const one = [pageView(pageOne)];
    const two = [pageView(pageTwo)];
    expect(await send(pageOne, one)).toMatchObject({ fingerprint: 'recognised' });
    expect(await send(pageTwo, two)).toMatchObject({ fingerprint: 'recognised' });
    // A form on the first page: its page id again, after the second took over.
    const again = [pageView(pageOne)];
    expect(await send(pageOne, again)).toMatchObject({ fingerprint: 'recognised' });
    expect(await fingerprintRow(org, fp)).toEqual({ candidate: 'cand-a', shared: 0 });
    expect(await eventsOf(pageOne)).toEqual(expected([...one, ...again], 'cand-a', 'fingerprint'));
  });

  it('neither recognises nor is recognised by an old tracker whose visitor id is the fingerprint', async () => {
    const { profile, fp } = await identifiedFirst();
    const old = { ...profile('fingerprint'), id: fp };
    const events = [pageView(old)];
    expect(await send(old, events)).toMatchObject({ accepted: 1, fingerprint: 'none' });
    expect(await eventsOf(old)).toEqual(expected(events, null, ''));
  });

  it("answers every one of a recognised profile's concurrent beacons, and gives every event to the candidate", async () => {
    const { org, profile } = await identifiedFirst();
    const second = profile();
    const burst = Array.from({ length: 20 }, () => [pageView(second)]);
    const replies = await Promise.all(burst.map((events) => send(second, events)));
    expect(replies.map((reply) => reply.accepted)).toEqual(burst.map(() => 1));
    expect(new Set(replies.map((reply) => reply.fingerprint))).toEqual(new Set(['recognised']));
    expect(await eventsOf(second)).toEqual(expected(burst.flat(), 'cand-a', 'fingerprint'));
    await expectScoreRecomputed(org, 'cand-a', 21);
  });

  it('never leaves an event on the wrong person when the profile is identified during its beacons', async () => {
    const { org, profile, first, seen } = await identifiedFirst();
    const second = profile();
    await send(second, [pageView(second)]);
    const burst = Array.from({ length: 10 }, () => [pageView(second)]);
    await Promise.all([
      ...burst.map((events) => send(second, events)),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await link(second, 'cand-b');
      })(),
    ]);
    const stored = await eventsOf(second);
    expect(Object.keys(stored)).toHaveLength(11);
    expect(new Set(Object.values(stored).map((row) => row.candidate))).toEqual(new Set(['cand-b']));
    expect(await eventsOf(first)).toEqual(expected(seen, 'cand-a', 'link'));
    await expectScoreRecomputed(org, 'cand-a', 1);
    await expectScoreRecomputed(org, 'cand-b', 11);
  });

  it('leaves what another fingerprint gave a profile where it is when a new one recognises it', async () => {
    const { org, profile, first } = await identifiedFirst();
    const wanderer = profile();
    const byF = [pageView(wanderer)];
    expect(await send(wanderer, byF)).toMatchObject({ fingerprint: 'recognised' });
    await send(first); // F is shared now: the wanderer's provisional link goes
    // A browser update gives the wanderer's device a new fingerprint G, already linked to C.
    const g = rid('fp');
    const other: Profile = { org, id: rid('v'), kind: 'stored', fp: g };
    await send(other);
    await link(other, 'cand-c');
    const moved = { ...wanderer, fp: g };
    const anonymous = [pageView(moved)];
    expect(await send(moved, anonymous, { withFp: false })).toMatchObject({ fingerprint: 'none' });
    const byG = [pageView(moved)];
    expect(await send(moved, byG)).toMatchObject({ fingerprint: 'recognised' });
    expect(await eventsOf(wanderer)).toEqual({
      ...expected(byF, 'cand-a', 'fingerprint'),
      ...expected([...anonymous, ...byG], 'cand-c', 'fingerprint'),
    });
    await expectScoreRecomputed(org, 'cand-a', 3);
    await expectScoreRecomputed(org, 'cand-c', 3);
  });

  it('keeps a shared fingerprint shared when the candidates it pointed at are purged', async () => {
    const d = await device();
    const b = d.profile();
    await link(b, 'cand-b');
    await send(b);
    // A's profile, newest on the device: the fingerprint's row names it and B's candidate.
    const a = d.profile();
    await link(a, 'cand-a');
    expect(await send(a)).toMatchObject({ fingerprint: 'shared' });
    const rowOf = () =>
      rows<{ candidate_id: string | null; visitor_id: string; shared_at: number | null }>(
        'SELECT candidate_id, visitor_id, shared_at FROM fingerprints WHERE org_id = ? AND fp = ?',
        d.org.orgId,
        d.fp,
      );
    const idOf = async (profile: Profile) =>
      (await rows<{ id: string }>('SELECT id FROM visitors WHERE device_id = ?', profile.id))[0]
        ?.id;
    const [aId, bCandidate] = [await idOf(a), (await rowOf())[0]?.candidate_id];
    expect((await rowOf())[0]?.visitor_id).toBe(aId);
    for (const purged of ['cand-a', 'cand-b']) {
      const response = await api('DELETE', `/v1/candidates/${purged}`, d.org.keys.admin);
      expect(response.status).toBe(200);
    }
    // Still shared, naming neither purged candidate nor A's device.
    const [left] = await rowOf();
    expect(left).toEqual({ candidate_id: null, visitor_id: '', shared_at: expect.any(Number) });
    expect(bCandidate).toEqual(expect.any(String));
    const fresh = d.profile();
    const events = [pageView(fresh)];
    expect(await send(fresh, events)).toMatchObject({ fingerprint: 'shared' });
    expect(await eventsOf(fresh)).toEqual(expected(events, null, ''));
  });

  it('forgets the fingerprint with the candidate it was linked to when that candidate is purged', async () => {
    const { org, fp, profile } = await identifiedFirst();
    const second = profile();
    await send(second, [pageView(second)]);
    const purged = await api('DELETE', '/v1/candidates/cand-a', org.keys.admin);
    expect(purged.status).toBe(200);
    expect(await fingerprintRow(org, fp)).toBeNull();
    const left = await env.DB.prepare(
      'SELECT COUNT(*) AS n FROM visitors WHERE org_id = ? AND fp = ?',
    )
      .bind(org.orgId, fp)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
