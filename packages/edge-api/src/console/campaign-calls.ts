// The two campaign endpoints the console uses before the typed client names them: the estimate of
// a campaign not saved yet (`POST /v1/campaigns/estimate`) and a campaign's runs
// (`GET /v1/campaigns/{id}/runs`). Same path as the client: in-process, the session as a Bearer
// credential, a refusal as an `ApiError`. Once `../client` has methods for both, this file goes.
import type { Context } from 'hono';
import {
  ApiError,
  type CampaignEstimate,
  type CreateCampaignInput,
  type Issue,
  queryString,
} from '../client/index.js';
import type { AppEnv } from '../env.js';
import { type AppFetch, executionContext } from './api.js';

export type SkipReason = keyof CampaignEstimate['skipped'] | 'noSenderNumber';

/** `POST /v1/campaigns/estimate`'s answer: as `GET …/estimate`, with `campaignId: null`. */
export interface EstimatePreview {
  campaignId: null;
  asOf: string;
  wouldText: number;
  matched: number;
  skipped: Partial<Record<SkipReason, number>>;
}

export interface EstimateInput {
  timeframe: CreateCampaignInput['timeframe'];
  tags?: string[];
  tagsMode?: 'all' | 'any';
  channel: string;
  fromUserId?: string;
}

/** One day's run of a campaign, on the organisation's calendar. */
export interface CampaignRun {
  id: string;
  date: string;
  state: 'running' | 'done' | 'stopped' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  matched: number;
  sent: number;
  delivered: number;
  failed: number;
  skipped: Partial<Record<SkipReason, number>>;
  clicks: number;
  replies: number;
  optOuts: number;
  /** Why a failed or stopped run ended, where it says. */
  error?: string | null;
}

export interface CampaignRuns {
  data: CampaignRun[];
  nextCursor: string | null;
}

export interface CampaignCalls {
  previewEstimate(body: EstimateInput): Promise<EstimatePreview>;
  runs(id: string, query?: { limit?: number; cursor?: string | undefined }): Promise<CampaignRuns>;
}

function refusal(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: string; message?: string; issues?: Issue[] } } | null)
    ?.error;
  return new ApiError(
    status,
    error?.code ?? 'http_error',
    error?.message ?? `HTTP ${status}`,
    error?.issues ?? [],
  );
}

export function campaignCalls(
  appFetch: AppFetch,
  c: Context<AppEnv>,
  credential: string,
): CampaignCalls {
  const origin = new URL(c.req.url).origin;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${credential}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const request = new Request(`${origin}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await appFetch(request, c.env, executionContext(c));
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) throw refusal(response.status, json);
    return json as T;
  }
  return {
    previewEstimate: (body) => call<EstimatePreview>('POST', '/v1/campaigns/estimate', body),
    runs: (id, query = {}) =>
      call<CampaignRuns>(
        'GET',
        `/v1/campaigns/${encodeURIComponent(id)}/runs${queryString({ ...query })}`,
      ),
  };
}
