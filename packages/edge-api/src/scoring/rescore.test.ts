// Rescoring after a scoring model change, in pages through the rescore queue: the settings PUT
// answers with the run queued, draining its pages gives the scores (and the tier-change webhooks)
// of the inline path, a page delivered twice writes nothing more, a second change supersedes the
// pages of the first, and the cron queues again the page of a run that stalled. The queue here is
// a fake that keeps the jobs, so each test runs the pages itself, one at a time.
import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL, type ScoringModel } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import type { Bindings } from '../env.js';
import { RESCORE_STALL_MS, resumeRescores, runRescoreJob } from '../jobs/rescore-queue.js';
import { createOrg, json, postJson, request, rows, type TestOrg } from '../test/client.js';
import { fakeQueue } from '../test/messaging.js';
import { rescoreOf } from '../test/rescore.js';
import type { RescorePageJob, RescoreProgress } from './rescore.js';

const DAY = 86_400_000;
/** Fixed times, so two organisations given the same engagements have the same scores. */
const BASE = Date.now() - 3 * DAY;
const HISTORIES: [string, [string, number][]][] = [
  ['ann', [['attend_event', BASE]]],
  ['bob', [['open_email', BASE + 1000]]],
  [
    'cy',
    [
      ['click_email', BASE - DAY],
      ['submit_form', BASE - DAY],
    ],
  ],
  [
    'dee',
    [
      ['register_event', BASE],
      ['attend_event', BASE],
    ],
  ],
  ['eve', [['visit_landing_page', BASE - 2 * DAY]]],
];
/** Opens weigh 20: bob goes from inactive to highly engaged, the others keep their tier. */
const OPENS = { ...DEFAULT_MODEL, weights: { ...DEFAULT_MODEL.weights, open_email: 20 } };

async function seeded(): Promise<TestOrg> {
  const org = await createOrg();
  const engagements = HISTORIES.flatMap(([who, items]) =>
    items.map(([type, at], i) => ({
      id: `${who}-${i}`,
      candidateId: who,
      type,
      detail: `${type} ${i}`,
      occurredAt: new Date(at).toISOString(),
    })),
  );
  const stored = await postJson('/v1/engagements', { engagements }, org.keys.user);
  expect(stored.status, await stored.clone().text()).toBeLessThan(300);
  // Tier changes go to the webhook outbox only while a webhook is set.
  const hook = await putSettings(org, { webhookUrl: 'http://127.0.0.1:9/hook' }, {});
  expect(hook.status).toBe(200);
  return org;
}

function putSettings(org: TestOrg, body: unknown, bindings: Partial<Bindings>) {
  return request(
    '/v1/settings/engagement',
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.keys.manager}` },
      body: JSON.stringify(body),
    },
    bindings,
  );
}

/** Saves `model` with a fake rescore queue; the reply's progress and the jobs it queued. */
async function saveQueued(org: TestOrg, model: ScoringModel | null) {
  const { queue, jobs } = fakeQueue();
  const reply = await json<{ rescore: RescoreProgress; rescored?: number }>(
    putSettings(org, { scoringModel: model }, { RESCORE_QUEUE: queue }),
  );
  return { reply, queue, jobs: jobs as unknown as { body: RescorePageJob }[] };
}

/** Runs the queued page jobs in turn, `pageSize` candidates each; how many pages ran. */
async function drain(saved: { queue: Queue; jobs: { body: RescorePageJob }[] }, pageSize = 2) {
  let pages = 0;
  while (saved.jobs.length > 0) {
    const job = saved.jobs.shift()!.body;
    await runRescoreJob({ DB: env.DB, RESCORE_QUEUE: saved.queue }, job, Date.now(), pageSize);
    pages += 1;
  }
  return pages;
}

/** Each candidate's stored score (by external id), without what differs between databases. */
function scoresOf(org: TestOrg) {
  return rows<{ id: string; state: string; sort_key: number; tier: string; version: number }>(
    `SELECT c.external_id AS id, s.state, s.sort_key, s.tier, s.engagement_count, s.version
     FROM scores s JOIN candidates c ON c.id = s.candidate_id
     WHERE s.org_id = ? ORDER BY c.external_id`,
    org.orgId,
  );
}

const withoutVersion = (list: Awaited<ReturnType<typeof scoresOf>>) =>
  list.map(({ version: _, ...row }) => row);

/** The model_change webhooks waiting in the outbox: `from → to` per candidate. */
async function modelChanges(org: TestOrg) {
  const found = await rows<{ payload: string }>(
    'SELECT payload FROM webhook_deliveries WHERE org_id = ? ORDER BY created_at',
    org.orgId,
  );
  return found
    .map((row) => JSON.parse(row.payload) as { candidateId: string; from: string; to: string })
    .filter((event) => (event as { reason?: string }).reason === 'model_change')
    .map((event) => `${event.candidateId}: ${event.from} → ${event.to}`);
}

describe('rescoring through the rescore queue', () => {
  it('answers before any page runs; draining gives the inline scores, each tier change once', async () => {
    const queued = await seeded();
    const inline = await seeded();
    const saved = await saveQueued(queued, OPENS);
    expect(saved.reply.rescored).toBeUndefined();
    expect(saved.reply.rescore).toMatchObject({ state: 'queued', done: 0, total: 5 });
    expect(saved.reply.rescore.finishedAt).toBeNull();
    expect(await rescoreOf(queued)).toEqual(saved.reply.rescore);
    expect(saved.jobs.map((job) => job.body)).toEqual([
      { kind: 'rescore-page', orgId: queued.orgId, runId: expect.any(String), after: '' },
    ]);
    // Nothing rescored yet: bob is still inactive.
    expect((await scoresOf(queued)).find((row) => row.id === 'bob')?.tier).toBe('inactive');

    // Five candidates, two a page: three pages, the last one short.
    expect(await drain(saved)).toBe(3);
    const progress = await rescoreOf(queued);
    expect(progress).toMatchObject({ state: 'done', done: 5, total: 5 });
    expect(progress?.finishedAt).toEqual(expect.any(String));

    // Without the queue the PUT rescores every page itself, and says how many.
    const direct = await json<{ rescore: RescoreProgress; rescored?: number }>(
      putSettings(inline, { scoringModel: OPENS }, { RESCORE_QUEUE: undefined }),
    );
    expect(direct.rescored).toBe(5);
    expect(direct.rescore).toMatchObject({ state: 'done', done: 5, total: 5 });
    expect(withoutVersion(await scoresOf(queued))).toEqual(withoutVersion(await scoresOf(inline)));
    expect(await modelChanges(queued)).toEqual(['bob: inactive → highly_engaged']);
    expect(await modelChanges(inline)).toEqual(['bob: inactive → highly_engaged']);
  });

  it('writes nothing more when a page is delivered again, before or after the next one', async () => {
    const org = await seeded();
    const saved = await saveQueued(org, OPENS);
    const first = saved.jobs[0]!.body;
    expect(await drain(saved)).toBe(3);
    const before = await scoresOf(org);
    const progress = await rescoreOf(org);
    // The queue redelivers the first page (and the second) after the run finished.
    for (const job of [first, { ...first, after: 'bob' }]) {
      expect(
        await runRescoreJob({ DB: env.DB, RESCORE_QUEUE: saved.queue }, job, Date.now(), 2),
      ).toBe(0);
    }
    expect(saved.jobs).toEqual([]);
    expect(await scoresOf(org)).toEqual(before);
    expect(await rescoreOf(org)).toEqual(progress);
    expect(await modelChanges(org)).toEqual(['bob: inactive → highly_engaged']);
  });

  it('stops the pages of a model change that a second change superseded', async () => {
    const org = await seeded();
    const first = await saveQueued(org, OPENS);
    // One page of the first change runs, queueing its second page.
    await runRescoreJob(
      { DB: env.DB, RESCORE_QUEUE: first.queue },
      first.jobs.shift()!.body,
      Date.now(),
      2,
    );
    expect(await rescoreOf(org)).toMatchObject({ state: 'running', done: 2, total: 5 });
    expect(first.jobs).toHaveLength(1);
    // Back to the default model before the first run ends: a new run from the start.
    const second = await saveQueued(org, null);
    expect(second.reply.rescore).toMatchObject({ state: 'queued', done: 0, total: 5 });
    // The first run's next page finds its run replaced and writes nothing, nor queues more.
    const stale = await scoresOf(org);
    expect(await drain(first)).toBe(1);
    expect(await scoresOf(org)).toEqual(stale);
    expect(await drain(second)).toBe(3);
    expect(await rescoreOf(org)).toMatchObject({ state: 'done', done: 5, total: 5 });
    // Every score is the default model's again, as if the first change had never been made.
    const fresh = await seeded();
    expect(withoutVersion(await scoresOf(org))).toEqual(withoutVersion(await scoresOf(fresh)));
  });

  it('queues again the page of a run that stalled, once it has not moved for 15 minutes', async () => {
    const org = await seeded();
    const saved = await saveQueued(org, OPENS);
    // The first page's job is lost.
    saved.jobs.splice(0);
    const cron = fakeQueue();
    const bindings = { DB: env.DB, RESCORE_QUEUE: cron.queue };
    expect((await resumeRescores(bindings, Date.now())).resumed).toBe(0);
    const later = Date.now() + RESCORE_STALL_MS + 1;
    expect((await resumeRescores(bindings, later)).resumed).toBeGreaterThanOrEqual(1);
    // Only this organisation's (the cron resumes every stalled run in the database).
    const jobs = cron.jobs as unknown as { body: RescorePageJob }[];
    jobs.splice(0, jobs.length, ...jobs.filter((job) => job.body.orgId === org.orgId));
    expect(jobs.map((job) => job.body)).toEqual([
      { kind: 'rescore-page', orgId: org.orgId, runId: expect.any(String), after: '' },
    ]);
    expect(await drain({ queue: cron.queue, jobs })).toBe(3);
    expect(await rescoreOf(org)).toMatchObject({ state: 'done', done: 5 });
  });
});
