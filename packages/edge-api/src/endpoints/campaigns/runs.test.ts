// Campaign runs on a fake clock: the cron starts a run once per campaign and local date (twice,
// late, across daylight saving), its pages go through the queue and text exactly what the
// estimate said, a run killed halfway continues without texting anyone twice, contacts running
// out stop it cleanly, disabling stops it, and what its texts led to (delivery, replies with the
// campaign's automatic response, opt-outs, clicks that move the score) shows in its runs.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { database } from '../../db/client.js';
import type { CampaignJob } from '../../jobs/campaign-queue.js';
import { campaign, estimate, messaged, NONE, scored } from '../../test/campaigns.js';
import { api, BROWSER_UA, errorOf, request, rows, type TestOrg } from '../../test/client.js';
import {
  DAY_MS,
  fakeProvider,
  fakeQueue,
  freezeClock,
  HOUR_MS,
  INBOUND_PATH,
  type MessagingOrg,
  MINUTE_MS,
  messagingOrg,
  NOON,
  personToken,
  postWebhook,
  setClock,
  thawClock,
} from '../../test/messaging.js';
import { deliver } from '../messages/deliver.js';
import type { OutboundJob } from '../messages/queue-message.js';
import { type CampaignPageJob, RUN_PAGE_SIZE, type RunEnv, runPage } from './run-page.js';
import type { RunJson } from './runs.js';
import {
  type CampaignStartJob,
  runStartJob,
  STALL_MS,
  START_PAGE,
  startCampaignRuns,
} from './start-runs.js';

beforeEach(() => freezeClock(NOON));
// The cron's step reads every organisation's campaigns: each test leaves none enabled or running
// behind, so the next one sees only its own.
afterEach(async () => {
  thawClock();
  await env.DB.batch([
    env.DB.prepare(`UPDATE campaigns SET state = 'disabled' WHERE state = 'enabled'`),
    env.DB.prepare(`UPDATE campaign_runs SET state = 'stopped' WHERE state = 'running'`),
  ]);
});

/** NOON is 15:00 UTC on 2026-03-04: an organisation on UTC with a 09:30 send time is due. */
const LONG_AGO = 40 * DAY_MS;
const ORIGIN = 'http://api.test';

interface Harness {
  env: RunEnv;
  /** What the campaign queue was given: page jobs. */
  pages: { body: CampaignPageJob }[];
  /** What the texting queue was given: text jobs. */
  texts: { body: OutboundJob }[];
}

function harness(): Harness {
  const pages = fakeQueue();
  const texts = fakeQueue();
  return {
    env: {
      DB: env.DB,
      MESSAGE_QUEUE: texts.queue,
      CAMPAIGN_QUEUE: pages.queue,
      PUBLIC_ORIGIN: ORIGIN,
    },
    pages: pages.jobs as unknown as { body: CampaignPageJob }[],
    texts: texts.jobs,
  };
}

/** Runs queued page jobs (in order, as the queue would) until none is left; the texts queued. */
async function drain(h: Harness, now = Date.now()): Promise<string[]> {
  while (h.pages.length > 0) {
    const job = h.pages.shift()!.body;
    // Pages and texts each on their own queue, so no page waits behind texts.
    expect(job.kind).toBe('campaign-page');
    await runPage(h.env, job, now);
  }
  const texts = h.texts.splice(0);
  expect(texts.every((job) => job.body.kind === 'send')).toBe(true);
  return texts.map((job) => job.body.messageId);
}

/** The cron's campaign step at `now`, then every page it led to. */
async function cron(h: Harness, now = Date.now()) {
  const started = await startCampaignRuns(h.env, now);
  const texts = await drain(h, now);
  return { started, texts };
}

/** How many runs of campaign `id` the cron's campaign step started at `now`. */
async function started(h: Harness, id: string, now: number): Promise<number> {
  const count = async () =>
    (
      await rows<{ n: number }>('SELECT count(*) AS n FROM campaign_runs WHERE campaign_id = ?', id)
    )[0]!.n;
  const before = await count();
  await startCampaignRuns(h.env, now);
  return (await count()) - before;
}

async function runsOf(org: TestOrg, id: string): Promise<RunJson[]> {
  const response = await api('GET', `/v1/campaigns/${id}/runs`, org.keys.user);
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { data: RunJson[] }).data;
}

function textsOf(org: TestOrg) {
  return rows<{ id: string; candidate_id: string; body: string; campaign_run_id: string }>(
    `SELECT id, candidate_id, body, campaign_run_id FROM messages
     WHERE org_id = ? AND direction = 'outbound' AND campaign_run_id IS NOT NULL ORDER BY candidate_id`,
    org.orgId,
  );
}

async function setup(options: { allowance?: number; zone?: string } = {}) {
  const org = await messagingOrg({ allowance: options.allowance ?? 500, zone: options.zone });
  const sender = await personToken(org.orgId, 'user');
  return { org, sender };
}

/** Delivers queued texts with a provider that accepts them all. */
async function deliverAll(texts: readonly string[], now = Date.now()) {
  const { provider, sent } = fakeProvider();
  for (const messageId of texts) {
    const job: OutboundJob = { kind: 'send', messageId, orgId: '', callbackBase: ORIGIN };
    await deliver(env.DB, database(env.DB), provider, job, now);
  }
  return sent;
}

describe('a run texts what the estimate said', () => {
  it('the same candidates, each skip reason counted the same, bodies merged for each', async () => {
    const { org, sender } = await setup({ allowance: 1 });
    const needsContact = await scored(org, { lastContactedAt: NOON - LONG_AGO });
    await env.DB.prepare(
      'UPDATE candidate_contact_details SET first_name = ?1 WHERE candidate_id = ?2',
    )
      .bind('Ada', needsContact)
      .run();
    // Messaged 10 days ago (a conversation already paid for), contacted 40 days ago.
    const paidFor = await scored(org, {
      lastContactedAt: NOON - LONG_AGO,
      details: { lastMessagedAt: NOON - 10 * DAY_MS },
    });
    await scored(org, { lastContactedAt: NOON - LONG_AGO, points: null });
    await scored(org, {
      lastContactedAt: NOON - LONG_AGO,
      details: { smsOptedOutAt: NOON - DAY_MS },
    });
    await scored(org, { lastContactedAt: NOON - LONG_AGO, details: { smsConsentAt: null } });
    const textedToday = await scored(org, { lastContactedAt: NOON - LONG_AGO });
    await messaged(org, textedToday, NOON - HOUR_MS, 'cmp_other');
    await scored(org, { lastContactedAt: NOON - LONG_AGO, details: { timeZone: 'Asia/Tokyo' } });
    // A Canadian number: SMS reaches Canada, but the organisation has no number there.
    await scored(org, { lastContactedAt: NOON - LONG_AGO, details: { phone: '+14165550123' } });
    // Would need a contact when the only one left went to `needsContact` (earlier in index order).
    await scored(org, { lastContactedAt: NOON - LONG_AGO + MINUTE_MS });
    await scored(org, { lastContactedAt: NOON - DAY_MS });
    const id = await campaign(org, sender.id, {
      message: 'Hi {{firstName}}, new roles: {{url}}',
      url: 'https://careers.example.com/jobs',
    });
    const expected = await estimate(org, id);
    expect(expected).toMatchObject({
      matched: 9,
      wouldText: 2,
      skipped: {
        inactive: 1,
        optedOut: 1,
        noNumberOrConsent: 1,
        textedToday: 1,
        noSenderNumber: 1,
        quietHours: 1,
        noContactsLeft: 1,
      },
    });
    const h = harness();
    const { texts } = await cron(h);
    const [run] = await runsOf(org, id);
    expect(run).toMatchObject({
      state: 'done',
      date: '2026-03-04',
      matched: expected.matched,
      sent: expected.wouldText,
      skipped: expected.skipped,
    });
    const written = await textsOf(org);
    expect(written.map((text) => text.candidate_id).sort()).toEqual([needsContact, paidFor].sort());
    expect(texts.sort()).toEqual(written.map((text) => text.id).sort());
    const ada = written.find((text) => text.candidate_id === needsContact)!;
    expect(ada.body).toMatch(/^Hi Ada, new roles: http:\/\/api\.test\/v1\/m\/[A-Za-z0-9_-]{16}$/);
    const other = written.find((text) => text.candidate_id === paidFor)!;
    expect(other.body).toMatch(/^Hi there, new roles: /);
    // One contact used (Ada's), none for the conversation already paid for.
    const usage = await rows('SELECT candidate_id FROM contact_usage WHERE org_id = ?', org.orgId);
    expect(usage).toEqual([{ candidate_id: needsContact }]);
  });

  it('a draft estimate says the same as the saved campaign', async () => {
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: NOON - LONG_AGO, tags: ['java'] });
    await scored(org, { lastContactedAt: NOON - LONG_AGO, points: null, tags: ['java'] });
    await scored(org, { lastContactedAt: NOON - LONG_AGO });
    const draft = { timeframe: { notContactedForDays: 30 }, tags: ['java'], channel: 'sms' };
    const id = await campaign(org, sender.id, draft);
    const response = await api('POST', '/v1/campaign-estimates', sender.token, draft);
    expect(response.status, await response.clone().text()).toBe(200);
    const body = (await response.json()) as { campaignId: string | null };
    expect(body).toEqual({ ...(await estimate(org, id)), campaignId: null });
    const unknown = await api('POST', '/v1/campaign-estimates', sender.token, {
      ...draft,
      fromUserId: 'usr_nobody',
    });
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).issues?.[0]).toMatchObject({ path: 'fromUserId' });
    const bad = await api('POST', '/v1/campaign-estimates', sender.token, {
      ...draft,
      timeframe: { notContactedForDays: 5 },
    });
    expect(bad.status).toBe(400);
  });
});

describe('a run happens once per campaign and local date', () => {
  it('the cron firing twice, or later the same day, starts no second run', async () => {
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: NOON - LONG_AGO });
    const id = await campaign(org, sender.id);
    const h = harness();
    expect(await started(h, id, NOON)).toBe(1);
    expect(await started(h, id, NOON)).toBe(0);
    await drain(h);
    expect(await started(h, id, NOON + 4 * HOUR_MS)).toBe(0);
    expect(await textsOf(org)).toHaveLength(1);
    expect(await runsOf(org, id)).toHaveLength(1);
  });

  it('is not due before the send time; a cron hours late still runs that day; then tomorrow', async () => {
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: NOON - LONG_AGO });
    const id = await campaign(org, sender.id, { sendTime: '16:00' });
    const h = harness();
    // 15:00 UTC: not yet.
    expect(await started(h, id, NOON)).toBe(0);
    // 19:55 on the organisation's clock: four hours late, the same day.
    setClock(NOON + 4 * HOUR_MS + 55 * MINUTE_MS);
    expect(await started(h, id, Date.now())).toBe(1);
    await drain(h);
    // The next day at 16:00.
    setClock(NOON + DAY_MS + HOUR_MS);
    expect(await started(h, id, Date.now())).toBe(1);
    expect((await runsOf(org, id)).map((run) => run.date)).toEqual(['2026-03-05', '2026-03-04']);
  });

  it('follows the organisation’s clock across daylight saving (London, spring and autumn)', async () => {
    setClock(Date.UTC(2026, 2, 27, 12));
    const { org, sender } = await setup({ zone: 'Europe/London' });
    await scored(org, { lastContactedAt: Date.now() - LONG_AGO });
    const id = await campaign(org, sender.id, { sendTime: '09:00' });
    const h = harness();
    // Saturday 28 March, 09:00 GMT = 09:00 UTC.
    expect(await started(h, id, Date.UTC(2026, 2, 28, 8, 50))).toBe(0);
    expect(await started(h, id, Date.UTC(2026, 2, 28, 9, 0))).toBe(1);
    // Sunday 29 March, clocks forward at 01:00 UTC: 09:00 BST = 08:00 UTC.
    expect(await started(h, id, Date.UTC(2026, 2, 29, 7, 50))).toBe(0);
    expect(await started(h, id, Date.UTC(2026, 2, 29, 8, 0))).toBe(1);
    // 23:30 UTC on the 29th is 00:30 BST on the 30th: a new day, before its send time.
    expect(await started(h, id, Date.UTC(2026, 2, 29, 23, 30))).toBe(0);
    // Sunday 25 October, clocks back at 01:00 UTC: 09:00 GMT = 09:00 UTC again.
    expect(await started(h, id, Date.UTC(2026, 9, 25, 8, 10))).toBe(0);
    expect(await started(h, id, Date.UTC(2026, 9, 25, 9, 0))).toBe(1);
    expect((await runsOf(org, id)).map((run) => run.date)).toEqual([
      '2026-10-25',
      '2026-03-29',
      '2026-03-28',
    ]);
  });

  it('reads the campaigns a page at a time: the cron the first, the campaign queue the rest', async () => {
    const { org, sender } = await setup();
    const id = await campaign(org, sender.id);
    // More enabled campaigns than one page: copies of this one under new ids.
    const columns = (
      await rows<{ name: string }>('SELECT name FROM pragma_table_info(?)', 'campaigns')
    )
      .map((column) => column.name)
      .filter((name) => name !== 'id');
    const list = columns.map((name) => `"${name}"`).join(', ');
    await env.DB.prepare(
      `INSERT INTO campaigns (id, ${list})
       SELECT c.id || '_' || n.value, ${columns.map((name) => `c."${name}"`).join(', ')}
       FROM campaigns c, json_each(?2) n WHERE c.id = ?1`,
    )
      .bind(id, JSON.stringify(Array.from({ length: START_PAGE + 4 }, (_, i) => i)))
      .run();
    const h = harness();
    const first = await startCampaignRuns(h.env, NOON);
    expect(first.started).toBe(START_PAGE);
    const jobs = h.pages.splice(0).map((job) => job.body as CampaignJob);
    expect(jobs.filter((job) => job.kind === 'campaign-page')).toHaveLength(START_PAGE);
    const next = jobs.filter((job) => job.kind === 'campaign-starts');
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ now: NOON });

    // The queued job, delivered 20 minutes late, starts the rest (its own page, the last) and
    // queues no further start job.
    const late = NOON + 20 * MINUTE_MS;
    expect(await runStartJob(h.env, next[0] as CampaignStartJob, late)).toBe(5);
    const after = h.pages.splice(0).map((job) => job.body as CampaignJob);
    expect(after.map((job) => job.kind)).toEqual(Array(5).fill('campaign-page'));
    // Delivered twice: nothing more.
    expect(await runStartJob(h.env, next[0] as CampaignStartJob, late)).toBe(0);
    // Due at the cron's instant, dated when started: ten minutes on, the cron finds the first
    // page's runs (whose page jobs never ran here) stalled, and not the five it just started.
    const again = await startCampaignRuns(h.env, late + 10 * MINUTE_MS);
    expect(again).toMatchObject({ started: 0, resumed: START_PAGE });
    const lateRuns = await rows<{ as_of: number; updated_at: number }>(
      'SELECT as_of, updated_at FROM campaign_runs WHERE org_id = ? AND created_at = ?',
      org.orgId,
      late,
    );
    expect(lateRuns).toHaveLength(5);
    expect(lateRuns.every((run) => run.as_of === NOON)).toBe(true);
    const [runs] = await rows<{ n: number; campaigns: number }>(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT campaign_id) AS campaigns FROM campaign_runs WHERE org_id = ?',
      org.orgId,
    );
    expect(runs).toEqual({ n: START_PAGE + 5, campaigns: START_PAGE + 5 });
  });
});

// Each test here seeds more than a page of candidates one by one through the API: seconds on a
// loaded machine, so more time than vitest's default 5 s.
describe('a run killed halfway continues without texting anyone twice', { timeout: 30_000 }, () => {
  async function bigPool(count: number, allowance = 500) {
    const { org, sender } = await setup({ allowance });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(await scored(org, { lastContactedAt: NOON - LONG_AGO - i * MINUTE_MS }));
    }
    const id = await campaign(org, sender.id);
    return { org, id, ids };
  }

  it('pages through more than a page; a redelivered page job writes nothing', async () => {
    const { org, id, ids } = await bigPool(RUN_PAGE_SIZE + 30);
    const h = harness();
    await startCampaignRuns(h.env, NOON);
    const first = h.pages[0]!.body;
    expect(first).toMatchObject({ kind: 'campaign-page', page: 0 });
    // The queue delivers the first page twice.
    h.pages.push({ body: first });
    const texts = await drain(h);
    const written = await textsOf(org);
    expect(written).toHaveLength(ids.length);
    expect(new Set(written.map((text) => text.candidate_id)).size).toBe(ids.length);
    expect(new Set(texts)).toEqual(new Set(written.map((text) => text.id)));
    const [run] = await runsOf(org, id);
    expect(run).toMatchObject({ state: 'done', matched: ids.length, sent: ids.length });
  });

  it('dies after writing a page, before queueing: the retry queues its texts and goes on', async () => {
    const { org, id, ids } = await bigPool(RUN_PAGE_SIZE + 30);
    const h = harness();
    await startCampaignRuns(h.env, NOON);
    const job = h.pages.shift()!.body;
    const broken: RunEnv = {
      ...h.env,
      MESSAGE_QUEUE: {
        send: async () => {
          throw new Error('queue down');
        },
        sendBatch: async () => {
          throw new Error('queue down');
        },
      } as unknown as Queue,
    };
    await expect(runPage(broken, job, NOON)).rejects.toThrow('queue down');
    expect(await textsOf(org)).toHaveLength(RUN_PAGE_SIZE);
    expect(h.pages).toHaveLength(0);
    // The queue retries the job.
    h.pages.push({ body: job });
    const texts = await drain(h);
    const written = await textsOf(org);
    expect(written).toHaveLength(ids.length);
    expect(new Set(texts)).toEqual(new Set(written.map((text) => text.id)));
    expect((await runsOf(org, id))[0]).toMatchObject({ state: 'done', sent: ids.length });
  });

  it('loses its page job: the cron resumes the stalled run from where it stopped', async () => {
    const { org, id, ids } = await bigPool(RUN_PAGE_SIZE + 30);
    const h = harness();
    await startCampaignRuns(h.env, NOON);
    await runPage(h.env, h.pages.shift()!.body, NOON);
    // The next page's job is lost (the queue gave up on it).
    h.pages.splice(0, h.pages.length);
    await startCampaignRuns(h.env, NOON + 5 * MINUTE_MS);
    expect(h.pages).toHaveLength(0);
    const later = NOON + STALL_MS + MINUTE_MS;
    setClock(later);
    const { started: step } = await cron(h, later);
    expect(step.resumed).toBeGreaterThanOrEqual(1);
    const written = await textsOf(org);
    expect(written).toHaveLength(ids.length);
    expect(new Set(written.map((text) => text.candidate_id)).size).toBe(ids.length);
    expect((await runsOf(org, id))[0]).toMatchObject({ state: 'done', sent: ids.length });
  });

  it('stops cleanly when the monthly contacts run out mid-run: the rest counted, not retried', async () => {
    const { org, id, ids } = await bigPool(RUN_PAGE_SIZE + 30, RUN_PAGE_SIZE + 5);
    const h = harness();
    await cron(h);
    const [run] = await runsOf(org, id);
    expect(run).toMatchObject({
      state: 'done',
      matched: ids.length,
      sent: RUN_PAGE_SIZE + 5,
      skipped: { ...NONE, noContactsLeft: 25 },
    });
    expect(await textsOf(org)).toHaveLength(RUN_PAGE_SIZE + 5);
    const [usage] = await rows<{ used: number }>(
      'SELECT count(*) AS used FROM contact_usage WHERE org_id = ?',
      org.orgId,
    );
    expect(usage?.used).toBe(RUN_PAGE_SIZE + 5);
    // Nothing is retried later that day.
    await cron(h, NOON + 3 * HOUR_MS);
    expect(await textsOf(org)).toHaveLength(RUN_PAGE_SIZE + 5);
  });
});

describe('campaign states and runs', { timeout: 30_000 }, () => {
  it('disable stops tomorrow’s run, and a run under way stops at its next page', async () => {
    const { org, sender } = await setup();
    for (let i = 0; i < RUN_PAGE_SIZE + 1; i++) {
      await scored(org, { lastContactedAt: NOON - LONG_AGO - i * MINUTE_MS });
    }
    const id = await campaign(org, sender.id);
    const h = harness();
    await startCampaignRuns(h.env, NOON);
    await runPage(h.env, h.pages.shift()!.body, NOON);
    expect((await api('POST', `/v1/campaigns/${id}/disable`, org.keys.user)).status).toBe(200);
    await drain(h);
    expect((await runsOf(org, id))[0]).toMatchObject({
      state: 'stopped',
      sent: RUN_PAGE_SIZE,
      error: 'the campaign was disabled',
    });
    setClock(NOON + DAY_MS);
    expect(await started(h, id, Date.now())).toBe(0);
    expect((await api('POST', `/v1/campaigns/${id}/enable`, org.keys.user)).status).toBe(200);
    expect(await started(h, id, Date.now())).toBe(1);
  });

  it('an archived campaign never runs again, and keeps its runs', async () => {
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: NOON - LONG_AGO });
    const id = await campaign(org, sender.id);
    const h = harness();
    await cron(h);
    expect((await api('POST', `/v1/campaigns/${id}/archive`, org.keys.user)).status).toBe(200);
    setClock(NOON + DAY_MS);
    expect(await started(h, id, Date.now())).toBe(0);
    expect((await api('POST', `/v1/campaigns/${id}/enable`, org.keys.user)).status).toBe(409);
    expect(await runsOf(org, id)).toHaveLength(1);
  });

  it('a run without a public origin fails with a reason instead of sending broken links', async () => {
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: NOON - LONG_AGO });
    const id = await campaign(org, sender.id);
    const h = harness();
    h.env = { ...h.env, PUBLIC_ORIGIN: undefined };
    await cron(h);
    expect((await runsOf(org, id))[0]).toMatchObject({ state: 'failed', sent: 0 });
    expect(await textsOf(org)).toHaveLength(0);
  });

  it('a run fails, texting nobody, when its sender lost the messaging licence', async () => {
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: NOON - LONG_AGO });
    const id = await campaign(org, sender.id);
    await env.DB.prepare('UPDATE users SET licence = 0 WHERE id = ?1').bind(sender.id).run();
    await cron(harness());
    expect((await runsOf(org, id))[0]).toMatchObject({
      state: 'failed',
      sent: 0,
      error: `the sender ${sender.id} is deactivated or has no messaging licence`,
    });
    expect(await textsOf(org)).toHaveLength(0);
  });

  it('runs: another organisation’s campaign is 404, a bad cursor 400, pages newest first', async () => {
    const { org, sender } = await setup();
    const other = await setup();
    await scored(org, { lastContactedAt: NOON - LONG_AGO });
    const id = await campaign(org, sender.id);
    const h = harness();
    await cron(h);
    setClock(NOON + DAY_MS);
    await cron(h);
    expect((await api('GET', `/v1/campaigns/${id}/runs`, other.org.keys.user)).status).toBe(404);
    expect((await api('GET', `/v1/campaigns/${id}/runs?cursor=nope`, org.keys.user)).status).toBe(
      400,
    );
    const first = await api('GET', `/v1/campaigns/${id}/runs?limit=1`, org.keys.user);
    const page = (await first.json()) as { data: RunJson[]; nextCursor: string };
    expect(page.data.map((run) => run.date)).toEqual(['2026-03-05']);
    const next = await api(
      'GET',
      `/v1/campaigns/${id}/runs?limit=1&cursor=${page.nextCursor}`,
      org.keys.user,
    );
    expect(((await next.json()) as { data: RunJson[] }).data.map((run) => run.date)).toEqual([
      '2026-03-04',
    ]);
  });
});

describe('what a run’s texts lead to', () => {
  async function ranAndDelivered(org: MessagingOrg, senderId: string, count: number) {
    const candidates: string[] = [];
    for (let i = 0; i < count; i++) {
      candidates.push(await scored(org, { lastContactedAt: NOON - LONG_AGO - i * MINUTE_MS }));
    }
    const id = await campaign(org, senderId, {
      message: 'Hi {{firstName}}, roles for you: {{url}} Reply STOP to stop.',
      url: 'https://careers.example.com/jobs',
      autoResponse: 'Thanks! A recruiter will call you today.',
    });
    const h = harness();
    const { texts } = await cron(h);
    await deliverAll(texts);
    return { id, candidates };
  }

  it('a delivered text moves last contacted, so tomorrow’s run leaves the candidate out', async () => {
    const { org, sender } = await setup();
    const { id, candidates } = await ranAndDelivered(org, sender.id, 1);
    const [score] = await rows<{ last_contacted_at: number }>(
      'SELECT last_contacted_at FROM scores WHERE candidate_id = ?',
      candidates[0],
    );
    expect(score?.last_contacted_at).toBe(NOON);
    setClock(NOON + DAY_MS);
    await cron(harness());
    const [tomorrow] = await runsOf(org, id);
    expect(tomorrow).toMatchObject({ date: '2026-03-05', matched: 0, sent: 0 });
  });

  it('a reply gets the campaign’s automatic response; replies and opt-outs count in the run', async () => {
    const { org, sender } = await setup();
    const { id, candidates } = await ranAndDelivered(org, sender.id, 2);
    const phone = async (candidateId: string) =>
      (
        await rows<{ phone: string }>(
          'SELECT phone FROM candidate_contact_details WHERE candidate_id = ?',
          candidateId,
        )
      )[0]!.phone;
    const write = async (candidateId: string, body: string) => {
      const queue = fakeQueue();
      const response = await postWebhook(
        INBOUND_PATH,
        {
          MessageSid: `SM${crypto.randomUUID().replaceAll('-', '')}`,
          From: await phone(candidateId),
          To: org.senders.US![0]!,
          Body: body,
        },
        { bindings: { MESSAGE_QUEUE: queue.queue } },
      );
      expect(response.status).toBe(200);
      return queue.jobs;
    };
    setClock(NOON + 10 * MINUTE_MS);
    const replyJobs = await write(candidates[0]!, 'Yes please, call me');
    expect(replyJobs).toHaveLength(1);
    const [answer] = await rows<{ body: string; sent_by: string }>(
      'SELECT body, sent_by FROM messages WHERE id = ?',
      (replyJobs[0]!.body as OutboundJob).messageId,
    );
    expect(answer).toEqual({
      body: 'Thanks! A recruiter will call you today.',
      sent_by: `auto-reply:campaign:${id}`,
    });
    await write(candidates[1]!, 'STOP');
    const [run] = await runsOf(org, id);
    expect(run).toMatchObject({ sent: 2, delivered: 0, replies: 1, optOuts: 1 });
  });

  it('a click on the link becomes an engagement that moves the score, and counts in the run', async () => {
    const { org, sender } = await setup();
    const { id, candidates } = await ranAndDelivered(org, sender.id, 1);
    const [text] = await textsOf(org);
    const link = /http:\/\/api\.test(\/v1\/m\/[A-Za-z0-9_-]{16})/.exec(text!.body)![1]!;
    const [candidate] = await rows<{ external_id: string }>(
      'SELECT external_id FROM candidates WHERE id = ?',
      candidates[0],
    );
    const externalId = candidate?.external_id;
    const points = async () => {
      const response = await api('GET', `/v1/candidates/${externalId}/score`, org.keys.user);
      expect(response.status).toBe(200);
      return ((await response.json()) as { points: number }).points;
    };
    const before = await points();
    setClock(NOON + HOUR_MS);
    const response = await request(link, { headers: { 'user-agent': BROWSER_UA } });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^https:\/\/careers\.example\.com\/jobs/);
    const engagements = await rows<{ type: string }>(
      'SELECT type FROM engagements WHERE candidate_id = ?',
      candidates[0],
    );
    expect(engagements).toEqual([{ type: 'click_message' }]);
    expect(await points()).toBeGreaterThan(before);
    expect((await runsOf(org, id))[0]).toMatchObject({ clicks: 1 });
  });
});
