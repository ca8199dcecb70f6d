// The hostile-input suite: the whole corpus (src/hostile-corpus.ts) against a worker of its own,
// asserting that every request is refused with the error the API documents for it and that the
// database is exactly as it was. Failures are reported grouped (category, status, problem) with a
// few examples each, rather than as thousands of separate expectations.
import { createHash } from 'node:crypto';
import type { Worker } from '@cxm/test-support/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Failure,
  type OpenApi,
  operations,
  problems,
  requestTaking,
  summary,
} from './hostile/check.js';
import { ENDPOINTS, type Fixture } from './hostile/endpoints.js';
import { floods, sendFlood } from './hostile/floods.js';
import { sendAll } from './hostile/send.js';
import { devTokenSecret, LONG_AGO, payloadOf, sign } from './hostile/tokens.js';
import { TWILIO_WORKER_ARGS } from './hostile/webhooks.js';
import { CATEGORIES, caseCounts, type HostileRequest, hostileCorpus } from './hostile-corpus.js';
import { BROWSER_UA, KEYS, SITE_ORIGIN, startSuiteWorker } from './site.js';
import { SIZE } from './size.js';
import { changes, digests, snapshot } from './snapshot.js';

const CONCURRENCY = 16;
/** The three operations the brief names besides the OpenAPI document's. */
const NAMED = ['POST /v1/collect', 'GET /v1/o/{token}', 'GET /v1/c/{token}'];

let worker: Worker;

async function call(method: string, path: string, key: string, body?: unknown): Promise<unknown> {
  const response = await fetch(worker.origin + path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'user-agent': BROWSER_UA,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`setup ${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

const tokenOf = (url: string) => new URL(url).pathname.split('/').at(-1) ?? '';

/** What the corpus refers to, made through the API before the first snapshot. */
async function prepare(): Promise<Fixture> {
  const candidate = 'rel-cand-1';
  const otherCandidate = 'other-cand-1';
  const item = (id: string, candidateId: string, type: string, occurredAt: string) => ({
    id,
    candidateId,
    type,
    occurredAt,
  });
  await call('POST', '/v1/engagements', KEYS.user, {
    engagements: [
      item('rel-setup-1', candidate, 'register_event', '2026-10-01T10:00:00Z'),
      item('rel-setup-2', candidate, 'attend_event', '2026-10-08T10:00:00Z'),
    ],
  });
  await call('POST', '/v1/engagements', KEYS.otherAdmin, {
    engagements: [item('other-setup-1', otherCandidate, 'attend_event', '2026-10-08T10:00:00Z')],
  });
  const links = (await call('POST', '/v1/links', KEYS.user, {
    candidateId: candidate,
    subject: 'Reliability fair',
    destinations: [`${SITE_ORIGIN}/events/fair`],
  })) as { openUrl: string; clickUrls: Record<string, string> };
  const identity = (await call('POST', '/v1/identity-tokens', KEYS.user, {
    candidateId: candidate,
  })) as {
    token: string;
  };
  const created = (await call('POST', '/v1/keys', KEYS.manager, {
    name: 'rel-revoked',
    role: 'user',
  })) as {
    id: string;
    secret: string;
  };
  await call('DELETE', `/v1/keys/${created.id}`, KEYS.manager);
  const campaign = (await call('POST', '/v1/campaigns', KEYS.manager, {
    name: 'Reliability warm pool',
    reengagement: true,
    timeframe: { notContactedForDays: 30 },
    fromUserId: 'usr_demo_user',
    sendTime: '10:00',
    channel: 'sms',
    message: 'Hi {{firstName}}, new roles for you',
  })) as { id: string };
  return {
    candidate,
    otherCandidate,
    openToken: tokenOf(links.openUrl),
    clickToken: tokenOf(Object.values(links.clickUrls)[0] ?? ''),
    identityToken: identity.token,
    revokedKey: created.secret,
    tokenSecret: devTokenSecret(),
    campaign: campaign.id,
  };
}

/** A digest of the corpus as data (bodies included), to compare two generations. */
function corpusDigest(corpus: readonly HostileRequest[]): string {
  const hash = createHash('sha256');
  for (const entry of corpus) {
    hash.update(
      JSON.stringify(entry, (_key, value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
      ),
    );
  }
  return hash.digest('hex');
}

describe('hostile input', () => {
  let doc: OpenApi;
  let fixture: Fixture;
  let corpus: HostileRequest[];

  beforeAll(async () => {
    // A texting provider is configured, so its webhooks check signatures (an unconfigured one
    // answers 503 to every post before looking at it).
    worker = await startSuiteWorker('hostile', { args: TWILIO_WORKER_ARGS });
    const response = await fetch(`${worker.origin}/v1/openapi.json`);
    doc = (await response.json()) as OpenApi;
    fixture = await prepare();
    corpus = hostileCorpus(SIZE.hostileRequests, fixture);
  });

  afterAll(async () => {
    await worker?.stop();
  });

  it('is large, deterministic and covers every category and every request-taking operation', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(Math.max(10_000, SIZE.hostileRequests));
    expect(corpusDigest(hostileCorpus(SIZE.hostileRequests, fixture))).toBe(corpusDigest(corpus));

    const perCategory = new Map<string, number>();
    for (const entry of corpus)
      perCategory.set(entry.category, (perCategory.get(entry.category) ?? 0) + 1);
    const cases = caseCounts(fixture);
    for (const category of CATEGORIES) {
      // An equal share each, and enough turns that every case of the category was made.
      expect(perCategory.get(category) ?? 0, category).toBeGreaterThanOrEqual(
        Math.max(Math.floor(corpus.length / CATEGORIES.length), cases[category]),
      );
    }

    const documented = operations(doc);
    const aimedAt = new Set(
      corpus.filter((e) => e.category !== 'wrong-method').map((e) => e.operation),
    );
    const missing = [...new Set([...requestTaking(doc), ...NAMED])].filter(
      (op) => !aimedAt.has(op),
    );
    expect(missing, 'operations no hostile request aims at').toEqual([]);
    // The corpus names only documented operations (a wrong method names a documented path).
    expect(ENDPOINTS.map((e) => e.operation).filter((op) => !documented.has(op))).toEqual([]);
    const wrongMethodPaths = corpus
      .filter((e) => e.category === 'wrong-method')
      .map((e) => e.operation.split(' ')[1] ?? '');
    expect(wrongMethodPaths.filter((path) => !doc.paths[path])).toEqual([]);
    expect(new Set(wrongMethodPaths).size).toBe(Object.keys(doc.paths).length);
  });

  it('refuses every request with its documented error and writes nothing', async () => {
    const before = snapshot(worker.persist);
    const started = Date.now();
    const outcomes = await sendAll(worker.origin, corpus, CONCURRENCY);
    const seconds = (Date.now() - started) / 1000;
    const after = snapshot(worker.persist);

    const failures: Failure[] = corpus.flatMap((entry, index) => {
      const outcome = outcomes[index] ?? { ok: false as const, error: 'not sent' };
      return problems(doc, entry, outcome).map((problem) => ({ entry, problem, outcome }));
    });
    const serverErrors = outcomes.filter((o) => o?.ok && o.reply.status >= 500).length;
    const statuses = new Map<string, number>();
    for (const [index, outcome] of outcomes.entries()) {
      const key = `${corpus[index]?.category} ${outcome?.ok ? outcome.reply.status : 'none'}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    const retried = corpus.flatMap((entry, index) => {
      const outcome = outcomes[index];
      return outcome?.ok && outcome.retriedAfter
        ? [`#${entry.id} ${entry.category}: ${entry.label} (${outcome.retriedAfter})`]
        : [];
    });
    console.info(
      `hostile: ${corpus.length} requests in ${seconds.toFixed(1)} s at concurrency ${CONCURRENCY}; ` +
        `${retried.length} sent again after a transport error${retried.length ? `: ${retried.slice(0, 10).join('; ')}` : ''}; ` +
        `replies by category and status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ` +
        `tables: ${JSON.stringify(digests(after))}`,
    );

    expect
      .soft(serverErrors, summary(failures.filter((f) => f.problem.startsWith('server error'))))
      .toBe(0);
    expect.soft(failures.length, summary(failures)).toBe(0);
    expect.soft(changes(before, after), 'tables changed by refused requests').toEqual([]);
  });

  it('answers rate-limit floods from outside clients with 429 and Retry-After once over, no 5xx, and writes nothing', async () => {
    const before = snapshot(worker.persist);
    const report: string[] = [];
    const failures: string[] = [];
    for (const [index, flood] of floods(fixture.openToken).entries()) {
      // A public address of its own (TEST-NET-2), so one flood's count is not another's.
      const started = Date.now();
      const replies = await sendFlood(
        worker.origin,
        flood,
        `198.51.100.${index + 10}`,
        CONCURRENCY,
      );
      const limited = replies.filter((r) => r.status === 429);
      const other = replies.filter((r) => r.status !== 429 && r.status !== flood.under);
      const seconds = (Date.now() - started) / 1000;
      report.push(
        `${flood.name}: ${replies.length} sent in ${seconds.toFixed(1)} s, ${limited.length} answered 429`,
      );
      const documented = operations(doc).get(flood.operation)?.responses?.['429'];
      if (!documented) failures.push(`${flood.operation}: 429 is not documented`);
      if (limited.length === 0) failures.push(`${flood.name}: never limited`);
      const badRefusal = limited.find(
        (r) => r.code !== 'rate_limited' || !/^\d+$/.test(r.retryAfter ?? ''),
      );
      if (badRefusal)
        failures.push(
          `${flood.name}: a 429 without Retry-After or rate_limited (${JSON.stringify(badRefusal)})`,
        );
      if (other.length > 0)
        failures.push(
          `${flood.name}: ${other.length} replies neither ${flood.under} nor 429, e.g. ${JSON.stringify(other[0])}`,
        );
    }
    const after = snapshot(worker.persist);
    console.info(`floods: ${report.join('; ')}`);
    expect(failures).toEqual([]);
    expect(changes(before, after), 'tables changed by floods').toEqual([]);
  });

  it('answers authentic expired link tokens as documented (pixel; redirect without tracking) and records nothing', async () => {
    const secret = fixture.tokenSecret;
    const click = payloadOf(fixture.clickToken);
    const expiredOpen = sign(secret, { ...payloadOf(fixture.openToken), x: LONG_AGO });
    const expiredClick = sign(secret, { ...click, x: LONG_AGO });
    const get = (path: string) =>
      fetch(worker.origin + path, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });

    const before = snapshot(worker.persist);
    const pixel = await get(`/v1/o/${expiredOpen}`);
    const gif = new Uint8Array(await pixel.arrayBuffer());
    const redirect = await get(`/v1/c/${expiredClick}`);
    await redirect.arrayBuffer();
    const after = snapshot(worker.persist);

    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    expect(pixel.headers.get('cache-control')).toContain('no-store');
    expect(Buffer.from(gif.subarray(0, 6)).toString('latin1')).toBe('GIF89a');
    // README: "still redirects to its destination but records nothing and adds no cxm_t".
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(click.u);
    expect(redirect.headers.get('referrer-policy')).toBe('no-referrer');
    expect(changes(before, after), 'tables changed by expired tokens').toEqual([]);

    // Control: the same link's click, signed the same way but not expired, is recorded (so the
    // tokens above and the corpus's forgeries are the worker's own scheme, not noise).
    const fresh = sign(secret, { ...click, x: Math.floor(Date.now() / 1000) + 3600 });
    const live = await get(`/v1/c/${fresh}`);
    await live.arrayBuffer();
    expect(live.status).toBe(302);
    expect(new URL(live.headers.get('location') ?? '').searchParams.has('cxm_t')).toBe(true);
    const recorded = snapshot(worker.persist);
    expect(recorded.sets.get('engagements')?.length).toBe(
      (after.sets.get('engagements')?.length ?? 0) + 1,
    );
  });
});
