// Isolation between organisations, over the real worker (`wrangler dev` on a temp D1) texting
// through the SMS provider stand-in (examples/sms-provider). `demo` is filled through the public
// API with a realistic history, `other` with a smaller one of its own (users, identity provider,
// contact details, contacts and texts both ways included). Then, for every operation of the
// worker's OpenAPI document, `other` (with its admin key, its site key and tokens it minted
// itself) aims at demo's candidates, keys, visitors, event ids, cursors, links, users, numbers
// and texts: no reply may carry demo's data, and demo's rows must stay exactly as they
// were. The same cases, but for one that cannot (its `oneWay` says why), run the other way round.
// An operation without a case fails the run, so a new endpoint cannot be added without saying
// how it keeps organisations apart. Then: identity tokens carried to the other organisation's
// site, webhooks delivered to their own organisation only, and a last test that proves the
// checks report a caller who does reach demo's data.

import { read } from '@cxm/test-support/d1';
import { freePort } from '@cxm/test-support/ports';
import type { Worker } from '@cxm/test-support/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from './isolation/cases.js';
import { operations, runCases, settle } from './isolation/driver.js';
import { fill, type OrgFixture, type OrgSpec } from './isolation/fixture.js';
import { deliveryProblem, type Hooks, issuerOf, startHooks } from './isolation/hooks.js';
import { call, field } from './isolation/http.js';
import { startTexting, type Texting } from './isolation/texting.js';
import {
  KEYS,
  OTHER_SITE_ORIGIN,
  placeApart,
  SITE_KEY,
  SITE_ORIGIN,
  startSuiteWorker,
} from './site.js';
import { tablesWithoutOrg } from './snapshot.js';

/**
 * `other` texts too (the seed gives it no sender number, allowance or permission): its admin key
 * may text, from a number of its own.
 */
const TEXTING_SQL = `
UPDATE api_keys SET messaging = 1 WHERE id = 'key_other_admin';
UPDATE organisations SET monthly_contact_allowance = 50,
  sender_numbers = '{"GB":["+447400200200"]}' WHERE id = 'other';
`;

function demoSpec(hooks: string): OrgSpec {
  return {
    orgId: 'demo',
    issuer: issuerOf(hooks, 'demo'),
    phonePrefix: '+4474001234',
    senderPhone: '+447400100300',
    keys: { user: KEYS.user, reporter: KEYS.reporter, manager: KEYS.manager, admin: KEYS.admin },
    siteKey: SITE_KEY,
    siteOrigin: SITE_ORIGIN,
    mark: 'demo-secret',
    candidates: 5,
    hookUrl: `${hooks}/hooks/demo`,
    seedKeyIds: ['key_demo_user', 'key_demo_reporter', 'key_demo_manager', 'key_demo_admin'],
    seedTexts: [
      '"demo"',
      'Demo (local seed)',
      'key_demo_',
      'sk_demo_',
      'pk_demo',
      SITE_KEY,
      'site_demo',
      'site_rel',
      new URL(SITE_ORIGIN).host,
      'localhost:8080',
      '127.0.0.1:8080',
    ],
  };
}

function otherSpec(hooks: string): OrgSpec {
  const admin = KEYS.otherAdmin;
  return {
    orgId: 'other',
    issuer: issuerOf(hooks, 'other'),
    phonePrefix: '+4474002234',
    senderPhone: '+447400200300',
    keys: { user: admin, reporter: admin, manager: admin, admin },
    siteKey: 'pk_other',
    siteOrigin: OTHER_SITE_ORIGIN,
    mark: 'other-secret',
    candidates: 3,
    hookUrl: `${hooks}/hooks/other`,
    seedKeyIds: ['key_other_admin'],
    seedTexts: [
      '"other"',
      'Other (local seed)',
      'key_other_',
      'sk_other',
      'pk_other',
      'site_other',
      new URL(OTHER_SITE_ORIGIN).host,
    ],
  };
}

function report(problems: readonly string[]): string {
  return `${problems.length} problem(s):\n${problems.join('\n')}`;
}

describe('isolation between organisations', () => {
  let worker: Worker;
  let hooks: Hooks;
  let texting: Texting;
  let demo: OrgFixture;
  let other: OrgFixture;
  let documented: string[];

  beforeAll(async () => {
    hooks = await startHooks();
    // The texting provider posts candidates' answers to the worker, and the worker texts through
    // the provider: the worker's port is chosen first.
    const port = await freePort();
    texting = await startTexting(`http://127.0.0.1:${port}`);
    worker = await startSuiteWorker('isolation', {
      port,
      args: texting.workerArgs,
      sql: TEXTING_SQL,
    });
    const document = await call(worker.origin, { method: 'GET', path: '/v1/openapi.json' });
    documented = operations(document.json);
    demo = await fill(worker.origin, worker.persist, demoSpec(hooks.origin), texting);
    other = await fill(worker.origin, worker.persist, otherSpec(hooks.origin), texting);
    // Sharded (CXM_SHARDS=3): each organisation, filled, moved to a shard of its own, so every
    // case runs across shards (its checks read all shards together: support/d1.ts `read`).
    await placeApart(worker, { demo: 'SHARD_2', other: 'SHARD_3' });
  });

  afterAll(async () => {
    await worker?.stop();
    await texting?.stop();
    await hooks?.close();
  });

  it('has an isolation case for every operation of the OpenAPI document', () => {
    expect(documented.length).toBeGreaterThan(0);
    const cased = new Set(CASES.map((isolationCase) => isolationCase.op));
    const missing = documented.filter((op) => !cased.has(op));
    const stale = [...cased].filter((op) => !documented.includes(op));
    expect(
      { missing, stale },
      'every documented operation needs a case in src/isolation/cases.ts (missing), and every case an operation (stale)',
    ).toEqual({ missing: [], stale: [] });
    // The snapshots compare rows by `org_id`: a table without it would go unchecked.
    expect(tablesWithoutOrg(worker.persist), 'tables without org_id').toEqual([]);
  });

  it("lets other reach none of demo's data through any operation", async () => {
    const run = await runCases({
      origin: worker.origin,
      persist: worker.persist,
      attacker: other,
      victim: demo,
      cases: CASES,
    });
    console.info(run.summary);
    expect(run.problems, report(run.problems)).toEqual([]);
  });

  it("lets demo reach none of other's data (the cases that can run that way round)", async () => {
    const run = await runCases({
      origin: worker.origin,
      persist: worker.persist,
      attacker: demo,
      victim: other,
      cases: CASES.filter((isolationCase) => isolationCase.oneWay === undefined),
    });
    console.info(run.summary);
    expect(run.problems, report(run.problems)).toEqual([]);
  });

  it("ignores one organisation's identity token in a beacon to the other's site", async () => {
    const problems: string[] = [];
    for (const [attacker, victim] of [
      [other, demo],
      [demo, other],
    ] as const) {
      const label = `${attacker.spec.orgId}'s token on ${victim.spec.orgId}'s site`;
      // The attacker's own token, minted for the victim's candidate id: valid, but not the
      // victim's, so the visitor must stay anonymous and the candidate untouched.
      const minted = await call(worker.origin, {
        method: 'POST',
        path: '/v1/identity-tokens',
        key: attacker.spec.keys.admin,
        json: { candidateId: victim.candidates[0] },
      });
      const deviceId = `isolation-foreign-token-${attacker.spec.orgId}`;
      const state = () =>
        read<{ engagements: number; ignored: number; linked: number; devices: number }>(
          worker.persist,
          `SELECT
             (SELECT COUNT(*) FROM engagements e JOIN candidates c ON c.id = e.candidate_id
               WHERE c.org_id = '${victim.spec.orgId}' AND c.external_id = '${victim.candidates[0]}') AS engagements,
             (SELECT COALESCE(SUM(ignored_tokens), 0) FROM collect_stats
               WHERE org_id = '${victim.spec.orgId}') AS ignored,
             (SELECT COUNT(*) FROM visitors WHERE org_id = '${victim.spec.orgId}'
               AND device_id = '${deviceId}' AND candidate_id IS NOT NULL) AS linked,
             (SELECT COUNT(*) FROM visitors WHERE org_id = '${victim.spec.orgId}'
               AND device_id = '${deviceId}') AS devices`,
        )[0];
      const before = state();
      const beacon = await call(worker.origin, {
        method: 'POST',
        path: '/v1/collect',
        headers: { Origin: victim.spec.siteOrigin },
        text: JSON.stringify({
          v: 1,
          site: victim.spec.siteKey,
          visitor: { id: deviceId, kind: 'stored' },
          identity: field(minted.json, 'token'),
          events: [
            {
              id: 'isolation-foreign-1',
              type: 'visit_landing_page',
              url: `${victim.spec.siteOrigin}/jobs/foreign-token`,
              at: Date.now(),
            },
          ],
        }),
      });
      const after = state();
      if (beacon.status !== 202 || field(beacon.json, 'accepted') !== 1) {
        problems.push(`${label}: the beacon got ${beacon.status} ${beacon.text}`);
      }
      if (!before || !after) {
        problems.push(`${label}: D1 answered nothing`);
        continue;
      }
      if (after.devices !== 1 || after.linked !== 0) {
        problems.push(`${label}: the visitor was linked (${JSON.stringify(after)})`);
      }
      if (after.engagements !== before.engagements) {
        problems.push(
          `${label}: ${victim.candidates[0]} went from ${before.engagements} to ${after.engagements} engagements`,
        );
      }
      if (after.ignored !== before.ignored + 1) {
        problems.push(`${label}: ignored tokens went from ${before.ignored} to ${after.ignored}`);
      }
    }
    expect(problems, report(problems)).toEqual([]);
  });

  it("posts each organisation's tier changes only to its own webhook, signed with its secret", async () => {
    await settle(worker.persist, 'demo');
    await settle(worker.persist, 'other');
    const secrets = { demo: demo.webhookSecret, other: other.webhookSecret };
    const problems = hooks.received.flatMap((delivery) => deliveryProblem(delivery, secrets) ?? []);
    for (const orgId of ['demo', 'other']) {
      if (!hooks.received.some((delivery) => delivery.owner === orgId)) {
        problems.push(
          `${orgId}'s webhook received nothing: the check above saw none of its events`,
        );
      }
    }
    expect(problems, report(problems)).toEqual([]);
  });

  // Last, because it changes demo's data: the checks above are only worth something if they
  // fail when a key does reach another organisation's data. `other`'s fixture wearing demo's
  // keys stands in for such a bug; its replies and writes must be reported.
  it('reports the leaks and changes of a caller that does reach demo (the checks work)', async () => {
    const impostor: OrgFixture = { ...other, spec: { ...other.spec, keys: demo.spec.keys } };
    const ops = [
      'GET /v1/keys',
      'GET /v1/candidates/{candidateId}/score',
      'POST /v1/scores',
      'PUT /v1/candidates/{candidateId}/tags',
      'GET /v1/users',
      'GET /v1/candidates/{candidateId}/messages',
      'PUT /v1/candidates/{candidateId}/contact',
    ];
    const { problems } = await runCases({
      origin: worker.origin,
      persist: worker.persist,
      attacker: impostor,
      victim: demo,
      cases: CASES.filter((isolationCase) => ops.includes(isolationCase.op)),
    });
    const expected = {
      "a leak of demo's key ids": /GET \/v1\/keys .*carries demo's "key_demo_/,
      "demo's score where a 404 belongs":
        /score \[other -> demo\]: the victim's .*expected 404, got 200/,
      "demo's scores listed": /POST \/v1\/scores .*scores of the victim's candidates/,
      "demo's tags rewritten": /tags \[other -> demo\]: demo\.candidate_tags changed/,
      "demo's users listed":
        /GET \/v1\/users \[other -> demo\]: the user list has the victim's users/,
      "demo's texts read":
        /messages \[other -> demo\]: the reply .* carries demo's .*"demo-secret text /,
      "demo's contact details rewritten":
        /contact \[other -> demo\]: demo\.candidate_contact_details changed/,
    };
    for (const [what, pattern] of Object.entries(expected)) {
      expect(
        problems.some((problem) => pattern.test(problem)),
        `${what} was not reported; reported:\n${problems.join('\n')}`,
      ).toBe(true);
    }
  });
});
