// The daily decay fanned out in pages: a job per page of organisations, per organisation and
// tier, per page of candidates; each settles what it covers once, and the run through the real
// local queue settles every candidate the in-turn run would.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../db/client.js';
import { DECAY_ORG_PAGE, type DecayJob, runDecayJob } from '../scoring/decay.js';
import { createOrg, DAY_MS, postJson, rid, rows, type TestOrg } from '../test/client.js';
import { DAILY_CRON, runScheduled } from './cron.js';

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
      expect(outcome.next.length).toBeLessThanOrEqual(2 * DECAY_ORG_PAGE + 1);
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

  it('runs from the daily cron through the rescore queue', async () => {
    const org = await createOrg();
    await attendees(org, 120);
    const run = await runScheduled(env, { cron: DAILY_CRON, now: Date.now() + 40 * DAY_MS });
    expect(run.decay).toEqual({ queued: true });
    const deadline = Date.now() + 10_000;
    let tiers = await storedTiers(org.orgId);
    while (tiers.inactive !== 120 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      tiers = await storedTiers(org.orgId);
    }
    expect(tiers).toEqual({ inactive: 120 });
  });

  it('settles in turn where no queue is bound', async () => {
    const org = await createOrg();
    await attendees(org, 3);
    const run = await runScheduled(
      { ...env, RESCORE_QUEUE: undefined },
      { cron: DAILY_CRON, now: Date.now() + 40 * DAY_MS },
    );
    expect(run.decay).toMatchObject({ changed: expect.any(Number) });
    expect(await storedTiers(org.orgId)).toEqual({ inactive: 3 });
  });
});
