import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import { database, newId, runBatch } from '../db/client.js';
import { candidates, engagements, type ScoreInsertRow } from '../db/schema.js';
import type { ScoredEngagement, StoredScore } from '../db/stored-score.js';
import { createOrg, DAY_MS, rid, rows } from '../test/client.js';
import { type ScoreContext, scoreStatements } from './pipeline.js';
import { foldAll, startState } from './score-row.js';

const db = database(env.DB);
const NOW = Date.now();

function context(orgId: string): ScoreContext {
  return { orgId, model: DEFAULT_MODEL, now: NOW, reason: 'engagement' };
}

function engagement(type: string, daysAgo: number): ScoredEngagement {
  return { type, detail: null, occurredAt: NOW - daysAgo * DAY_MS, machine: false };
}

/** A new row as the next write reads it back. */
function stored(row: ScoreInsertRow): StoredScore {
  return {
    candidateId: row.candidateId,
    state: row.state,
    version: row.version ?? 1,
    tier: row.tier ?? 'inactive',
    engagementCount: row.engagementCount ?? 0,
    scoredThrough: row.scoredThrough ?? 0,
  };
}

/** What two paths must agree on (the states may hold the same points differently anchored). */
function outcome(row: ScoreInsertRow | undefined) {
  return {
    tier: row?.tier,
    engagementCount: row?.engagementCount,
    version: row?.version,
    lastEngagedAt: row?.lastEngagedAt,
  };
}

const EARLIER = [engagement('visit_landing_page', 9), engagement('open_email', 8)];
const LATER = [engagement('register_event', 2), engagement('attend_event', 1)];

describe('scoreStatements', () => {
  it('gives the same row whether it folds new engagements or rebuilds from the history', async () => {
    const { orgId } = await createOrg();
    const candidateId = rid('cand');
    const first = await scoreStatements(db, context(orgId), [
      { candidateId, previous: null, added: EARLIER, history: [] },
    ]);
    const previous = stored(first.rows[0]!);

    const folded = await scoreStatements(db, context(orgId), [
      { candidateId, previous, added: LATER },
    ]);
    const rebuilt = await scoreStatements(db, context(orgId), [
      { candidateId, previous, added: LATER, rebuild: true, history: EARLIER },
    ]);
    const [fold, build] = [folded.rows[0], rebuilt.rows[0]];
    expect(outcome(fold)).toEqual(outcome(build));
    expect(fold?.engagementCount).toBe(EARLIER.length + LATER.length);
    expect(fold?.version).toBe(previous.version + 1);
    expect(fold?.sortKey).not.toBeNull();
    expect(fold?.sortKey).toBeCloseTo(build?.sortKey ?? Number.NaN, 9);
    // One upsert, and one outbox event exactly when the tier moved.
    const moved = fold?.tier !== previous.tier ? 1 : 0;
    expect(folded.statements).toHaveLength(1 + moved);
  });

  it('rebuilds from the stored history when the fold refuses an older engagement', async () => {
    const { orgId } = await createOrg();
    const candidateId = newId();
    const first = await scoreStatements(db, context(orgId), [
      { candidateId, previous: null, added: LATER, history: [] },
    ]);
    await runBatch(db, [
      db.insert(candidates).values({ id: candidateId, orgId, externalId: rid('cand') }),
      db.insert(engagements).values(
        LATER.map((row) => ({
          ...row,
          id: newId(),
          orgId,
          candidateId,
          receivedAt: NOW,
          source: 'api' as const,
          eventKey: `api:${newId()}`,
        })),
      ),
      ...first.statements,
    ]);
    const previous = stored(first.rows[0]!);
    const older = [engagement('visit_landing_page', 30)];
    expect(foldAll(startState(previous), older, DEFAULT_MODEL)).toBeNull();

    // No history given: the pipeline reads the candidate's stored engagements itself.
    const refused = await scoreStatements(db, context(orgId), [
      { candidateId, previous, added: older },
    ]);
    const rebuilt = await scoreStatements(db, context(orgId), [
      { candidateId, previous, added: [], rebuild: true, history: [...older, ...LATER] },
    ]);
    // The same row, but for the watermark: the refused fold read the stored history (with its
    // rowids), while the explicit rebuild was handed engagements with none.
    const { scoredThrough, ...refusedRow } = refused.rows[0]!;
    expect(refusedRow).toEqual({ ...rebuilt.rows[0], scoredThrough: undefined });
    expect(refused.rows[0]?.engagementCount).toBe(LATER.length + older.length);
    const [highest] = await rows<{ rowid: number }>(
      'SELECT MAX(rowid) AS rowid FROM engagements WHERE candidate_id = ?',
      candidateId,
    );
    expect(scoredThrough).toBe(highest?.rowid);
    expect(rebuilt.rows[0]?.scoredThrough).toBe(0);
  });
});
