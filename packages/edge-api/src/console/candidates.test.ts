// The candidate list as a recruiter uses it: filters for tier, tags (all or any), last engaged and
// last contacted ranges and the sort, combined and kept in the URL; the count of matches; export of
// every match (beyond the page) or of the ticked rows, through the console from
// `GET /v1/audiences/export`; and what a `user`, who may not list, gets instead.
import { describe, expect, it } from 'vitest';
import {
  api,
  createOrg,
  DAY_MS,
  postJson,
  rid,
  sendEngagements,
  type TestOrg,
} from '../test/client.js';
import { page, signedInAs } from '../test/console.js';

/** `YYYY-MM-DD`, `days` ago. */
function dayAgo(days: number): string {
  return new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);
}

/** Hono's JSX escapes `&` in attributes; a browser reads them back. */
function attributeText(text: string): string {
  return text.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'");
}

/** The candidates listed, in order (the rows' select boxes). */
function listed(html: string): string[] {
  return [...html.matchAll(/name="ids" value="([^"]+)"/g)].map((match) => match[1] ?? '');
}

/** The count the page states. */
function count(html: string): number {
  const match = /id="match-count"[^>]*><strong>(\d+)<\/strong>/.exec(html);
  if (!match) throw new Error('no count on the page');
  return Number(match[1]);
}

/** The href of the link whose text starts with `text`. */
function linkTo(html: string, text: string): string {
  const match = new RegExp(`<a [^>]*href="([^"]+)"[^>]*>\\s*${text}`).exec(html);
  if (!match?.[1]) throw new Error(`no link "${text}"`);
  return attributeText(match[1]);
}

async function contact(org: TestOrg, candidateId: string, daysAgo: number) {
  const response = await postJson(
    '/v1/contacts',
    {
      contacts: [
        {
          id: rid('ct'),
          candidateId,
          kind: 'phone_call',
          occurredAt: new Date(Date.now() - daysAgo * DAY_MS).toISOString(),
        },
      ],
    },
    org.keys.user,
  );
  expect(response.status).toBe(202);
}

async function tag(org: TestOrg, candidateId: string, tags: string[]) {
  expect(
    (await api('PUT', `/v1/candidates/${candidateId}/tags`, org.keys.user, { tags })).status,
  ).toBe(200);
}

/**
 * Three candidates of an organisation of their own:
 * ada: engaged (an event yesterday), tags berlin + java, contacted 40 days ago;
 * bob: inactive (an email opened 60 days ago), tag java, contacted 5 days ago;
 * cyd: highly engaged (two events, 2 and 3 days ago), tag python, never contacted.
 */
async function pool() {
  const org = await createOrg();
  await sendEngagements(org.keys.user, 'ada', [{ type: 'attend_event', ago: DAY_MS }]);
  await sendEngagements(org.keys.user, 'bob', [{ type: 'open_email', ago: 60 * DAY_MS }]);
  await sendEngagements(org.keys.user, 'cyd', [
    { type: 'attend_event', ago: 2 * DAY_MS },
    { type: 'attend_event', ago: 3 * DAY_MS },
  ]);
  await tag(org, 'ada', ['java', 'berlin']);
  await tag(org, 'bob', ['java']);
  await tag(org, 'cyd', ['python']);
  await contact(org, 'ada', 40);
  await contact(org, 'bob', 5);
  const reporter = await signedInAs(org.keys.reporter);
  return { org, cookie: reporter.cookie };
}

async function list(cookie: string, query: string) {
  const response = await page(`/console/candidates?${query}`, cookie);
  return { status: response.status, html: await response.text() };
}

describe('console: the candidate list', () => {
  it('filters by tier, tags, last engaged and last contacted, combined, and counts the matches', async () => {
    const { cookie } = await pool();
    const cases: [string, string[]][] = [
      ['', ['cyd', 'ada', 'bob']],
      ['tier=engaged', ['ada']],
      ['tier=engaged&tier=highly_engaged', ['cyd', 'ada']],
      ['tags=java', ['ada', 'bob']],
      ['tags=java%2C+berlin', ['ada']],
      ['tags=berlin%2Cpython&tagMatch=any', ['cyd', 'ada']],
      [`lastEngagedAfter=${dayAgo(10)}`, ['cyd', 'ada']],
      [`lastEngagedBefore=${dayAgo(10)}`, ['bob']],
      [`lastContactedBefore=${dayAgo(30)}`, ['ada']],
      [`lastContactedAfter=${dayAgo(30)}`, ['bob']],
      [`tier=engaged&tier=highly_engaged&tags=java&lastContactedBefore=${dayAgo(30)}`, ['ada']],
      ['tier=inactive&tags=python', []],
      ['sort=lastEngaged', ['ada', 'cyd', 'bob']],
    ];
    for (const [query, expected] of cases) {
      const { status, html } = await list(cookie, query);
      expect.soft(status, query).toBe(200);
      expect.soft(listed(html), query).toEqual(expected);
      expect.soft(count(html), query).toBe(expected.length);
    }
  });

  it('keeps the view in the URL: the form shows it, and the next page and exports carry it', async () => {
    const { cookie } = await pool();
    const after = dayAgo(10);
    const query = `tier=engaged&tier=highly_engaged&tags=java&tagMatch=any&lastEngagedAfter=${after}&sort=lastEngaged`;
    const { html } = await list(cookie, query);
    expect(html).toMatch(/<input type="checkbox" name="tier" value="engaged" checked/);
    expect(html).toMatch(/<input type="checkbox" name="tier" value="highly_engaged" checked/);
    expect(html).not.toMatch(/<input type="checkbox" name="tier" value="inactive" checked/);
    expect(html).toContain('id="tags" name="tags" value="java"');
    expect(html).toMatch(/<option value="any" selected/);
    expect(html).toContain(`id="lastEngagedAfter" name="lastEngagedAfter" value="${after}"`);
    expect(html).toMatch(/<option value="lastEngaged" selected/);
    const view = new URLSearchParams(query);
    for (const [text, format] of [
      ['Export all 1 as CSV', 'csv'],
      ['Export all 1 as JSON', 'json'],
    ] as const) {
      const href = new URL(linkTo(html, text), 'http://x');
      expect(href.pathname).toBe('/console/candidates/export');
      expect(href.searchParams.getAll('tier')).toEqual(['engaged', 'highly_engaged']);
      for (const name of ['tags', 'tagMatch', 'lastEngagedAfter', 'sort']) {
        expect(href.searchParams.get(name), name).toBe(view.get(name));
      }
      expect(href.searchParams.get('format')).toBe(format);
    }
    // The selection form sends the same view with the ticked rows.
    const selection =
      /<form method="get" action="\/console\/candidates\/export"[\s\S]*?<\/form>/.exec(html)?.[0];
    expect(selection).toContain('type="hidden" name="tags" value="java"');
    expect(selection).toContain(`type="hidden" name="lastEngagedAfter" value="${after}"`);
    expect(selection).toContain('name="ids" value="ada"');
  });

  it('counts and exports every match, not a page: 55 candidates, 50 to a page', async () => {
    const org = await createOrg();
    const ids = Array.from({ length: 55 }, (_, i) => `bulk-${String(i).padStart(2, '0')}`);
    const response = await postJson(
      '/v1/engagements',
      {
        engagements: ids.map((candidateId, i) => ({
          id: rid('evt'),
          candidateId,
          type: 'attend_event',
          occurredAt: new Date(Date.now() - (i + 1) * 3600_000).toISOString(),
        })),
      },
      org.keys.user,
    );
    expect(response.status).toBe(202);
    const { cookie } = await signedInAs(org.keys.reporter);
    const { html } = await list(cookie, 'tier=engaged&sort=lastEngaged');
    expect(count(html)).toBe(55);
    expect(listed(html)).toEqual(ids.slice(0, 50));
    const next = linkTo(html, 'Next page');
    expect(new URL(next, 'http://x').searchParams.get('sort')).toBe('lastEngaged');
    expect(listed(await (await page(next, cookie)).text())).toEqual(ids.slice(50));

    const csv = await page(linkTo(html, 'Export all 55 as CSV'), cookie);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="candidates-/);
    expect(csv.headers.get('x-total-count')).toBe('55');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Candidate,Tier,Points,Last engaged,Last contacted,Tags');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(ids);
  });

  it('exports only the ticked rows, still filtered, and refuses an export with none ticked', async () => {
    const { cookie } = await pool();
    const json = await page(
      '/console/candidates/export?tier=engaged&tier=highly_engaged&selection=1&ids=ada&ids=bob&format=json',
      cookie,
    );
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('application/json');
    const body = (await json.json()) as { candidates: { candidateId: string }[]; total: number };
    // bob is inactive: ticked, but outside the view's tiers.
    expect(body.candidates.map((candidate) => candidate.candidateId)).toEqual(['ada']);
    expect(body.total).toBe(1);

    const none = await page(
      '/console/candidates/export?tier=engaged&selection=1&format=csv',
      cookie,
    );
    expect(none.status).toBe(400);
    const html = await none.text();
    expect(html).toContain('No rows were selected');
    expect(attributeText(html)).toContain('href="/console/candidates?tier=engaged"');
  });

  it('says why a filter is refused, in the API words, and keeps what was typed', async () => {
    const { cookie } = await pool();
    const { status, html } = await list(
      cookie,
      'lastEngagedAfter=2026-10-01&lastEngagedBefore=2026-09-01&tags=java',
    );
    expect(status).toBe(400);
    expect(html).toContain('lastEngagedAfter');
    expect(html).toContain('value="2026-10-01"');
    expect(html).toContain('id="tags" name="tags" value="java"');
    expect(listed(html)).toEqual([]);
  });

  it('gives a user the open-by-id form, not a list or a refusal; the export refuses them', async () => {
    const { org } = await pool();
    const { cookie } = await signedInAs(org.keys.user);
    const { status, html } = await list(cookie, 'tier=engaged');
    expect(status).toBe(200);
    expect(html).toContain('<h1>Find a candidate</h1>');
    expect(html).toContain('Open a candidate by id');
    expect(html).not.toContain('cannot');
    expect(listed(html)).toEqual([]);
    expect(html).not.toContain('/console/candidates/export');
    const opened = await page('/console/candidates?id=ada', cookie);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/console/candidates/ada');
    const exported = await page('/console/candidates/export?format=csv', cookie);
    expect(exported.status).toBe(403);
    expect(exported.headers.get('content-disposition')).toBeNull();
    expect(await exported.text()).toContain('Your role cannot do this.');
  });
});
