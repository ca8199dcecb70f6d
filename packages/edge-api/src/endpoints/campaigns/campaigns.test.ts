// Campaign definitions (`/v1/campaigns`): the round trip as stored, every refusal at its field with
// nothing written, the From rule, the re-engagement flag that never turns off, states (archive is
// final, also when raced), one audit entry per effective change and none for a no-op, the list's
// filters and pages, and organisations kept apart.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { api, createOrg, errorOf, rows, type TestOrg } from '../../test/client.js';
import { freezeClock, NOON, personToken, setClock, thawClock } from '../../test/messaging.js';

interface Campaign {
  id: string;
  name: string;
  reengagement: boolean;
  code: string | null;
  url: string | null;
  autoResponse: string | null;
  timeframe: { notContactedForDays: number } | { neverContacted: true };
  tags: string[];
  tagsMode: 'all' | 'any';
  fromUserId: string;
  sendTime: string;
  channel: 'sms' | 'whatsapp';
  message: string | null;
  templateId: string | null;
  templateVariables: Record<string, string> | null;
  state: 'enabled' | 'disabled' | 'archived';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

interface Issue {
  path: string;
  code: string;
  message: string;
}

afterEach(() => thawClock());

/** An organisation with a licensed sender person (`sender`) and a user person (`person`). */
async function setup() {
  const org = await createOrg();
  const sender = await personToken(org.orgId, 'user');
  const person = await personToken(org.orgId, 'user');
  const manager = await personToken(org.orgId, 'manager');
  return { org, sender, person, manager };
}

function valid(fromUserId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: 'Warm pool, 30 days',
    reengagement: true,
    timeframe: { notContactedForDays: 30 },
    fromUserId,
    sendTime: '09:30',
    channel: 'sms',
    message: 'Hi {{firstName}}, new roles for you',
    ...overrides,
  };
}

async function createOk(credential: string, body: unknown): Promise<Campaign> {
  const response = await api('POST', '/v1/campaigns', credential, body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Campaign;
}

async function auditOf(org: TestOrg) {
  return rows<{ actor: string; action: string; subject: string; details: string; at: number }>(
    `SELECT actor, action, subject, details, at FROM audit_log
     WHERE org_id = ? AND action LIKE 'campaign.%' ORDER BY at, rowid`,
    org.orgId,
  );
}

async function campaignRows(org: TestOrg) {
  return rows('SELECT * FROM campaigns WHERE org_id = ? ORDER BY id', org.orgId);
}

/** A refused request: its error, and proof that nothing was written. */
async function refused(
  org: TestOrg,
  request: () => ReturnType<typeof api>,
  status = 400,
): Promise<{ code: string; message: string; issues?: Issue[] }> {
  const before = await campaignRows(org);
  const audits = (await auditOf(org)).length;
  const response = await request();
  expect(response.status).toBe(status);
  const error = await errorOf(response);
  expect(await campaignRows(org)).toEqual(before);
  expect(await auditOf(org)).toHaveLength(audits);
  return error;
}

describe('campaigns: creating', () => {
  it('stores a re-engagement campaign and answers it whole, with one audit entry', async () => {
    freezeClock(NOON);
    const { org, manager, sender } = await setup();
    const campaign = await createOk(
      manager.token,
      valid(sender.id, {
        code: 'ENG-1042',
        url: `${org.origin}/jobs`,
        autoResponse: 'Thanks, a recruiter will be in touch.',
        tags: ['java', 'london', 'java'],
        tagsMode: 'all',
        message: 'Hi {{firstName}}, see {{url}}',
      }),
    );
    expect(campaign).toEqual({
      id: expect.stringMatching(/^cmp_[0-9a-f]{32}$/),
      name: 'Warm pool, 30 days',
      reengagement: true,
      code: 'ENG-1042',
      url: `${org.origin}/jobs`,
      autoResponse: 'Thanks, a recruiter will be in touch.',
      timeframe: { notContactedForDays: 30 },
      tags: ['java', 'london'],
      tagsMode: 'all',
      fromUserId: sender.id,
      sendTime: '09:30',
      channel: 'sms',
      message: 'Hi {{firstName}}, see {{url}}',
      templateId: null,
      templateVariables: null,
      state: 'enabled',
      createdBy: `user:${manager.id}`,
      createdAt: new Date(NOON).toISOString(),
      updatedAt: new Date(NOON).toISOString(),
    });
    const [row] = await campaignRows(org);
    expect(row).toMatchObject({
      org_id: org.orgId,
      reengagement: 1,
      timeframe_days: 30,
      never_contacted: 0,
      tags: '["java","london"]',
      sender_user_id: sender.id,
      body: 'Hi {{firstName}}, see {{url}}',
    });
    const got = await api('GET', `/v1/campaigns/${campaign.id}`, org.keys.user);
    expect(await got.json()).toEqual(campaign);
    const audit = await auditOf(org);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: `user:${manager.id}`,
      action: 'campaign.create',
      subject: campaign.id,
      at: NOON,
    });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({
      name: 'Warm pool, 30 days',
      state: 'enabled',
      fromUserId: sender.id,
    });
  });

  it('takes never contacted, WhatsApp with a template, defaults and a disabled start', async () => {
    const { org, sender } = await setup();
    const campaign = await createOk(sender.token, {
      name: 'Never contacted',
      reengagement: true,
      timeframe: { neverContacted: true },
      sendTime: '19:59',
      channel: 'whatsapp',
      templateId: 'HX123',
      templateVariables: { '1': 'engineering' },
      state: 'disabled',
    });
    expect(campaign).toMatchObject({
      timeframe: { neverContacted: true },
      tags: [],
      tagsMode: 'any',
      fromUserId: sender.id,
      channel: 'whatsapp',
      message: null,
      templateId: 'HX123',
      templateVariables: { '1': 'engineering' },
      state: 'disabled',
      code: null,
      url: null,
    });
    const [row] = await campaignRows(org);
    expect(row).toMatchObject({ timeframe_days: null, never_contacted: 1 });
  });

  const long = (n: number) => 'x'.repeat(n);
  const CASES: [string, Record<string, unknown>, string, RegExp][] = [
    ['no name', { name: undefined }, 'name', /name/],
    ['a blank name', { name: '   ' }, 'name', /Give the campaign a name/],
    ['a name too long', { name: long(121) }, 'name', /120/],
    ['no reengagement', { reengagement: undefined }, 'reengagement', /re-engagement/],
    ['a standard campaign', { reengagement: false }, 'reengagement', /not supported yet/],
    ['no timeframe', { timeframe: undefined }, 'timeframe', /./],
    ['an empty timeframe', { timeframe: {} }, 'timeframe', /notContactedForDays.*neverContacted/],
    [
      'a timeframe not listed',
      { timeframe: { notContactedForDays: 10 } },
      'timeframe.notContactedForDays',
      /7, 14, 30, 60, 90, 180, 365/,
    ],
    [
      'both timeframes',
      { timeframe: { notContactedForDays: 7, neverContacted: true } },
      'timeframe',
      /one of/,
    ],
    [
      'neverContacted false',
      { timeframe: { neverContacted: false } },
      'timeframe.neverContacted',
      /true/,
    ],
    ['too many tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags', /20/],
    ['a tag with a comma', { tags: ['a,b'] }, 'tags.0', /comma/],
    ['an empty tag', { tags: [' '] }, 'tags.0', /./],
    ['a tags mode not all or any', { tagsMode: 'some' }, 'tagsMode', /all or any/],
    ['no send time', { sendTime: undefined }, 'sendTime', /HH:MM/],
    ['a send time past 23:59', { sendTime: '24:00' }, 'sendTime', /00:00 to 23:59/],
    ['a send time without its zero', { sendTime: '9:30' }, 'sendTime', /HH:MM/],
    ['a send time before send hours', { sendTime: '07:59' }, 'sendTime', /08:00–20:00/],
    ['a send time at the end of send hours', { sendTime: '20:00' }, 'sendTime', /outside/],
    ['a channel not offered', { channel: 'email' }, 'channel', /sms or whatsapp/],
    ['SMS without a message', { message: undefined }, 'message', /needs a message/],
    [
      'SMS with a template',
      { message: undefined, templateId: 'HX1' },
      'message',
      /needs a message/,
    ],
    [
      'WhatsApp with a message only',
      { channel: 'whatsapp' },
      'templateId',
      /approved templateId.*24-hour window/,
    ],
    ['a message too long', { message: long(1601) }, 'message', /1600/],
    ['an empty message', { message: '' }, 'message', /Empty/],
    ['an unknown placeholder', { message: 'Hi {{lastName}}' }, 'message', /\{\{lastName\}\}/],
    ['{{url}} without a url', { message: 'See {{url}}' }, 'message', /no url/],
    [
      'template variables without a template',
      { templateVariables: { '1': 'x' } },
      'templateVariables',
      /templateId/,
    ],
    ['an auto-response too long', { autoResponse: long(1601) }, 'autoResponse', /1600/],
    ['a code too long', { code: long(41) }, 'code', /40/],
    ['an unknown field', { colour: 'red' }, '', /colour/],
  ];

  for (const [what, overrides, path, message] of CASES) {
    it(`refuses ${what} at ${path || 'the body'}, writing nothing`, async () => {
      const { org, sender } = await setup();
      const body: Record<string, unknown> = valid(sender.id, overrides);
      for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
      const error = await refused(org, () => api('POST', '/v1/campaigns', sender.token, body));
      expect(error.code).toBe('invalid_request');
      const issue = error.issues?.find((one) => one.path === path);
      expect(issue, JSON.stringify(error.issues)).toBeDefined();
      expect(issue?.message).toMatch(message);
    });
  }

  it('refuses a url off the organisation’s sites and link allowlist as url_not_allowed', async () => {
    const { org, sender } = await setup();
    for (const url of ['https://evil.example.net/jobs', 'ftp://careers.example.com/x']) {
      const error = await refused(org, () =>
        api('POST', '/v1/campaigns', sender.token, valid(sender.id, { url })),
      );
      expect(error.code).toBe('url_not_allowed');
      expect(error.issues).toEqual([
        { path: 'url', code: 'url_not_allowed', message: expect.any(String) },
      ]);
    }
    await env.DB.prepare('UPDATE organisations SET link_allowlist = ?1 WHERE id = ?2')
      .bind(JSON.stringify(['https://events.example.org']), org.orgId)
      .run();
    await createOk(sender.token, valid(sender.id, { url: 'https://events.example.org/fair' }));
  });

  it('refuses a send time outside the organisation’s narrowed send hours', async () => {
    const { org, sender } = await setup();
    await env.DB.prepare(
      'UPDATE organisations SET quiet_start_hour = 9, quiet_end_hour = 17 WHERE id = ?1',
    )
      .bind(org.orgId)
      .run();
    for (const sendTime of ['08:30', '17:00']) {
      const error = await refused(org, () =>
        api('POST', '/v1/campaigns', sender.token, valid(sender.id, { sendTime })),
      );
      expect(error.issues?.[0]).toMatchObject({
        path: 'sendTime',
        message: `${sendTime} is outside the organisation's send hours (09:00–17:00): no text could go then.`,
      });
    }
    await createOk(sender.token, valid(sender.id, { sendTime: '09:00' }));
    await createOk(sender.token, valid(sender.id, { sendTime: '16:59' }));
  });
});

describe('campaigns: the From rule', () => {
  it('lets a user send from themselves, and defaults to them', async () => {
    const { sender } = await setup();
    expect((await createOk(sender.token, valid(sender.id))).fromUserId).toBe(sender.id);
    const { fromUserId: _, ...withoutFrom } = valid(sender.id);
    expect((await createOk(sender.token, withoutFrom)).fromUserId).toBe(sender.id);
  });

  it('refuses a user choosing someone else (403), a person or a key', async () => {
    const { org, sender, person } = await setup();
    const asPerson = await refused(
      org,
      () => api('POST', '/v1/campaigns', person.token, valid(sender.id)),
      403,
    );
    expect(asPerson).toMatchObject({ code: 'forbidden' });
    expect(asPerson.message).toMatch(
      /Only a manager or admin may send a campaign from someone other than themselves/,
    );
    const asKey = await refused(
      org,
      () => api('POST', '/v1/campaigns', org.keys.user, valid(sender.id)),
      403,
    );
    expect(asKey.code).toBe('forbidden');
  });

  it('lets a manager or admin (person or key) choose another sender', async () => {
    const { org, sender, manager } = await setup();
    expect((await createOk(manager.token, valid(sender.id))).fromUserId).toBe(sender.id);
    expect((await createOk(org.keys.manager, valid(sender.id))).createdBy).toBe(
      `key:key_${org.orgId}_manager`,
    );
    expect((await createOk(org.keys.admin, valid(sender.id))).fromUserId).toBe(sender.id);
  });

  it('needs a key to name the sender', async () => {
    const { org, sender } = await setup();
    const { fromUserId: _, ...withoutFrom } = valid(sender.id);
    const error = await refused(org, () =>
      api('POST', '/v1/campaigns', org.keys.manager, withoutFrom),
    );
    expect(error.issues?.[0]).toMatchObject({
      path: 'fromUserId',
      message: expect.stringMatching(/API key/),
    });
  });

  it('refuses an unlicensed, a deactivated, an unknown or another organisation’s sender', async () => {
    const { org, manager } = await setup();
    const other = await createOrg();
    const unlicensed = await personToken(org.orgId, 'user', { licence: false });
    const gone = await personToken(org.orgId, 'user');
    await env.DB.prepare('UPDATE users SET deactivated_at = 1 WHERE id = ?1').bind(gone.id).run();
    const foreign = await personToken(other.orgId, 'user');
    const cases: [string, RegExp][] = [
      [unlicensed.id, /no messaging licence/],
      [gone.id, /deactivated/],
      ['usr_nobody', /No user usr_nobody in this organisation/],
      [foreign.id, /No user .* in this organisation/],
    ];
    for (const [id, message] of cases) {
      const error = await refused(org, () =>
        api('POST', '/v1/campaigns', manager.token, valid(id)),
      );
      expect(error.code).toBe('invalid_request');
      expect(error.issues).toEqual([
        { path: 'fromUserId', code: 'invalid', message: expect.stringMatching(message) },
      ]);
    }
    // An unlicensed person cannot send as themselves either.
    const own = await refused(org, () =>
      api('POST', '/v1/campaigns', unlicensed.token, valid(unlicensed.id)),
    );
    expect(own.issues?.[0]?.path).toBe('fromUserId');
  });

  it('applies on PATCH when the sender changes, and only then', async () => {
    const { org, sender, person, manager } = await setup();
    const campaign = await createOk(manager.token, valid(sender.id));
    // The user may edit a campaign sent from someone else, keeping its sender...
    const renamed = await api('PATCH', `/v1/campaigns/${campaign.id}`, person.token, {
      name: 'Renamed',
    });
    expect(renamed.status).toBe(200);
    // ...and make it theirs, but not someone else's.
    const third = await personToken(org.orgId, 'user');
    const other = await refused(
      org,
      () => api('PATCH', `/v1/campaigns/${campaign.id}`, person.token, { fromUserId: third.id }),
      403,
    );
    expect(other.code).toBe('forbidden');
    const mine = await api('PATCH', `/v1/campaigns/${campaign.id}`, person.token, {
      fromUserId: person.id,
    });
    expect(((await mine.json()) as Campaign).fromUserId).toBe(person.id);
    const unlicensed = await personToken(org.orgId, 'user', { licence: false });
    const error = await refused(org, () =>
      api('PATCH', `/v1/campaigns/${campaign.id}`, manager.token, { fromUserId: unlicensed.id }),
    );
    expect(error.issues?.[0]?.path).toBe('fromUserId');
  });
});

describe('campaigns: editing', () => {
  it('changes the fields given, audits each [before, after], and writes nothing for a no-op', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    const campaign = await createOk(sender.token, valid(sender.id));
    setClock(NOON + 60_000);
    const response = await api('PATCH', `/v1/campaigns/${campaign.id}`, sender.token, {
      name: '  Warm pool, 90 days ',
      timeframe: { notContactedForDays: 90 },
      tags: ['java'],
      code: 'ENG-7',
    });
    expect(response.status).toBe(200);
    const changed = (await response.json()) as Campaign;
    expect(changed).toMatchObject({
      name: 'Warm pool, 90 days',
      timeframe: { notContactedForDays: 90 },
      tags: ['java'],
      code: 'ENG-7',
      createdAt: new Date(NOON).toISOString(),
      updatedAt: new Date(NOON + 60_000).toISOString(),
    });
    const audit = await auditOf(org);
    expect(audit.map((entry) => entry.action)).toEqual(['campaign.create', 'campaign.update']);
    expect(JSON.parse(audit[1]?.details ?? '{}')).toEqual({
      name: 'Warm pool, 30 days',
      changes: {
        name: ['Warm pool, 30 days', 'Warm pool, 90 days'],
        timeframe: [{ notContactedForDays: 30 }, { notContactedForDays: 90 }],
        tags: [[], ['java']],
        code: [null, 'ENG-7'],
      },
    });
    setClock(NOON + 120_000);
    const same = await api('PATCH', `/v1/campaigns/${campaign.id}`, sender.token, {
      name: 'Warm pool, 90 days',
      reengagement: true,
    });
    expect(await same.json()).toEqual(changed);
    expect(await auditOf(org)).toHaveLength(2);
  });

  it('refuses turning a re-engagement campaign into a standard one', async () => {
    const { org, sender } = await setup();
    const campaign = await createOk(sender.token, valid(sender.id));
    const error = await refused(org, () =>
      api('PATCH', `/v1/campaigns/${campaign.id}`, sender.token, { reengagement: false }),
    );
    expect(error.message).toBe(
      'A re-engagement campaign cannot become a standard one: reengagement is set at creation and never changes.',
    );
    expect(error.issues?.[0]?.path).toBe('reengagement');
  });

  it('checks the campaign as it would be: channel and content, {{url}} and its url', async () => {
    const { org, sender } = await setup();
    const campaign = await createOk(
      sender.token,
      valid(sender.id, { url: `${org.origin}/jobs`, message: 'See {{url}}' }),
    );
    const path = `/v1/campaigns/${campaign.id}`;
    const noUrl = await refused(org, () => api('PATCH', path, sender.token, { url: null }));
    expect(noUrl.issues?.[0]).toMatchObject({
      path: 'message',
      message: expect.stringMatching(/no url/),
    });
    const whatsappMessage = await refused(org, () =>
      api('PATCH', path, sender.token, { channel: 'whatsapp' }),
    );
    expect(whatsappMessage.issues?.map((issue) => issue.path).sort()).toEqual([
      'message',
      'templateId',
    ]);
    const badUrl = await refused(org, () =>
      api('PATCH', path, sender.token, { url: 'https://evil.example.net/' }),
    );
    expect(badUrl.code).toBe('url_not_allowed');
    const late = await refused(org, () => api('PATCH', path, sender.token, { sendTime: '21:00' }));
    expect(late.issues?.[0]?.path).toBe('sendTime');
    const toWhatsapp = await api('PATCH', path, sender.token, {
      channel: 'whatsapp',
      message: null,
      templateId: 'HX9',
    });
    expect(await toWhatsapp.json()).toMatchObject({
      channel: 'whatsapp',
      message: null,
      templateId: 'HX9',
    });
  });

  it('keeps a stored url and send time valid after the organisation narrows what it allows', async () => {
    const { org, sender } = await setup();
    const campaign = await createOk(
      sender.token,
      valid(sender.id, { url: `${org.origin}/jobs`, sendTime: '08:15' }),
    );
    await env.DB.batch([
      env.DB.prepare('UPDATE organisations SET quiet_start_hour = 9 WHERE id = ?1').bind(org.orgId),
      env.DB.prepare('UPDATE sites SET allowed_origins = ?1 WHERE org_id = ?2').bind(
        '[]',
        org.orgId,
      ),
    ]);
    const response = await api('PATCH', `/v1/campaigns/${campaign.id}`, sender.token, {
      name: 'Still fine',
    });
    expect(response.status).toBe(200);
  });

  it('refuses an empty change and unknown fields, including state', async () => {
    const { org, sender } = await setup();
    const campaign = await createOk(sender.token, valid(sender.id));
    for (const body of [{}, { state: 'archived' }]) {
      const error = await refused(org, () =>
        api('PATCH', `/v1/campaigns/${campaign.id}`, sender.token, body),
      );
      expect(error.code).toBe('invalid_request');
    }
  });
});

describe('campaigns: states', () => {
  it('disables, enables and archives, each once in the audit log; a repeat writes nothing', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    const campaign = await createOk(sender.token, valid(sender.id));
    const path = `/v1/campaigns/${campaign.id}`;
    const steps: [string, Campaign['state']][] = [
      ['enable', 'enabled'],
      ['disable', 'disabled'],
      ['disable', 'disabled'],
      ['enable', 'enabled'],
      ['archive', 'archived'],
      ['archive', 'archived'],
    ];
    for (const [index, [action, state]] of steps.entries()) {
      setClock(NOON + (index + 1) * 1000);
      const response = await api('POST', `${path}/${action}`, org.keys.user);
      expect(response.status, action).toBe(200);
      expect(((await response.json()) as Campaign).state).toBe(state);
    }
    const audit = await auditOf(org);
    expect(audit.map((entry) => entry.action)).toEqual([
      'campaign.create',
      'campaign.disable',
      'campaign.enable',
      'campaign.archive',
    ]);
    expect(audit.map((entry) => entry.at)).toEqual([NOON, NOON + 2000, NOON + 4000, NOON + 5000]);
    expect(JSON.parse(audit[3]?.details ?? '{}')).toEqual({
      name: campaign.name,
      state: 'archived',
    });
    expect(
      audit.every(
        (entry) =>
          entry.actor === `key:key_${org.orgId}_user` || entry.action === 'campaign.create',
      ),
    ).toBe(true);
  });

  it('makes archiving final: enable, disable and PATCH are 409 campaign_archived', async () => {
    const { org, sender } = await setup();
    const campaign = await createOk(sender.token, valid(sender.id));
    const path = `/v1/campaigns/${campaign.id}`;
    expect((await api('POST', `${path}/archive`, sender.token)).status).toBe(200);
    for (const request of [
      () => api('POST', `${path}/enable`, sender.token),
      () => api('POST', `${path}/disable`, sender.token),
      () => api('PATCH', path, sender.token, { name: 'Back again' }),
    ]) {
      const error = await refused(org, request, 409);
      expect(error).toMatchObject({
        code: 'campaign_archived',
        message: expect.stringMatching(/final/),
      });
    }
    expect(((await (await api('GET', path, sender.token)).json()) as Campaign).state).toBe(
      'archived',
    );
  });

  it('never un-archives when archive and enable race', async () => {
    const { org, sender } = await setup();
    for (let round = 0; round < 5; round++) {
      const campaign = await createOk(sender.token, valid(sender.id, { state: 'disabled' }));
      const path = `/v1/campaigns/${campaign.id}`;
      const [archived, enabled] = await Promise.all([
        api('POST', `${path}/archive`, sender.token),
        api('POST', `${path}/enable`, sender.token),
      ]);
      expect(archived.status).toBe(200);
      expect([200, 409]).toContain(enabled.status);
      const [row] = await rows<{ state: string }>(
        'SELECT state FROM campaigns WHERE id = ?',
        campaign.id,
      );
      expect(row?.state).toBe('archived');
      const actions = (await auditOf(org))
        .filter((entry) => entry.subject === campaign.id)
        .map((entry) => entry.action);
      expect(actions.at(-1)).toBe('campaign.archive');
      expect(actions).toHaveLength(enabled.status === 200 ? 3 : 2);
    }
  });

  it('answers 404 for a campaign that does not exist', async () => {
    const { org } = await setup();
    for (const action of ['enable', 'disable', 'archive']) {
      const response = await api('POST', `/v1/campaigns/cmp_nope/${action}`, org.keys.user);
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('not_found');
    }
  });
});

describe('campaigns: the list', () => {
  async function seeded() {
    const { org, sender } = await setup();
    const make = (name: string, extra: Record<string, unknown> = {}) =>
      createOk(sender.token, valid(sender.id, { name, ...extra }));
    const alpha = await make('Alpha engineers', { code: 'ENG-1' });
    const beta = await make('beta Nurses', { code: 'NUR-2' });
    const gamma = await make('Gamma engineers', { code: 'eng-3', state: 'disabled' });
    const delta = await make('Delta old');
    expect((await api('POST', `/v1/campaigns/${delta.id}/archive`, sender.token)).status).toBe(200);
    await env.DB.prepare(
      `INSERT INTO campaigns (id, org_id, name, reengagement, sender_user_id, send_time, channel,
         body, timeframe_days, state, created_by, created_at, updated_at)
       VALUES ('cmp_standard_' || ?1, ?1, 'Standard one', 0, ?2, '09:00', 'sms', 'x', 7, 'enabled',
         'test', 1, 1)`,
    )
      .bind(org.orgId, sender.id)
      .run();
    return { org, alpha, beta, gamma, delta };
  }

  async function names(org: TestOrg, query: string) {
    const response = await api('GET', `/v1/campaigns${query}`, org.keys.user);
    expect(response.status, query).toBe(200);
    return ((await response.json()) as { campaigns: Campaign[] }).campaigns.map((c) => c.name);
  }

  it('filters by type, name, code and state; archived only when asked for', async () => {
    const { org } = await seeded();
    expect(await names(org, '')).toEqual([
      'Alpha engineers',
      'Gamma engineers',
      'Standard one',
      'beta Nurses',
    ]);
    expect(await names(org, '?type=reengagement')).toEqual([
      'Alpha engineers',
      'Gamma engineers',
      'beta Nurses',
    ]);
    expect(await names(org, '?type=standard')).toEqual(['Standard one']);
    expect(await names(org, '?name=ENGINEER')).toEqual(['Alpha engineers', 'Gamma engineers']);
    expect(await names(org, '?name=%25')).toEqual([]);
    expect(await names(org, '?code=eng')).toEqual(['Alpha engineers', 'Gamma engineers']);
    expect(await names(org, '?code=nur-2')).toEqual(['beta Nurses']);
    expect(await names(org, '?state=disabled')).toEqual(['Gamma engineers']);
    expect(await names(org, '?state=archived')).toEqual(['Delta old']);
    expect(await names(org, '?state=enabled&type=reengagement&name=a')).toEqual([
      'Alpha engineers',
      'beta Nurses',
    ]);
  });

  it('pages with limit and cursor, each campaign once', async () => {
    const { org } = await seeded();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await api('GET', `/v1/campaigns${query}`, org.keys.user)).json()) as {
        campaigns: Campaign[];
        nextCursor: string | null;
      };
      expect(page.campaigns.length).toBeLessThanOrEqual(1);
      seen.push(...page.campaigns.map((c) => c.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Alpha engineers', 'Gamma engineers', 'Standard one', 'beta Nurses']);
  });

  it('refuses bad queries', async () => {
    const { org } = await setup();
    for (const query of [
      '?limit=0',
      '?limit=201',
      '?state=paused',
      '?type=drip',
      '?cursor=nope!',
    ]) {
      const response = await api('GET', `/v1/campaigns${query}`, org.keys.user);
      expect(response.status, query).toBe(400);
    }
  });
});

describe('campaigns: organisations kept apart', () => {
  it('answers 404 for another organisation’s campaign and never lists it', async () => {
    const { org: victim, sender } = await setup();
    const { org: attacker } = await setup();
    const campaign = await createOk(sender.token, valid(sender.id));
    const path = `/v1/campaigns/${campaign.id}`;
    const key = attacker.keys.admin;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'Mine now' }],
      ['POST', '/enable', undefined],
      ['POST', '/disable', undefined],
      ['POST', '/archive', undefined],
    ] as const) {
      const response = await api(method, `${path}${suffix}`, key, body);
      expect(response.status, `${method} ${suffix}`).toBe(404);
    }
    for (const state of [
      '',
      '?state=archived',
      '?state=disabled',
      `?name=${encodeURIComponent(campaign.name)}`,
    ]) {
      expect(await (await api('GET', `/v1/campaigns${state}`, key)).json()).toEqual({
        campaigns: [],
        nextCursor: null,
      });
    }
    const [row] = await campaignRows(victim);
    expect(row).toMatchObject({ name: campaign.name, state: 'enabled' });
    expect(await auditOf(attacker)).toEqual([]);
  });
});
