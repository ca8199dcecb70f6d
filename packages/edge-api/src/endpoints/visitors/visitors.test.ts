import { describe, expect, it } from 'vitest';
import { beacon, errorOf, postJson, rid, rows, sendBeacon, visit } from '../../test/client.js';

const MINUTE = 60_000;

async function scoreOf(org: string, candidate: string) {
  const [row] = await rows<{ engagement_count: number; sort_key: number | null }>(
    `SELECT s.engagement_count, s.sort_key FROM scores s
     JOIN candidates c ON c.id = s.candidate_id WHERE c.org_id = ? AND c.external_id = ?`,
    org,
    candidate,
  );
  return row;
}

describe('POST /v1/visitors/{visitorId}/link', () => {
  it("counts a visitor's past visits for the candidate once linked, and its future ones", async () => {
    const visitor = { id: rid('v'), kind: 'fingerprint' as const };
    const start = Date.now() - 3 * 3600_000;
    await sendBeacon(
      beacon({
        visitor,
        events: [
          visit('http://localhost:8080/jobs/1', start),
          visit('http://localhost:8080/jobs/2', start + MINUTE),
        ],
      }),
    );
    const candidateId = rid('cand');
    const response = await postJson(
      `/v1/visitors/${visitor.id}/link`,
      { candidateId },
      'sk_demo_user',
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      visitorId: visitor.id,
      candidateId,
      linkedEngagements: 2,
      alreadyLinked: false,
    });
    const linked = await scoreOf('demo', candidateId);
    expect(linked?.engagement_count).toBe(2);
    expect(linked?.sort_key).not.toBeNull();

    await sendBeacon(beacon({ visitor, events: [visit('http://localhost:8080/jobs/3')] }));
    expect((await scoreOf('demo', candidateId))?.engagement_count).toBe(3);

    const again = await postJson(
      `/v1/visitors/${visitor.id}/link`,
      { candidateId },
      'sk_demo_user',
    );
    expect(await again.json()).toMatchObject({ alreadyLinked: true });
  });

  it('links a visitor the tracker has not reported yet, so its first visits count', async () => {
    const visitorId = rid('v');
    const candidateId = rid('cand');
    const response = await postJson(
      `/v1/visitors/${visitorId}/link`,
      { candidateId },
      'sk_demo_user',
    );
    expect(await response.json()).toMatchObject({ linkedEngagements: 0 });
    await sendBeacon(beacon({ visitor: { id: visitorId, kind: 'stored' } }));
    expect((await scoreOf('demo', candidateId))?.engagement_count).toBe(1);
  });

  it('loses no visit when links and beacons for one visitor race', async () => {
    const visitor = { id: rid('v'), kind: 'stored' as const };
    const candidateId = rid('cand');
    const start = Date.now() - 5 * 3600_000;
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) =>
        sendBeacon(
          beacon({
            visitor,
            events: [visit(`http://localhost:8080/jobs/${i}`, start + i * MINUTE)],
          }),
        ),
      ),
      postJson(`/v1/visitors/${visitor.id}/link`, { candidateId }, 'sk_demo_user'),
    ]);
    const stored = await rows<{ candidate_id: string | null }>(
      `SELECT e.candidate_id FROM engagements e JOIN visitors v ON v.id = e.visitor_id
       WHERE v.device_id = ?`,
      visitor.id,
    );
    expect(stored).toHaveLength(6);
    expect(stored.every((row) => row.candidate_id !== null)).toBe(true);
    expect((await scoreOf('demo', candidateId))?.engagement_count).toBe(6);
  });

  it("cannot reach another organisation's visitor", async () => {
    const visitor = { id: rid('v'), kind: 'stored' as const };
    await sendBeacon(beacon({ visitor }));
    const candidateId = rid('cand');
    await postJson(`/v1/visitors/${visitor.id}/link`, { candidateId }, 'sk_other_admin');
    // The demo visitor stays anonymous; `other` got a visitor of its own with no visits.
    const demo = await rows<{ candidate_id: string | null }>(
      `SELECT e.candidate_id FROM engagements e JOIN visitors v ON v.id = e.visitor_id
       WHERE v.device_id = ? AND v.org_id = 'demo'`,
      visitor.id,
    );
    expect(demo).toEqual([{ candidate_id: null }]);
    expect((await scoreOf('other', candidateId))?.engagement_count).toBe(0);
  });

  it('answers 400 for a malformed visitor id and 401 without a key', async () => {
    const bad = await postJson('/v1/visitors/no/link', { candidateId: 'c' }, 'sk_demo_user');
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).issues?.[0]?.path).toBe('visitorId');
    const anonymous = await postJson(`/v1/visitors/${rid('v')}/link`, { candidateId: 'c' });
    expect(anonymous.status).toBe(401);
  });
});
