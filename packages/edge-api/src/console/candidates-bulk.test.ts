// The candidate list's bulk actions as a recruiter uses them: tags added to or taken off the
// ticked rows or every match of the view, the selection added to a campaign's tags, and one text
// each to the ticked rows, each rule of a single text applying; refusals change nothing.
import { describe, expect, it } from 'vitest';
import { campaign } from '../test/campaigns.js';
import {
  api,
  createOrg,
  DAY_MS,
  json,
  request,
  sendEngagements,
  type TestOrg,
} from '../test/client.js';
import { CONSOLE_ORIGIN, createPerson, page, signedInAs } from '../test/console.js';
import { addCandidate, messagingOrg, personToken } from '../test/messaging.js';

/** ada engaged, bob inactive, cyd highly engaged; ada and bob tagged java. */
async function pool() {
  const org = await createOrg();
  await sendEngagements(org.keys.user, 'ada', [{ type: 'attend_event', ago: DAY_MS }]);
  await sendEngagements(org.keys.user, 'bob', [{ type: 'open_email', ago: 60 * DAY_MS }]);
  await sendEngagements(org.keys.user, 'cyd', [
    { type: 'attend_event', ago: 2 * DAY_MS },
    { type: 'attend_event', ago: 3 * DAY_MS },
  ]);
  for (const id of ['ada', 'bob']) {
    await api('PUT', `/v1/candidates/${id}/tags`, org.keys.user, { tags: ['java'] });
  }
  const reporter = await signedInAs(org.keys.reporter);
  return { org, cookie: reporter.cookie };
}

/** The list's form as the browser posts it: repeated fields (ids, tier) repeat. */
function bulk(cookie: string, fields: [string, string][]) {
  return request('/console/candidates/bulk', {
    method: 'POST',
    headers: {
      cookie,
      origin: CONSOLE_ORIGIN,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

async function tagsOf(org: TestOrg, id: string): Promise<string[]> {
  return (
    (await json(api('GET', `/v1/candidates/${id}/tags`, org.keys.user))) as { tags: string[] }
  ).tags;
}

describe('console: bulk actions on the candidate list', () => {
  it('adds tags to the ticked rows only, and says how many', async () => {
    const { org, cookie } = await pool();
    const response = await bulk(cookie, [
      ['selection', '1'],
      ['ids', 'ada'],
      ['ids', 'cyd'],
      ['scope', 'ticked'],
      ['bulkTags', 'shortlist, java'],
      ['action', 'add-tags'],
    ]);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('Added “shortlist”, “java” to 2 candidates');
    // ada had java already: shortlist on both, java on cyd.
    expect(html).toContain('3 tags newly set');
    expect(await tagsOf(org, 'ada')).toEqual(['java', 'shortlist']);
    expect(await tagsOf(org, 'cyd')).toEqual(['java', 'shortlist']);
    expect(await tagsOf(org, 'bob')).toEqual(['java']);
  });

  it("acts on every match of the view, not only the page's, and links back to that view", async () => {
    const { org, cookie } = await pool();
    const response = await bulk(cookie, [
      ['tier', 'engaged'],
      ['tier', 'highly_engaged'],
      ['sort', 'lastEngaged'],
      ['scope', 'all'],
      ['bulkTags', 'warm'],
      ['action', 'add-tags'],
    ]);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('to 2 candidates');
    expect(html).toContain(
      'href="/console/candidates?tier=engaged&amp;tier=highly_engaged&amp;sort=lastEngaged"',
    );
    expect(await tagsOf(org, 'ada')).toContain('warm');
    expect(await tagsOf(org, 'cyd')).toContain('warm');
    expect(await tagsOf(org, 'bob')).not.toContain('warm');
  });

  it('removes tags', async () => {
    const { org, cookie } = await pool();
    const response = await bulk(cookie, [
      ['tags', 'java'],
      ['scope', 'all'],
      ['bulkTags', 'java'],
      ['action', 'remove-tags'],
    ]);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Removed “java” from 2 candidates');
    expect(await tagsOf(org, 'ada')).toEqual([]);
    expect(await tagsOf(org, 'bob')).toEqual([]);
  });

  it('refuses in plain words, changing nothing: no row ticked, no tags typed, no action', async () => {
    const { org, cookie } = await pool();
    const cases: [[string, string][], string][] = [
      [
        [
          ['scope', 'ticked'],
          ['bulkTags', 'x'],
          ['action', 'add-tags'],
        ],
        'No rows were ticked',
      ],
      [
        [
          ['ids', 'ada'],
          ['bulkTags', ' , '],
          ['action', 'add-tags'],
        ],
        'Type the tags',
      ],
      [
        [
          ['ids', 'ada'],
          ['bulkTags', 'x'],
        ],
        'Choose an action',
      ],
      [
        [
          ['ids', 'ada'],
          ['bulkMessage', '  '],
          ['action', 'message'],
        ],
        'Type the text',
      ],
    ];
    for (const [fields, words] of cases) {
      const response = await bulk(cookie, fields);
      expect(response.status, words).toBe(400);
      expect(await response.text()).toContain(words);
    }
    expect(await tagsOf(org, 'ada')).toEqual(['java']);
  });

  it("shows the API's refusal of a bad tag, and tags nobody", async () => {
    const { org, cookie } = await pool();
    const response = await bulk(cookie, [
      ['ids', 'ada'],
      ['bulkTags', 'x'.repeat(65)],
      ['action', 'add-tags'],
    ]);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Nothing was changed.');
    expect(html).toContain('data-code="invalid_request"');
    expect(await tagsOf(org, 'ada')).toEqual(['java']);
  });

  it("adds the selection to a campaign by setting the campaign's tags", async () => {
    const { org, cookie } = await pool();
    const sender = await createPerson(org.orgId, 'user');
    const id = await campaign(org, sender.id, {
      name: 'Berlin Java',
      tags: ['java', 'berlin'],
      tagsMode: 'all',
    });
    // The list offers the campaigns that select by tags.
    const list = await (await page('/console/candidates', cookie)).text();
    expect(list).toContain(`<option value="${id}">Berlin Java (java + berlin)</option>`);
    const response = await bulk(cookie, [
      ['ids', 'cyd'],
      ['campaignId', id],
      ['action', 'campaign'],
    ]);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('They now match the tags of');
    expect(html).toContain(`href="/console/campaigns/${id}"`);
    expect(await tagsOf(org, 'cyd')).toEqual(['berlin', 'java']);
  });

  it('refuses a campaign that selects by last contacted only', async () => {
    const { org, cookie } = await pool();
    const sender = await createPerson(org.orgId, 'user');
    const id = await campaign(org, sender.id, { name: 'Everyone warm' });
    const list = await (await page('/console/candidates', cookie)).text();
    expect(list).not.toContain(`value="${id}"`);
    const response = await bulk(cookie, [
      ['ids', 'cyd'],
      ['campaignId', id],
      ['action', 'campaign'],
    ]);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('selects by last contacted only');
    expect(await tagsOf(org, 'cyd')).toEqual([]);
  });

  it('texts each ticked candidate, saying for each whether it went and why not', async () => {
    const org = await messagingOrg();
    const reachable = await addCandidate(org);
    const noNumber = await addCandidate(org, { phone: null });
    const person = await personToken(org.orgId, 'reporter');
    const cookie = `cxm_session=${person.token}`;
    const response = await bulk(cookie, [
      ['ids', reachable.externalId],
      ['ids', noNumber.externalId],
      ['bulkMessage', 'New roles in Berlin this week'],
      ['action', 'message'],
    ]);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('Texted 1 of 2 candidates.');
    expect(html).toMatch(/Not texted: [^<]*number/);
    const conversation = (await json(
      api('GET', `/v1/candidates/${reachable.externalId}/messages`, org.keys.user),
    )) as { messages: { body: string }[] };
    expect(conversation.messages.map((message) => message.body)).toEqual([
      'New roles in Berlin this week',
    ]);
  });

  it('offers texting only to a licensed person', async () => {
    const { org, cookie } = await pool();
    expect(await (await page('/console/candidates', cookie)).text()).toContain('Text them');
    const token = await personToken(org.orgId, 'reporter', { licence: false });
    const html = await (await page('/console/candidates', `cxm_session=${token.token}`)).text();
    expect(html).toContain('Add tags');
    expect(html).not.toContain('Text them');
  });
});
