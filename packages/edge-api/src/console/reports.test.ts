// The Reports page as a reporter uses it: the range in the URL (checked before the API is asked,
// in words), the tier distribution now and over time, engagements per type per day on a linear or
// log scale, a table of the numbers under every chart, and the reporter role.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOrg, DAY_MS, rid, sendEngagements } from '../test/client.js';
import { page, signedInAs } from '../test/console.js';

/** Noon UTC on 15 June 2026. */
const T0 = Date.UTC(2026, 5, 15, 12);

afterEach(() => {
  vi.useRealTimers();
});

/** An organisation on the fake clock: a busy candidate (30 opens 3 days ago), a quiet one. */
async function busyOrg() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  const org = await createOrg();
  await sendEngagements(
    org.keys.user,
    rid('busy'),
    Array.from({ length: 30 }, (_, n) => ({
      type: 'open_email',
      ago: 3 * DAY_MS,
      detail: `Mail ${n}`,
    })),
  );
  await sendEngagements(org.keys.user, rid('quiet'), [
    { type: 'attend_event', ago: 5 * DAY_MS, detail: 'Fair' },
  ]);
  const reporter = (await signedInAs(org.keys.reporter)).cookie;
  return { org, reporter };
}

/** The body rows of the table captioned `caption`, as cell texts. */
function tableRows(html: string, caption: string): string[][] {
  const start = html.indexOf(`>${caption}</caption>`);
  expect(start, `a table captioned “${caption}”`).toBeGreaterThan(0);
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</tbody>', start));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((cell) =>
      (cell[1] ?? '').replace(/<[^>]+>/g, ''),
    ),
  );
}

describe('console reports', () => {
  it('reports on the range in the URL, with a table of the numbers under every chart', async () => {
    const { reporter } = await busyOrg();
    const response = await page('/console/reports?from=2026-06-10&to=2026-06-15', reporter);
    expect(response.status).toBe(200);
    const html = await response.text();
    // The range stays in the form, and the charts have accessible names that summarise them.
    expect(html).toContain('name="from" value="2026-06-10"');
    expect(html).toContain('name="to" value="2026-06-15"');
    expect(html).toContain('Engagements per type per day, 2026-06-10 to 2026-06-15: 31 in all');
    expect(html).toContain('role="img" aria-labelledby="tier-days-title"');
    expect(html).toContain(
      'Candidates per tier at the end of each day, 2026-06-10 to 2026-06-15: on 2026-06-15 0 Highly Engaged, 1 Engaged, 1 Inactive',
    );

    expect(tableRows(html, 'Candidates per tier now')).toEqual([
      ['Highly Engaged', '0', '0 %'],
      ['Engaged', '1', '50 %'],
      ['Inactive', '1', '50 %'],
    ]);
    // Newest first; the event (10 points) five days ago makes its candidate Engaged from then.
    const tiers = tableRows(
      html,
      'Candidates per tier at the end of each day (today: now), newest first',
    );
    expect(tiers.map((row) => row[0])).toEqual([
      '2026-06-15',
      '2026-06-14',
      '2026-06-13',
      '2026-06-12',
      '2026-06-11',
      '2026-06-10',
    ]);
    expect(tiers.at(-1)).toEqual(['2026-06-10', '0', '1', '1']);
    const perDay = tableRows(html, 'Engagements per type per day, newest first');
    expect(perDay).toHaveLength(6);
    expect(perDay).toContainEqual(['2026-06-12', '30', '0', '30']);
    expect(perDay).toContainEqual(['2026-06-10', '0', '1', '1']);
    expect(perDay).toContainEqual(['2026-06-15', '0', '0', '0']);
    // Tables scroll in their own region, reachable by keyboard, so the page never does.
    expect(html).toContain(
      '<section class="table-scroll" aria-labelledby="per-day-table" tabindex="0">',
    );
  });

  it('switches the engagements chart between linear and log, keeping the range', async () => {
    const { reporter } = await busyOrg();
    const range = 'from=2026-06-10&to=2026-06-15';
    const linear = await (await page(`/console/reports?${range}`, reporter)).text();
    expect(linear).toContain(
      `href="/console/reports?from=2026-06-10&amp;to=2026-06-15&amp;scale=log"`,
    );
    expect(linear).toContain('aria-current="page">Linear scale');
    const log = await (await page(`/console/reports?${range}&scale=log`, reporter)).text();
    expect(log).toContain('Engagements per type per day (log scale), 2026-06-10 to 2026-06-15');
    expect(log).toContain('name="scale" value="log"');
    expect(log).toContain('aria-current="page">Log scale');
    // On the log axis the day of one engagement is a third as tall as the day of thirty, not 1/30.
    const heights = (html: string) => ({
      one: Number(html.match(/height="([\d.]+)"[^>]*><title>2026-06-10: 1 ×/)?.[1]),
      thirty: Number(html.match(/height="([\d.]+)"[^>]*><title>2026-06-12: 30 ×/)?.[1]),
    });
    const flat = heights(linear);
    expect(flat.one / flat.thirty).toBeCloseTo(1 / 30, 1);
    const lifted = heights(log);
    expect(lifted.one / lifted.thirty).toBeCloseTo(1 / (1 + Math.log10(30)), 2);
  });

  it('says in words what is wrong with a backwards, too long or unreadable range', async () => {
    const { reporter } = await busyOrg();
    const backwards = await page('/console/reports?from=2026-06-15&to=2026-06-01', reporter);
    expect(backwards.status).toBe(400);
    const said = await backwards.text();
    expect(said).toContain(
      'The start date, 15 June 2026, is after the end date, 1 June 2026. Pick a start on or before the end.',
    );
    expect(said).not.toContain('invalid_request');
    expect(said).not.toContain('tier-days-title');
    expect(said).toContain('aria-describedby="range-problem"');

    const long = await (
      await page('/console/reports?from=2025-01-01&to=2026-06-15', reporter)
    ).text();
    expect(long).toContain('That is 531 days; a report covers at most 366 (about a year).');
    const unreadable = await (await page('/console/reports?from=2026-02-30', reporter)).text();
    expect(unreadable).toContain('The start date “2026-02-30” is not a date.');
  });

  it('offers presets, the last 12 months among them, and marks the one shown', async () => {
    const { reporter } = await busyOrg();
    const html = await (await page('/console/reports?days=365&scale=log', reporter)).text();
    expect(html).toContain('name="from" value="2025-06-16"');
    expect(html).toContain('href="/console/reports?days=365&amp;scale=log" aria-current="page"');
    expect(html).toContain('href="/console/reports?days=14&amp;scale=log"');
    const rows = tableRows(
      html,
      'Candidates per tier at the end of each day (today: now), newest first',
    );
    expect(rows).toHaveLength(365);
  });

  it('needs the reporter role: a user is told so and nothing is asked of the API', async () => {
    const org = await createOrg();
    const user = (await signedInAs(org.keys.user)).cookie;
    const response = await page('/console/reports?from=2026-06-15&to=2026-06-01', user);
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(html).toContain('Your role (user) cannot see reports.');
    expect(html).not.toContain('name="from"');
    expect(
      (await page('/console/reports', (await signedInAs(org.keys.reporter)).cookie)).status,
    ).toBe(200);
  });
});
