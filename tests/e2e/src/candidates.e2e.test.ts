// The candidate pages in Chromium, against the demo seed: the list's filters (tier, tags all or
// any, last engaged and last contacted ranges, sort) kept in the URL, reproduced on reload and in
// another person's browser, and counted as `GET /v1/audiences` counts them; export of more rows
// than a page (every match, exact count, CSV and JSON) and of ticked rows; sign-in returning to a
// profile and never off-site; navigation with no link to a "cannot" page; the admin's purge
// confirmation. Candidates the test changes are its own (unique ids and tags), purged at the end.
import { readFile } from 'node:fs/promises';
import { launch } from '@cxm/test-support/chromium';
import { until } from '@cxm/test-support/poll';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, env, recruiter, screenshot, signInThroughProvider } from './harness.js';

const DAY = 86_400_000;
const USER_KEY = 'sk_demo_user';
const REPORTER_KEY = 'sk_demo_reporter';
const ADMIN_KEY = 'sk_demo_admin';
/** The console's list page size (controllers/candidates.tsx). */
const PAGE_SIZE = 50;
/** More than a page. */
const EXPORTED = 60;
/** The CSV's columns: the list's, in its order (endpoints/audiences/export.ts). */
const CSV_COLUMNS = ['Candidate', 'Tier', 'Points', 'Last engaged', 'Last contacted', 'Tags'];
const TIER_LABELS = { inactive: 'Inactive', engaged: 'Engaged', highly_engaged: 'Highly Engaged' };
/** Every "cannot" page's words (layout.tsx: RoleRefused and the API's 403 in words). */
const CANNOT = /Your role( \(\w+\))? cannot/;

const run = `${Date.now()}`;
/** Every candidate this file creates, purged in afterAll whatever happened. */
const created = new Set<string>();
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  for (const ids = [...created]; ids.length > 0; ) {
    await Promise.all(ids.splice(0, 10).map((id) => purge(id)));
  }
});

interface Reply<T> {
  status: number;
  body: T;
  headers: Headers;
}

async function api<T = Record<string, unknown>>(
  path: string,
  init: { key?: string; method?: string; body?: unknown } = {},
): Promise<Reply<T>> {
  const response = await fetch(`${env.api}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${init.key ?? USER_KEY}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body: body as T, headers: response.headers };
}

/** A purge through the API (admin key): 200, or 404 when already gone. */
async function purge(id: string) {
  const reply = await api(`/v1/candidates/${encodeURIComponent(id)}`, {
    key: ADMIN_KEY,
    method: 'DELETE',
  });
  expect([200, 404], `purge ${id}: ${JSON.stringify(reply.body)}`).toContain(reply.status);
}

interface Audience {
  candidates: {
    candidateId: string;
    tier: string;
    lastEngagedAt: string | null;
    lastContactedAt: string | null;
    tags: string[];
  }[];
  total: number;
  nextCursor: string | null;
}

/** `GET /v1/audiences` with a reporter key and the list's own query parameters. */
async function audience(params: URLSearchParams, limit = PAGE_SIZE): Promise<Audience> {
  const query = new URLSearchParams(params);
  query.set('limit', String(limit));
  const reply = await api<Audience>(`/v1/audiences?${query}`, { key: REPORTER_KEY });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

/** A date `days` from today (UTC), as a date input holds it. */
function day(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
}

/** New candidates through the API as a backend would: an engagement each, then their tags. */
async function newCandidates(ids: string[], tags: string[]) {
  for (const id of ids) created.add(id);
  const now = Date.now();
  for (let start = 0; start < ids.length; start += 200) {
    const reply = await api<{ accepted: number }>('/v1/engagements', {
      body: {
        engagements: ids.slice(start, start + 200).map((candidateId, i) => ({
          id: `${candidateId}-0`,
          candidateId,
          type: 'click_email',
          detail: 'Roles for you this month',
          occurredAt: new Date(now - (start + i + 1) * 60_000).toISOString(),
        })),
      },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
  }
  for (let start = 0; start < ids.length; start += 10) {
    await Promise.all(
      ids.slice(start, start + 10).map(async (id) => {
        const put = await api(`/v1/candidates/${encodeURIComponent(id)}/tags`, {
          method: 'PUT',
          body: { tags },
        });
        expect(put.status, JSON.stringify(put.body)).toBe(200);
      }),
    );
  }
}

/** The "N candidates match" count the list shows. */
async function shownCount(page: Page): Promise<number> {
  const text = await page.locator('#match-count strong').textContent();
  expect(text).toMatch(/^\d+$/);
  return Number(text);
}

interface Row {
  id: string;
  tier: string;
  lastEngaged: string;
  lastContacted: string;
  tags: string[];
}

/** The list's rows as shown, in order. */
async function rows(page: Page): Promise<Row[]> {
  return page
    .getByRole('form', { name: 'Selected candidates' })
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '');
        return {
          id: cells[1] ?? '',
          tier: cells[2] ?? '',
          lastEngaged: cells[4] ?? '',
          lastContacted: cells[5] ?? '',
          tags: (cells[6] ?? '')
            .split(',')
            .map((tag: string) => tag.trim())
            .filter((tag: string) => tag && tag !== '—'),
        };
      }),
    );
}

/** "2026-12-03 07:17 UTC" (labels.ts formatTime) as epoch ms. */
function shownTime(text: string): number {
  const ms = Date.parse(`${text.replace(' UTC', '').replace(' ', 'T')}:00Z`);
  expect(Number.isFinite(ms), `a time: ${text}`).toBe(true);
  return ms;
}

function filterForm(page: Page): Locator {
  return page.getByRole('form', { name: 'Filter candidates' });
}

/** Submits the filter form and waits for the list it leads to. */
async function applyFilters(page: Page) {
  await Promise.all([
    page.waitForURL(/\/console\/candidates\?/),
    filterForm(page).getByRole('button', { name: 'Apply filters' }).click(),
  ]);
  await page.locator('#match-count').waitFor();
}

/** What the filter form shows now, to compare after a reload or in another browser. */
async function formState(page: Page) {
  const form = filterForm(page);
  const tiers: string[] = [];
  for (const [tier, label] of Object.entries(TIER_LABELS)) {
    if (
      await form.getByRole('group', { name: 'Tier' }).getByLabel(label, { exact: true }).isChecked()
    )
      tiers.push(tier);
  }
  return {
    tiers,
    tags: await form.getByLabel('Tags (comma-separated)').inputValue(),
    tagMatch: await form.getByLabel('Match', { exact: true }).inputValue(),
    lastEngagedAfter: await form.getByLabel('Last engaged on or after').inputValue(),
    lastEngagedBefore: await form.getByLabel('Last engaged before').inputValue(),
    lastContactedAfter: await form.getByLabel('Last contacted on or after').inputValue(),
    lastContactedBefore: await form.getByLabel('Last contacted before').inputValue(),
    sort: await form.getByLabel('Sort by').inputValue(),
  };
}

/** The list's query as the URL has it, with the blanks the GET form sends left out. */
function listQuery(url: string): URLSearchParams {
  const query = new URLSearchParams();
  for (const [name, value] of new URL(url).searchParams) if (value) query.append(name, value);
  return query;
}

/** A download's file, as text. */
async function downloaded(download: Download): Promise<string> {
  const path = await download.path();
  expect(path, `the download failed: ${await download.failure()}`).toBeTruthy();
  return readFile(path as string, 'utf8');
}

/** RFC 4180: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += char;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

/** Clicks `target` and returns the download it starts. */
async function download(page: Page, target: Locator): Promise<Download> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    target.click(),
  ]);
  return file;
}

describe('the candidate list', () => {
  it('keeps tier, tags (all or any), last engaged and contacted ranges and the sort in the URL, and counts what the API counts', async () => {
    const reporter = await recruiter(browser, DEMO_PEOPLE.reporter);
    const form = filterForm(reporter);
    const tiers = form.getByRole('group', { name: 'Tier' });
    await tiers.getByLabel('Engaged', { exact: true }).check();
    await tiers.getByLabel('Highly Engaged', { exact: true }).check();
    await form.getByLabel('Tags (comma-separated)').fill('backend, java');
    await form.getByLabel('Match', { exact: true }).selectOption('all');
    const ranges = {
      lastEngagedAfter: day(-365),
      lastEngagedBefore: day(1),
      lastContactedAfter: day(-150),
      lastContactedBefore: day(-20),
    };
    await form.getByLabel('Last engaged on or after').fill(ranges.lastEngagedAfter);
    await form.getByLabel('Last engaged before').fill(ranges.lastEngagedBefore);
    await form.getByLabel('Last contacted on or after').fill(ranges.lastContactedAfter);
    await form.getByLabel('Last contacted before').fill(ranges.lastContactedBefore);
    await form.getByLabel('Sort by').selectOption('lastEngaged');
    await applyFilters(reporter);

    // The URL carries each filter, under the API's own names.
    const url = new URL(reporter.url());
    expect(url.pathname).toBe('/console/candidates');
    expect(url.searchParams.getAll('tier').sort()).toEqual(['engaged', 'highly_engaged']);
    expect(url.searchParams.get('tags')).toBe('backend, java');
    expect(url.searchParams.get('tagMatch')).toBe('all');
    for (const [name, value] of Object.entries(ranges)) {
      expect(url.searchParams.get(name), name).toBe(value);
    }
    expect(url.searchParams.get('sort')).toBe('lastEngaged');

    // The count and the rows are the API's for the same query, in its order.
    const all = await audience(listQuery(reporter.url()));
    const allCount = await shownCount(reporter);
    expect(allCount).toBe(all.total);
    expect(
      allCount,
      'the seed has engaged backend Java people contacted a month ago or more',
    ).toBeGreaterThan(0);
    const shown = await rows(reporter);
    expect(shown.map((row) => row.id)).toEqual(all.candidates.map((c) => c.candidateId));
    // And every row meets every filter, as shown.
    for (const row of shown) {
      expect(['Engaged', 'Highly Engaged'], row.id).toContain(row.tier);
      expect(row.tags, row.id).toEqual(expect.arrayContaining(['backend', 'java']));
      const engaged = shownTime(row.lastEngaged);
      expect(engaged, row.id).toBeGreaterThanOrEqual(Date.parse(ranges.lastEngagedAfter));
      expect(engaged, row.id).toBeLessThan(Date.parse(ranges.lastEngagedBefore));
      const contacted = shownTime(row.lastContacted);
      expect(contacted, row.id).toBeGreaterThanOrEqual(Date.parse(ranges.lastContactedAfter));
      expect(contacted, row.id).toBeLessThan(Date.parse(ranges.lastContactedBefore));
    }
    const engagedOrder = shown.map((row) => shownTime(row.lastEngaged));
    expect(engagedOrder).toEqual([...engagedOrder].sort((a, b) => b - a));
    expect(await reporter.locator('#match-count').textContent()).toContain(
      'most recently engaged first',
    );
    const state = await formState(reporter);
    expect(state).toEqual({
      tiers: ['engaged', 'highly_engaged'],
      tags: 'backend, java',
      tagMatch: 'all',
      ...ranges,
      sort: 'lastEngaged',
    });
    await screenshot(reporter, 'console-candidates-filtered');

    // Reloaded: the same filters set, the same rows.
    const filtered = reporter.url();
    await reporter.reload();
    expect(reporter.url()).toBe(filtered);
    expect(await formState(reporter)).toEqual(state);
    expect(await shownCount(reporter)).toBe(allCount);
    expect(await rows(reporter)).toEqual(shown);

    // The link in a fresh page of another person's browser (a manager): the same view.
    const manager = await recruiter(browser, DEMO_PEOPLE.manager);
    await manager.goto(filtered);
    expect(manager.url()).toBe(filtered);
    expect(await formState(manager)).toEqual(state);
    expect(await shownCount(manager)).toBe(allCount);
    expect(await rows(manager)).toEqual(shown);
    await manager.context().close();

    // Any of the tags: more match than all of them, each with one at least.
    await filterForm(reporter).getByLabel('Match', { exact: true }).selectOption('any');
    await applyFilters(reporter);
    expect(new URL(reporter.url()).searchParams.get('tagMatch')).toBe('any');
    const any = await audience(listQuery(reporter.url()));
    const anyCount = await shownCount(reporter);
    expect(anyCount).toBe(any.total);
    expect(anyCount).toBeGreaterThan(allCount);
    const anyRows = await rows(reporter);
    expect(anyRows.map((row) => row.id)).toEqual(any.candidates.map((c) => c.candidateId));
    for (const row of anyRows) {
      expect(
        row.tags.some((tag) => tag === 'backend' || tag === 'java'),
        row.id,
      ).toBe(true);
    }
    expect(await formState(reporter)).toEqual({ ...state, tagMatch: 'any' });

    // Sorted by score: the same matches, the API's order, and the sort kept.
    await filterForm(reporter).getByLabel('Sort by').selectOption('score');
    await applyFilters(reporter);
    expect(new URL(reporter.url()).searchParams.get('sort')).toBe('score');
    const byScore = await audience(listQuery(reporter.url()));
    expect(await shownCount(reporter)).toBe(anyCount);
    expect((await rows(reporter)).map((row) => row.id)).toEqual(
      byScore.candidates.map((c) => c.candidateId),
    );
    expect(await reporter.locator('#match-count').textContent()).toContain('most engaged first');

    // Clear: every filter off, every candidate counted.
    await reporter.getByRole('link', { name: 'Clear', exact: true }).click();
    await reporter.waitForURL(`${env.api}/console/candidates`);
    expect(await shownCount(reporter)).toBe((await audience(new URLSearchParams())).total);
    await reporter.context().close();
  });

  it('exports every match of more than a page, as CSV and JSON with the exact count, and the ticked rows only', async () => {
    const tag = `e2e-export-${run}`;
    const ids = Array.from(
      { length: EXPORTED },
      (_, i) => `e2e-export-${run}-${String(i).padStart(2, '0')}`,
    );
    await newCandidates(ids, [tag]);
    const query = new URLSearchParams({ tags: tag });
    await until('the API lists the new candidates', async () =>
      (await audience(query)).total === EXPORTED ? true : undefined,
    );

    const reporter = await recruiter(browser, DEMO_PEOPLE.reporter);
    await filterForm(reporter).getByLabel('Tags (comma-separated)').fill(tag);
    await applyFilters(reporter);
    expect(await shownCount(reporter)).toBe(EXPORTED);
    expect(await shownCount(reporter)).toBe((await audience(listQuery(reporter.url()))).total);
    const first = await rows(reporter);
    expect(first).toHaveLength(PAGE_SIZE);
    const list = reporter.url();

    // The list pages: the rest is on the next page.
    await reporter.getByRole('link', { name: 'Next page' }).click();
    await reporter.waitForURL(/cursor=/);
    const second = await rows(reporter);
    expect(second).toHaveLength(EXPORTED - PAGE_SIZE);
    expect(new Set([...first, ...second].map((row) => row.id))).toEqual(new Set(ids));
    await reporter.goto(list);

    // Export all as CSV: a header row (the list's columns) and every match, not a page.
    const csvLink = reporter.getByRole('link', { name: `Export all ${EXPORTED} as CSV` });
    const csvFile = await download(reporter, csvLink);
    expect(csvFile.suggestedFilename()).toMatch(/^candidates-\d{4}-\d{2}-\d{2}\.csv$/);
    const csvText = await downloaded(csvFile);
    expect(csvText.endsWith('\r\n')).toBe(true);
    const csv = parseCsv(csvText);
    const [header, ...records] = csv;
    expect(header).toEqual(CSV_COLUMNS);
    const screenColumns = await reporter
      .getByRole('form', { name: 'Selected candidates' })
      .locator('thead th')
      .allTextContents();
    expect(['Select', ...CSV_COLUMNS]).toEqual(screenColumns.map((text) => text.trim()));
    expect(records).toHaveLength(EXPORTED);
    expect(new Set(records.map((record) => record[0]))).toEqual(new Set(ids));
    for (const record of records) expect(record[5]).toBe(tag);
    // In the list's order.
    expect(records.slice(0, PAGE_SIZE).map((record) => record[0])).toEqual(
      first.map((row) => row.id),
    );

    // As JSON: the API's members, every one, and the total.
    const jsonLink = reporter.getByRole('link', { name: `Export all ${EXPORTED} as JSON` });
    const jsonFile = await download(reporter, jsonLink);
    expect(jsonFile.suggestedFilename()).toMatch(/\.json$/);
    const json = JSON.parse(await downloaded(jsonFile)) as Audience;
    expect(json.total).toBe(EXPORTED);
    expect(json.candidates).toHaveLength(EXPORTED);
    expect(new Set(json.candidates.map((c) => c.candidateId))).toEqual(new Set(ids));

    // Two rows ticked: exactly those two, as CSV and as JSON.
    const picked = [first[3]?.id ?? '', first[41]?.id ?? ''];
    for (const id of picked) await reporter.getByLabel(`Select ${id}`, { exact: true }).check();
    const selectedCsv = parseCsv(
      await downloaded(
        await download(reporter, reporter.getByRole('button', { name: 'Export selected as CSV' })),
      ),
    );
    expect(selectedCsv[0]).toEqual(CSV_COLUMNS);
    expect(
      selectedCsv
        .slice(1)
        .map((record) => record[0])
        .sort(),
    ).toEqual([...picked].sort());
    const selectedJson = JSON.parse(
      await downloaded(
        await download(reporter, reporter.getByRole('button', { name: 'Export selected as JSON' })),
      ),
    ) as Audience;
    expect(selectedJson.candidates.map((c) => c.candidateId).sort()).toEqual([...picked].sort());
    expect(selectedJson.total).toBe(2);

    // None ticked: refused in words, not "everything".
    await reporter.goto(list);
    const [refused] = await Promise.all([
      reporter.waitForResponse((r) => r.url().includes('/console/candidates/export')),
      reporter.getByRole('button', { name: 'Export selected as CSV' }).click(),
    ]);
    expect(refused.status()).toBe(400);
    await reporter.waitForURL(/\/console\/candidates\/export\?/);
    expect(await reporter.getByRole('alert').textContent()).toContain('No rows were selected');
    await reporter.context().close();
  });
});

describe('bulk actions on the list', () => {
  it('tags the ticked rows, untags every match and adds them to a campaign, each said in words and true in the API', async () => {
    const tag = `e2e-bulk-${run}`;
    const ids = [0, 1, 2].map((i) => `e2e-bulk-${run}-${i}`);
    await newCandidates(ids, [tag]);
    const query = new URLSearchParams({ tags: tag });
    await until('the API lists the new candidates', async () =>
      (await audience(query)).total === ids.length ? true : undefined,
    );
    const tagsOf = async () =>
      Object.fromEntries(
        (await audience(query)).candidates.map((c) => [c.candidateId, [...c.tags].sort()]),
      );
    // A campaign selecting by a tag of this run's own, never enabled (it texts nobody).
    const campaignTag = `e2e-camp-${run}`;
    const created = await api<{ id: string; state: string }>('/v1/campaigns', {
      key: 'sk_demo_manager',
      body: {
        name: `Bulk ${run}`,
        reengagement: true,
        timeframe: { notContactedForDays: 30 },
        tags: [campaignTag],
        tagsMode: 'any',
        fromUserId: 'usr_demo_user',
        sendTime: '10:00',
        channel: 'sms',
        message: 'Hi {{firstName}}',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const campaignId = created.body.id;
    if (created.body.state === 'enabled') {
      await api(`/v1/campaigns/${campaignId}/disable`, { key: 'sk_demo_manager', method: 'POST' });
    }
    try {
      const reporter = await recruiter(browser, DEMO_PEOPLE.reporter);
      await filterForm(reporter).getByLabel('Tags (comma-separated)').fill(tag);
      await applyFilters(reporter);
      const list = reporter.url();
      const bulk = reporter.getByRole('group', { name: 'With the selected candidates' });

      // Two rows ticked, a tag added: those two have it, the third does not.
      const [first, second, third] = (await rows(reporter)).map((row) => row.id);
      for (const id of [first, second]) {
        await reporter.getByLabel(`Select ${id}`, { exact: true }).check();
      }
      await bulk.getByLabel('Tags (comma-separated)').fill(`picked-${run}`);
      await Promise.all([
        reporter.waitForURL(/\/console\/candidates\/bulk$/),
        bulk.getByRole('button', { name: 'Add tags' }).click(),
      ]);
      expect(await reporter.getByRole('status').first().textContent()).toContain(
        `Added “picked-${run}” to 2 candidates`,
      );
      let tags = await tagsOf();
      expect(tags[first ?? '']).toContain(`picked-${run}`);
      expect(tags[second ?? '']).toContain(`picked-${run}`);
      expect(tags[third ?? '']).not.toContain(`picked-${run}`);

      // Back to the same view; every match, the tag removed.
      await reporter.getByRole('link', { name: 'Back to the list' }).click();
      expect(listQuery(reporter.url()).toString()).toBe(listQuery(list).toString());
      await bulk.getByLabel(`All ${ids.length} matches`).check();
      await bulk.getByLabel('Tags (comma-separated)').fill(`picked-${run}`);
      await Promise.all([
        reporter.waitForURL(/\/console\/candidates\/bulk$/),
        bulk.getByRole('button', { name: 'Remove tags' }).click(),
      ]);
      const removed = await reporter.getByRole('status').first().textContent();
      expect(removed).toContain(`Removed “picked-${run}” from 3 candidates`);
      expect(removed).toContain('2 tags taken off');
      tags = await tagsOf();
      for (const id of ids) expect(tags[id], id).toEqual([tag]);

      // Every match added to the campaign: its tag set on each, the page naming the campaign.
      await reporter.goto(list);
      await bulk.getByLabel(`All ${ids.length} matches`).check();
      await bulk.getByLabel('Campaign').selectOption(campaignId);
      await Promise.all([
        reporter.waitForURL(/\/console\/candidates\/bulk$/),
        bulk.getByRole('button', { name: 'Add to campaign' }).click(),
      ]);
      const joined = reporter.getByRole('status').first();
      expect(await joined.textContent()).toContain('They now match the tags of');
      expect(await joined.getByRole('link').getAttribute('href')).toBe(
        `/console/campaigns/${campaignId}`,
      );
      tags = await tagsOf();
      for (const id of ids) expect(tags[id], id).toEqual([campaignTag, tag].sort());
      await screenshot(reporter, 'bulk-campaign');

      // Nothing ticked: refused in words, nothing changed.
      await reporter.goto(list);
      await bulk.getByLabel('Tags (comma-separated)').fill(`never-${run}`);
      const [refused] = await Promise.all([
        reporter.waitForResponse((r) => r.url().endsWith('/console/candidates/bulk')),
        bulk.getByRole('button', { name: 'Add tags' }).click(),
      ]);
      expect(refused.status()).toBe(400);
      expect(await reporter.getByRole('alert').textContent()).toContain('No rows were ticked');
      tags = await tagsOf();
      for (const id of ids) expect(tags[id], id).not.toContain(`never-${run}`);
      await reporter.context().close();
    } finally {
      await api(`/v1/campaigns/${campaignId}/archive`, { key: 'sk_demo_manager', method: 'POST' });
    }
  });
});

describe('signing in from a link', () => {
  it('returns to the candidate profile asked for', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    const profile = `${env.api}/console/candidates/ada-lovelace?tab=score`;
    await page.goto(profile);
    expect(new URL(page.url()).pathname).toBe('/console');
    await signInThroughProvider(page, DEMO_PEOPLE.user);
    expect(page.url()).toBe(profile);
    expect(await page.locator('h1').textContent()).toContain('ada-lovelace');
    await page.getByRole('heading', { name: 'Score breakdown' }).waitFor({ state: 'attached' });
    await page.context().close();
  });

  it('never returns off-site, whatever the link or the form says', async () => {
    for (const next of [
      '//evil.example/console',
      'https://evil.example/console',
      '/\\evil.example',
    ]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const offSite: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).hostname.endsWith('evil.example')) offSite.push(request.url());
      });
      // The link: the sign-in page keeps no such return.
      await page.goto(`${env.api}/console?${new URLSearchParams({ next })}`);
      expect(await page.locator('input[name="next"]').count(), next).toBe(0);
      // The form, tampered with: the server refuses it all the same.
      await page.getByLabel('Organisation').evaluate((input, value) => {
        const hidden = document.createElement('input');
        hidden.type = 'hidden';
        hidden.name = 'next';
        hidden.value = value;
        (input as HTMLInputElement).form?.append(hidden);
      }, next);
      try {
        await signInThroughProvider(page, DEMO_PEOPLE.user);
        await page.waitForURL(`${env.api}/console/candidates`);
      } catch (error) {
        throw new Error(
          `next=${next}: sign-in ended at ${page.url()}, off-site requests ${JSON.stringify(offSite)}: ${(error as Error).message}`,
        );
      }
      expect(offSite, next).toEqual([]);
      await context.close();
    }
  });
});

describe('navigation by role', () => {
  it('gives a user no link that leads to a "cannot" page', async () => {
    const user = await recruiter(browser, DEMO_PEOPLE.user);
    // Every link of the navigation, clicked as a person would.
    const nav = user.getByRole('navigation', { name: 'Console' }).getByRole('link');
    const labels = await nav.allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) {
      const [response] = await Promise.all([
        user.waitForResponse((r) => r.request().isNavigationRequest()),
        user
          .getByRole('navigation', { name: 'Console' })
          .getByRole('link', { name: label, exact: true })
          .click(),
      ]);
      await user.waitForLoadState('load');
      expect(response.status(), label).toBe(200);
      expect(await user.locator('#main').textContent(), label).not.toMatch(CANNOT);
    }

    // And every console link on a profile (tabs, the way back, the navigation again).
    await user.goto(`${env.api}/console/candidates/ada-lovelace`);
    const hrefs = await user
      .locator('a[href^="/console"]')
      .evaluateAll((links) => [...new Set(links.map((a) => a.getAttribute('href') ?? ''))]);
    expect(hrefs).toContain('/console/candidates/ada-lovelace?tab=conversation');
    expect(
      hrefs.some((href) => href.endsWith('/purge')),
      'a user gets no Purge',
    ).toBe(false);
    for (const href of hrefs) {
      const response = await user.goto(`${env.api}${href}`);
      expect(response?.status(), href).toBe(200);
      expect(await user.locator('#main').textContent(), href).not.toMatch(CANNOT);
    }
    await user.context().close();
  });
});

describe('purging a candidate', () => {
  it('names what will be removed, leaves it all on Cancel and removes it on confirmation; a manager gets no Purge', async () => {
    const id = `e2e-purge-${run}`;
    const tags = ['e2e-purge', `e2e-purge-${run}`];
    created.add(id);
    const now = Date.now();
    const stored = await api<{ accepted: number }>('/v1/engagements', {
      body: {
        engagements: ['visit_landing_page', 'submit_form', 'open_email'].map((type, i) => ({
          id: `${id}-${i}`,
          candidateId: id,
          type,
          detail: `${env.sites}/pasted-snippet/talent-network.html`,
          occurredAt: new Date(now - (i + 1) * 3_600_000).toISOString(),
        })),
      },
    });
    expect(stored.body.accepted).toBe(3);
    expect((await api(`/v1/candidates/${id}/tags`, { method: 'PUT', body: { tags } })).status).toBe(
      200,
    );
    const called = await api('/v1/contacts', {
      body: {
        contacts: [
          {
            id: `${id}-call`,
            candidateId: id,
            kind: 'phone_call',
            occurredAt: new Date(now - 2 * DAY).toISOString(),
          },
        ],
      },
    });
    expect([200, 202]).toContain(called.status);
    const profile = `${env.api}/console/candidates/${id}`;

    // A manager: no Purge button, and the confirmation's URL answers "cannot".
    const manager = await recruiter(browser, DEMO_PEOPLE.manager);
    await manager.goto(profile);
    await manager.getByRole('heading', { name: 'Tags' }).waitFor();
    expect(await manager.getByRole('link', { name: /^Purge/ }).count()).toBe(0);
    const refused = await manager.goto(`${profile}/purge`);
    expect(refused?.status()).toBe(403);
    expect(await manager.locator('#main').textContent()).toMatch(
      /Your role \(manager\) cannot purge candidates/,
    );
    expect(await manager.getByRole('button', { name: /for good/ }).count()).toBe(0);
    await manager.context().close();

    // An admin: Purge… opens a confirmation naming what goes, with the counts.
    const admin = await recruiter(browser, DEMO_PEOPLE.admin);
    await admin.goto(profile);
    await admin.getByRole('link', { name: `Purge ${id}…` }).click();
    await admin.waitForURL(`${profile}/purge`);
    expect(await admin.locator('h1').textContent()).toBe(`Purge ${id}?`);
    const item = (key: string) => admin.locator(`#purge-list li[data-removes="${key}"]`);
    expect(await item('engagements').textContent()).toMatch(/^3 engagements/);
    expect(await item('tags').textContent()).toBe(`2 tags: ${[...tags].sort().join(', ')}`);
    expect(await item('scores').textContent()).toMatch(/^1 score/);
    expect(await item('messages').textContent()).toMatch(/^0 text messages/);
    expect(await item('contacts').textContent()).toMatch(/^All contacts recorded/);
    expect(await admin.locator('#purge-list li').count()).toBe(10);
    await screenshot(admin, 'console-candidate-purge');

    // Cancel: back on the profile, nothing removed.
    await admin.getByRole('link', { name: 'Cancel' }).click();
    await admin.waitForURL(profile);
    expect(await admin.locator('#tags-now').textContent()).toContain(tags[1]);
    const kept = await api<{ engagements: unknown[] }>(`/v1/candidates/${id}/engagements`);
    expect(kept.status).toBe(200);
    expect(kept.body.engagements).toHaveLength(3);

    // Confirmed: removed, with the counts of what went.
    await admin.getByRole('link', { name: `Purge ${id}…` }).click();
    await admin.waitForURL(`${profile}/purge`);
    const [done] = await Promise.all([
      admin.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/purge')),
      admin.getByRole('button', { name: `Purge ${id} for good` }).click(),
    ]);
    expect(done.status()).toBe(200);
    await admin.locator('#purged-list').waitFor();
    expect(await admin.locator('h1').textContent()).toBe(`Purged ${id}`);
    const removed = await admin.locator('#purged-list li').allTextContents();
    expect(removed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^3 engagements/),
        expect.stringMatching(/^1 contacts recorded/),
        expect.stringMatching(/^2 tags/),
        expect.stringMatching(/^1 score/),
      ]),
    );

    // Gone: the profile is a not-found, and so is the API.
    const gone = await admin.goto(profile);
    expect(gone?.status()).toBe(404);
    expect(await admin.getByRole('status').first().textContent()).toContain(
      `No candidate with the id ${id}`,
    );
    expect((await api(`/v1/candidates/${id}/engagements`)).status).toBe(404);
    expect((await api(`/v1/candidates/${id}/tags`)).status).toBe(404);
    created.delete(id);
    await admin.context().close();
  });
});
