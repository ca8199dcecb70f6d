// A candidate's profile as a recruiter uses it: tier badge, last engaged and contacted, tags shown
// and edited by any role (`PUT /v1/candidates/{id}/tags`), the Engagement tab filtered by type and
// dates in the URL, and the purge: a button and a confirmation naming what goes for an admin only,
// refused to a manager by the console route and by the API behind it.
import { describe, expect, it } from 'vitest';
import {
  api,
  createOrg,
  DAY_MS,
  json,
  postJson,
  rid,
  sendEngagements,
  type TestOrg,
} from '../test/client.js';
import { page, post, signedInAs } from '../test/console.js';

function dayAgo(days: number): string {
  return new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);
}

/** The engagement details on the page, in order. */
function details(html: string): string[] {
  return [...html.matchAll(/<td class="detail">([^<]*)<\/td>/g)].map((match) => match[1] ?? '');
}

/** An engaged candidate with an event yesterday, an email 10 days ago, two tags and a call. */
async function candidate(org: TestOrg, id = 'ada') {
  await sendEngagements(org.keys.user, id, [
    { type: 'attend_event', ago: DAY_MS, detail: 'Spring fair' },
    { type: 'open_email', ago: 10 * DAY_MS, detail: 'Newsletter' },
  ]);
  await api('PUT', `/v1/candidates/${id}/tags`, org.keys.user, { tags: ['java', 'berlin'] });
  const contacted = await postJson(
    '/v1/contacts',
    {
      contacts: [
        {
          id: rid('ct'),
          candidateId: id,
          kind: 'phone_call',
          occurredAt: '2026-01-15T10:00:00.000Z',
        },
      ],
    },
    org.keys.user,
  );
  expect(contacted.status).toBe(202);
  return id;
}

async function tagsOf(org: TestOrg, id: string): Promise<string[]> {
  return (await json<{ tags: string[] }>(api('GET', `/v1/candidates/${id}/tags`, org.keys.user)))
    .tags;
}

describe('console: a candidate profile', () => {
  it('shows the tier badge, last engaged, last contacted, tags, the chart and the breakdown', async () => {
    const org = await createOrg();
    const id = await candidate(org);
    const { cookie } = await signedInAs(org.keys.user);
    const html = await (await page(`/console/candidates/${id}`, cookie)).text();
    expect(html).toMatch(/<h1>ada <span class="badge engaged">/);
    expect(html).toMatch(/<dt>Last engaged<\/dt><dd>[^<]*\d{4}/);
    expect(html).toMatch(/<dt>Last contacted<\/dt><dd>[^<]*2026/);
    expect(html).toContain(
      '<span class="badge tag">berlin</span><span class="badge tag">java</span>',
    );
    expect(html).toContain('<svg class="chart"');
    const breakdown = await (await page(`/console/candidates/${id}?tab=score`, cookie)).text();
    expect(breakdown).toContain('Score breakdown');
    expect(breakdown).toContain('Event attended');
  });

  it('lets a user replace the tags, and says so', async () => {
    const org = await createOrg();
    const id = await candidate(org);
    const { cookie } = await signedInAs(org.keys.user);
    const saved = await post(`/console/candidates/${id}/tags`, cookie, {
      tags: ' lisbon, backend ,, lisbon',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/console/candidates/${id}?saved=tags`);
    expect(await tagsOf(org, id)).toEqual(['backend', 'lisbon']);
    const html = await (await page(saved.headers.get('location') ?? '', cookie)).text();
    expect(html).toContain('Tags saved.');
    expect(html).toContain('value="backend, lisbon"');
    // Emptied: no tags left.
    await post(`/console/candidates/${id}/tags`, cookie, { tags: '' });
    expect(await tagsOf(org, id)).toEqual([]);
  });

  it('refuses a bad tag beside the field, keeping what was typed and the tags as they were', async () => {
    const org = await createOrg();
    const id = await candidate(org);
    const { cookie } = await signedInAs(org.keys.user);
    const typed = `java, ${'x'.repeat(65)}`;
    const refused = await post(`/console/candidates/${id}/tags`, cookie, { tags: typed });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain(`value="${typed}"`);
    expect(html).toContain('aria-invalid="true"');
    expect(html).toMatch(/id="tags-problem"[\s\S]*role="alert"/);
    expect(await tagsOf(org, id)).toEqual(['berlin', 'java']);
  });

  it('filters the Engagement tab by type and dates, kept in the URL and the next page', async () => {
    const org = await createOrg();
    const id = await candidate(org);
    const { cookie } = await signedInAs(org.keys.user);
    const tab = async (query: string) => {
      const response = await page(`/console/candidates/${id}?${query}`, cookie);
      return { status: response.status, html: await response.text() };
    };
    expect(details((await tab('')).html)).toEqual(['Spring fair', 'Newsletter']);
    expect(details((await tab('type=open_email')).html)).toEqual(['Newsletter']);
    const recent = await tab(`from=${dayAgo(5)}`);
    expect(details(recent.html)).toEqual(['Spring fair']);
    expect(recent.html).toContain(`id="from" name="from" value="${dayAgo(5)}"`);
    expect(details((await tab(`to=${dayAgo(5)}`)).html)).toEqual(['Newsletter']);
    const none = await tab(`type=attend_event&to=${dayAgo(5)}`);
    expect(details(none.html)).toEqual([]);
    expect(none.html).toContain('No engagements match these filters.');
    const bad = await tab('from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('role="alert"');

    // 51 more emails in the range: the next page's link keeps the filters.
    const more = await postJson(
      '/v1/engagements',
      {
        engagements: Array.from({ length: 51 }, (_, i) => ({
          id: rid('evt'),
          candidateId: id,
          type: 'open_email',
          detail: `Email ${i}`,
          occurredAt: new Date(Date.now() - 2 * DAY_MS - i * 60_000).toISOString(),
        })),
      },
      org.keys.user,
    );
    expect(more.status).toBe(202);
    const first = await tab(`type=open_email&from=${dayAgo(5)}`);
    expect(details(first.html)).toHaveLength(50);
    const older = /<a class="button secondary" href="([^"]+)">\s*Older engagements/.exec(
      first.html,
    )?.[1];
    const next = new URL((older ?? '').replaceAll('&amp;', '&'), 'http://x');
    expect(next.searchParams.get('type')).toBe('open_email');
    expect(next.searchParams.get('from')).toBe(dayAgo(5));
    expect(next.searchParams.get('cursor')).toBeTruthy();
    expect(details(await (await page(`${next.pathname}${next.search}`, cookie)).text())).toEqual([
      'Email 50',
    ]);
  });
});

describe('console: purging a candidate', () => {
  it('shows an admin the Purge button and a confirmation naming what goes, with counts', async () => {
    const org = await createOrg();
    const id = await candidate(org);
    const { cookie } = await signedInAs(org.keys.admin);
    const profile = await (await page(`/console/candidates/${id}`, cookie)).text();
    expect(profile).toContain(`href="/console/candidates/${id}/purge"`);
    const confirm = await page(`/console/candidates/${id}/purge`, cookie);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    const item = (key: string) =>
      new RegExp(`<li data-removes="${key}"><strong>([^<]+)</strong>([^<]*)</li>`).exec(html);
    expect(item('engagements')?.[1]).toBe('2');
    expect(item('tags')?.[1]).toBe('2');
    expect(item('tags')?.[2]).toContain('berlin, java');
    expect(item('messages')?.[1]).toBe('0');
    for (const key of ['contacts', 'contactDetails', 'trackedLinks', 'visitors', 'scores']) {
      expect(item(key), key).not.toBeNull();
    }
    expect(html).toContain(`<form method="post" action="/console/candidates/${id}/purge"`);
    // Nothing is removed by looking.
    expect((await api('GET', `/v1/candidates/${id}/score`, org.keys.admin)).status).toBe(200);
  });

  it('purges on the confirmation, and shows what was removed', async () => {
    const org = await createOrg();
    const id = await candidate(org);
    const { cookie } = await signedInAs(org.keys.admin);
    const purged = await post(`/console/candidates/${id}/purge`, cookie, {});
    expect(purged.status).toBe(200);
    const html = await purged.text();
    expect(html).toContain(`<h1>Purged ${id}</h1>`);
    expect(html).toMatch(/<li><strong>2<\/strong> engagements/);
    expect(html).toMatch(/<li><strong>1<\/strong> contacts/);
    expect((await api('GET', `/v1/candidates/${id}/score`, org.keys.admin)).status).toBe(404);
  });

  it('gives a manager no button, and refuses the confirmation and the purge', async () => {
    const org = await createOrg();
    const id = await candidate(org);
    const { cookie } = await signedInAs(org.keys.manager);
    const profile = await (await page(`/console/candidates/${id}`, cookie)).text();
    expect(profile).not.toContain('/purge');
    const confirm = await page(`/console/candidates/${id}/purge`, cookie);
    expect(confirm.status).toBe(403);
    const html = await confirm.text();
    expect(html).toContain('cannot purge candidates');
    expect(html).not.toContain('<form method="post" action="/console/candidates/');
    const purge = await post(`/console/candidates/${id}/purge`, cookie, {});
    expect(purge.status).toBe(403);
    expect(await purge.text()).toContain(`${id} was not purged`);
    expect((await api('GET', `/v1/candidates/${id}/score`, org.keys.admin)).status).toBe(200);
  });
});
