// One isolation case per operation of the OpenAPI document (`METHOD /path` as the document
// spells it). Each acts as the attacker, with the attacker's highest key and its own site key
// and tokens, aimed at the victim's resources: the victim's candidate ids (external and the
// database's own), key ids, device ids and event ids, cursors from the victim's replies, and
// the attacker's own tokens rewritten to name the victim's link. `send` already fails a reply
// that carries the victim's data or is a 5xx; the cases check what the reply should say, and the
// driver compares the victim's rows before and after each case.
//
// They run in this order, reads before writes, so a read never meets the attacker's own
// candidate that a write created under the victim's name.
import { read } from '@cxm/test-support/d1';
import type { OrgFixture } from './fixture.js';
import { TYPES } from './fixture.js';
import { type Answer, type Call, field, list } from './http.js';
import { payloadOf, rewritten, tokenOfUrl } from './tokens.js';

export interface Tools {
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
      // The victim's cursor on the attacker's own candidate: a position, never the victim's rows.
      const own = await t.send({
        method: 'GET',
        path: `/v1/candidates/${path(t.attacker.candidates[0] ?? '')}/engagements?cursor=${cursor}`,
        key: key(t),
      });
      status(t, own, [200, 400], "the victim's cursor on an own candidate");
      const theirs = await t.send({
        method: 'GET',
        path: `/v1/candidates/${path(t.victim.candidates[0] ?? '')}/engagements?cursor=${cursor}`,
        key: key(t),
      });
      status(t, theirs, [404], "the victim's cursor on the victim's candidate");
    },
  },
  { op: 'GET /v1/candidates/{candidateId}/score', run: candidateRead('/score') },
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
      status(t, next, [200, 400], "the audience after the victim's cursor");
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
  // Writes from here on.
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
    op: 'DELETE /v1/keys/{id}',
    run: async (t) => {
      for (const id of t.victim.keyIds) {
        const answer = await t.send({ method: 'DELETE', path: `/v1/keys/${id}`, key: key(t) });
        status(t, answer, [404], `revoking the victim's key ${id}`);
      }
    },
  },
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
      const rescored = Number(field(answer.json, 'rescored'));
      t.check(
        rescored <= (own?.n ?? 0),
        `rescored ${rescored} candidates; the attacker has ${own?.n}`,
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
];
