// Campaign test fixtures: candidates with a score row placing them in a tier and a last-contacted
// time, campaign texts already sent, a campaign created through the API and its estimate.
import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL, emptyState, thresholdKey } from '@cxm/scoring';
import { expect } from 'vitest';
import { type Estimate, noSkips } from '../endpoints/campaigns/estimate.js';
import { api, rid, type TestOrg } from './client.js';
import { addCandidate, type CandidateDetails } from './messaging.js';

export interface Scored {
  details?: CandidateDetails | null;
  /** Last contacted (epoch ms), or null: never. */
  lastContactedAt: number | null;
  /** Points now (null: no points at all, the Inactive tier), or a sort key as given. */
  points?: number | null;
  sortKey?: number;
  tags?: string[];
}

/** A candidate with contact details and a score row whose key puts them in a tier now. */
export async function scored(org: TestOrg, options: Scored): Promise<string> {
  const candidate = await addCandidate(org, options.details === undefined ? {} : options.details);
  const points = options.points === undefined ? 10 : options.points;
  const key =
    options.sortKey ?? (points === null ? null : thresholdKey(points, Date.now(), DEFAULT_MODEL));
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO scores (candidate_id, org_id, state, sort_key, tier, last_contacted_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, 'engaged', ?5, ?6)`,
    ).bind(
      candidate.id,
      org.orgId,
      JSON.stringify(emptyState()),
      key,
      options.lastContactedAt,
      Date.now(),
    ),
    ...(options.tags ?? []).map((tag) =>
      env.DB.prepare(
        'INSERT INTO candidate_tags (org_id, candidate_id, tag, created_at) VALUES (?1, ?2, ?3, ?4)',
      ).bind(org.orgId, candidate.id, tag, Date.now()),
    ),
  ]);
  return candidate.id;
}

/** A message to the candidate at `at`, from a campaign or not. */
export async function messaged(
  org: TestOrg,
  candidateId: string,
  at: number,
  campaignId: string | null,
) {
  await env.DB.prepare(
    `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
       body, status, sent_by, campaign_id, created_at, updated_at)
     VALUES (?1, ?2, ?3, 'outbound', 'sms', '+15550000000', '+12025550123', 'Hi', 'sent', ?4, ?5, ?6, ?6)`,
  )
    .bind(
      rid('msg'),
      org.orgId,
      candidateId,
      campaignId ? `campaign:${campaignId}` : 'user:x',
      campaignId,
      at,
    )
    .run();
}

export async function campaign(
  org: TestOrg,
  senderId: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const response = await api('POST', '/v1/campaigns', org.keys.manager, {
    name: 'Warm pool',
    reengagement: true,
    timeframe: { notContactedForDays: 30 },
    fromUserId: senderId,
    sendTime: '09:30',
    channel: 'sms',
    message: 'Hi {{firstName}}',
    ...overrides,
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

export async function estimate(org: TestOrg, id: string): Promise<Estimate> {
  const response = await api('GET', `/v1/campaigns/${id}/estimate`, org.keys.user);
  expect(response.status, await response.clone().text()).toBe(200);
  const body = (await response.json()) as Estimate;
  const skipped = Object.values(body.skipped).reduce((sum, n) => sum + n, 0);
  expect(body.wouldText + skipped).toBe(body.matched);
  return body;
}

/** Every skip reason at zero. */
export const NONE = noSkips();
