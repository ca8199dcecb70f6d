// One isolation case per operation of the OpenAPI document (`METHOD /path` as the document
// spells it). Each acts as the attacker, with the attacker's highest key and its own site key
// and tokens, aimed at the victim's resources: the victim's candidate ids (external and the
// database's own), key ids, device ids and event ids, cursors from the victim's replies, the
// attacker's own tokens rewritten to name the victim's link, the victim's users (ids and
// emails), identity provider, contact ids, candidates' and sender numbers, and its texts' ids at
// the provider (posted as the provider would, without its auth token). `send` already fails a
// reply that carries the victim's data or is a 5xx; the cases check what the reply should say,
// and the driver compares the victim's rows before and after each case.
//
// They run in this order, reads before writes, so a read never meets the attacker's own
// candidate that a write created under the victim's name.
import { read } from '@cxm/test-support/d1';
import type { OrgFixture } from './fixture.js';
import { TYPES } from './fixture.js';
import { type Answer, type Call, field, list } from './http.js';
import { signature } from './texting.js';
import { payloadOf, rewritten, tokenOfUrl } from './tokens.js';

export interface Tools {
  /** The worker's origin, as the texting provider signs the URLs it posts to. */
  origin: string;
  attacker: OrgFixture;
  victim: OrgFixture;
  persist: string;
  /** Sends as the attacker; a 5xx or a reply with the victim's data is recorded as a problem. */
  send: (request: Call) => Promise<Answer>;
  /** Records `problem` unless `ok`. */
  check: (ok: boolean, problem: string) => void;
}

export interface IsolationCase {
  op: string;
  /** Set when the case runs only from `other` to `demo`, with the reason. */
  oneWay?: string;
  run: (t: Tools) => Promise<void>;
}

const DAY = 24 * 60 * 60 * 1000;

function key(t: Tools): string {
  return t.attacker.spec.keys.admin;
}

function status(t: Tools, answer: Answer, expected: number[], what: string): boolean {
  const ok = expected.includes(answer.status);
  t.check(
    ok,
    `${what}: expected ${expected.join(' or ')}, got ${answer.status} ${answer.text.slice(0, 200)}`,
  );
  return ok;
}

/** Names of the victim's candidates to aim at: its ids, and the database's ids of two. */
function victimCandidateNames(t: Tools): string[] {
  return [...t.victim.candidates, ...t.victim.internalCandidateIds.slice(0, 2)];
}

/** The ids of the victim's webhook events (its tier changes), read from its rows. */
function victimDeliveryIds(t: Tools): string[] {
  return read<{ id: string }>(
    t.persist,
    `SELECT id FROM webhook_deliveries WHERE org_id = '${t.victim.spec.orgId}' ORDER BY id`,
  ).map((row) => row.id);
}

function path(id: string): string {
  return encodeURIComponent(id);
}

/** Each of the victim's candidates is unknown to the attacker: 404 on `suffix`. */
function candidateRead(suffix: string): IsolationCase['run'] {
  return async (t) => {
    for (const id of victimCandidateNames(t)) {
      const answer = await t.send({
        method: 'GET',
        path: `/v1/candidates/${path(id)}${suffix}`,
        key: key(t),
      });
      status(t, answer, [404], `the victim's ${id}`);
    }
  };
}

/** The attacker's own counts, straight from D1, to compare lists and reports with. */
function attackerCounts(t: Tools, from: number, to: number) {
  const org = t.attacker.spec.orgId;
  const [row] = read<{ scores: number; engagements: number }>(
    t.persist,
    `SELECT (SELECT COUNT(*) FROM scores WHERE org_id = '${org}') AS scores,
            (SELECT COUNT(*) FROM engagements WHERE org_id = '${org}'
               AND occurred_at >= ${from} AND occurred_at < ${to}) AS engagements`,
  );
  return row ?? { scores: -1, engagements: -1 };
}

/** A tracked link of the attacker's own for the victim's candidate id, on its own site. */
async function ownLink(t: Tools): Promise<{ openUrl: string; clickUrl: string } | null> {
  const destination = `${t.attacker.spec.siteOrigin}/jobs/isolation-probe`;
  const answer = await t.send({
    method: 'POST',
    path: '/v1/links',
    key: key(t),
    json: {
      candidateId: t.victim.candidates[0],
      subject: 'isolation probe',
      destinations: [destination],
    },
  });
  if (!status(t, answer, [201], "minting the attacker's own link")) return null;
  const openUrl = field(answer.json, 'openUrl');
  const clickUrl = field(answer.json, 'clickUrls', destination);
  if (typeof openUrl !== 'string' || typeof clickUrl !== 'string') return null;
  return { openUrl, clickUrl };
}

/** The attacker's own token with the victim's organisation, link and candidate in it. */
function forged(t: Tools, token: string, extra: Record<string, unknown> = {}): string {
  return rewritten(token, {
    o: t.victim.spec.orgId,
    l: t.victim.linkIds[0],
    c: t.victim.candidates[0],
    ...extra,
  });
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The error code of an error reply (`{ error: { code } }`). */
function code(answer: Answer): unknown {
  return field(answer.json, 'error', 'code');
}

/** Each of the victim's users is unknown to the attacker: 404, whatever the change. */
function userWrite(method: 'PATCH' | 'DELETE', json?: unknown): IsolationCase['run'] {
  return async (t) => {
    for (const id of t.victim.userIds) {
      const answer = await t.send({ method, path: `/v1/users/${path(id)}`, key: key(t), json });
      status(t, answer, [404], `${method} of the victim's user ${id}`);
    }
  };
}

/** Each of the victim's campaigns is unknown to the attacker: 404, whatever the change. */
function campaignWrite(suffix: string, json?: unknown): IsolationCase['run'] {
  return async (t) => {
    for (const id of t.victim.campaignIds) {
      const answer = await t.send({
        method: suffix ? 'POST' : 'PATCH',
        path: `/v1/campaigns/${path(id)}${suffix}`,
        key: key(t),
        json,
      });
      status(t, answer, [404], `${suffix || 'PATCH'} of the victim's campaign ${id}`);
    }
  };
}

/**
 * Posts as the texting provider would, about the victim's texts, numbers and candidates, but
 * without the provider's auth token: unsigned, and signed with a token of the attacker's own
 * guess. Every one is refused (403), before anything is read or written.
 */
function providerPosts(
  route: string,
  forms: (t: Tools) => Record<string, string>[],
): IsolationCase['run'] {
  return async (t) => {
    const url = `${t.origin}${route}`;
    for (const form of forms(t)) {
      for (const [how, headers] of [
        ['unsigned', {}],
        [
          'signed with a guessed token',
          { 'X-Twilio-Signature': signature(`${t.attacker.spec.mark}-token`, url, form) },
        ],
        ['with an empty signature', { 'X-Twilio-Signature': '' }],
      ] as const) {
        const answer = await t.send({ method: 'POST', path: route, headers, form });
        const what = `${route} ${how} (${form.MessageSid} ${form.Body ?? form.MessageStatus})`;
        if (status(t, answer, [403], what)) {
          t.check(code(answer) === 'forbidden', `${what} was refused as ${String(code(answer))}`);
        }
      }
    }
  };
}

/** A provider's message id (`SM` and 32 hex digits) no one has used. */
function freshSid(n: number): string {
  return `SM${'150a7'.repeat(6)}${String(n).padStart(2, '0')}`;
}

export const CASES: IsolationCase[] = [
  {
    op: 'GET /healthz',
    run: async (t) => {
      status(t, await t.send({ method: 'GET', path: '/healthz' }), [200], 'health');
    },
  },
  {
    op: 'GET /t.js',
    run: async (t) => {
      for (const query of [`?site=${t.attacker.spec.siteKey}`, '']) {
        status(t, await t.send({ method: 'GET', path: `/t.js${query}` }), [200], `/t.js${query}`);
      }
    },
  },
  {
    op: 'GET /v1/whoami',
    run: async (t) => {
      const answer = await t.send({ method: 'GET', path: '/v1/whoami', key: key(t) });
      status(t, answer, [200], 'whoami');
      t.check(
        field(answer.json, 'orgId') === t.attacker.spec.orgId,
        `whoami names ${String(field(answer.json, 'orgId'))}`,
      );
    },
  },
  {
    op: 'GET /v1/keys',
    run: async (t) => {
      const answer = await t.send({ method: 'GET', path: '/v1/keys', key: key(t) });
      status(t, answer, [200], 'the key list');
      const ids = list(answer.json, 'keys').map((item) => field(item, 'id'));
      const theirs = ids.filter((id) => t.victim.keyIds.includes(String(id)));
      t.check(theirs.length === 0, `the key list has the victim's keys ${theirs.join(', ')}`);
    },
  },
  {
    op: 'GET /v1/candidates/{candidateId}/engagements',
    run: async (t) => {
      await candidateRead('/engagements?limit=200')(t);
      const cursor = t.victim.cursors.engagements;
      // The victim's cursor on the attacker's own candidate: sealed for the victim's organisation
      // and candidate, it does not open (a 400), and never pages the victim's rows.
      const own = await t.send({
        method: 'GET',
        path: `/v1/candidates/${path(t.attacker.candidates[0] ?? '')}/engagements?cursor=${cursor}`,
        key: key(t),
      });
      status(t, own, [400], "the victim's cursor on an own candidate");
      const theirs = await t.send({
        method: 'GET',
        path: `/v1/candidates/${path(t.victim.candidates[0] ?? '')}/engagements?cursor=${cursor}`,
        key: key(t),
      });
      status(t, theirs, [400, 404], "the victim's cursor on the victim's candidate");
    },
  },
  { op: 'GET /v1/candidates/{candidateId}/score', run: candidateRead('/score') },
  { op: 'GET /v1/candidates/{candidateId}/tags', run: candidateRead('/tags') },
  {
    op: 'GET /v1/candidates/{candidateId}/score-history',
    run: candidateRead('/score-history?days=366'),
  },
  {
    op: 'POST /v1/scores',
    run: async (t) => {
      const candidateIds = victimCandidateNames(t);
      const answer = await t.send({
        method: 'POST',
        path: '/v1/scores',
        key: key(t),
        json: { candidateIds },
      });
      status(t, answer, [200], 'scores');
      t.check(
        list(answer.json, 'scores').length === 0,
        `scores of the victim's candidates: ${answer.text.slice(0, 300)}`,
      );
      t.check(
        list(answer.json, 'notFound').length === candidateIds.length,
        `notFound lists ${list(answer.json, 'notFound').length} of ${candidateIds.length}`,
      );
    },
  },
  {
    op: 'GET /v1/audiences',
    run: async (t) => {
      const all = await t.send({ method: 'GET', path: '/v1/audiences?limit=500', key: key(t) });
      status(t, all, [200], 'the whole audience');
      const own = attackerCounts(t, 0, 0).scores;
      t.check(
        field(all.json, 'total') === own,
        `the audience counts ${String(field(all.json, 'total'))} candidates; the attacker has ${own}`,
      );
      const tagged = await t.send({
        method: 'GET',
        path: `/v1/audiences?tagMatch=any&tags=${encodeURIComponent(t.victim.tags.join(','))}`,
        key: key(t),
      });
      status(t, tagged, [200], "the audience of the victim's tags");
      t.check(
        field(tagged.json, 'total') === 0,
        `the victim's tags select ${String(field(tagged.json, 'total'))}`,
      );
      const next = await t.send({
        method: 'GET',
        path: `/v1/audiences?limit=500&cursor=${t.victim.cursors.audience}`,
        key: key(t),
      });
      // Sealed for the victim's organisation: it does not open here.
      status(t, next, [400], "the audience after the victim's cursor");
    },
  },
  {
    op: 'GET /v1/audiences/export',
    run: async (t) => {
      const all = await t.send({
        method: 'GET',
        path: '/v1/audiences/export?format=json',
        key: key(t),
      });
      status(t, all, [200], 'the whole audience exported');
      const own = attackerCounts(t, 0, 0).scores;
      t.check(
        field(all.json, 'total') === own,
        `the export has ${String(field(all.json, 'total'))} candidates; the attacker has ${own}`,
      );
      const picked = await t.send({
        method: 'GET',
        path: `/v1/audiences/export?format=json&ids=${encodeURIComponent(t.victim.candidates.slice(0, 100).join(','))}`,
        key: key(t),
      });
      status(t, picked, [200], "the victim's candidates picked by id");
      t.check(
        field(picked.json, 'total') === 0,
        `the victim's ids export ${String(field(picked.json, 'total'))} candidates`,
      );
    },
  },
  {
    op: 'GET /v1/reports/tiers',
    run: async (t) => {
      const now = Date.now();
      const to = Date.parse(`${utcDate(now)}T00:00:00Z`);
      const from = to - 365 * DAY;
      const answer = await t.send({
        method: 'GET',
        path: `/v1/reports/tiers?from=${utcDate(from)}&to=${utcDate(to)}`,
        key: key(t),
      });
      status(t, answer, [200], 'the tier report');
      const own = attackerCounts(t, from, to + DAY);
      const tiers = Object.values(field(answer.json, 'tiers') ?? {}).reduce<number>(
        (sum, n) => sum + Number(n),
        0,
      );
      const engagements = list(answer.json, 'engagementsPerDay').reduce<number>(
        (sum, row) => sum + Number(field(row, 'count')),
        0,
      );
      t.check(
        tiers === own.scores,
        `the report counts ${tiers} candidates; the attacker has ${own.scores}`,
      );
      t.check(
        engagements === own.engagements,
        `the report counts ${engagements} engagements; the attacker has ${own.engagements}`,
      );
    },
  },
  {
    op: 'GET /v1/reports/tier-history',
    run: async (t) => {
      const answer = await t.send({ method: 'GET', path: '/v1/reports/tier-history', key: key(t) });
      status(t, answer, [200], 'the tier history');
      // Every day counts the attacker's candidates and no one else's: today's tiers as the
      // attacker's scores, the days before never more.
      const own = attackerCounts(t, 0, 0).scores;
      const sums = list(answer.json, 'days').map((day) =>
        ['inactive', 'engaged', 'highly_engaged'].reduce(
          (sum, tier) => sum + Number(field(day, tier)),
          0,
        ),
      );
      t.check(
        sums.length === 30 && sums.every((sum) => sum === own),
        `the tier history counts ${sums.join(', ')} candidates a day; the attacker has ${own}`,
      );
    },
  },
  {
    op: 'GET /v1/settings/engagement',
    run: async (t) => {
      const answer = await t.send({ method: 'GET', path: '/v1/settings/engagement', key: key(t) });
      status(t, answer, [200], 'settings');
      const siteKeys = list(answer.json, 'sites').map((site) => String(field(site, 'siteKey')));
      t.check(
        siteKeys.every((siteKey) => !t.victim.spec.seedTexts.includes(siteKey)),
        `settings list the sites ${siteKeys.join(', ')}`,
      );
    },
  },
  {
    op: 'GET /v1/settings/engagement/tracking-code',
    run: async (t) => {
      for (const consent of ['', '?consent=onetrust']) {
        const answer = await t.send({
          method: 'GET',
          path: `/v1/settings/engagement/tracking-code${consent}`,
          key: key(t),
        });
        status(t, answer, [200], `the tracking code${consent}`);
        const siteKey = String(field(answer.json, 'siteKey'));
        t.check(!t.victim.spec.seedTexts.includes(siteKey), `the tracking code is for ${siteKey}`);
      }
    },
  },
  {
    op: 'POST /v1/settings/engagement/preview',
    run: async (t) => {
      // The counts are the attacker's own candidates, now and under the default model.
      const answer = await t.send({
        method: 'POST',
        path: '/v1/settings/engagement/preview',
        key: key(t),
        json: { scoringModel: null },
      });
      status(t, answer, [200], 'the scoring model preview');
      const own = attackerCounts(t, 0, Date.now() + DAY);
      for (const part of ['current', 'preview']) {
        const counted = Object.values(field(answer.json, part) ?? {}).reduce<number>(
          (sum, n) => sum + Number(n),
          0,
        );
        t.check(
          counted === own.scores,
          `the preview's ${part} counts ${counted} candidates; the attacker has ${own.scores}`,
        );
      }
    },
  },
  {
    op: 'GET /v1/users',
    run: async (t) => {
      const answer = await t.send({ method: 'GET', path: '/v1/users', key: key(t) });
      status(t, answer, [200], 'the user list');
      const ids = list(answer.json, 'users').map((user) => String(field(user, 'id')));
      const theirs = ids.filter((id) => t.victim.userIds.includes(id));
      t.check(theirs.length === 0, `the user list has the victim's users ${theirs.join(', ')}`);
      const org = t.attacker.spec.orgId;
      const [own] = read<{ users: number; seats: number }>(
        t.persist,
        `SELECT (SELECT COUNT(*) FROM users WHERE org_id = '${org}') AS users,
                (SELECT seats FROM organisations WHERE id = '${org}') AS seats`,
      );
      t.check(
        ids.length === own?.users && field(answer.json, 'licences', 'seats') === own?.seats,
        `the user list has ${ids.length} users and ${String(field(answer.json, 'licences', 'seats'))} seats; the attacker has ${own?.users} and ${own?.seats}`,
      );
    },
  },
  {
    op: 'GET /v1/users/{id}',
    run: async (t) => {
      for (const id of t.victim.userIds) {
        const answer = await t.send({ method: 'GET', path: `/v1/users/${path(id)}`, key: key(t) });
        status(t, answer, [404], `the victim's user ${id}`);
      }
    },
  },
  {
    op: 'GET /v1/settings/sign-in',
    run: async (t) => {
      const answer = await t.send({ method: 'GET', path: '/v1/settings/sign-in', key: key(t) });
      status(t, answer, [200], 'the sign-in settings');
      t.check(
        field(answer.json, 'issuer') === t.attacker.spec.issuer &&
          field(answer.json, 'clientId') === t.attacker.clientId,
        `the sign-in settings name ${String(field(answer.json, 'issuer'))} and ${String(field(answer.json, 'clientId'))}`,
      );
    },
  },
  {
    op: 'GET /v1/settings/messaging',
    run: async (t) => {
      const answer = await t.send({ method: 'GET', path: '/v1/settings/messaging', key: key(t) });
      status(t, answer, [200], 'the messaging settings');
      const [own] = read<{ allowance: number; zone: string }>(
        t.persist,
        `SELECT monthly_contact_allowance AS allowance, time_zone AS zone FROM organisations
         WHERE id = '${t.attacker.spec.orgId}'`,
      );
      t.check(
        field(answer.json, 'monthlyContactAllowance') === own?.allowance &&
          field(answer.json, 'timeZone') === own?.zone,
        `the messaging settings read ${answer.text.slice(0, 300)}; the attacker's allowance is ${own?.allowance} in ${own?.zone}`,
      );
      const numbers = [
        ...Object.values((field(answer.json, 'senderNumbers') ?? {}) as Record<string, unknown>),
        field(answer.json, 'whatsappSender'),
      ].map(String);
      const theirs = numbers.filter((number) => t.victim.senderNumbers.includes(number));
      t.check(theirs.length === 0, `the messaging settings name the victim's ${theirs.join(', ')}`);
    },
  },
  {
    op: 'GET /v1/usage',
    run: async (t) => {
      const answer = await t.send({ method: 'GET', path: '/v1/usage?limit=1000', key: key(t) });
      if (!status(t, answer, [200], 'the monthly contacts')) return;
      const period = String(field(answer.json, 'period')).replaceAll("'", "''");
      const [own] = read<{ used: number }>(
        t.persist,
        `SELECT COUNT(*) AS used FROM contact_usage
         WHERE org_id = '${t.attacker.spec.orgId}' AND period = '${period}'`,
      );
      const contacts = list(answer.json, 'contacts').map((c) => String(field(c, 'candidateId')));
      t.check(
        field(answer.json, 'used') === own?.used && contacts.length === own?.used,
        `the usage counts ${String(field(answer.json, 'used'))} and lists ${contacts.length} contacts; the attacker used ${own?.used}`,
      );
      const theirs = contacts.filter((id) => t.victim.candidates.includes(id));
      t.check(theirs.length === 0, `the usage lists the victim's ${theirs.join(', ')}`);
    },
  },
  {
    op: 'GET /v1/audit',
    run: async (t) => {
      // The attacker's log, whatever it asks: the victim's people as actor find nothing, and no
      // entry names a victim's candidate, user or key.
      const org = t.attacker.spec.orgId;
      const answer = await t.send({ method: 'GET', path: '/v1/audit?limit=200', key: key(t) });
      if (!status(t, answer, [200], 'the audit log')) return;
      const [own] = read<{ n: number }>(
        t.persist,
        `SELECT COUNT(*) AS n FROM audit_log WHERE org_id = '${org}'`,
      );
      const entries = list(answer.json, 'entries');
      t.check(
        entries.length === Math.min(200, own?.n ?? 0),
        `the audit log lists ${entries.length} entries; the attacker has ${own?.n}`,
      );
      for (const id of t.victim.userIds) {
        const theirs = await t.send({
          method: 'GET',
          path: `/v1/audit?actor=${encodeURIComponent(`user:${id}`)}`,
          key: key(t),
        });
        status(t, theirs, [200], `the audit log of the victim's person ${id}`);
        t.check(
          list(theirs.json, 'entries').length === 0,
          `the audit log shows entries of the victim's person ${id}`,
        );
      }
    },
  },
  {
    op: 'GET /v1/webhook-deliveries',
    run: async (t) => {
      // The attacker's own deliveries, every one: none of the victim's, whatever the filter.
      const org = t.attacker.spec.orgId;
      const theirIds = victimDeliveryIds(t);
      for (const query of ['', '?status=delivered', '?type=candidate.tier_changed']) {
        const answer = await t.send({
          method: 'GET',
          path: `/v1/webhook-deliveries${query}${query ? '&' : '?'}limit=200`,
          key: key(t),
        });
        if (!status(t, answer, [200], `the delivery log${query}`)) continue;
        const ids = list(answer.json, 'deliveries').map((d) => String(field(d, 'id')));
        const theirs = ids.filter((id) => theirIds.includes(id));
        t.check(
          theirs.length === 0,
          `the delivery log${query} lists the victim's ${theirs.join(', ')}`,
        );
        if (query) continue;
        const [own] = read<{ n: number }>(
          t.persist,
          `SELECT COUNT(*) AS n FROM webhook_deliveries WHERE org_id = '${org}'`,
        );
        t.check(
          ids.length === Math.min(200, own?.n ?? 0),
          `the delivery log lists ${ids.length} deliveries; the attacker has ${own?.n}`,
        );
      }
    },
  },
  {
    op: 'GET /v1/campaigns',
    run: async (t) => {
      const org = t.attacker.spec.orgId;
      const queries: [string, string][] = [
        ['', "state != 'archived'"],
        ['?state=archived', "state = 'archived'"],
        ['?type=reengagement&state=enabled', "state = 'enabled' AND reengagement = 1"],
      ];
      for (const [query, where] of queries) {
        const answer = await t.send({
          method: 'GET',
          path: `/v1/campaigns${query}${query ? '&' : '?'}limit=200`,
          key: key(t),
        });
        if (!status(t, answer, [200], `the campaign list${query}`)) continue;
        const ids = list(answer.json, 'campaigns').map((c) => String(field(c, 'id')));
        const theirs = ids.filter((id) => t.victim.campaignIds.includes(id));
        t.check(
          theirs.length === 0,
          `the campaign list${query} has the victim's ${theirs.join(', ')}`,
        );
        const [own] = read<{ n: number }>(
          t.persist,
          `SELECT COUNT(*) AS n FROM campaigns WHERE org_id = '${org}' AND ${where}`,
        );
        t.check(
          ids.length === own?.n,
          `the campaign list${query} has ${ids.length} campaigns; the attacker has ${own?.n}`,
        );
      }
      // The victim's campaigns' names and codes, searched for: none of them comes back.
      const mark = encodeURIComponent(t.victim.spec.mark);
      for (const query of [`name=${mark}`, `code=${mark}`]) {
        const answer = await t.send({
          method: 'GET',
          path: `/v1/campaigns?${query}&state=archived`,
          key: key(t),
        });
        if (!status(t, answer, [200], `the campaign list searched by ${query}`)) continue;
        const found = list(answer.json, 'campaigns').length;
        t.check(found === 0, `a search by the victim's ${query} found ${found} campaigns`);
      }
    },
  },
  {
    op: 'GET /v1/campaigns/{id}',
    run: async (t) => {
      for (const id of t.victim.campaignIds) {
        const answer = await t.send({
          method: 'GET',
          path: `/v1/campaigns/${path(id)}`,
          key: key(t),
        });
        status(t, answer, [404], `the victim's campaign ${id}`);
      }
    },
  },
  {
    op: 'GET /v1/campaigns/{id}/estimate',
    run: async (t) => {
      // Archived or not, the victim's campaign is unknown here: 404, never 409 nor a count.
      for (const id of t.victim.campaignIds) {
        const answer = await t.send({
          method: 'GET',
          path: `/v1/campaigns/${path(id)}/estimate`,
          key: key(t),
        });
        status(t, answer, [404], `the estimate of the victim's campaign ${id}`);
      }
    },
  },
  {
    op: 'GET /v1/campaigns/{id}/runs',
    run: async (t) => {
      for (const id of t.victim.campaignIds) {
        const answer = await t.send({
          method: 'GET',
          path: `/v1/campaigns/${path(id)}/runs`,
          key: key(t),
        });
        status(t, answer, [404], `the runs of the victim's campaign ${id}`);
      }
    },
  },
  {
    op: 'POST /v1/campaign-estimates',
    run: async (t) => {
      // Sending as one of the victim's people would reveal their own number's reach: a 400.
      for (const id of t.victim.userIds) {
        const answer = await t.send({
          method: 'POST',
          path: '/v1/campaign-estimates',
          key: key(t),
          json: { timeframe: { notContactedForDays: 30 }, channel: 'sms', fromUserId: id },
        });
        status(t, answer, [400], `a draft estimate sent as the victim's person ${id}`);
      }
    },
  },
  { op: 'GET /v1/candidates/{candidateId}/contact', run: candidateRead('/contact') },
  { op: 'GET /v1/candidates/{candidateId}/messages', run: candidateRead('/messages') },
  // Writes from here on. Texting first: the attacker has no candidate of the victim's names yet.
  {
    op: 'POST /v1/messages',
    run: async (t) => {
      const whoami = await t.send({ method: 'GET', path: '/v1/whoami', key: key(t) });
      t.check(
        field(whoami.json, 'licence') === true,
        `the attacker's key may not text: ${whoami.text}`,
      );
      for (const candidateId of victimCandidateNames(t)) {
        for (const channel of ['sms', 'whatsapp']) {
          const answer = await t.send({
            method: 'POST',
            path: '/v1/messages',
            key: key(t),
            json: { candidateId, channel, body: 'isolation probe' },
          });
          const what = `a ${channel} text to the victim's ${candidateId}`;
          if (status(t, answer, [409], what)) {
            t.check(
              code(answer) === 'no_phone_number',
              `${what} was refused as ${String(code(answer))}`,
            );
          }
        }
      }
    },
  },
  {
    op: 'POST /v1/providers/twilio/status',
    run: providerPosts('/v1/providers/twilio/status', (t) =>
      // The victim's texts failed as unsubscribed (21610), which would opt their candidates out.
      t.victim.providerSids.map((sid) => ({
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: 'failed',
        SmsStatus: 'failed',
        ErrorCode: '21610',
      })),
    ),
  },
  {
    op: 'POST /v1/providers/twilio/inbound',
    run: providerPosts('/v1/providers/twilio/inbound', (t) =>
      // STOP from each of the victim's candidates to the victim's numbers, and a reply.
      t.victim.phones.flatMap((from, n) =>
        t.victim.senderNumbers.slice(0, 2).map((to, k) => ({
          MessageSid: freshSid(2 * n + k),
          From: from,
          To: to,
          Body: k === 0 ? 'STOP' : 'isolation probe',
        })),
      ),
    ),
  },
  {
    op: 'POST /v1/identity-tokens',
    run: async (t) => {
      for (const candidateId of t.victim.candidates.slice(0, 2)) {
        const answer = await t.send({
          method: 'POST',
          path: '/v1/identity-tokens',
          key: key(t),
          json: { candidateId },
        });
        status(t, answer, [201], `an identity token for ${candidateId}`);
        const payload = payloadOf(String(field(answer.json, 'token')));
        t.check(
          payload?.o === t.attacker.spec.orgId && payload.c === candidateId,
          `the identity token says ${JSON.stringify(payload)}`,
        );
      }
    },
  },
  {
    op: 'POST /v1/engagements',
    run: async (t) => {
      // The victim's own event ids for the victim's candidate ids: new to the attacker.
      const now = Date.now();
      const engagements = t.victim.eventIds.slice(0, 12).map((id, n) => ({
        id,
        candidateId: t.victim.candidates[n % t.victim.candidates.length],
        type: TYPES[n % TYPES.length],
        detail: 'isolation probe',
        occurredAt: new Date(now - (n + 1) * 3_600_000).toISOString(),
      }));
      const answer = await t.send({
        method: 'POST',
        path: '/v1/engagements',
        key: key(t),
        json: { engagements },
      });
      status(t, answer, [202], 'engagements');
      t.check(
        field(answer.json, 'accepted') === engagements.length &&
          field(answer.json, 'duplicates') === 0,
        `the victim's event ids were not all new to the attacker: ${answer.text}`,
      );
    },
  },
  {
    op: 'POST /v1/contacts',
    run: async (t) => {
      // The victim's own contact ids for the victim's candidate ids: new to the attacker, and
      // moving only the last contacted of the attacker's candidates of those names.
      const now = Date.now();
      const contacts = t.victim.contactIds.map((id, n) => ({
        id,
        candidateId: t.victim.candidates[n % t.victim.candidates.length],
        kind: 'phone_call',
        occurredAt: new Date(now - (n + 1) * 60_000).toISOString(),
      }));
      const answer = await t.send({
        method: 'POST',
        path: '/v1/contacts',
        key: key(t),
        json: { contacts },
      });
      status(t, answer, [202], 'contacts');
      t.check(
        field(answer.json, 'accepted') === contacts.length &&
          field(answer.json, 'duplicates') === 0,
        `the victim's contact ids were not all new to the attacker: ${answer.text}`,
      );
    },
  },
  {
    op: 'POST /v1/visitors/{visitorId}/link',
    run: async (t) => {
      for (const deviceId of t.victim.deviceIds) {
        const answer = await t.send({
          method: 'POST',
          path: `/v1/visitors/${deviceId}/link`,
          key: key(t),
          json: { candidateId: t.victim.candidates[0] },
        });
        status(t, answer, [200], `linking the victim's device ${deviceId}`);
        t.check(
          field(answer.json, 'linkedEngagements') === 0 &&
            field(answer.json, 'alreadyLinked') === false,
          `linking ${deviceId} took over visits: ${answer.text}`,
        );
      }
    },
  },
  {
    op: 'POST /v1/collect',
    run: async (t) => {
      const { attacker, victim } = t;
      const token = await t.send({
        method: 'POST',
        path: '/v1/identity-tokens',
        key: key(t),
        json: { candidateId: victim.candidates[0] },
      });
      const identity = String(field(token.json, 'token'));
      const now = Date.now();
      // The attacker's site, sending the victim's device ids and event ids (and its own token
      // for the victim's candidate id): all of it the attacker's, none of it touching the victim.
      for (const [d, deviceId] of victim.deviceIds.entries()) {
        const events = (victim.beaconEventIds.get(deviceId) ?? []).map((id, k) => ({
          id,
          type: 'visit_landing_page',
          url: `${attacker.spec.siteOrigin}/jobs/isolation-${d}-${k}`,
          at: now - (10 - k) * 60_000,
        }));
        const answer = await t.send({
          method: 'POST',
          path: '/v1/collect',
          headers: { Origin: attacker.spec.siteOrigin },
          text: JSON.stringify({
            v: 1,
            site: attacker.spec.siteKey,
            visitor: { id: deviceId, kind: 'stored' },
            identity,
            events,
          }),
        });
        status(t, answer, [202], `a beacon with the victim's device ${deviceId}`);
        t.check(
          field(answer.json, 'accepted') === events.length &&
            field(answer.json, 'duplicates') === 0,
          `the victim's device ${deviceId} and event ids were not new to the attacker: ${answer.text}`,
        );
      }
      const deviceId = victim.deviceIds[0];
      const beacon = (site: string, url: string) =>
        JSON.stringify({
          v: 1,
          site,
          visitor: { id: deviceId, kind: 'stored' },
          events: [{ id: 'isolation-beacon-1', type: 'visit_landing_page', url, at: now }],
        });
      // The victim's site key from the attacker's origin, and the attacker's from the victim's.
      const theirSite = await t.send({
        method: 'POST',
        path: '/v1/collect',
        headers: { Origin: attacker.spec.siteOrigin },
        text: beacon(victim.spec.siteKey, `${attacker.spec.siteOrigin}/jobs/x`),
      });
      status(t, theirSite, [403], "the victim's site key from the attacker's origin");
      const theirOrigin = await t.send({
        method: 'POST',
        path: '/v1/collect',
        headers: { Origin: victim.spec.siteOrigin },
        text: beacon(attacker.spec.siteKey, `${victim.spec.siteOrigin}/jobs/x`),
      });
      status(t, theirOrigin, [403], "the attacker's site key from the victim's origin");
    },
  },
  {
    op: 'PUT /v1/candidates/{candidateId}/tags',
    run: async (t) => {
      for (const candidateId of t.victim.candidates) {
        const answer = await t.send({
          method: 'PUT',
          path: `/v1/candidates/${path(candidateId)}/tags`,
          key: key(t),
          json: { tags: t.victim.tags },
        });
        status(t, answer, [200], `tagging ${candidateId}`);
      }
    },
  },
  {
    op: 'POST /v1/tag-changes',
    run: async (t) => {
      // The victim's candidates are never the attacker's: a 404, or, once an earlier write made
      // candidates of the same names in the attacker's organisation, those are tagged (200). The
      // driver checks the victim's rows did not move either way.
      const answer = await t.send({
        method: 'POST',
        path: '/v1/tag-changes',
        key: key(t),
        json: {
          candidateIds: t.victim.candidates,
          add: ['isolation-probe'],
          remove: t.victim.tags,
        },
      });
      status(t, answer, [200, 404], "tagging the victim's candidates in bulk");
    },
  },
  {
    op: 'PUT /v1/candidates/{candidateId}/contact',
    run: async (t) => {
      // The victim's candidates' names and numbers: the attacker's own candidates, with the
      // attacker's own consent and none of the victim's opt-outs. (Not the database's ids: the
      // purge case expects the attacker to hold no candidate of those names.)
      for (const [n, candidateId] of t.victim.candidates.entries()) {
        const phone = t.victim.phones[n % t.victim.phones.length] ?? '';
        const answer = await t.send({
          method: 'PUT',
          path: `/v1/candidates/${path(candidateId)}/contact`,
          key: key(t),
          json: {
            phone,
            firstName: 'isolation probe',
            smsConsent: { source: 'isolation probe', at: new Date().toISOString() },
          },
        });
        status(t, answer, [200], `contact details for ${candidateId}`);
        t.check(
          field(answer.json, 'phone') === phone &&
            field(answer.json, 'firstName') === 'isolation probe' &&
            field(answer.json, 'smsOptedOut') === false,
          `contact details for ${candidateId}: ${answer.text.slice(0, 300)}`,
        );
      }
    },
  },
  {
    op: 'POST /v1/links',
    run: async (t) => {
      const theirs = await t.send({
        method: 'POST',
        path: '/v1/links',
        key: key(t),
        json: {
          candidateId: t.victim.candidates[0],
          subject: t.victim.subject,
          destinations: t.victim.destinations,
        },
      });
      status(t, theirs, [400], "links to the victim's destinations");
      const codes = list(theirs.json, 'error', 'issues').map((issue) => field(issue, 'code'));
      t.check(
        codes.length === t.victim.destinations.length &&
          codes.every((code) => code === 'url_not_allowed'),
        `the victim's destinations are refused as ${codes.join(', ')}`,
      );
      await ownLink(t);
    },
  },
  {
    op: 'GET /v1/o/{token}',
    run: async (t) => {
      const link = await ownLink(t);
      if (!link) return;
      const token = tokenOfUrl(link.openUrl);
      const open = await t.send({ method: 'GET', path: `/v1/o/${token}` });
      status(t, open, [200], 'an open of the attacker’s own link');
      for (const [what, bad] of [
        ["the victim's organisation, link and candidate", forged(t, token)],
        ["the victim's link id", rewritten(token, { l: t.victim.linkIds[0] })],
      ] as const) {
        const answer = await t.send({ method: 'GET', path: `/v1/o/${bad}` });
        status(t, answer, [404], `an own open token rewritten to ${what}`);
      }
    },
  },
  {
    op: 'GET /v1/c/{token}',
    run: async (t) => {
      const link = await ownLink(t);
      if (!link) return;
      const token = tokenOfUrl(link.clickUrl);
      const click = await t.send({ method: 'GET', path: `/v1/c/${token}` });
      status(t, click, [302], 'a click of the attacker’s own link');
      const location = new URL(click.headers.location ?? 'about:blank');
      t.check(location.origin === t.attacker.spec.siteOrigin, `the click goes to ${location.href}`);
      const identity = payloadOf(location.searchParams.get('cxm_t') ?? '');
      t.check(
        identity?.o === t.attacker.spec.orgId,
        `the click's cxm_t says ${JSON.stringify(identity)}`,
      );
      const bad = forged(t, token, { u: t.victim.destinations[0] });
      const answer = await t.send({ method: 'GET', path: `/v1/c/${bad}` });
      status(t, answer, [404], "an own click token rewritten to the victim's link");
      t.check(
        answer.headers.location === undefined,
        `a forged click redirects to ${answer.headers.location}`,
      );
    },
  },
  {
    op: 'GET /v1/m/{code}',
    run: async (t) => {
      const text = (url: string) =>
        t.send({
          method: 'POST',
          path: '/v1/messages',
          key: key(t),
          json: {
            candidateId: t.attacker.candidates[0],
            channel: 'sms',
            body: 'isolation probe {link}',
            url,
          },
        });
      const toVictim = await text(t.victim.destinations[0] ?? '');
      if (status(t, toVictim, [400], "a text linking to the victim's destination")) {
        t.check(
          code(toVictim) === 'url_not_allowed',
          `it was refused as ${String(code(toVictim))}`,
        );
      }
      const own = await text(t.attacker.destinations[0] ?? '');
      if (!status(t, own, [202], 'a text linking to the attacker’s own site')) return;
      const link = new URL(String(field(own.json, 'link')));
      const click = await t.send({ method: 'GET', path: link.pathname });
      status(t, click, [302], 'a click of the attacker’s own text link');
      const location = new URL(click.headers.location ?? 'about:blank');
      t.check(location.origin === t.attacker.spec.siteOrigin, `the click goes to ${location.href}`);
      const identity = payloadOf(location.searchParams.get('cxm_t') ?? '');
      t.check(
        identity?.o === t.attacker.spec.orgId,
        `the click's cxm_t says ${JSON.stringify(identity)}`,
      );
    },
  },
  {
    op: 'POST /v1/keys',
    run: async (t) => {
      const answer = await t.send({
        method: 'POST',
        path: '/v1/keys',
        key: key(t),
        json: { name: 'isolation probe', role: 'admin' },
      });
      status(t, answer, [201], 'a new key');
      const secret = String(field(answer.json, 'secret'));
      const whoami = await t.send({ method: 'GET', path: '/v1/whoami', key: secret });
      t.check(
        field(whoami.json, 'orgId') === t.attacker.spec.orgId,
        `the new key belongs to ${String(field(whoami.json, 'orgId'))}`,
      );
    },
  },
  {
    op: 'POST /v1/keys/{id}/rotate',
    run: async (t) => {
      for (const id of t.victim.keyIds) {
        const answer = await t.send({
          method: 'POST',
          path: `/v1/keys/${id}/rotate`,
          key: key(t),
        });
        status(t, answer, [404], `rotating the victim's key ${id}`);
      }
    },
  },
  {
    op: 'DELETE /v1/keys/{id}',
    run: async (t) => {
      for (const id of t.victim.keyIds) {
        const answer = await t.send({ method: 'DELETE', path: `/v1/keys/${id}`, key: key(t) });
        status(t, answer, [404], `revoking the victim's key ${id}`);
      }
    },
  },
  {
    op: 'POST /v1/webhook-deliveries/test',
    run: async (t) => {
      // A test event is the attacker's own: it names the attacker and goes to its receiver.
      const answer = await t.send({
        method: 'POST',
        path: '/v1/webhook-deliveries/test',
        key: key(t),
      });
      if (!status(t, answer, [201], 'a test event')) return;
      const orgId = field(answer.json, 'payload', 'orgId');
      t.check(
        orgId === t.attacker.spec.orgId,
        `the test event names organisation ${String(orgId)}`,
      );
    },
  },
  {
    op: 'POST /v1/webhook-deliveries/{id}/redeliver',
    run: async (t) => {
      const ids = victimDeliveryIds(t);
      t.check(ids.length > 0, 'the victim has no webhook delivery to aim at');
      for (const id of ids.slice(0, 3)) {
        const answer = await t.send({
          method: 'POST',
          path: `/v1/webhook-deliveries/${path(id)}/redeliver`,
          key: key(t),
        });
        status(t, answer, [404], `redelivering the victim's event ${id}`);
      }
    },
  },
  {
    op: 'POST /v1/users',
    run: async (t) => {
      // The victim's people's emails, in the attacker's own organisation: neither refused as
      // existing (which would tell the attacker who works at the victim) nor the victim's users.
      for (const email of t.victim.userEmails.slice(0, 3)) {
        const answer = await t.send({
          method: 'POST',
          path: '/v1/users',
          key: key(t),
          json: { email, displayName: 'isolation probe', role: 'admin' },
        });
        if (!status(t, answer, [201], `a user with the victim's email ${email}`)) continue;
        const id = String(field(answer.json, 'id'));
        const [row] = read<{ org: string }>(
          t.persist,
          `SELECT org_id AS org FROM users WHERE id = '${id.replaceAll("'", "''")}'`,
        );
        t.check(
          !t.victim.userIds.includes(id) && row?.org === t.attacker.spec.orgId,
          `the new user ${id} is ${row?.org}'s`,
        );
      }
    },
  },
  {
    op: 'PATCH /v1/users/{id}',
    run: userWrite('PATCH', {
      displayName: 'isolation probe',
      role: 'user',
      licence: false,
      autoReply: 'isolation probe',
    }),
  },
  { op: 'DELETE /v1/users/{id}', run: userWrite('DELETE') },
  {
    op: 'POST /v1/campaigns',
    run: async (t) => {
      // The victim's people as the sender of a campaign of the attacker's own: refused at
      // fromUserId as no user of the attacker's organisation, and no campaign names them.
      for (const id of t.victim.userIds) {
        const answer = await t.send({
          method: 'POST',
          path: '/v1/campaigns',
          key: key(t),
          json: {
            name: 'isolation probe',
            reengagement: true,
            timeframe: { neverContacted: true },
            fromUserId: id,
            sendTime: '10:00',
            channel: 'sms',
            message: 'isolation probe',
          },
        });
        if (!status(t, answer, [400], `a campaign from the victim's user ${id}`)) continue;
        t.check(
          field(answer.json, 'error', 'issues', '0', 'path') === 'fromUserId',
          `a campaign from the victim's user ${id} was refused for something else: ${answer.text.slice(0, 300)}`,
        );
      }
      const quoted = t.victim.userIds.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ');
      const [row] = read<{ n: number }>(
        t.persist,
        `SELECT COUNT(*) AS n FROM campaigns WHERE org_id = '${t.attacker.spec.orgId}'
           AND sender_user_id IN (${quoted || "''"})`,
      );
      t.check(row?.n === 0, `${row?.n} of the attacker's campaigns are from the victim's people`);
    },
  },
  { op: 'PATCH /v1/campaigns/{id}', run: campaignWrite('', { name: 'isolation probe' }) },
  { op: 'POST /v1/campaigns/{id}/enable', run: campaignWrite('/enable') },
  { op: 'POST /v1/campaigns/{id}/disable', run: campaignWrite('/disable') },
  { op: 'POST /v1/campaigns/{id}/archive', run: campaignWrite('/archive') },
  {
    op: 'DELETE /v1/candidates/{candidateId}',
    run: async (t) => {
      for (const id of t.victim.internalCandidateIds) {
        const answer = await t.send({
          method: 'DELETE',
          path: `/v1/candidates/${id}`,
          key: key(t),
        });
        status(t, answer, [404], `purging the victim's row ${id}`);
      }
      // By now the attacker may hold candidates of the same names (the writes above made them):
      // purging them purges the attacker's own, and the driver checks the victim's stayed.
      for (const id of t.victim.candidates) {
        const answer = await t.send({
          method: 'DELETE',
          path: `/v1/candidates/${path(id)}`,
          key: key(t),
        });
        status(t, answer, [200, 404], `purging ${id}`);
      }
    },
  },
  {
    op: 'PUT /v1/settings/engagement',
    oneWay:
      "demo's two sites have different origins, which a PUT of allowedOrigins would make one list",
    run: async (t) => {
      const { attacker, victim } = t;
      const before = await t.send({ method: 'GET', path: '/v1/settings/engagement', key: key(t) });
      const model = field(before.json, 'scoringModel');
      const thresholds = { engaged: 6, highlyEngaged: 16 };
      // Claims the victim's origin, link destinations and webhook receiver, and changes the
      // scoring model (which rescores): all of it the attacker's own settings.
      const answer = await t.send({
        method: 'PUT',
        path: '/v1/settings/engagement',
        key: key(t),
        json: {
          allowedOrigins: [attacker.spec.siteOrigin, victim.spec.siteOrigin],
          linkAllowlist: [victim.spec.siteOrigin],
          webhookUrl: `${victim.spec.hookUrl}?claimed-by=${attacker.spec.orgId}`,
          trackingEnabled: false,
          dedupe: { visitMinutes: 1, formMinutes: 1 },
          scoringModel: { ...(model as object), thresholds },
        },
      });
      status(t, answer, [200], 'settings claiming the victim’s origin and webhook');
      const [own] = read<{ n: number }>(
        t.persist,
        `SELECT COUNT(*) AS n FROM candidates WHERE org_id = '${attacker.spec.orgId}'`,
      );
      // The rescore runs in the background (the rescore queue): the run it started counts the
      // candidates it will rescore; without the queue, `rescored` those it did.
      const rescored = Number(
        field(answer.json, 'rescored') ?? field(answer.json, 'rescore', 'total'),
      );
      t.check(
        rescored <= (own?.n ?? 0),
        `rescores ${rescored} candidates; the attacker has ${own?.n}`,
      );
      const restore = await t.send({
        method: 'PUT',
        path: '/v1/settings/engagement',
        key: key(t),
        json: {
          allowedOrigins: [attacker.spec.siteOrigin],
          linkAllowlist: field(before.json, 'linkAllowlist'),
          webhookUrl: attacker.spec.hookUrl,
          trackingEnabled: true,
          dedupe: field(before.json, 'dedupe'),
          scoringModel: null,
        },
      });
      status(t, restore, [200], "restoring the attacker's settings");
    },
  },
  {
    op: 'PUT /v1/settings/messaging',
    run: async (t) => {
      const put = (json: unknown) =>
        t.send({ method: 'PUT', path: '/v1/settings/messaging', key: key(t), json });
      // The victim's numbers (its SMS and WhatsApp senders, its people's own) as the attacker's
      // WhatsApp sender: inbound texts find their organisation by the number, so each is refused.
      for (const number of t.victim.senderNumbers) {
        const answer = await put({ whatsappSender: number });
        if (status(t, answer, [409], `the victim's number ${number} as the attacker's sender`)) {
          t.check(
            code(answer) === 'sender_number_taken',
            `the victim's number ${number} was refused as ${String(code(answer))}`,
          );
        }
      }
      // The attacker's own allowance changes (and only its own: the driver compares the victim's
      // rows), then is put back.
      const before = await t.send({ method: 'GET', path: '/v1/settings/messaging', key: key(t) });
      const allowance = Number(field(before.json, 'monthlyContactAllowance'));
      const raised = await put({ monthlyContactAllowance: allowance + 1 });
      if (status(t, raised, [200], "raising the attacker's allowance")) {
        t.check(
          field(raised.json, 'monthlyContactAllowance') === allowance + 1,
          `the raised allowance reads ${raised.text.slice(0, 300)}`,
        );
      }
      const restore = await put({ monthlyContactAllowance: allowance });
      status(t, restore, [200], "restoring the attacker's allowance");
    },
  },
  {
    op: 'PUT /v1/settings/sign-in',
    run: async (t) => {
      const { attacker, victim } = t;
      const put = (json: unknown) =>
        t.send({ method: 'PUT', path: '/v1/settings/sign-in', key: key(t), json });
      // The victim's identity provider and client id (without its secret, which the attacker
      // does not have): the attacker's own settings, with the attacker's own stored secret.
      const claimed = await put({
        issuer: victim.spec.issuer,
        clientId: victim.clientId,
        autoProvision: true,
      });
      status(t, claimed, [200], "sign-in through the victim's identity provider");
      t.check(
        field(claimed.json, 'issuer') === victim.spec.issuer &&
          field(claimed.json, 'clientSecretSet') === true,
        `the claimed settings read ${claimed.text.slice(0, 300)}`,
      );
      // Refused before any request leaves the worker: plain http to a public name.
      const plain = await put({
        issuer: `http://idp.${victim.spec.mark}.example`,
        clientId: victim.clientId,
      });
      status(t, plain, [400], 'an http issuer');
      const restore = await put({ issuer: attacker.spec.issuer, clientId: attacker.clientId });
      status(t, restore, [200], "restoring the attacker's sign-in settings");
    },
  },
];
