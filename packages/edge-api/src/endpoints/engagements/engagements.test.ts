import { describe, expect, it } from 'vitest';
import { engagement, errorOf, postJson, request, rid, rows } from '../../test/client.js';

const USER = 'sk_demo_user';

async function scoreOf(org: string, candidate: string) {
  const [row] = await rows<{
    engagement_count: number;
    tier: string;
    state: string;
    version: number;
  }>(
    `SELECT s.engagement_count, s.tier, s.state, s.version FROM scores s
     JOIN candidates c ON c.id = s.candidate_id WHERE c.org_id = ? AND c.external_id = ?`,
    org,
    candidate,
  );
  return row;
}

async function countStored(org: string, ids: string[]) {
  const [row] = await rows<{ n: number }>(
    `SELECT COUNT(*) AS n FROM engagements WHERE org_id = ? AND event_key IN (${ids.map(() => '?').join(',')})`,
    org,
    ...ids.map((id) => `api:${id}`),
  );
  return row!.n;
}

describe('POST /v1/engagements: storing', () => {
  it('stores new engagements, reports retries as duplicates, and scores the candidate', async () => {
    const candidateId = rid('cand');
    const items = [
      engagement({ candidateId, type: 'register_event' }),
      engagement({ candidateId, type: 'attend_event' }),
      engagement({ candidateId, type: 'open_email', detail: 'Hello', machine: true }),
    ];
    const first = await postJson('/v1/engagements', { engagements: items }, USER);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });
    const again = await postJson('/v1/engagements', { engagements: items }, USER);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 3 });
    const score = await scoreOf('demo', candidateId);
    expect(score?.engagement_count).toBe(3);
    expect(score?.tier).not.toBe('inactive');
  });

  it('stores an id once under concurrent retries', async () => {
    const items = [engagement(), engagement()];
    const replies = await Promise.all(
      Array.from({ length: 8 }, async () =>
        (await postJson('/v1/engagements', { engagements: items }, USER)).json(),
      ),
    );
    const accepted = replies.reduce(
      (sum: number, reply) => sum + (reply as { accepted: number }).accepted,
      0,
    );
    expect(accepted).toBe(2);
    expect(
      await countStored(
        'demo',
        items.map((item) => item.id),
      ),
    ).toBe(2);
  });

  it('loses no score update when requests for one candidate race', async () => {
    const candidateId = rid('cand');
    const base = Date.now() - 10 * 24 * 3600_000;
    // The candidate exists first, so the racing requests all read the same score row.
    await postJson(
      '/v1/engagements',
      {
        engagements: [
          engagement({ candidateId, occurredAt: new Date(base - 3600_000).toISOString() }),
        ],
      },
      USER,
    );
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        postJson(
          '/v1/engagements',
          {
            engagements: [
              engagement({
                candidateId,
                type: 'click_email',
                detail: `Mail ${i}`,
                occurredAt: new Date(base + i * 24 * 3600_000).toISOString(),
              }),
            ],
          },
          USER,
        ),
      ),
    );
    const score = await scoreOf('demo', candidateId);
    expect(score?.engagement_count).toBe(11);
    const counts = (JSON.parse(score!.state) as { counts: number[] }).counts;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(11);
  });

  it('accepts a batch of 500', async () => {
    const items = Array.from({ length: 500 }, (_, i) =>
      engagement({ candidateId: `bulk-${i % 50}`, type: 'open_email', detail: `Campaign ${i}` }),
    );
    const response = await postJson('/v1/engagements', { engagements: items }, USER);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 500, duplicates: 0 });
  });

  it('rebuilds the score from history when an older engagement arrives (backfill)', async () => {
    const candidateId = rid('cand');
    const day = 24 * 3600_000;
    await postJson(
      '/v1/engagements',
      {
        engagements: [
          engagement({ candidateId, occurredAt: new Date(Date.now() - day).toISOString() }),
        ],
      },
      USER,
    );
    const backfill = engagement({
      candidateId,
      type: 'submit_form',
      occurredAt: new Date(Date.now() - 20 * day).toISOString(),
    });
    const response = await postJson('/v1/engagements', { engagements: [backfill] }, USER);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    const score = await scoreOf('demo', candidateId);
    expect(score?.engagement_count).toBe(2);
    const counts = (JSON.parse(score!.state) as { counts: number[] }).counts;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
  });
});

describe('POST /v1/engagements: rejecting', () => {
  it('answers 401 unauthorized without a key or with an unknown one', async () => {
    const none = await postJson('/v1/engagements', { engagements: [engagement()] });
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('unauthorized');
    const unknown = await postJson('/v1/engagements', { engagements: [engagement()] }, 'sk_nope');
    expect(unknown.status).toBe(401);
  });

  it('rejects the whole request, listing every problem by index and field, storing nothing', async () => {
    const good = engagement();
    const response = await postJson(
      '/v1/engagements',
      {
        engagements: [
          good,
          engagement({ type: 'tweet' }),
          engagement({ occurredAt: 'yesterday' }),
          engagement({ candidateId: '' }),
        ],
      },
      USER,
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.issues).toMatchObject([
      { path: 'engagements.1.type', code: 'unknown_type' },
      { path: 'engagements.2.occurredAt', code: 'invalid' },
      { path: 'engagements.3.candidateId', code: 'invalid' },
    ]);
    expect(await countStored('demo', [good.id])).toBe(0);
  });

  it('answers 400 unknown_type when only types are wrong', async () => {
    const response = await postJson(
      '/v1/engagements',
      { engagements: [engagement({ type: 'page_view' })] },
      USER,
    );
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('unknown_type');
  });

  it('answers 400 date_out_of_range for dates before 2000 or far in the future', async () => {
    const response = await postJson(
      '/v1/engagements',
      {
        engagements: [
          engagement({ occurredAt: '1999-12-31T23:59:59Z' }),
          engagement({ occurredAt: '2999-01-01T00:00:00Z' }),
        ],
      },
      USER,
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('date_out_of_range');
    expect(error.issues?.map((issue) => issue.path)).toEqual([
      'engagements.0.occurredAt',
      'engagements.1.occurredAt',
    ]);
  });

  it('answers 400 invalid_request for more than 500 items or none', async () => {
    const many = Array.from({ length: 501 }, () => engagement());
    const tooMany = await postJson('/v1/engagements', { engagements: many }, USER);
    expect(tooMany.status).toBe(400);
    expect((await errorOf(tooMany)).issues?.[0]?.path).toBe('engagements');
    const none = await postJson('/v1/engagements', { engagements: [] }, USER);
    expect((await errorOf(none)).code).toBe('invalid_request');
  });

  it('answers 415, 400 invalid_json and 413 for bodies of the wrong kind', async () => {
    const auth = { authorization: `Bearer ${USER}` };
    const plain = await request('/v1/engagements', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(plain.status).toBe(415);
    expect((await errorOf(plain)).code).toBe('unsupported_media_type');
    const broken = await request('/v1/engagements', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"engagements": [',
    });
    expect(broken.status).toBe(400);
    expect((await errorOf(broken)).code).toBe('invalid_json');
    const huge = await request('/v1/engagements', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ engagements: [engagement({ detail: 'x'.repeat(600 * 1024) })] }),
    });
    expect(huge.status).toBe(413);
    expect((await errorOf(huge)).code).toBe('payload_too_large');
  });

  it('answers JSON 500 internal, without a stack, when the database fails', async () => {
    const broken = {
      prepare() {
        throw new Error('database exploded at /secret/path.ts:12');
      },
    } as unknown as D1Database;
    const response = await request(
      '/v1/engagements',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${USER}`, 'content-type': 'application/json' },
        body: JSON.stringify({ engagements: [engagement()] }),
      },
      { DB: broken },
    );
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: 'internal', message: 'Something went wrong on our side.' },
    });
    expect(text).not.toContain('secret');
  });
});

describe('POST /v1/engagements: organisations', () => {
  it('keeps the same candidate id and event id apart between organisations', async () => {
    const candidateId = rid('cand');
    const item = engagement({ candidateId });
    expect(await (await postJson('/v1/engagements', { engagements: [item] }, USER)).json()).toEqual(
      {
        accepted: 1,
        duplicates: 0,
      },
    );
    // The same event id in another organisation is a different event, for a different person.
    expect(
      await (await postJson('/v1/engagements', { engagements: [item] }, 'sk_other_admin')).json(),
    ).toEqual({ accepted: 1, duplicates: 0 });
    const candidates = await rows<{ org_id: string }>(
      'SELECT org_id FROM candidates WHERE external_id = ? ORDER BY org_id',
      candidateId,
    );
    expect(candidates.map((row) => row.org_id)).toEqual(['demo', 'other']);
    expect((await scoreOf('demo', candidateId))?.engagement_count).toBe(1);
    expect((await scoreOf('other', candidateId))?.engagement_count).toBe(1);
  });
});
