// One page of a campaign run: the next RUN_PAGE_SIZE matched candidates after the run's cursor,
// judged as the estimate judges them, and their texts written in one D1 batch, then queued.
//
// Exactly once: the batch's first statement moves the run's `page` on from the page this job is
// for and sets a claim token of its own; every later statement writes only while the run holds
// that token. A second job for the same page (the queue redelivers, the cron resumes a run that
// looked stalled) finds the page moved on and writes nothing; a job that died before its batch
// left nothing to undo. Texts are queued after the batch, so a job that died in between is
// retried, finds its page done and queues again what is still `queued` (delivery claims each
// text, so one queued twice is sent once), then the next page.
//
// Each text is guarded in SQL like a send from the API: no campaign text to the candidate since
// the organisation's midnight (one re-engagement text a day across all campaigns, decided inside
// the transaction, so two campaigns running together cannot both text them), and a monthly
// contact taken under the period's count for those not messaged for 45 days. When the contacts
// run out the rest of those candidates are counted `noContactsLeft`, not retried.
import { periodOf } from '../../messaging/rules/monthly-contacts.js';
import { campaignSender } from '../../messaging/sent-by.js';
import { bodyWithLink, messageLinkUrl, newLinkCode } from '../message-links/message-links.js';
import type { OutboundJob } from '../messages/queue-message.js';
import { noSkips } from './estimate.js';
import { mergeMessage, NO_FIRST_NAME } from './mail-merge.js';
import { type CampaignOrg, lateReason, loadCampaignOrg, senderFor } from './reach.js';
import {
  localMidnight,
  type SelectionCursor,
  type SelectionRow,
  type SkipReason,
  selectionOf,
  selectionPageSql,
} from './selection.js';
import type { CampaignRow } from './write-campaigns.js';

export const RUN_PAGE_SIZE = 100;
/** A chunk's items as JSON stay well under D1's 100 KB a statement. */
const CHUNK_CHARS = 40_000;

/**
 * A queue job: write page `page` of run `runId` of organisation `orgId` (its shard's; jobs
 * queued before shards had none, and are the first shard's).
 */
export interface CampaignPageJob {
  kind: 'campaign-page';
  runId: string;
  page: number;
  orgId?: string;
}

export interface RunRow {
  id: string;
  org_id: string;
  campaign_id: string;
  local_date: string;
  state: 'running' | 'done' | 'stopped' | 'failed';
  as_of: number;
  page: number;
  cursor_last_contacted_at: number | null;
  cursor_candidate_id: string | null;
}

export interface RunEnv {
  DB: D1Database;
  /** The shard DB is (src/shards); the first when absent. */
  SHARD?: string;
  MESSAGE_QUEUE?: Queue;
  CAMPAIGN_QUEUE?: Queue;
  PUBLIC_ORIGIN?: string;
}

export type PageOutcome =
  | { kind: 'written'; texts: number; last: boolean }
  | { kind: 'already' }
  | { kind: 'stopped'; reason: string };

/** A text to write: candidate, message id, from, to, body, variables, link code, needs a contact. */
interface Item {
  c: string;
  m: string;
  f: string;
  t: string;
  b: string | null;
  v: string | null;
  l: string | null;
  n: 0 | 1;
}

/** A page's skips decided before its batch (the batch counts `noContactsLeft` itself). */
type Counts = Record<SkipReason, number>;

/** The origin of campaign texts' links and status callbacks. */
export function publicOrigin(env: RunEnv): string | null {
  return env.PUBLIC_ORIGIN ? env.PUBLIC_ORIGIN.replace(/\/+$/, '') : null;
}

/** What one candidate receives: the message merged for them, with their own tracked link. */
function textFor(campaign: CampaignRow, row: SelectionRow, base: string) {
  const code = campaign.url ? newLinkCode() : null;
  const link = code ? messageLinkUrl(base, code) : null;
  const fields = { firstName: row.firstName, link };
  if (campaign.channel === 'whatsapp') {
    const variables = JSON.parse(campaign.template_variables ?? '{}') as Record<string, string>;
    const merged = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, mergeMessage(value, fields)]),
    );
    merged.firstName ??= row.firstName?.trim() || NO_FIRST_NAME;
    if (link) merged.link = link;
    return { body: null, variables: JSON.stringify(merged), code };
  }
  const message = campaign.body ?? '';
  const body = mergeMessage(message, fields);
  return {
    body: link && !message.includes('{{url}}') ? bodyWithLink(body, link) : body,
    variables: null,
    code,
  };
}

/** Sorts a page into skip counts and the texts to write. */
function judgePage(
  rows: readonly SelectionRow[],
  campaign: CampaignRow,
  org: CampaignOrg,
  asOf: number,
  base: string,
) {
  const counts: Counts = noSkips();
  const items: Item[] = [];
  for (const row of rows) {
    if (row.reason) {
      counts[row.reason] += 1;
      continue;
    }
    const candidate = { zone: row.timeZone, country: row.phoneCountry };
    const late = lateReason(org, campaign.channel, candidate, asOf);
    if (late) {
      counts[late] += 1;
      continue;
    }
    const text = textFor(campaign, row, base);
    items.push({
      c: row.candidateId,
      m: `msg_${crypto.randomUUID().replaceAll('-', '')}`,
      f: senderFor(org, campaign.channel, row.phoneCountry) ?? '',
      t: campaign.channel === 'whatsapp' ? `whatsapp:${row.phone}` : (row.phone ?? ''),
      b: text.body,
      v: text.variables,
      l: text.code,
      n: Number(row.needsContact) === 1 ? 1 : 0,
    });
  }
  return { counts, items };
}

/** Items in chunks whose JSON stays under CHUNK_CHARS. */
function chunks(items: readonly Item[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const item of items) {
    const json = JSON.stringify(item);
    if (current.length > 0 && size + json.length + 1 > CHUNK_CHARS) {
      out.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += json.length + 1;
  }
  if (current.length > 0) out.push(`[${current.join(',')}]`);
  return out;
}

interface Claim {
  run: RunRow;
  claim: string;
  cursor: SelectionCursor | null;
  last: boolean;
  counts: Counts;
  matched: number;
  now: number;
}

function claimStatement(db: D1Database, c: Claim): D1PreparedStatement {
  const k = c.counts;
  return db
    .prepare(
      `UPDATE campaign_runs SET page = page + 1, claim = ?3, updated_at = ?4,
         cursor_last_contacted_at = ?5, cursor_candidate_id = ?6, matched = matched + ?7,
         skipped_inactive = skipped_inactive + ?8, skipped_opted_out = skipped_opted_out + ?9,
         skipped_no_number = skipped_no_number + ?10,
         skipped_texted_today = skipped_texted_today + ?11,
         skipped_no_sender = skipped_no_sender + ?12,
         skipped_quiet_hours = skipped_quiet_hours + ?13,
         state = CASE WHEN ?14 THEN 'done' ELSE state END,
         finished_at = CASE WHEN ?14 THEN ?4 ELSE finished_at END
       WHERE id = ?1 AND page = ?2 AND state = 'running'`,
    )
    .bind(
      c.run.id,
      c.run.page,
      c.claim,
      c.now,
      c.cursor?.lastContactedAt ?? null,
      c.cursor?.candidateId ?? null,
      c.matched,
      k.inactive,
      k.optedOut,
      k.noNumberOrConsent,
      k.textedToday,
      k.noSenderNumber,
      k.quietHours,
      c.last ? 1 : 0,
    );
}

/**
 * The statements writing one chunk of texts, each only while the run holds `claim`. Parameters:
 * ?1 org, ?2 period, ?3 now, ?4 items JSON, ?5 run, ?6 claim, ?7 the organisation's midnight.
 */
const HELD = 'EXISTS (SELECT 1 FROM campaign_runs WHERE id = ?5 AND claim = ?6)';
const ITEM = (field: string) => `json_extract(j.value, '$.${field}')`;
const TEXTED_TODAY = `EXISTS (SELECT 1 FROM messages t WHERE t.org_id = ?1
  AND t.candidate_id = ${ITEM('c')} AND t.created_at >= ?7 AND t.campaign_id IS NOT NULL)`;
const WRITTEN = `EXISTS (SELECT 1 FROM messages w WHERE w.id = ${ITEM('m')})`;

const CHUNK_SQL = [
  // Monthly contacts, in page order, while the period's count is under the allowance.
  `INSERT INTO contact_usage (org_id, period, candidate_id, message_id, used_at)
   SELECT ?1, ?2, ${ITEM('c')}, ${ITEM('m')}, ?3 FROM json_each(?4) AS j
   WHERE ${ITEM('n')} = 1 AND ${HELD} AND NOT ${TEXTED_TODAY}
   ORDER BY j.key
   LIMIT max(0, (SELECT monthly_contact_allowance FROM organisations WHERE id = ?1)
     - (SELECT count(*) FROM contact_usage WHERE org_id = ?1 AND period = ?2))
   ON CONFLICT DO NOTHING`,
  // The texts: not texted today, and with a contact this period if one is needed.
  `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
     body, template_id, template_variables, status, sent_by, campaign_id, campaign_run_id,
     uses_contact, created_at, updated_at, link_id, link_url)
   SELECT ${ITEM('m')}, ?1, ${ITEM('c')}, 'outbound', ?8, ${ITEM('f')}, ${ITEM('t')}, ${ITEM('b')},
     ?9, ${ITEM('v')}, 'queued', ?10, ?11, ?5,
     EXISTS (SELECT 1 FROM contact_usage u WHERE u.org_id = ?1 AND u.period = ?2
             AND u.message_id = ${ITEM('m')}),
     ?3, ?3, ${ITEM('l')}, ?12
   FROM json_each(?4) AS j
   WHERE ${HELD} AND NOT ${TEXTED_TODAY}
     AND (${ITEM('n')} = 0 OR EXISTS (SELECT 1 FROM contact_usage u WHERE u.org_id = ?1
          AND u.period = ?2 AND u.candidate_id = ${ITEM('c')}))`,
  `UPDATE candidate_contact_details SET last_messaged_at = MAX(COALESCE(last_messaged_at, 0), ?3)
   WHERE candidate_id IN (SELECT ${ITEM('c')} FROM json_each(?4) AS j WHERE ${WRITTEN})
     AND ${HELD}`,
  // A contact taken for a text that was not written (texted today after all) is given back.
  `DELETE FROM contact_usage WHERE org_id = ?1 AND period = ?2
     AND candidate_id IN (SELECT ${ITEM('c')} FROM json_each(?4) AS j)
     AND message_id IN (SELECT ${ITEM('m')} FROM json_each(?4) AS j WHERE NOT ${WRITTEN})`,
  `UPDATE campaign_runs SET
     sent = sent + (SELECT count(*) FROM json_each(?4) AS j WHERE ${WRITTEN}),
     skipped_texted_today = skipped_texted_today + (SELECT count(*) FROM json_each(?4) AS j
       WHERE NOT ${WRITTEN} AND ${TEXTED_TODAY}),
     skipped_no_contacts = skipped_no_contacts + (SELECT count(*) FROM json_each(?4) AS j
       WHERE NOT ${WRITTEN} AND NOT ${TEXTED_TODAY})
   WHERE id = ?5 AND claim = ?6`,
];

function chunkStatements(
  db: D1Database,
  json: string,
  ctx: { claim: Claim; campaign: CampaignRow; period: string; midnight: number },
): D1PreparedStatement[] {
  const { claim, campaign } = ctx;
  const params = [
    campaign.org_id,
    ctx.period,
    claim.now,
    json,
    claim.run.id,
    claim.claim,
    ctx.midnight,
    campaign.channel,
    campaign.template_id,
    campaignSender(campaign.id),
    campaign.id,
    campaign.url,
  ];
  return CHUNK_SQL.map((sql) => {
    const used = Math.max(...[...sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1])));
    return db.prepare(sql).bind(...params.slice(0, used));
  });
}

async function readRun(db: D1Database, runId: string) {
  const run = await db
    .prepare('SELECT * FROM campaign_runs WHERE id = ?1')
    .bind(runId)
    .first<RunRow>();
  if (!run) return null;
  const campaign = await db
    .prepare('SELECT * FROM campaigns WHERE id = ?1')
    .bind(run.campaign_id)
    .first<CampaignRow>();
  return campaign ? { run, campaign } : null;
}

/** Ends a run that cannot go on (its campaign disabled or archived, no public origin). */
async function endRun(
  db: D1Database,
  run: RunRow,
  state: 'stopped' | 'failed',
  reason: string,
  now: number,
): Promise<PageOutcome> {
  await db
    .prepare(
      `UPDATE campaign_runs SET state = ?2, error = ?3, updated_at = ?4, finished_at = ?4
       WHERE id = ?1 AND state = 'running'`,
    )
    .bind(run.id, state, reason, now)
    .run();
  return { kind: 'stopped', reason };
}

/** Queues the run's texts still waiting for a job, and the next page if the run goes on. */
async function queueRest(env: RunEnv, run: RunRow, base: string, texts: readonly string[]) {
  const queue = env.MESSAGE_QUEUE;
  if (!queue) throw new Error('campaign run: no MESSAGE_QUEUE binding');
  for (let i = 0; i < texts.length; i += 100) {
    const jobs: MessageSendRequest<OutboundJob>[] = texts.slice(i, i + 100).map((messageId) => ({
      body: { kind: 'send', messageId, orgId: run.org_id, callbackBase: base },
    }));
    await queue.sendBatch(jobs);
  }
}

/** The ids of the run's texts written but not yet claimed by delivery. */
async function waitingTexts(db: D1Database, runId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM messages WHERE campaign_run_id = ?1 AND direction = 'outbound'
         AND status = 'queued'`,
    )
    .bind(runId)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

/**
 * Queues page `page` of run `runId` on the campaign queue. Pages have a queue of their own: on the
 * texting queue each page waited behind the previous page's 100 sends, so selecting a run took as
 * long as texting it (the campaigns benchmark: 4 s a page, 100,000 candidates in over an hour).
 */
export async function queuePage(
  env: RunEnv,
  run: { id: string; org_id: string },
  page: number,
): Promise<void> {
  const queue = env.CAMPAIGN_QUEUE;
  if (!queue) throw new Error('campaign run: no CAMPAIGN_QUEUE binding');
  const job: CampaignPageJob = { kind: 'campaign-page', runId: run.id, page, orgId: run.org_id };
  await queue.send(job);
}

/** Does page `job.page` of its run (or, if done already, what may be left after it). */
export async function runPage(
  env: RunEnv,
  job: CampaignPageJob,
  now: number,
): Promise<PageOutcome> {
  const db = env.DB;
  const found = await readRun(db, job.runId);
  if (!found) return { kind: 'stopped', reason: 'run not found' };
  const { run, campaign } = found;
  const base = publicOrigin(env);
  if (job.page < run.page) {
    // Written already: queue what may not have been, and the page after if nobody has.
    if (base) await queueRest(env, run, base, await waitingTexts(db, run.id));
    if (run.state === 'running' && job.page === run.page - 1) await queuePage(env, run, run.page);
    return { kind: 'already' };
  }
  if (run.state !== 'running' || job.page > run.page) return { kind: 'already' };
  if (campaign.state !== 'enabled') {
    return endRun(db, run, 'stopped', `the campaign was ${campaign.state}`, now);
  }
  if (!base) return endRun(db, run, 'failed', 'PUBLIC_ORIGIN is not set', now);
  const org = await loadCampaignOrg(db, campaign.org_id, campaign.sender_user_id);
  if (!org.senderLicensed) {
    // Texts go out in the sender's name: never from someone deactivated or without a licence.
    const reason = `the sender ${campaign.sender_user_id} is deactivated or has no messaging licence`;
    return endRun(db, run, 'failed', reason, now);
  }
  const selection = selectionOf(campaign, { now: run.as_of, model: org.model, zone: org.zone });
  const cursor =
    run.cursor_candidate_id === null
      ? null
      : { lastContactedAt: run.cursor_last_contacted_at, candidateId: run.cursor_candidate_id };
  const page = selectionPageSql(selection, cursor, RUN_PAGE_SIZE);
  const { results: rows } = await db
    .prepare(page.sql)
    .bind(...page.params)
    .all<SelectionRow>();
  const { counts, items } = judgePage(rows, campaign, org, run.as_of, base);
  const lastRow = rows.at(-1);
  const claim: Claim = {
    run,
    claim: crypto.randomUUID(),
    cursor: lastRow
      ? { lastContactedAt: lastRow.lastContactedAt, candidateId: lastRow.candidateId }
      : cursor,
    last: rows.length < RUN_PAGE_SIZE,
    counts,
    matched: rows.length,
    now,
  };
  const ctx = {
    claim,
    campaign,
    period: periodOf(run.as_of, org.zone).label,
    midnight: localMidnight(run.as_of, org.zone),
  };
  const results = await db.batch([
    claimStatement(db, claim),
    ...chunks(items).flatMap((json) => chunkStatements(db, json, ctx)),
  ]);
  if (results[0]?.meta.changes !== 1) return { kind: 'already' };
  const written = await writtenTexts(db, items);
  await queueRest(env, run, base, written);
  if (!claim.last) await queuePage(env, run, run.page + 1);
  return { kind: 'written', texts: written.length, last: claim.last };
}

/** Which of a page's texts the batch wrote. */
async function writtenTexts(db: D1Database, items: readonly Item[]): Promise<string[]> {
  if (items.length === 0) return [];
  const { results } = await db
    .prepare(
      'SELECT j.value AS id FROM json_each(?1) AS j WHERE EXISTS (SELECT 1 FROM messages WHERE id = j.value)',
    )
    .bind(JSON.stringify(items.map((item) => item.m)))
    .all<{ id: string }>();
  return results.map((row) => row.id);
}
