import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database, newId, runBatch } from '../db/client.js';
import { candidates, engagements } from '../db/schema.js';
import { createOrg, rid, rows } from '../test/client.js';
import { findVisitor, relinkVisitor, writeVisitor } from './relink.js';

const db = database(env.DB);

interface VisitorRow {
  candidate_id: string | null;
  link_source: string | null;
  linked_at: number | null;
  kind: string | null;
  first_seen_at: number;
  last_seen_at: number;
  version: number;
}

function visitorRow(orgId: string, deviceId: string) {
  return rows<VisitorRow>(
    `SELECT candidate_id, link_source, linked_at, kind, first_seen_at, last_seen_at, version
     FROM visitors WHERE org_id = ? AND device_id = ?`,
    orgId,
    deviceId,
  );
}

function auditDetails(orgId: string, deviceId: string) {
  return rows<{ actor: string; details: string }>(
    "SELECT actor, details FROM audit_log WHERE org_id = ? AND subject = ? AND action = 'visitor.link'",
    orgId,
    deviceId,
  );
}

async function newCandidate(orgId: string): Promise<string> {
  const id = newId();
  await runBatch(db, [db.insert(candidates).values({ id, orgId, externalId: rid('cand') })]);
  return id;
}

function visit(orgId: string, visitorId: string, candidateId: string | null, at: number) {
  return db.insert(engagements).values({
    id: newId(),
    orgId,
    candidateId,
    visitorId,
    type: 'visit_landing_page',
    detail: '/jobs/1',
    occurredAt: at,
    receivedAt: at,
    source: 'tracker',
    eventKey: `trk:${newId()}`,
  });
}

describe('relinkVisitor', () => {
  it("moves a seen visitor's anonymous past only, bumps its version and audits the API link", async () => {
    const { orgId } = await createOrg();
    const [before, after] = [await newCandidate(orgId), await newCandidate(orgId)];
    const deviceId = rid('dev');
    const at = Date.now();
    const seen = writeVisitor(db, { orgId, deviceId, visitor: null, at: at - 5000, set: {} });
    await runBatch(db, [
      seen.statement,
      visit(orgId, seen.visitorId, null, at - 3000),
      visit(orgId, seen.visitorId, null, at - 2000),
      visit(orgId, seen.visitorId, before, at - 1000),
    ]);
    const visitor = await findVisitor(db, orgId, deviceId);

    const link = await relinkVisitor(db, {
      orgId,
      deviceId,
      visitor,
      candidateId: after,
      via: 'api',
      actor: 'key:test',
      at,
      audit: { candidate: 'ext-after', previousCandidate: before },
    });
    await runBatch(db, link.statements);

    expect(link.visitorId).toBe(seen.visitorId);
    expect(link.past).toHaveLength(2);
    const owners = await rows<{ candidate_id: string | null }>(
      'SELECT candidate_id FROM engagements WHERE org_id = ? AND visitor_id = ? ORDER BY occurred_at',
      orgId,
      seen.visitorId,
    );
    expect(owners.map((row) => row.candidate_id)).toEqual([after, after, before]);
    expect(await visitorRow(orgId, deviceId)).toEqual([
      expect.objectContaining({
        candidate_id: after,
        link_source: 'api',
        linked_at: at,
        last_seen_at: at - 5000,
        version: (visitor?.version ?? 0) + 1,
      }),
    ]);
    const [entry] = await auditDetails(orgId, deviceId);
    expect(entry?.actor).toBe('key:test');
    expect(entry?.details).toBe(
      JSON.stringify({
        candidate: 'ext-after',
        via: 'api',
        previousCandidate: before,
        linkedEngagements: 2,
      }),
    );
  });

  it('creates a visitor not seen yet already linked, with what the beacon saw', async () => {
    const { orgId } = await createOrg();
    const candidateId = await newCandidate(orgId);
    const deviceId = rid('dev');
    const at = Date.now();
    const link = await relinkVisitor(db, {
      orgId,
      deviceId,
      visitor: null,
      candidateId,
      via: 'identity_token',
      actor: 'tracker:site',
      at,
      seen: { lastSeenAt: at, kind: 'stored', fingerprintVersion: null },
      audit: { candidate: 'ext-cand' },
    });
    await runBatch(db, link.statements);

    expect(link.past).toEqual([]);
    expect(await visitorRow(orgId, deviceId)).toEqual([
      {
        candidate_id: candidateId,
        link_source: 'identity_token',
        linked_at: at,
        kind: 'stored',
        first_seen_at: at,
        last_seen_at: at,
        version: 1,
      },
    ]);
    // The beacon's entry never had `previousCandidate`.
    const [entry] = await auditDetails(orgId, deviceId);
    expect(entry?.details).toBe(
      JSON.stringify({ candidate: 'ext-cand', via: 'identity_token', linkedEngagements: 0 }),
    );
  });
});
