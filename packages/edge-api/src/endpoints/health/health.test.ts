// `/healthz` with the database up and down, and the OpenAPI document's list of paths.
import { describe, expect, it } from 'vitest';
import { request } from '../../test/client.js';

describe('GET /healthz', () => {
  it('answers ok with the database reachable', async () => {
    const response = await request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, db: true });
  });

  it('still answers 200 with db: false when the database cannot be reached', async () => {
    const failing = [
      // The binding throws as the statement is prepared ...
      {
        prepare() {
          throw new Error('D1 is unavailable');
        },
      },
      // ... or the query itself fails.
      {
        prepare() {
          return { first: () => Promise.reject(new Error('D1_ERROR: network lost')) };
        },
      },
    ];
    for (const DB of failing) {
      const response = await request('/healthz', {}, { DB: DB as unknown as D1Database });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true, db: false });
    }
  });
});

describe('GET /v1/openapi.json', () => {
  it('documents every route from the same zod schemas, collect included', async () => {
    const response = await request('/v1/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/healthz',
      '/t.js',
      '/v1/audiences',
      '/v1/audiences/export',
      '/v1/audit',
      '/v1/c/{token}',
      '/v1/campaign-estimates',
      '/v1/campaigns',
      '/v1/campaigns/{id}',
      '/v1/campaigns/{id}/archive',
      '/v1/campaigns/{id}/disable',
      '/v1/campaigns/{id}/enable',
      '/v1/campaigns/{id}/estimate',
      '/v1/campaigns/{id}/runs',
      '/v1/candidates/{candidateId}',
      '/v1/candidates/{candidateId}/contact',
      '/v1/candidates/{candidateId}/engagements',
      '/v1/candidates/{candidateId}/messages',
      '/v1/candidates/{candidateId}/score',
      '/v1/candidates/{candidateId}/score-history',
      '/v1/candidates/{candidateId}/tags',
      '/v1/collect',
      '/v1/contacts',
      '/v1/engagements',
      '/v1/identity-tokens',
      '/v1/keys',
      '/v1/keys/{id}',
      '/v1/keys/{id}/rotate',
      '/v1/links',
      '/v1/m/{code}',
      '/v1/messages',
      '/v1/o/{token}',
      '/v1/providers/twilio/inbound',
      '/v1/providers/twilio/status',
      '/v1/reports/tier-history',
      '/v1/reports/tiers',
      '/v1/scores',
      '/v1/settings/engagement',
      '/v1/settings/engagement/preview',
      '/v1/settings/engagement/tracking-code',
      '/v1/settings/messaging',
      '/v1/settings/sign-in',
      '/v1/tag-changes',
      '/v1/usage',
      '/v1/users',
      '/v1/users/{id}',
      '/v1/visitors/{visitorId}/link',
      '/v1/webhook-deliveries',
      '/v1/webhook-deliveries/test',
      '/v1/webhook-deliveries/{id}/redeliver',
      '/v1/whoami',
    ]);
  });
});
