// Reading and writing campaign definitions. Each write is one D1 batch: the guarded insert or
// update, then its audit entry, written only if the statement changed a row (`changes()`). The
// guards repeat what was checked before the write: the sender is still an active, licensed user of
// the organisation; an update also needs the `updated_at` it read and a campaign not archived. A
// write that lost a race is decided again from fresh reads; one that changes nothing writes
// nothing, not even an audit entry. State changes need no read-first: the statement itself says
// `state != 'archived'`, so an archive racing an enable can end archived, never un-archived.

import { auditAfterChange } from '../../db/audit.js';
import { database } from '../../db/client.js';
import { WriteContention } from '../../db/retry.js';
import type { CampaignState } from '../../db/schema.js';
import type { ApiCaller } from '../../env.js';
import { callerOrg, linkOrigins } from '../../orgs/context.js';
import type { CursorCodec } from '../../utils/cursor.js';
import { invalidRequest } from '../../utils/errors.js';
import {
  chooseSender,
  type Definition,
  definitionIssues,
  type OrgRules,
  type Refusal,
  type SenderRow,
  senderIssue,
} from './rules.js';
import type { CampaignJson, CreateCampaignBody, Timeframe, UpdateCampaignBody } from './schema.js';

const ATTEMPTS = 4;

export interface CampaignRow {
  id: string;
  org_id: string;
  name: string;
  reengagement: number;
  code: string | null;
  url: string | null;
  auto_response: string | null;
  timeframe_days: number | null;
  never_contacted: number;
  tags: string;
  tags_mode: 'all' | 'any';
  sender_user_id: string;
  send_time: string;
  channel: 'sms' | 'whatsapp';
  body: string | null;
  template_id: string | null;
  template_variables: string | null;
  state: CampaignState;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export function campaignJson(row: CampaignRow): CampaignJson {
  const timeframe: Timeframe =
    row.never_contacted === 1
      ? { neverContacted: true }
      : { notContactedForDays: row.timeframe_days ?? 0 };
  return {
    id: row.id,
    name: row.name,
    reengagement: row.reengagement === 1,
    code: row.code,
    url: row.url,
    autoResponse: row.auto_response,
    timeframe,
    tags: JSON.parse(row.tags) as string[],
    tagsMode: row.tags_mode,
    fromUserId: row.sender_user_id,
    sendTime: row.send_time,
    channel: row.channel,
    message: row.body,
    templateId: row.template_id,
    templateVariables:
      row.template_variables === null
        ? null
        : (JSON.parse(row.template_variables) as Record<string, string>),
    state: row.state,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export type WriteResult = { ok: true; campaign: CampaignJson } | { ok: false; refusal: Refusal };

/** The fields a campaign's definition is made of, in the API's terms (what PATCH may change). */
type Editable = Omit<
  CampaignJson,
  'id' | 'reengagement' | 'state' | 'createdBy' | 'createdAt' | 'updatedAt'
>;

/** The columns of an editable definition (bound in this order by insert and update). */
function columns(value: Editable) {
  return [
    value.name,
    value.code,
    value.url,
    value.autoResponse,
    'notContactedForDays' in value.timeframe ? value.timeframe.notContactedForDays : null,
    'neverContacted' in value.timeframe ? 1 : 0,
    JSON.stringify(value.tags),
    value.tagsMode,
    value.fromUserId,
    value.sendTime,
    value.channel,
    value.message,
    value.templateId,
    value.templateVariables === null ? null : JSON.stringify(value.templateVariables),
  ];
}

/** The sender is still an active, licensed user of the organisation (?1): repeated in the write. */
const SENDER_OK = (param: string) =>
  `EXISTS (SELECT 1 FROM users WHERE org_id = ?1 AND id = ${param} AND licence = 1 AND deactivated_at IS NULL)`;

async function orgRules(db: D1Database, orgId: string): Promise<OrgRules> {
  const [org, hours] = await Promise.all([
    callerOrg(database(db), orgId),
    db
      .prepare(
        'SELECT quiet_start_hour AS start, quiet_end_hour AS "end" FROM organisations WHERE id = ?1',
      )
      .bind(orgId)
      .first<{ start: number; end: number }>(),
  ]);
  return { linkOrigins: linkOrigins(org), sendHours: hours ?? { start: 8, end: 20 } };
}

async function readSender(db: D1Database, orgId: string, id: string): Promise<SenderRow | null> {
  return db
    .prepare('SELECT id, licence, deactivated_at FROM users WHERE org_id = ?1 AND id = ?2')
    .bind(orgId, id)
    .first<SenderRow>();
}

/** The refusal for the sender `id`, or null when it may send. */
async function senderRefusal(db: D1Database, orgId: string, id: string): Promise<Refusal | null> {
  const problem = senderIssue(id, await readSender(db, orgId, id));
  return problem ? invalidRequest([problem]) : null;
}

export async function readCampaign(
  db: D1Database,
  orgId: string,
  id: string,
): Promise<CampaignRow | null> {
  return db
    .prepare('SELECT * FROM campaigns WHERE org_id = ?1 AND id = ?2')
    .bind(orgId, id)
    .first();
}

/** On creation the url and send time are new, so both are checked. */
const NEW = new Set<keyof Definition>(['url', 'sendTime']);

export async function createCampaign(
  db: D1Database,
  caller: ApiCaller,
  input: CreateCampaignBody,
  now: number,
): Promise<WriteResult> {
  if (!input.reengagement) {
    const message =
      'Standard campaigns are not supported yet: only re-engagement campaigns (reengagement: true) can be created.';
    return {
      ok: false,
      refusal: {
        code: 'invalid_request',
        message,
        issues: [{ path: 'reengagement', code: 'invalid', message }],
      },
    };
  }
  const sender = chooseSender(caller, input.fromUserId);
  if (!sender.ok) return sender;
  const value: Editable = {
    name: input.name,
    code: input.code ?? null,
    url: input.url ?? null,
    autoResponse: input.autoResponse ?? null,
    timeframe:
      input.timeframe.neverContacted === true
        ? { neverContacted: true }
        : { notContactedForDays: input.timeframe.notContactedForDays ?? 0 },
    tags: [...new Set(input.tags)],
    tagsMode: input.tagsMode,
    fromUserId: sender.userId,
    sendTime: input.sendTime,
    channel: input.channel,
    message: input.message ?? null,
    templateId: input.templateId ?? null,
    templateVariables: input.templateVariables ?? null,
  };
  const issues = definitionIssues(value, NEW, await orgRules(db, caller.orgId));
  if (issues.length > 0) return { ok: false, refusal: invalidRequest(issues) };
  const id = `cmp_${crypto.randomUUID().replaceAll('-', '')}`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const refused = await senderRefusal(db, caller.orgId, value.fromUserId);
    if (refused) return { ok: false, refusal: refused };
    const [inserted] = await db.batch<CampaignRow>([
      db
        .prepare(
          `INSERT INTO campaigns (org_id, id, reengagement, state, created_by, created_at, updated_at,
             name, code, url, auto_response, timeframe_days, never_contacted, tags, tags_mode,
             sender_user_id, send_time, channel, body, template_id, template_variables)
           SELECT ?1, ?2, 1, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
             ?17, ?18, ?19
           WHERE ${SENDER_OK('?14')} RETURNING *`,
        )
        .bind(caller.orgId, id, input.state, caller.actor, now, ...columns(value)),
      auditAfterChange(db, {
        orgId: caller.orgId,
        actor: caller.actor,
        subject: id,
        at: now,
        action: 'campaign.create',
        details: { name: value.name, state: input.state, fromUserId: value.fromUserId },
      }),
    ]);
    const row = inserted?.results[0];
    if (row) return { ok: true, campaign: campaignJson(row) };
  }
  throw new WriteContention(ATTEMPTS);
}

function archivedRefusal(id: string): Refusal {
  return {
    code: 'campaign_archived',
    message: `Campaign ${id} is archived: archiving is final, it cannot be changed, enabled or disabled.`,
  };
}

/** What changed, `{ field: [before, after] }`, in the API's terms. */
function changesOf(before: Editable, after: Editable): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const field of Object.keys(after) as (keyof Editable)[]) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      out[field] = [before[field], after[field]];
    }
  }
  return out;
}

function editableOf(campaign: CampaignJson): Editable {
  const { id, reengagement, state, createdBy, createdAt, updatedAt, ...editable } = campaign;
  return editable;
}

/** The campaign after `patch` (undefined keeps a field; null removes an optional one). */
function merged(before: Editable, patch: UpdateCampaignBody): Editable {
  const pick = <K extends keyof Editable>(key: K, value: Editable[K] | undefined) =>
    value === undefined ? before[key] : value;
  const timeframe: Editable['timeframe'] | undefined =
    patch.timeframe === undefined
      ? undefined
      : patch.timeframe.neverContacted === true
        ? { neverContacted: true }
        : { notContactedForDays: patch.timeframe.notContactedForDays ?? 0 };
  return {
    name: pick('name', patch.name),
    code: pick('code', patch.code),
    url: pick('url', patch.url),
    autoResponse: pick('autoResponse', patch.autoResponse),
    timeframe: pick('timeframe', timeframe),
    tags: pick('tags', patch.tags === undefined ? undefined : [...new Set(patch.tags)]),
    tagsMode: pick('tagsMode', patch.tagsMode),
    fromUserId: pick('fromUserId', patch.fromUserId),
    sendTime: pick('sendTime', patch.sendTime),
    channel: pick('channel', patch.channel),
    message: pick('message', patch.message),
    templateId: pick('templateId', patch.templateId),
    templateVariables: pick('templateVariables', patch.templateVariables),
  };
}

/** Null when there is no such campaign in the caller's organisation. */
export async function updateCampaign(
  db: D1Database,
  caller: ApiCaller,
  id: string,
  patch: UpdateCampaignBody,
  now: number,
): Promise<WriteResult | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await readCampaign(db, caller.orgId, id);
    if (!row) return null;
    if (patch.reengagement === false && row.reengagement === 1) {
      const message =
        'A re-engagement campaign cannot become a standard one: reengagement is set at creation and never changes.';
      return {
        ok: false,
        refusal: {
          code: 'invalid_request',
          message,
          issues: [{ path: 'reengagement', code: 'invalid', message }],
        },
      };
    }
    if (row.state === 'archived') return { ok: false, refusal: archivedRefusal(id) };
    const current = campaignJson(row);
    const before = editableOf(current);
    const after = merged(before, patch);
    const diff = changesOf(before, after);
    if (Object.keys(diff).length === 0) return { ok: true, campaign: current };
    const senderChanges = 'fromUserId' in diff;
    if (senderChanges) {
      const sender = chooseSender(caller, after.fromUserId);
      if (!sender.ok) return sender;
    }
    const changed = new Set(Object.keys(diff)) as Set<keyof Definition>;
    const issues = definitionIssues(after, changed, await orgRules(db, caller.orgId));
    if (issues.length > 0) return { ok: false, refusal: invalidRequest(issues) };
    if (senderChanges) {
      const refused = await senderRefusal(db, caller.orgId, after.fromUserId);
      if (refused) return { ok: false, refusal: refused };
    }
    const stamp = Math.max(now, row.updated_at + 1);
    const [updated] = await db.batch<CampaignRow>([
      db
        .prepare(
          `UPDATE campaigns SET updated_at = ?3, name = ?5, code = ?6, url = ?7, auto_response = ?8,
             timeframe_days = ?9, never_contacted = ?10, tags = ?11, tags_mode = ?12,
             sender_user_id = ?13, send_time = ?14, channel = ?15, body = ?16, template_id = ?17,
             template_variables = ?18
           WHERE org_id = ?1 AND id = ?2 AND updated_at = ?4 AND state != 'archived'
             ${senderChanges ? `AND ${SENDER_OK('?13')}` : ''}
           RETURNING *`,
        )
        .bind(caller.orgId, id, stamp, row.updated_at, ...columns(after)),
      auditAfterChange(db, {
        orgId: caller.orgId,
        actor: caller.actor,
        subject: id,
        at: stamp,
        action: 'campaign.update',
        details: { name: row.name, changes: diff },
      }),
    ]);
    const written = updated?.results[0];
    if (written) return { ok: true, campaign: campaignJson(written) };
  }
  throw new WriteContention(ATTEMPTS);
}

const ACTIONS = { enabled: 'enable', disabled: 'disable', archived: 'archive' } as const;

/**
 * Moves a campaign to `state`. Null when there is no such campaign; the current state again is a
 * harmless 200 that writes nothing; an archived campaign moves nowhere else (409).
 */
export async function setCampaignState(
  db: D1Database,
  caller: ApiCaller,
  id: string,
  state: CampaignState,
  now: number,
): Promise<WriteResult | null> {
  const [updated] = await db.batch<CampaignRow>([
    db
      .prepare(
        `UPDATE campaigns SET state = ?3, updated_at = max(?4, updated_at + 1)
         WHERE org_id = ?1 AND id = ?2 AND state != 'archived' AND state != ?3 RETURNING *`,
      )
      .bind(caller.orgId, id, state, now),
    db
      .prepare(
        `INSERT INTO audit_log (id, org_id, at, actor, action, subject, details)
         SELECT ?1, ?2, updated_at, ?3, ?4, ?5, json_object('name', name, 'state', ?6)
         FROM campaigns WHERE changes() = 1 AND org_id = ?2 AND id = ?5`,
      )
      .bind(
        crypto.randomUUID(),
        caller.orgId,
        caller.actor,
        `campaign.${ACTIONS[state]}`,
        id,
        state,
      ),
  ]);
  const written = updated?.results[0];
  if (written) return { ok: true, campaign: campaignJson(written) };
  const row = await readCampaign(db, caller.orgId, id);
  if (!row) return null;
  if (row.state === state) return { ok: true, campaign: campaignJson(row) };
  return { ok: false, refusal: archivedRefusal(id) };
}

export interface CampaignCursor {
  n: string;
  i: string;
}

export function isCampaignCursor(value: unknown): value is CampaignCursor {
  const v = value as CampaignCursor | null;
  return typeof v?.n === 'string' && typeof v.i === 'string';
}

export interface ListQuery {
  type?: 'reengagement' | 'standard' | undefined;
  name?: string | undefined;
  code?: string | undefined;
  state?: CampaignState | undefined;
  limit: number;
  cursor: CampaignCursor | null;
  /** Seals `nextCursor`. */
  cursors: CursorCodec;
}

/** A page of the organisation's campaigns by name (then id); archived ones only when asked for. */
export async function listCampaigns(db: D1Database, orgId: string, query: ListQuery) {
  const reengagement = query.type === undefined ? null : query.type === 'reengagement' ? 1 : 0;
  const { results } = await db
    .prepare(
      `SELECT * FROM campaigns
       WHERE org_id = ?1
         AND (CASE WHEN ?2 IS NULL THEN state != 'archived' ELSE state = ?2 END)
         AND (?3 IS NULL OR reengagement = ?3)
         AND (?4 IS NULL OR instr(lower(name), lower(?4)) > 0)
         AND (?5 IS NULL OR instr(lower(coalesce(code, '')), lower(?5)) > 0)
         AND (?6 IS NULL OR name > ?6 OR (name = ?6 AND id > ?7))
       ORDER BY name, id LIMIT ?8`,
    )
    .bind(
      orgId,
      query.state ?? null,
      reengagement,
      query.name || null,
      query.code || null,
      query.cursor?.n ?? null,
      query.cursor?.i ?? '',
      query.limit + 1,
    )
    .all<CampaignRow>();
  const shown = results.slice(0, query.limit);
  const last = shown.at(-1);
  return {
    campaigns: shown.map(campaignJson),
    nextCursor:
      results.length > query.limit && last
        ? query.cursors.encode({ n: last.name, i: last.id })
        : null,
  };
}
