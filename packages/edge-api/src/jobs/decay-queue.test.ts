// The daily decay fanned out in pages: a job per page of organisations, per organisation and
// tier, per page of candidates; each settles what it covers once, and the run through the real
// local queue settles every candidate the in-turn run would.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../db/client.js';
import { DECAY_ORG_PAGE, type DecayJob, runDecayJob } from '../scoring/decay.js';
import { createOrg, DAY_MS, postJson, rid, rows, type TestOrg } from '../test/client.js';
import { fakeQueue } from '../test/messaging.js';
import { startDecay } from './decay-queue.js';
import { consumeRescorePages, type ScoringJob } from './rescore-queue.js';

/** One message as the queue delivers it, its ack recorded. */
function batchOf(body: ScoringJob, ack: () => void): MessageBatch<ScoringJob> {
  const message = {
    id: 'm1',
    timestamp: new Date(),
    attempts: 1,
    body,
    ack,
    retry: () => {
      throw new Error(`${body.kind} was handed back for a retry`);
    },
  };
  return {
    queue: 'cxm-rescore',
    messages: [message],
    ackAll: () => {},
    retryAll: () => {},
  } as unknown as MessageBatch<ScoringJob>;
}

/** `count` candidates who attended an event a day ago: Engaged now, Inactive 40 days on. */
async function attendees(org: TestOrg, count: number): Promise<void> {
  const occurredAt = new Date(Date.now() - DAY_MS).toISOString();
  const engagements = Array.from({ length: count }, () => ({
    id: rid('evt'),
    candidateId: rid('cand'),
    type: 'attend_event',
    detail: 'Open day',
    occurredAt,
  }));
  const response = await postJson('/v1/engagements', { engagements }, org.keys.user);
  expect(response.status).toBe(202);
}

async function storedTiers(orgId: string): Promise<Record<string, number>> {
  const counted = await rows<{ tier: string; n: number }>(
    'SELECT tier, COUNT(*) AS n FROM scores WHERE org_id = ? GROUP BY tier',
    orgId,
  );
  return Object.fromEntries(counted.map((row) => [row.tier, row.n]));
}

describe('the daily decay in pages', () => {
  it('lists organisations a page at a time and settles each one page of candidates per job', async () => {
    // More organisations than one job lists, and one with more candidates than one page.
    const orgs: TestOrg[] = [];
    for (let i = 0; i <= DECAY_ORG_PAGE; i++) orgs.push(await createOrg());
    const big = orgs[0]!;
    await attendees(big, 150);
    await attendees(orgs[1]!, 2);
    expect(await storedTiers(big.orgId)).toEqual({ engaged: 150 });

    // Every job the run leads to, in turn, as a queue would deliver them.
    const now = Date.now() + 40 * DAY_MS;
    const db = database(env.DB);
    const pending: DecayJob[] = [{ kind: 'decay-orgs', now, after: '' }];
    const done: DecayJob[] = [];
    let changed = 0;
    while (pending.length > 0) {
      const job = pending.shift()!;
      const outcome = await runDecayJob(db, job);
      changed += outcome.changed;
      pending.push(...outcome.next);
      done.push(job);
      // No job does more than a page of organisations or of candidates.
      expect(outcome.changed).toBeLessThanOrEqual(100);
      // What a job queues fits one sendBatch (100 messages): all of it is queued, or none.
      expect(outcome.next.length).toBeLessThanOrEqual(100);
    }
    expect(await storedTiers(big.orgId)).toEqual({ inactive: 150 });
    expect(await storedTiers(orgs[1]!.orgId)).toEqual({ inactive: 2 });
    expect(changed).toBeGreaterThanOrEqual(152);
    const listings = done.filter((job) => job.kind === 'decay-orgs');
    expect(listings.length).toBeGreaterThan(1);
    // Each organisation's two tiers started once; the big one's Engaged took two pages.
    for (const org of orgs) {
      const firstPages = done.filter(
        (job) => job.kind === 'decay-page' && job.orgId === org.orgId && job.after === '',
      );
      expect(firstPages.map((job) => job.kind === 'decay-page' && job.tier).sort()).toEqual([
        'engaged',
        'highly_engaged',
      ]);
    }
    const bigEngaged = done.filter(
      (job) => job.kind === 'decay-page' && job.orgId === big.orgId && job.tier === 'engaged',
    );
    expect(bigEngaged).toHaveLength(2);

    // Run again (a redelivered job, or the whole run twice): nothing more to change.
    const again = await runDecayJob(db, {
      kind: 'decay-page',
      now,
      orgId: big.orgId,
      tier: 'engaged',
      after: '',
    });
    expect(again).toEqual({ changed: 0, next: [] });
  });

  it('goes from the cron through the rescore queue’s consumer until nothing is left', async () => {
    const org = await createOrg();
    await attendees(org, 120);
    // The queue captured, and its jobs handed to the consumer as the queue would, one a batch.
    const { queue, jobs } = fakeQueue();
    const bound = { ...env, RESCORE_QUEUE: queue };
    const now = Date.now() + 40 * DAY_MS;
    expect(await startDecay(bound, now)).toEqual({ queued: true });
    let delivered = 0;
    while (jobs.length > 0) {
      const body = jobs.shift()!.body as unknown as ScoringJob;
      expect(body).toMatchObject({ now });
      const acked: number[] = [];
      await consumeRescorePages(
        batchOf(body, () => acked.push(1)),
        bound,
      );
      expect(acked).toEqual([1]);
      delivered += 1;
    }
    expect(delivered).toBeGreaterThan(2);
    expect(await storedTiers(org.orgId)).toEqual({ inactive: 120 });
  });

  it('settles in turn where no queue is bound', async () => {
    const org = await createOrg();
    await attendees(org, 3);
    const outcome = await startDecay(
      { DB: env.DB, RESCORE_QUEUE: undefined },
      Date.now() + 40 * DAY_MS,
    );
    expect(outcome).toMatchObject({ changed: expect.any(Number) });
    expect(await storedTiers(org.orgId)).toEqual({ inactive: 3 });
  });
});
