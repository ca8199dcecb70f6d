import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, app, createOrg, DAY_MS, rid, sendEngagements } from '../test/client.js';
import { createPerson } from '../test/console.js';
import { ApiError, createClient, ENDPOINTS } from './index.js';

/** Operations of the document that are not for backend callers with a key. */
const NOT_FOR_BACKENDS = [
  'GET /healthz',
  'POST /v1/collect',
  'GET /v1/o/{token}',
  'GET /v1/c/{token}',
  // A text message's tracked link: followed by the candidate's phone.
  'GET /v1/m/{code}',
  'GET /t.js',
  // The texting provider's webhooks: posted by the provider, signed with its token.
  'POST /v1/providers/twilio/status',
  'POST /v1/providers/twilio/inbound',
];

function clientFor(apiKey: string) {
  return createClient({
    baseUrl: 'http://api.test',
    apiKey,
    fetch: (url, init) => app.request(url, init, env),
  });
}

describe('the typed client', () => {
  it('has one method per backend-caller operation of the OpenAPI document, and no other', async () => {
    const doc = (await (await api('GET', '/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .filter((operation) => !NOT_FOR_BACKENDS.includes(operation))
      .sort();
    const inClient = Object.values(ENDPOINTS)
      .map(([method, path]) => `${method} ${path}`)
      .sort();
    expect(inClient).toEqual(documented);
    const client = clientFor('unused');
    expect(Object.keys(client).sort()).toEqual(Object.keys(ENDPOINTS).sort());
  });

  it('calls the API and returns typed replies', async () => {
    const org = await createOrg();
    const client = clientFor(org.keys.admin);
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [{ type: 'attend_event', ago: DAY_MS }]);
    expect((await client.whoami()).role).toBe('admin');
    const score = await client.score(cand);
    expect(score.tier).toBe('engaged');
    const page = await client.engagements(cand, { type: ['attend_event'], limit: 10 });
    expect(page.engagements).toHaveLength(1);
    expect((await client.setTags(cand, ['java'])).tags).toEqual(['java']);
    expect(await client.tags(cand)).toEqual({ candidateId: cand, tags: ['java'] });
    expect((await client.audit({ action: 'key.', limit: 5 })).nextCursor).toBeNull();
    expect(
      await client.changeTags({ candidateIds: [cand], add: ['go'], remove: ['java'] }),
    ).toEqual({ candidates: 1, added: 1, removed: 1 });
    expect((await client.setTags(cand, ['java'])).tags).toEqual(['java']);
    const audience = await client.audience({ tier: ['engaged'], tags: ['java'] });
    expect(audience.candidates.map((c) => c.candidateId)).toEqual([cand]);
    expect((await client.scores([cand, 'ghost'])).notFound).toEqual(['ghost']);
    expect((await client.scoreHistory(cand, 7)).points).toHaveLength(7);
    expect((await client.tierReport()).tiers.engaged).toBe(1);
    expect((await client.tierHistory()).days.at(-1)?.engaged).toBe(1);
    const links = await client.createLinks({
      candidateId: cand,
      subject: 'Hi',
      destinations: [`${org.origin}/x`],
    });
    expect(links.openUrl).toContain('/v1/o/');
    expect((await client.createIdentityToken({ candidateId: cand })).param).toBe('cxm_t');
    expect((await client.trackingCode('onetrust')).snippet).toContain('optanon-category-');
    expect((await client.updateSettings({ consentMode: 'none' })).consentMode).toBe('none');
    expect((await client.settings()).consentMode).toBe('none');
    const key = await client.createKey({ name: 'ci', role: 'user' });
    expect((await client.listKeys()).keys.some((k) => k.id === key.id)).toBe(true);
    expect((await client.revokeKey(key.id)).revoked).toBe(true);
    expect((await client.purgeCandidate(cand)).purged).toBe(true);
    expect((await client.messagingSettings()).sendHours).toEqual({ start: 8, end: 20 });
    const messaging = await client.updateMessagingSettings({ monthlyContactAllowance: 12 });
    expect(messaging.monthlyContactAllowance).toBe(12);
    expect(await client.usage({ limit: 5 })).toMatchObject({
      allowance: 12,
      used: 0,
      remaining: 12,
    });
    const sender = await createPerson(org.orgId, 'user');
    const campaign = await client.createCampaign({
      name: 'Warm pool',
      reengagement: true,
      timeframe: { notContactedForDays: 30 },
      fromUserId: sender.id,
      sendTime: '09:30',
      channel: 'sms',
      message: 'Hi {{firstName}}',
    });
    expect(campaign).toMatchObject({ state: 'enabled', fromUserId: sender.id });
    expect((await client.campaign(campaign.id)).name).toBe('Warm pool');
    expect((await client.updateCampaign(campaign.id, { code: 'ENG-1' })).code).toBe('ENG-1');
    expect((await client.listCampaigns({ code: 'eng', limit: 5 })).campaigns).toHaveLength(1);
    expect((await client.disableCampaign(campaign.id)).state).toBe('disabled');
    expect((await client.enableCampaign(campaign.id)).state).toBe('enabled');
    expect(await client.campaignEstimate(campaign.id)).toMatchObject({
      campaignId: campaign.id,
      matched: 0,
      wouldText: 0,
    });
    expect(
      await client.draftEstimate({ timeframe: { neverContacted: true }, channel: 'sms' }),
    ).toMatchObject({ campaignId: null, matched: 0 });
    expect(await client.campaignRuns(campaign.id, { limit: 5 })).toEqual({
      data: [],
      nextCursor: null,
    });
    expect((await client.archiveCampaign(campaign.id)).state).toBe('archived');
    expect(await client.webhookDeliveries({ status: 'failed', limit: 5 })).toEqual({
      deliveries: [],
      nextCursor: null,
    });
    // Posting for real is src/endpoints/webhooks' test: without a URL both are refused.
    const noUrl = await client.sendTestWebhook().catch((error: unknown) => error);
    expect(noUrl).toMatchObject({ status: 409, code: 'webhook_not_configured' });
    const ghost = await client.redeliverWebhook('ghost').catch((error: unknown) => error);
    expect(ghost).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('throws ApiError with the status, code, message and issues', async () => {
    const org = await createOrg();
    const client = clientFor(org.keys.user);
    const notFound = await client.score('ghost').catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(ApiError);
    expect(notFound).toMatchObject({ status: 404, code: 'not_found' });
    const forbidden = await client.settings().catch((error: unknown) => error);
    expect(forbidden).toMatchObject({ status: 403, code: 'forbidden' });
    const invalid = await client
      .createLinks({ candidateId: 'c', subject: 'x', destinations: ['https://evil.example.net'] })
      .catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 'url_not_allowed' });
    expect((invalid as ApiError).issues[0]?.path).toBe('destinations.0');
    const unauthorized = await clientFor('sk_nope')
      .whoami()
      .catch((error: unknown) => error);
    expect(unauthorized).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('sends through the fetch it is given, with the key as Bearer, and reads any error reply', async () => {
    const sent: { url: string; init: RequestInit }[] = [];
    const client = createClient({
      baseUrl: 'http://console.test/',
      apiKey: 'sk_given',
      fetch: (url, init) => {
        sent.push({ url, init });
        return new Response('<h1>Bad gateway</h1>', { status: 502 });
      },
    });
    const error = await client
      .audience({ tier: ['engaged', 'inactive'], limit: 5, cursor: undefined })
      .catch((caught: unknown) => caught);
    expect(sent[0]?.url).toBe(
      'http://console.test/v1/audiences?tier=engaged&tier=inactive&limit=5',
    );
    expect(sent[0]?.init.method).toBe('GET');
    expect(new Headers(sent[0]?.init.headers).get('authorization')).toBe('Bearer sk_given');
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 502,
      code: 'http_error',
      message: 'HTTP 502',
      issues: [],
    });
  });
});
