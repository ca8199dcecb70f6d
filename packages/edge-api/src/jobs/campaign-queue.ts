// The campaign queue's consumer (wrangler.jsonc `queues`, `cxm-campaign-pages`): a job starts the
// due runs of a page of campaigns (`start-runs.ts`, the cron's pages after its first) or writes
// one page of a re-engagement run (`endpoints/campaigns/run-page.ts`), which queues that page's
// texts on the texting queue and the next page here. A page that throws is retried with backoff;
// one the queue gives up on is dropped, and the cron resumes its run once it has not moved for
// 15 minutes (`endpoints/campaigns/start-runs.ts`), so no dead-letter queue is needed.

import { type CampaignPageJob, runPage } from '../endpoints/campaigns/run-page.js';
import { type CampaignStartJob, runStartJob } from '../endpoints/campaigns/start-runs.js';
import type { Bindings } from '../env.js';
import { eachInTurn } from './in-turn.js';

export const CAMPAIGN_QUEUE_NAME = 'cxm-campaign-pages';

/** What the campaign queue carries: a run's page, or a page of campaigns to start. */
export type CampaignJob = CampaignPageJob | CampaignStartJob;

export function consumeCampaignPages(
  batch: MessageBatch<CampaignJob>,
  env: Bindings,
  now: () => number = Date.now,
): Promise<void> {
  // In turn: a run has one page in flight at a time, and each page is one D1 batch.
  return eachInTurn(
    batch,
    () => 'campaigns',
    (job) =>
      job.kind === 'campaign-starts' ? runStartJob(env, job, now()) : runPage(env, job, now()),
  );
}
