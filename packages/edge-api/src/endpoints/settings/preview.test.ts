// `POST /v1/settings/engagement/preview`: the tier counts a scoring model would give today, before
// it is saved. Each way of computing it (thresholds, scaled weights, a rebuild) must give exactly
// the counts the tier report shows once the model is saved; a bad model is refused, field by
// field, and nothing is written.
import { DEFAULT_MODEL, type ScoringModel } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import {
  api,
  createOrg,
  DAY_MS,
  errorOf,
  json,
  rid,
  rows,
  sendEngagements,
  type TestOrg,
} from '../../test/client.js';
import { rescoreDone } from '../../test/rescore.js';

type Counts = { inactive: number; engaged: number; highly_engaged: number };
interface Preview {
  asOf: string;
  method: string;
  current: Counts;
  preview: Counts;
}

const PREVIEW = '/v1/settings/engagement/preview';
const HOUR = 3_600_000;

/** Six candidates spread over the tiers, none near a threshold under any model tried here. */
async function seedPool(org: TestOrg): Promise<void> {
  const pool: [string, { type: string; ago: number }[]][] = [
    ['attended-yesterday', [{ type: 'attend_event', ago: DAY_MS }]], // ~9.8: engaged
    [
      'attended-and-registered',
      [
        { type: 'attend_event', ago: 2 * DAY_MS },
        { type: 'register_event', ago: 2 * DAY_MS },
      ],
    ], // ~15.5: highly engaged
    ['one-open', [{ type: 'open_email', ago: DAY_MS }]], // ~1: inactive
    [
      'form-and-click',
      [
        { type: 'submit_form', ago: 10 * DAY_MS },
        { type: 'click_email', ago: 10 * DAY_MS },
      ],
    ], // ~5.6: engaged
    [
      'three-visits',
      [
        { type: 'visit_landing_page', ago: HOUR },
        { type: 'visit_landing_page', ago: 2 * HOUR },
        { type: 'visit_landing_page', ago: 3 * HOUR },
      ],
    ], // ~3: inactive
    ['attended-long-ago', [{ type: 'attend_event', ago: 40 * DAY_MS }]], // ~4: inactive
  ];
  for (const [name, items] of pool) await sendEngagements(org.keys.user, rid(name), items);
}

function model(changes: {
  weights?: Partial<ScoringModel['weights']>;
  halfLifeDays?: number;
  thresholds?: ScoringModel['thresholds'];
}): ScoringModel {
  return {
    ...DEFAULT_MODEL,
    ...changes,
    weights: { ...DEFAULT_MODEL.weights, ...changes.weights },
    thresholds: changes.thresholds ?? DEFAULT_MODEL.thresholds,
  };
}

async function reportTiers(org: TestOrg): Promise<Counts> {
  const report = await json<{ tiers: Counts }>(api('GET', '/v1/reports/tiers', org.keys.reporter));
  return report.tiers;
}

async function preview(org: TestOrg, scoringModel: ScoringModel | null): Promise<Preview> {
  const response = await api('POST', PREVIEW, org.keys.manager, { scoringModel });
  expect(response.status).toBe(200);
  return json<Preview>(response);
}

/** Previews `next`, saves it, and holds the preview to the report after the save. */
async function previewThenSave(org: TestOrg, next: ScoringModel | null, method: string) {
  const before = await reportTiers(org);
  const seen = await preview(org, next);
  expect(seen.method).toBe(method);
  expect(seen.current).toEqual(before);
  // Previewing wrote nothing: the report is as it was.
  expect(await reportTiers(org)).toEqual(before);
  const saved = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
    scoringModel: next,
  });
  expect(saved.status).toBe(200);
  // The rescore runs in the background, through the local rescore queue.
  await rescoreDone(org);
  expect(await reportTiers(org)).toEqual(seen.preview);
  return seen;
}

describe('POST /v1/settings/engagement/preview', () => {
  it('counts new thresholds from the stored sort keys, as the report does after saving', async () => {
    const org = await createOrg();
    await seedPool(org);
    const seen = await previewThenSave(
      org,
      model({ thresholds: { engaged: 3.5, highlyEngaged: 9 } }),
      'thresholds',
    );
    expect(seen.current).toEqual({ inactive: 3, engaged: 2, highly_engaged: 1 });
    expect(seen.preview).toEqual({ inactive: 2, engaged: 2, highly_engaged: 2 });
  });

  it('scales the stored sums to new weights, as the rescore after saving does', async () => {
    const org = await createOrg();
    await seedPool(org);
    const seen = await previewThenSave(
      org,
      model({ weights: { open_email: 7, visit_landing_page: 2, attend_event: 12 } }),
      'weights',
    );
    expect(seen.preview).toEqual({ inactive: 1, engaged: 4, highly_engaged: 1 });
  });

  it('rebuilds from the engagements for a new half-life, and for a weight that was 0', async () => {
    const org = await createOrg();
    await seedPool(org);
    const slow = await previewThenSave(org, model({ halfLifeDays: 90 }), 'rebuild');
    expect(slow.preview).toEqual({ inactive: 2, engaged: 3, highly_engaged: 1 });
    // Visits weigh nothing: they are not folded, so giving them a weight again needs a rebuild.
    await previewThenSave(org, model({ weights: { visit_landing_page: 0 } }), 'rebuild');
    const back = await previewThenSave(
      org,
      model({ weights: { visit_landing_page: 2 } }),
      'rebuild',
    );
    expect(back.preview).toEqual({ inactive: 2, engaged: 3, highly_engaged: 1 });
    // Null is the default model: visits back to 1, a change of weights only.
    await previewThenSave(org, null, 'weights');
  });

  it('refuses a model that is not valid, each problem at its path, and writes nothing', async () => {
    const org = await createOrg();
    await seedPool(org);
    const before = await rows(
      'SELECT candidate_id, version FROM scores WHERE org_id = ?',
      org.orgId,
    );
    const bad = {
      ...DEFAULT_MODEL,
      weights: { ...DEFAULT_MODEL.weights, open_email: -1 },
      halfLifeDays: 0,
      thresholds: { engaged: 20, highlyEngaged: 10 },
    };
    const response = await api('POST', PREVIEW, org.keys.manager, { scoringModel: bad });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.issues?.map((issue) => issue.path)).toEqual([
      'scoringModel.weights.open_email',
      'scoringModel.halfLifeDays',
      'scoringModel.thresholds',
    ]);
    const unknown = await api('POST', PREVIEW, org.keys.manager, { scoringModel: {}, colour: 1 });
    expect(unknown.status).toBe(400);
    expect(
      await rows('SELECT candidate_id, version FROM scores WHERE org_id = ?', org.orgId),
    ).toEqual(before);
    const settings = await json<{ scoringModelIsDefault: boolean }>(
      api('GET', '/v1/settings/engagement', org.keys.manager),
    );
    expect(settings.scoringModelIsDefault).toBe(true);
  });

  it('is for managers and admins only', async () => {
    const org = await createOrg();
    const body = { scoringModel: DEFAULT_MODEL };
    expect((await api('POST', PREVIEW, org.keys.reporter, body)).status).toBe(403);
    expect((await api('POST', PREVIEW, org.keys.user, body)).status).toBe(403);
    expect((await api('POST', PREVIEW, org.keys.admin, body)).status).toBe(200);
  });
});
