// The Campaigns pages as a browser uses them: the Re-engagement list and its filters, Add
// Campaign step by step (what was typed carried between steps, saved as entered; a refusal shown
// beside the fields with nothing lost and nothing created), the From choice a manager has and a
// user has not, the overview's state changes only after a confirmation, and the runs table.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, createOrg, json, rows, type TestOrg } from '../test/client.js';
import { createPerson, page, post, signedInAs } from '../test/console.js';

interface Campaign {
  id: string;
  name: string;
  code: string | null;
  url: string | null;
  autoResponse: string | null;
  timeframe: Record<string, unknown>;
  tags: string[];
  tagsMode: string;
  fromUserId: string;
  sendTime: string;
  channel: string;
  message: string | null;
  state: string;
}

/** A campaign made through the API with the manager key, from `fromUserId`. */
async function addCampaign(
  org: TestOrg,
  fromUserId: string,
  overrides: Record<string, unknown> = {},
): Promise<Campaign> {
  const response = await api('POST', '/v1/campaigns', org.keys.manager, {
    name: 'Warm pool',
    reengagement: true,
    timeframe: { notContactedForDays: 30 },
    fromUserId,
    sendTime: '09:30',
    channel: 'sms',
    message: 'Hi {{firstName}}, new roles for you',
    ...overrides,
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Campaign;
}

async function campaignsOf(org: TestOrg): Promise<Campaign[]> {
  const all = await json<{ campaigns: Campaign[] }>(
    api('GET', '/v1/campaigns?limit=200', org.keys.manager),
  );
  const archived = await json<{ campaigns: Campaign[] }>(
    api('GET', '/v1/campaigns?state=archived', org.keys.manager),
  );
  return [...all.campaigns, ...archived.campaigns];
}

/** No inline script and no style attribute: the console's CSP allows neither. */
function expectNoInlineCode(html: string) {
  expect(html).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toContain('style=');
}

/** Every field of the form, as a browser posts it from the last step. */
function filledForm(fromUserId: string, overrides: Record<string, string> = {}) {
  return {
    name: 'Java, warm, 60 days',
    code: 'ENG-7',
    url: '',
    autoResponse: 'Thanks! A recruiter will call you.',
    timeframe: '60',
    tags: 'java, berlin',
    tagsMode: 'all',
    fromUserId,
    sendTime: '10:15',
    channel: 'sms',
    content: 'text',
    message: 'Hi {{firstName}}, new Java roles in Berlin',
    state: 'disabled',
    go: 'save',
    ...overrides,
  };
}

describe('console campaigns list', () => {
  it('shows Campaigns in the navigation of a user, and the Re-engagement tab', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    const response = await page('/console/campaigns', user.cookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expectNoInlineCode(html);
    expect(html).toMatch(/<a href="\/console\/campaigns" aria-current="page">Campaigns<\/a>/);
    expect(html).toContain('>Re-engagement</a>');
    expect(html).toContain('No re-engagement campaigns yet');
    expect(html).toContain('href="/console/campaigns/new"');
    for (const id of ['filter-name', 'filter-code', 'filter-state']) {
      expect(html).toContain(`<label for="${id}">`);
    }
  });

  it('filters by name and code, and hides archived campaigns unless asked for', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    await addCampaign(org, user.id, { name: 'Java warm pool', code: 'ENG-1' });
    await addCampaign(org, user.id, { name: 'Python cold pool', code: 'OPS-2' });
    const old = await addCampaign(org, user.id, { name: 'Old Java', code: 'ENG-0' });
    await api('POST', `/v1/campaigns/${old.id}/archive`, org.keys.manager);

    const all = await (await page('/console/campaigns', user.cookie)).text();
    expect(all).toContain('Java warm pool');
    expect(all).toContain('Python cold pool');
    expect(all).not.toContain('Old Java');

    const byName = await (await page('/console/campaigns?name=java', user.cookie)).text();
    expect(byName).toContain('Java warm pool');
    expect(byName).not.toContain('Python cold pool');
    expect(byName).toContain('value="java"');

    const byCode = await (await page('/console/campaigns?code=ops', user.cookie)).text();
    expect(byCode).toContain('Python cold pool');
    expect(byCode).not.toContain('Java warm pool');

    const archived = await (await page('/console/campaigns?state=archived', user.cookie)).text();
    expect(archived).toContain('Old Java');
    expect(archived).not.toContain('Java warm pool');
    expect(archived).toMatch(/<option value="archived" selected/);
  });
});

describe('console Add Campaign', () => {
  it('walks the steps keeping what was typed, and saves the campaign as entered', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    const first = await page('/console/campaigns/new', user.cookie);
    expect(first.status).toBe(200);
    const details = await first.text();
    expectNoInlineCode(details);
    expect(details).toContain('<span aria-current="step">Details</span>');
    for (const id of ['name', 'code', 'url', 'autoResponse']) {
      expect(details).toContain(`<label for="campaign-${id}">`);
    }

    const toFilters = await post('/console/campaigns/new', user.cookie, {
      ...filledForm(user.id),
      name: 'Typed on step one',
      go: 'filters',
    });
    expect(toFilters.status).toBe(200);
    const filters = await toFilters.text();
    expect(filters).toContain('<span aria-current="step">Filters</span>');
    expect(filters).toContain('<input type="hidden" name="name" value="Typed on step one"');
    expect(filters).toContain('<legend>Last contacted</legend>');
    expect(filters).toContain('If it ran now');

    const toMessage = await post('/console/campaigns/new', user.cookie, {
      ...filledForm(user.id),
      message: 'Hi',
      insert: 'firstName',
    });
    const message = await toMessage.text();
    expect(message).toContain('<span aria-current="step">Message</span>');
    expect(message).toContain('Hi {{firstName}}</textarea>');
    expect(message).toContain('data-insert="url"');

    const saved = await post('/console/campaigns/new', user.cookie, filledForm(user.id));
    expect(saved.status, await saved.clone().text()).toBe(303);
    const location = saved.headers.get('location') ?? '';
    expect(location).toMatch(/^\/console\/campaigns\/cmp_[0-9a-f]+\?saved=created$/);
    const [campaign] = await campaignsOf(org);
    expect(campaign).toMatchObject({
      name: 'Java, warm, 60 days',
      code: 'ENG-7',
      url: null,
      autoResponse: 'Thanks! A recruiter will call you.',
      timeframe: { notContactedForDays: 60 },
      tags: ['java', 'berlin'],
      tagsMode: 'all',
      fromUserId: user.id,
      sendTime: '10:15',
      channel: 'sms',
      message: 'Hi {{firstName}}, new Java roles in Berlin',
      state: 'disabled',
    });
    const overview = await (await page(location, user.cookie)).text();
    expect(overview).toContain('The campaign is saved.');
    expect(overview).toContain('Java, warm, 60 days');
  });

  it('refreshes the estimate panel for the filters as typed', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    const response = await post('/console/campaigns/estimate', user.cookie, {
      ...filledForm(user.id),
      timeframe: 'never',
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/^<section class="estimate"/);
    expect(html).toContain('If it ran now');
    expect(html).toContain('<strong>Would text 0 candidates</strong> of the 0 candidates');
    const form = await (await page('/console/campaigns/new', user.cookie)).text();
    expect(form).toContain('data-estimate="/console/campaigns/estimate"');
    expect(form).toContain('<script src="/console/assets/campaign-form.js" defer');
  });

  it('shows the API’s refusal beside the fields, keeps every value, and creates nothing', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    const response = await post(
      '/console/campaigns/new',
      user.cookie,
      filledForm(user.id, { name: '', message: 'See {{url}} and {{lastName}}' }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expectNoInlineCode(html);
    expect(html).toContain('role="alert"');
    expect(html).toContain('The campaign was not saved');
    expect(html).toContain('id="campaign-name-error"');
    expect(html).toContain('id="campaign-message-error"');
    expect(html).toContain('href="#campaign-message"');
    expect(html).toContain('{{lastName}} is not a mail-merge field');
    // Every step shown at once, with what was typed.
    expect(html).toContain('See {{url}} and {{lastName}}</textarea>');
    expect(html).toContain('value="ENG-7"');
    expect(html).toContain('value="java, berlin"');
    expect(html).toMatch(/id="campaign-timeframe-60"[^>]*checked/);
    expect(html).toContain('value="10:15"');
    expect(await campaignsOf(org)).toHaveLength(0);
  });

  it('lets a manager choose a licensed sender, and a user only themselves', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    const manager = await signedInAs(org.keys.manager);
    const unlicensed = await createPerson(org.orgId, 'user', { licence: false });

    const userStep = await (
      await post('/console/campaigns/new', user.cookie, { ...filledForm(user.id), go: 'from' })
    ).text();
    expect(userStep).not.toContain('<select id="campaign-fromUserId"');
    expect(userStep).toContain(`<input type="hidden" name="fromUserId" value="${user.id}"`);
    expect(userStep).toContain('Only a manager may send a campaign from someone else.');

    const managerStep = await (
      await post('/console/campaigns/new', manager.cookie, {
        ...filledForm(manager.id),
        go: 'from',
      })
    ).text();
    expect(managerStep).toContain('<label for="campaign-fromUserId">From</label>');
    expect(managerStep).toContain(`<option value="${user.id}"`);
    expect(managerStep).toMatch(new RegExp(`<option value="${manager.id}" selected`));
    expect(managerStep).not.toContain(unlicensed.id);

    // A user's form sent with someone else anyway: the API's 403, in the form.
    const refused = await post('/console/campaigns/new', user.cookie, filledForm(manager.id));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('your role cannot do this');
    const chosen = await post('/console/campaigns/new', manager.cookie, filledForm(user.id));
    expect(chosen.status).toBe(303);
    expect((await campaignsOf(org)).map((one) => one.fromUserId)).toEqual([user.id]);
  });
});

describe('console campaign overview', () => {
  it('disables, enables and archives only after a confirmation', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    const campaign = await addCampaign(org, user.id);
    const path = `/console/campaigns/${campaign.id}`;
    const overview = await (await page(path, user.cookie)).text();
    expectNoInlineCode(overview);
    expect(overview).toContain('role="switch" aria-checked="true"');
    expect(overview).toContain(`href="${path}/edit"`);
    expect(overview).toContain(`action="${path}/archive"`);

    const ask = await post(`${path}/disable`, user.cookie, {});
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('Yes, disable it');
    expect((await campaignsOf(org))[0]?.state).toBe('enabled');

    const disabled = await post(`${path}/disable`, user.cookie, { confirm: 'yes' });
    expect(disabled.status).toBe(303);
    expect(disabled.headers.get('location')).toBe(`${path}?saved=disabled`);
    expect((await campaignsOf(org))[0]?.state).toBe('disabled');
    const off = await (await page(`${path}?saved=disabled`, user.cookie)).text();
    expect(off).toContain('role="switch" aria-checked="false"');

    const askArchive = await (await post(`${path}/archive`, user.cookie, {})).text();
    expect(askArchive).toContain('Archiving is final');
    expect((await campaignsOf(org))[0]?.state).toBe('disabled');
    const archived = await post(`${path}/archive`, user.cookie, { confirm: 'yes' });
    expect(archived.status).toBe(303);
    expect(archived.headers.get('location')).toBe('/console/campaigns?saved=archived');
    expect((await campaignsOf(org))[0]?.state).toBe('archived');
    const after = await (await page(path, user.cookie)).text();
    expect(after).toContain('archiving cannot be undone');
    expect(after).not.toContain('role="switch"');
  });

  it('edits a campaign, sending only what changed', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    const campaign = await addCampaign(org, user.id, { code: 'ENG-1' });
    const path = `/console/campaigns/${campaign.id}/edit`;
    const form = await (await page(path, user.cookie)).text();
    expect(form).toContain('value="Warm pool"');
    expect(form).toContain('Save changes');
    const saved = await post(path, user.cookie, {
      ...filledForm(user.id, { name: 'Warm pool, renamed', code: 'ENG-1' }),
      timeframe: '30',
      tags: '',
      tagsMode: 'any',
      sendTime: '09:30',
      autoResponse: '',
      message: 'Hi {{firstName}}, new roles for you',
    });
    expect(saved.status, await saved.clone().text()).toBe(303);
    expect((await campaignsOf(org))[0]).toMatchObject({
      name: 'Warm pool, renamed',
      code: 'ENG-1',
    });
    const audit = await rows<{ details: string }>(
      "SELECT details FROM audit_log WHERE org_id = ? AND action = 'campaign.update'",
      org.orgId,
    );
    expect(audit).toHaveLength(1);
    const details = JSON.parse(audit[0]?.details ?? '{}') as { changes?: object };
    expect(Object.keys(details.changes ?? {})).toEqual(['name']);
  });

  it('lists the campaign’s runs in a table and a chart', async () => {
    const org = await createOrg();
    const user = await signedInAs(org.keys.user);
    const campaign = await addCampaign(org, user.id);
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO campaign_runs (id, org_id, campaign_id, local_date, state, as_of, matched, sent,
         skipped_inactive, skipped_quiet_hours, created_at, updated_at, finished_at)
       VALUES (?, ?, ?, ?, 'done', ?, 120, 100, 15, 5, ?, ?, ?)`,
    )
      .bind(`run_${campaign.id}`, org.orgId, campaign.id, '2026-03-03', now, now, now, now)
      .run();
    const response = await page(`/console/campaigns/${campaign.id}`, user.cookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<th scope="col" class="num">Opt-outs</th>');
    expect(html).toContain('<time datetime="2026-03-03">2026-03-03</time>');
    expect(html).toMatch(/<td class="num">120<\/td><td class="num">100<\/td>/);
    expect(html).toContain('Inactive tier: 15; Quiet hours: 5');
    expect(html).toContain('aria-labelledby="runs-title"');
  });
});
