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

/** A stored candidate: its internal id, and its external id (which audit entries name). */
async function newCandidate(orgId: string): Promise<{ id: string; externalId: string }> {
  const candidate = { id: newId(), externalId: rid('cand') };
  await runBatch(db, [db.insert(candidates).values({ ...candidate, orgId })]);
  return candidate;
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
    const before = (await newCandidate(orgId)).id;
    const after = (await newCandidate(orgId)).id;
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
      audit: { candidate: 'ext-after' },
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
    // The visitor itself was linked to no one (the other candidate's row on it stays theirs).
    const [entry] = await auditDetails(orgId, deviceId);
    expect(entry?.actor).toBe('key:test');
    expect(entry?.details).toBe(
      JSON.stringify({
        candidate: 'ext-after',
        via: 'api',
        previousCandidate: null,
        linkedEngagements: 2,
      }),
    );
  });

  it('creates a visitor not seen yet already linked, with what the beacon saw', async () => {
    const { orgId } = await createOrg();
    const candidateId = (await newCandidate(orgId)).id;
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
    const [entry] = await auditDetails(orgId, deviceId);
    expect(entry?.details).toBe(
      JSON.stringify({
        candidate: 'ext-cand',
        via: 'identity_token',
        previousCandidate: null,
        linkedEngagements: 0,
      }),
    );
  });

  it('switches a linked visitor without moving anything, naming the one it had by external id', async () => {
    const { orgId } = await createOrg();
    const [a, b] = [await newCandidate(orgId), await newCandidate(orgId)];
    const deviceId = rid('dev');
    const at = Date.now();
    const seen = writeVisitor(db, {
      orgId,
      deviceId,
      visitor: null,
      at: at - 5000,
      set: { candidateId: a.id, linkSource: 'api', linkedAt: at - 5000 },
    });
    await runBatch(db, [
      seen.statement,
      visit(orgId, seen.visitorId, a.id, at - 3000),
      // A row with no candidate on a linked visitor (none should exist): it is not B's either.
      visit(orgId, seen.visitorId, null, at - 2000),
    ]);
    const visitor = await findVisitor(db, orgId, deviceId);

    const link = await relinkVisitor(db, {
      orgId,
      deviceId,
      visitor,
      candidateId: b.id,
      via: 'identity_token',
      actor: 'tracker:site',
      at,
      audit: { candidate: b.externalId },
    });
    await runBatch(db, link.statements);

    expect(link.past).toEqual([]);
    const owners = await rows<{ candidate_id: string | null }>(
      'SELECT candidate_id FROM engagements WHERE org_id = ? AND visitor_id = ? ORDER BY occurred_at',
      orgId,
      seen.visitorId,
    );
    expect(owners.map((row) => row.candidate_id)).toEqual([a.id, null]);
    expect(await visitorRow(orgId, deviceId)).toEqual([
      expect.objectContaining({ candidate_id: b.id, link_source: 'identity_token', linked_at: at }),
    ]);
    const [entry] = await auditDetails(orgId, deviceId);
    expect(entry?.details).toBe(
      JSON.stringify({
        candidate: b.externalId,
        via: 'identity_token',
        previousCandidate: a.externalId,
        linkedEngagements: 0,
      }),
    );
  });
});
