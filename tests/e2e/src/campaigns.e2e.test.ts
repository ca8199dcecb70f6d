// A re-engagement campaign end to end (issue 17), in Chromium: a recruiter adds a campaign in the
// console (every step, the live estimate), the cron runs it (`/__scheduled`, as Cloudflare's Cron
// Trigger would), the text reaches the candidate's phone on the SMS stand-in, the candidate
// replies (the campaign's automatic response comes back) and follows the link like a person, and
// the console shows it all: the run's figures, the click in the candidate's engagement and score,
// the text in their conversation as the campaign's.
//
// Who it texts is made certain rather than hoped for: a candidate of this run's own (hot, last
// called 40 days ago, a tag nobody else has, a number in a zone where it is daytime now), and the
// seeded DEMO-WARM-30, which would text them too (one campaign text a day), disabled meanwhile.
// The send time is one that has passed today on the organisation's clock; when no time inside the
// send hours has (before 08:00 in London), the organisation's zone is moved for the test.
import { launch } from '@cxm/test-support/chromium';
import { until } from '@cxm/test-support/poll';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, env, recruiter, screenshot, visitor } from './harness.js';

const USER_KEY = 'sk_demo_user';
const MANAGER_KEY = 'sk_demo_manager';
/** The campaigns' cron (wrangler.jsonc), fired by hand: `wrangler dev --test-scheduled`. */
const CRON = '*/10 * * * *';
const DAY = 86_400_000;
/** Following a text's link sooner than this after it went counts as a preview, not a click. */
const PREVIEW_WINDOW_MS = 5_000;

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

async function api<T>(
  path: string,
  init: { key?: string; method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${env.api}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${init.key ?? USER_KEY}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Minutes since local midnight on `zone`'s clock now. */
function localMinutes(zone: string, at = Date.now()): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 60 + part('minute');
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * Places with an SMS sender number in the demo organisation, between them in daytime at every
 * hour of the year (Sydney and Perth cover London's and New York's night), daylight saving either
 * way. `digits`: how many digits follow the prefix in a valid number there.
 */
const PLACES = [
  { zone: 'Europe/London', prefix: '+447400', digits: 6 },
  { zone: 'Europe/Warsaw', prefix: '+48512', digits: 6 },
  { zone: 'America/New_York', prefix: '+1212555', digits: 4 },
  { zone: 'America/Los_Angeles', prefix: '+1415555', digits: 4 },
  { zone: 'Australia/Perth', prefix: '+61412', digits: 6 },
  { zone: 'Australia/Sydney', prefix: '+61412', digits: 6 },
];

/** A place where it is between 09:00 and 19:00 now: inside 08:00-20:00 for the whole test. */
function daytimePlace() {
  const place = PLACES.find((p) => {
    const minutes = localMinutes(p.zone);
    return minutes >= 9 * 60 && minutes < 19 * 60;
  });
  if (!place) throw new Error(`no place in daytime at ${new Date().toISOString()}`);
  return place;
}

interface MessagingSettings {
  timeZone: string;
  sendHours: { start: number; end: number };
}

/**
 * The organisation's zone to run in and a send time that has passed there today, inside the send
 * hours. London's own when it can (any time from 08:02 until 23:50, the run's day not about to
 * end); otherwise the zone of a place in daytime, which the test sets and `restore` puts back.
 */
async function dueSendTime(): Promise<{ sendTime: string; restore: () => Promise<void> }> {
  const settings = await api<MessagingSettings>('/v1/settings/messaging', { key: MANAGER_KEY });
  const { start, end } = settings.sendHours;
  const now = localMinutes(settings.timeZone);
  if (now >= start * 60 + 2 && now < 23 * 60 + 50) {
    return { sendTime: hhmm(Math.min(now - 1, end * 60 - 1)), restore: async () => {} };
  }
  const { zone } = daytimePlace();
  await api('/v1/settings/messaging', {
    key: MANAGER_KEY,
    method: 'PUT',
    body: { timeZone: zone },
  });
  return {
    sendTime: hhmm(localMinutes(zone) - 1),
    restore: async () => {
      await api('/v1/settings/messaging', {
        key: MANAGER_KEY,
        method: 'PUT',
        body: { timeZone: settings.timeZone },
      });
    },
  };
}

/**
 * This run's own candidate: hot (a form, an event, a registration today), last contacted by a
 * phone call 40 days ago, SMS consent, a number of its own in a zone where it is daytime, and a
 * tag nobody else has.
 */
async function freshCandidate(run: string) {
  const id = `rosalind-franklin-${run}`;
  const tag = `e2e-campaign-${run}`;
  const place = daytimePlace();
  // Starts with 7: never one of the seeded numbers (…0101 to …0117, …123401 and the like).
  const phone = `${place.prefix}7${run.slice(-(place.digits - 1))}`;
  const now = Date.now();
  await api('/v1/engagements', {
    body: {
      engagements: ['submit_form', 'attend_event', 'register_event'].map((type, i) => ({
        id: `${id}-${i}`,
        candidateId: id,
        type,
        detail: `${env.sites}/pasted-snippet/talent-network.html`,
        occurredAt: new Date(now - (i + 1) * 3_600_000).toISOString(),
      })),
    },
  });
  await api(`/v1/candidates/${id}/contact`, {
    method: 'PUT',
    body: {
      phone,
      firstName: 'Rosalind',
      timeZone: place.zone,
      smsConsent: { source: 'career-site form (e2e)', at: new Date(now - DAY).toISOString() },
    },
  });
  await api('/v1/contacts', {
    body: {
      contacts: [
        {
          id: `${id}-call`,
          candidateId: id,
          kind: 'phone_call',
          occurredAt: new Date(now - 40 * DAY).toISOString(),
        },
      ],
    },
  });
  await api(`/v1/candidates/${id}/tags`, { method: 'PUT', body: { tags: [tag] } });
  return { id, tag, phone };
}

interface Campaign {
  id: string;
  state: string;
}

/** The seeded DEMO-WARM-30 off until `restore`, so the cron runs nobody else's campaign. */
async function pauseSeededCampaign(): Promise<() => Promise<void>> {
  const { campaigns } = await api<{ campaigns: Campaign[] }>(
    '/v1/campaigns?code=DEMO-WARM-30&state=enabled',
  );
  for (const campaign of campaigns) {
    await api(`/v1/campaigns/${campaign.id}/disable`, { method: 'POST' });
  }
  return async () => {
    for (const campaign of campaigns) {
      await api(`/v1/campaigns/${campaign.id}/enable`, { method: 'POST' });
    }
  };
}

/** The runs table's newest row, by its column headings. */
async function latestRun(page: Page): Promise<Record<string, string>> {
  const table = page.locator('section[aria-labelledby="runs-heading"] table');
  if ((await table.count()) === 0) return {};
  const headings = await table.locator('thead th').allTextContents();
  const cells = await table.locator('tbody tr').first().locator('th, td').allTextContents();
  return Object.fromEntries(
    headings.map((heading, i) => [heading.trim(), (cells[i] ?? '').trim().split(' ')[0] ?? '']),
  );
}

async function textOf(page: Page, url: string, selector = 'body'): Promise<string> {
  await page.goto(url);
  return (await page.locator(selector).textContent()) ?? '';
}

describe('a re-engagement campaign', () => {
  it('is added in the console, runs on the cron, and its text is answered and followed', async () => {
    const run = String(Date.now());
    const candidate = await freshCandidate(run);
    const restoreSeeded = await pauseSeededCampaign();
    const { sendTime, restore: restoreClock } = await dueSendTime();
    try {
      const name = `Rosalind's warm pool ${run}`;
      const code = `E2E-${run.slice(-6)}`;
      const autoResponse = `Thanks, Rosalind! A recruiter will call you today (${code}).`;
      const destination = `${env.sites}/pasted-snippet/jobs/backend-engineer.html`;

      // Campaigns → Add Campaign, step by step.
      const page = await recruiter(browser, DEMO_PEOPLE.user);
      await page.getByRole('navigation').getByRole('link', { name: 'Campaigns' }).click();
      await page.waitForURL(`${env.api}/console/campaigns**`);
      await page.getByRole('link', { name: 'Add Campaign' }).click();
      await page.waitForURL(`${env.api}/console/campaigns/new**`);

      await page.getByLabel('Campaign name').fill(name);
      await page.getByLabel('Job code (optional)').fill(code);
      await page.getByLabel('URL (optional)').fill(destination);
      await page.getByLabel('Automatic response (optional)').fill(autoResponse);
      await page.getByRole('button', { name: 'Next: Filters' }).click();

      // Filters: 30 days and the candidate's tag; the estimate follows the change in place.
      await page.getByLabel('Not contacted for more than 30 days').check();
      await page.getByLabel('Tags (optional)').fill(candidate.tag);
      await page.getByLabel('Tags (optional)').press('Tab');
      const estimate = page.locator('section.estimate');
      await expect
        .poll(async () => (await estimate.textContent()) ?? '', { timeout: 15_000 })
        .toContain('Would text 1 candidate of the 1 candidate it matches');
      await estimate.scrollIntoViewIfNeeded();
      await screenshot(page, 'console-campaign-filters');
      await page.getByRole('button', { name: 'Next: From and send time' }).click();

      // From (a user sends as themselves) and the send time.
      expect(await page.locator('#main').textContent()).toContain('From: you');
      await page.getByLabel('Send time', { exact: true }).fill(sendTime);
      await page.getByRole('button', { name: 'Next: Message' }).click();

      // The message, with the mail-merge toolbar putting the fields at the cursor.
      const message = page.getByLabel('Message', { exact: true });
      await message.fill('Hi ');
      await message.press('End');
      await page.getByRole('button', { name: 'First name' }).click();
      await page.keyboard.type(', a role that fits you: ');
      await page.getByRole('button', { name: 'URL', exact: true }).click();
      await page.keyboard.type(' Reply STOP to opt out.');
      expect(await message.inputValue()).toBe(
        'Hi {{firstName}}, a role that fits you: {{url}} Reply STOP to opt out.',
      );
      await page.getByRole('button', { name: 'Next: Review' }).click();

      // Review: everything in words, the estimate, enabled; save.
      const review = (await page.locator('form.wizard').textContent()) ?? '';
      for (const fact of [name, code, destination, autoResponse, candidate.tag, sendTime]) {
        expect(review).toContain(fact);
      }
      expect(review).toContain('Would text 1 candidate');
      expect(await page.getByLabel('Enabled: it runs every day').isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Save campaign' }).click();

      // The overview: saved, enabled, no runs yet.
      await page.waitForURL(/\/console\/campaigns\/cmp_[^/?]+(\?.*)?$/);
      const overview = page.url().split('?')[0] ?? '';
      const campaignId = overview.split('/').pop() ?? '';
      expect(await page.locator('#main').textContent()).toContain('The campaign is saved.');
      expect(await page.getByRole('switch').getAttribute('aria-checked')).toBe('true');
      expect(await page.locator('section[aria-labelledby="runs-heading"]').textContent()).toContain(
        'No runs yet',
      );

      // The cron: the run is due (its send time has passed today), starts, and texts.
      await until(
        'the cron starting the run',
        async () => {
          const cron = await fetch(`${env.api}/__scheduled?cron=${encodeURIComponent(CRON)}`);
          expect(cron.status).toBe(200);
          const runs = await api<{ data: unknown[] }>(`/v1/campaigns/${campaignId}/runs`);
          return runs.data.length > 0 ? true : undefined;
        },
        20_000,
      );

      // The text on the candidate's phone: their first name and a tracked link of their own.
      const phone = await (await browser.newContext()).newPage();
      const thread = `${env.sms}/phone/${encodeURIComponent(candidate.phone)}`;
      const linkPattern = new RegExp(
        `Hi Rosalind, a role that fits you: (${env.api.replaceAll('.', '\\.')}/v1/m/[A-Za-z0-9_-]+) Reply STOP to opt out\\.`,
      );
      const link = await until(
        'the campaign text on the phone page',
        async () => linkPattern.exec(await textOf(phone, thread))?.[1],
        30_000,
      );
      await screenshot(phone, 'sms-stand-in-campaign-text');

      // The candidate replies: the campaign's automatic response comes back, not the sender's.
      await phone.getByLabel('Reply').fill('Yes please, tell me more');
      await phone.getByRole('button', { name: 'Send reply' }).click();
      await expect.poll(() => textOf(phone, thread), { timeout: 20_000 }).toContain(autoResponse);

      // Delivered (the stand-in's callback), then past the preview window: a reader, not an app.
      await until(
        'the text delivered',
        async () => {
          const runs = await api<{ data: { delivered: number }[] }>(
            `/v1/campaigns/${campaignId}/runs`,
          );
          return runs.data[0]?.delivered === 1 ? true : undefined;
        },
        20_000,
      );
      const before = await api<{ points: number }>(`/v1/candidates/${candidate.id}/score`);
      // The one fixed wait: a click sooner after the send is stored as a link preview's.
      await new Promise((resolve) => setTimeout(resolve, PREVIEW_WINDOW_MS + 500));
      const reader = await visitor(browser);
      await reader.page.goto(link);
      await reader.page.waitForURL((url) => url.href.startsWith(destination));
      await reader.context.close();
      await phone.context().close();

      // The overview's runs table: one matched, sent, delivered; one reply, one click.
      await expect
        .poll(
          async () => {
            await page.goto(overview);
            return latestRun(page);
          },
          { timeout: 20_000 },
        )
        .toMatchObject({
          Run: 'Done',
          Matched: '1',
          Sent: '1',
          Delivered: '1',
          Failed: '0',
          Skipped: '0',
          Clicks: '1',
          Replies: '1',
          'Opt-outs': '0',
        });
      expect(await page.getByRole('switch').getAttribute('aria-checked')).toBe('true');
      await page.locator('section[aria-labelledby="runs-heading"]').scrollIntoViewIfNeeded();
      await screenshot(page, 'console-campaign-overview');

      // The candidate's Engagement tab: the click, and a score that moved with it.
      const candidatePage = `${env.api}/console/candidates/${candidate.id}`;
      await expect
        .poll(() => textOf(page, candidatePage, '#main'), { timeout: 20_000 })
        .toContain('Text link clicked');
      const after = await api<{ points: number }>(`/v1/candidates/${candidate.id}/score`);
      expect(after.points).toBeGreaterThan(before.points);
      const shown = await page
        .locator('dl.stats div', { hasText: 'Points now' })
        .locator('dd')
        .textContent();
      expect(Number(shown)).toBeGreaterThan(before.points);

      // The Conversation tab: the text from the campaign, the reply, the automatic response.
      const conversation = await textOf(page, `${candidatePage}?tab=conversation`, 'ol.thread');
      expect(conversation).toContain(`from the campaign “${name}”`);
      expect(conversation).toContain('Hi Rosalind, a role that fits you:');
      expect(conversation).toContain('Yes please, tell me more');
      expect(conversation).toContain(`automatic response of the campaign “${name}”`);
      expect(conversation).toContain(`Link to ${destination}: 1 click`);
      await page.context().close();
    } finally {
      await restoreClock();
      await restoreSeeded();
    }
  });
});
