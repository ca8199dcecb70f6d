// The ingest consumer's combined writes: many beacons in one D1 batch store what writing them one
// by one stores, a redelivery stores nothing again, and a poison beacon holds back no other.
import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import { database } from '../db/client.js';
import type { BeaconJob, IngestMessage } from '../endpoints/collect/write-beacon.js';
import { writeBeacon } from '../endpoints/collect/write-beacon.js';
import type { Bindings } from '../env.js';
import { rid, rows } from '../test/client.js';
import { consumeIngestBatch, rounds } from './ingest-queue.js';

/** Two organisations of their own, each with a tracked site; returns their ids. */
async function organisations(): Promise<{ orgId: string; siteId: string }[]> {
  const made = [rid('org'), rid('org')].map((orgId) => ({ orgId, siteId: `${orgId}-site` }));
  await env.DB.batch(
    made.flatMap(({ orgId, siteId }) => [
      env.DB.prepare('INSERT INTO organisations (id, name) VALUES (?, ?)').bind(orgId, orgId),
      env.DB.prepare(
        `INSERT INTO sites (id, org_id, public_key, allowed_origins, tracking_enabled)
         VALUES (?, ?, ?, '["http://localhost:8080"]', 1)`,
      ).bind(siteId, orgId, rid('pk')),
    ]),
  );
  return made;
}

const BASE = Date.now() - 10 * 60_000;

function job(
  site: { orgId: string; siteId: string },
  input: {
    device: string;
    at: number;
    events: [key: string, type?: 'visit_landing_page' | 'submit_form', page?: string][];
    fp?: string;
    identity?: string;
  },
): BeaconJob {
  return {
    ...site,
    scoringModel: null,
    windows: { visitMs: 30 * 60_000, formMs: 5 * 60_000 },
    visitor: {
      deviceId: input.device,
      kind: 'stored',
      fingerprintVersion: input.fp ? '5' : null,
      fp: input.fp ?? null,
    },
    identityCandidate: input.identity ?? null,
    events: input.events.map(([key, type = 'visit_landing_page', page = '/jobs/engineer']) => ({
      eventKey: `trk:${input.device}:${key}`,
      type,
      detail: `http://localhost:8080${page}`,
      occurredAt: BASE + input.at,
    })),
    receivedAt: BASE + input.at,
    droppedBots: 0,
    ignoredTokens: 0,
  };
}

/**
 * A burst as a career site sends it, for one organisation: many new visitors (most with a
 * fingerprint), reloads and a form from some, one beacon delivered twice, two visitors sharing a
 * fingerprint, and an identity token linking one of them.
 */
function burst(site: { orgId: string; siteId: string }): BeaconJob[] {
  const jobs: BeaconJob[] = [];
  for (let i = 0; i < 30; i++) {
    const fp = i % 6 === 0 ? undefined : `fp-${i}`;
    jobs.push(job(site, { device: `v${i}`, at: i, fp, events: [[`land${i}`]] }));
  }
  // A reload within the window (stored as a repeat by the insert), a new page, a form.
  jobs.push(job(site, { device: 'v1', at: 100, fp: 'fp-1', events: [['reload']] }));
  jobs.push(
    job(site, { device: 'v2', at: 101, fp: 'fp-2', events: [['p2', undefined, '/about']] }),
  );
  jobs.push(job(site, { device: 'v3', at: 102, fp: 'fp-3', events: [['f', 'submit_form', '/a']] }));
  // A beacon queued twice (the client's retry): the second stores nothing.
  const twice = job(site, { device: 'v4', at: 103, fp: 'fp-4', events: [['again']] });
  jobs.push(twice, twice);
  // Two devices with one fingerprint, and a token naming a candidate on the second.
  jobs.push(job(site, { device: 'w1', at: 104, fp: 'fp-shared', events: [['w1']] }));
  jobs.push(job(site, { device: 'w2', at: 105, fp: 'fp-shared', events: [['w2']] }));
  jobs.push(
    job(site, { device: 'w2', at: 106, fp: 'fp-shared', identity: 'cand-1', events: [['t']] }),
  );
  jobs.push(
    job(site, { device: 'w2', at: 107, fp: 'fp-shared', events: [['after', undefined, '/b']] }),
  );
  return jobs;
}

interface Delivery {
  batch: MessageBatch<IngestMessage>;
  acked: string[];
  retried: string[];
}

/** A delivery as the queue hands it over, recording each message's ack or retry. */
function delivery(jobs: BeaconJob[]): Delivery {
  const acked: string[] = [];
  const retried: string[] = [];
  const messages = jobs.map(
    (body, index): Message<IngestMessage> => ({
      id: `m${index}`,
      timestamp: new Date(),
      attempts: 1,
      body: { kind: 'beacon', job: body },
      ack: () => acked.push(`m${index}`),
      retry: () => retried.push(`m${index}`),
    }),
  );
  const batch = {
    queue: 'cxm-ingest',
    messages,
    ackAll: () => {},
    retryAll: () => {},
  } as unknown as MessageBatch<IngestMessage>;
  return { batch, acked, retried };
}

/** The env with the D1's `batch()` calls counted. */
function countingBatches(): { env: Bindings; batches: () => number } {
  let count = 0;
  const db = new Proxy(env.DB, {
    get(target, name) {
      if (name === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          count++;
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { env: { ...env, DB: db }, batches: () => count };
}

/** Everything a beacon writes for an organisation, without generated ids or clock readings. */
async function contents(orgId: string) {
  const of = (sql: string) => rows(sql, orgId);
  return {
    engagements: await of(
      `SELECT v.device_id, e.event_key, e.type, e.detail, e.occurred_at, e.received_at, e.source,
         e.attribution, c.external_id AS candidate
       FROM engagements e LEFT JOIN visitors v ON v.id = e.visitor_id
       LEFT JOIN candidates c ON c.id = e.candidate_id WHERE e.org_id = ? ORDER BY e.event_key`,
    ),
    visitors: await of(
      `SELECT v.device_id, v.kind, v.fingerprint_version, v.fp, c.external_id AS candidate,
         v.link_source, v.linked_at, v.first_seen_at, v.last_seen_at, v.version
       FROM visitors v LEFT JOIN candidates c ON c.id = v.candidate_id
       WHERE v.org_id = ? ORDER BY v.device_id`,
    ),
    fingerprints: await of(
      `SELECT f.fp, v.device_id, c.external_id AS candidate, f.shared_at, f.first_seen_at,
         f.last_seen_at, f.version
       FROM fingerprints f JOIN visitors v ON v.id = f.visitor_id
       LEFT JOIN candidates c ON c.id = f.candidate_id WHERE f.org_id = ? ORDER BY f.fp`,
    ),
    scores: await of(
      `SELECT c.external_id, s.tier, s.engagement_count, s.last_engaged_at
       FROM scores s JOIN candidates c ON c.id = s.candidate_id
       WHERE s.org_id = ? ORDER BY c.external_id`,
    ),
    backlog: await of('SELECT COUNT(*) AS n FROM score_backlog WHERE org_id = ?'),
    days: await of(
      'SELECT day, type, count FROM engagement_days WHERE org_id = ? ORDER BY day, type',
    ),
    stats: await of(
      `SELECT day, accepted, duplicates, dropped_bots, ignored_tokens FROM collect_stats
       WHERE org_id = ? ORDER BY day`,
    ),
  };
}

describe('the ingest consumer, many beacons per D1 batch', () => {
  it('stores a burst from many visitors of two organisations as writing each beacon in turn does', async () => {
    const [oneByOne, batched] = [await organisations(), await organisations()];
    const db = database(env.DB);
    for (const site of oneByOne) for (const each of burst(site)) await writeBeacon(db, each);
    const jobs = batched.flatMap((site) => burst(site));
    const { batch, acked, retried } = delivery(jobs);
    await consumeIngestBatch(batch, env);
    expect(retried).toEqual([]);
    expect(acked).toHaveLength(jobs.length);
    for (const [index, site] of batched.entries()) {
      const expected = await contents(oneByOne[index]!.orgId);
      expect(expected.engagements.length).toBeGreaterThan(30);
      expect(expected.scores).toHaveLength(1);
      expect(await contents(site.orgId)).toEqual(expected);
    }
  });

  it('writes 100 beacons of new visitors with one read batch and one write batch', async () => {
    const sites = await organisations();
    const jobs = Array.from({ length: 100 }, (_, i) =>
      job(sites[i % 2]!, { device: `n${i}`, at: i, fp: `fp-n${i}`, events: [[`e${i}`]] }),
    );
    const counted = countingBatches();
    const { batch, acked } = delivery(jobs);
    await consumeIngestBatch(batch, counted.env);
    expect(acked).toHaveLength(100);
    expect(counted.batches()).toBe(2);
    const [stored] = await rows<{ n: number }>(
      'SELECT COUNT(*) AS n FROM engagements WHERE org_id IN (?, ?)',
      sites[0]!.orgId,
      sites[1]!.orgId,
    );
    expect(stored?.n).toBe(100);
  });

  it('scores a beacon under its organisation’s model as stored when written, not as queued', async () => {
    const [site] = await organisations();
    // Queued under the default model (a landing-page visit is worth 1 point); saved since: 20.
    const changed = {
      ...DEFAULT_MODEL,
      weights: { ...DEFAULT_MODEL.weights, visit_landing_page: 20 },
    };
    await env.DB.prepare('UPDATE organisations SET scoring_model = ? WHERE id = ?')
      .bind(JSON.stringify(changed), site!.orgId)
      .run();
    const queued = job(site!, { device: 'm1', at: 0, identity: 'cand-m', events: [['m']] });
    expect(queued.scoringModel).toBeNull();
    const { batch, acked } = delivery([queued]);
    await consumeIngestBatch(batch, env);
    expect(acked).toEqual(['m0']);
    const [score] = await rows<{ tier: string }>(
      `SELECT s.tier FROM scores s JOIN candidates c ON c.id = s.candidate_id
       WHERE c.org_id = ? AND c.external_id = 'cand-m'`,
      site!.orgId,
    );
    expect(score?.tier).toBe('highly_engaged');
  });

  it('drops, storing nothing, a beacon whose site turned tracking off after it was queued', async () => {
    const [off, on] = await organisations();
    await env.DB.prepare('UPDATE sites SET tracking_enabled = 0 WHERE id = ?')
      .bind(off!.siteId)
      .run();
    const { batch, acked, retried } = delivery([
      job(off!, { device: 'q1', at: 0, events: [['q1']] }),
      job(on!, { device: 'q2', at: 1, events: [['q2']] }),
    ]);
    await consumeIngestBatch(batch, env);
    expect(acked.sort()).toEqual(['m0', 'm1']);
    expect(retried).toEqual([]);
    const stored = await rows<{ org_id: string }>(
      'SELECT org_id FROM engagements WHERE org_id IN (?, ?)',
      off!.orgId,
      on!.orgId,
    );
    expect(stored).toEqual([{ org_id: on!.orgId }]);
    expect(await rows('SELECT id FROM visitors WHERE org_id = ?', off!.orgId)).toEqual([]);
  });

  it('changes nothing stored when the same delivery comes again, only counting the repeats', async () => {
    const sites = await organisations();
    const jobs = sites.flatMap((site) => burst(site));
    await consumeIngestBatch(delivery(jobs).batch, env);
    const before = await Promise.all(sites.map((site) => contents(site.orgId)));
    const again = delivery(jobs);
    await consumeIngestBatch(again.batch, env);
    expect(again.acked).toHaveLength(jobs.length);
    // A beacon whose event was a window repeat stores nothing yet writes again, bumping the
    // visitor's version (a concurrency guard, not data): compared without it.
    const unversioned = ({ stats, visitors, ...rest }: Awaited<ReturnType<typeof contents>>) => ({
      stats,
      ...rest,
      visitors: visitors.map(({ version: _, ...visitor }) => visitor),
    });
    for (const [index, site] of sites.entries()) {
      const { stats, ...after } = unversioned(await contents(site.orgId));
      const { stats: statsBefore, ...stored } = unversioned(before[index]!);
      expect(after).toEqual(stored);
      // Like a client's retry, a redelivered beacon's events are counted as duplicates.
      expect(stats.map((row) => row.accepted)).toEqual(statsBefore.map((row) => row.accepted));
    }
  });

  it('writes the rest when one beacon cannot be written, and hands that one back for a retry', async () => {
    const sites = await organisations();
    const jobs = Array.from({ length: 20 }, (_, i) =>
      job(sites[i % 2]!, { device: `p${i}`, at: i, events: [[`e${i}`]] }),
    );
    // Its site is there but its organisation is not: the visitor's foreign key fails the batch
    // it is in. (A beacon whose site is gone is dropped before writing, like tracking off.)
    jobs[7] = job(
      { orgId: rid('gone'), siteId: sites[0]!.siteId },
      { device: 'p7', at: 7, events: [['x']] },
    );
    const { batch, acked, retried } = delivery(jobs);
    await consumeIngestBatch(batch, env);
    expect(retried).toEqual(['m7']);
    expect(acked).toHaveLength(19);
    const [stored] = await rows<{ n: number }>(
      'SELECT COUNT(*) AS n FROM engagements WHERE org_id IN (?, ?)',
      sites[0]!.orgId,
      sites[1]!.orgId,
    );
    expect(stored?.n).toBe(19);
  });
});

describe('rounds', () => {
  it('puts beacons sharing a visitor, fingerprint or candidate in later rounds, in order', () => {
    const site = { orgId: 'o', siteId: 's' };
    const message = (body: BeaconJob) => ({ body: { kind: 'beacon' as const, job: body } });
    const a1 = message(job(site, { device: 'a', at: 0, events: [['1']] }));
    const b = message(job(site, { device: 'b', at: 1, fp: 'f', events: [['1']] }));
    const a2 = message(job(site, { device: 'a', at: 2, events: [['2']] }));
    const c = message(job(site, { device: 'c', at: 3, fp: 'f', events: [['1']] }));
    const d = message(job(site, { device: 'd', at: 4, identity: 'x', events: [['1']] }));
    const e = message(job(site, { device: 'e', at: 5, identity: 'x', events: [['1']] }));
    const a3 = message(job(site, { device: 'a', at: 6, events: [['3']] }));
    expect(rounds([a1, b, a2, c, d, e, a3])).toEqual([[a1, b, d], [a2, c, e], [a3]]);
  });
});
