// Every security-relevant change lands in the audit log, once: each row of the table performs one
// action the way a person does it (an API call with a key or a session, a console form, a sign-in
// through the identity provider) and finds exactly one new entry with that action, the actor who
// did it, its subject, and none of the action's secrets or purged data. A refused request writes
// nothing. Every row has an organisation of its own, so the entries it finds are its own.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { campaign } from '../../test/campaigns.js';
import { api, request, rid, rows, sendEngagements, type TestOrg } from '../../test/client.js';
import { createPerson, post, signedInAs, type TestPerson } from '../../test/console.js';
import {
  type CodeOverrides,
  createFakeIdp,
  type FakeIdp,
  uniqueIssuer,
} from '../../test/fake-idp.js';
import { messagingOrg, personToken, US_PHONE } from '../../test/messaging.js';
import { fakeReceiver, setWebhook } from '../../test/webhook-receiver.js';

interface Entry {
  id: string;
  actor: string;
  action: string;
  subject: string | null;
  details: string | null;
}

/** What the action did, for its entry: who, to what, and what the entry must never hold. */
interface Done {
  actor: string;
  subject: string | null;
  /** Secrets, purged ids: none may appear anywhere in the entry. */
  hidden?: string[];
}

interface Audited<T> {
  action: string;
  how: string;
  /** What the action needs first (its own entries, if any, are not counted). */
  prepare: (org: TestOrg) => Promise<T>;
  act: (org: TestOrg, prepared: T) => Promise<Done>;
}

/** A row of the table, its prepared value's type erased so rows of every kind share one list. */
function audited<T>(row: Audited<T>): Audited<unknown> {
  return row as Audited<unknown>;
}

const nothing = async () => undefined;

type Role = keyof TestOrg['keys'];

function keyActor(org: TestOrg, role: Role): string {
  return `key:key_${org.orgId}_${role}`;
}

async function entriesOf(org: TestOrg): Promise<Entry[]> {
  return rows<Entry>(
    'SELECT id, actor, action, subject, details FROM audit_log WHERE org_id = ?',
    org.orgId,
  );
}

/** The response's JSON body, after checking its status. */
async function expectStatus<T = Record<string, unknown>>(
  response: Response | Promise<Response>,
  status: number,
): Promise<T> {
  const settled = await response;
  const text = await settled.text();
  expect(settled.status, text.slice(0, 1000)).toBe(status);
  return (text.startsWith('{') ? JSON.parse(text) : {}) as T;
}

async function newKey(org: TestOrg): Promise<string> {
  const body = await expectStatus<{ id: string }>(
    api('POST', '/v1/keys', org.keys.manager, { name: 'ATS sync', role: 'user' }),
    201,
  );
  return body.id;
}

async function newUser(org: TestOrg): Promise<string> {
  const body = await expectStatus<{ id: string }>(
    api('POST', '/v1/users', org.keys.admin, {
      email: `${rid('p').toLowerCase()}@people.test`,
      displayName: 'Someone',
      role: 'user',
      licence: false,
    }),
    201,
  );
  return body.id;
}

/** A candidate with one engagement, known by its external id. */
async function newCandidate(org: TestOrg): Promise<string> {
  const candidate = rid('cand');
  await sendEngagements(org.keys.user, candidate, [{ type: 'attend_event', ago: 60_000 }]);
  return candidate;
}

async function newCampaign(org: TestOrg, state: 'enable' | 'disable'): Promise<string> {
  const sender = await personToken(org.orgId, 'user', { senderPhone: US_PHONE });
  const id = await campaign(org, sender.id);
  // The first state may already be this one: then nothing is written, and that is fine here.
  await expectStatus(api('POST', `/v1/campaigns/${id}/${state}`, org.keys.manager), 200);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Sign-in: the organisation's own (fake) identity provider, and the browser's round trip.

const providers: FakeIdp[] = [];

function fakeProvider(): FakeIdp {
  const idp = createFakeIdp({
    issuer: uniqueIssuer(),
    clientId: `client-${rid('c')}`,
    clientSecret: `secret-${rid('s')}`,
  });
  idp.install();
  providers.push(idp);
  return idp;
}

/** The organisation's sign-in pointed at `idp`, as a manager does it. */
function useProvider(org: TestOrg, idp: FakeIdp) {
  return api('PUT', '/v1/settings/sign-in', org.keys.manager, {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
  });
}

async function provider(org: TestOrg): Promise<FakeIdp> {
  const idp = fakeProvider();
  await expectStatus(useProvider(org, idp), 200);
  return idp;
}

/** The browser signs in as `email` at the provider and comes back: the callback's response. */
async function signIn(
  org: TestOrg,
  idp: FakeIdp,
  email: string,
  overrides: Omit<CodeOverrides, 'authorizeUrl' | 'email'> = {},
): Promise<Response> {
  const started = await request('/console/sign-in', {
    method: 'POST',
    headers: { origin: 'http://api.test', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ org: org.orgId }).toString(),
    redirect: 'manual',
  });
  expect(started.status, await started.clone().text()).toBe(303);
  const authorizeUrl = started.headers.get('location') ?? '';
  const attempt = started.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('cxm_sign_in='));
  const back = new URL(idp.issueCode({ authorizeUrl, email, ...overrides }));
  return request(`${back.pathname}${back.search}`, {
    headers: { cookie: attempt ?? '' },
    redirect: 'manual',
  });
}

function sessionCookieOf(response: Response): string {
  const line = response.headers.getSetCookie().find((l) => l.startsWith('cxm_session='));
  return line?.split(';')[0]?.slice('cxm_session='.length) ?? '';
}

/**
 * A row whose action is one API call by one of the organisation's keys on something `make`
 * made first (its id is the entry's subject, or, for a purge, the data it must not hold).
 */
function onMade(row: {
  action: string;
  how: string;
  make: (org: TestOrg) => Promise<string>;
  role: Role;
  send: (org: TestOrg, id: string) => Response | Promise<Response>;
  purges?: boolean;
}): Audited<unknown> {
  return audited({
    action: row.action,
    how: row.how,
    prepare: row.make,
    async act(org, id: string) {
      await expectStatus(row.send(org, id), 200);
      return { actor: keyActor(org, row.role), ...subjectOf(id, row.purges) };
    },
  });
}

/** A row whose action is a console form an admin posts about something `make` made first. */
function consoleForm(row: {
  action: string;
  how: string;
  make: (org: TestOrg) => Promise<string>;
  path: (id: string) => string;
  form?: Record<string, string>;
  status: number;
  purges?: boolean;
}): Audited<unknown> {
  return audited({
    action: row.action,
    how: row.how,
    prepare: async (org) => ({ id: await row.make(org), person: await signedInAs(org.keys.admin) }),
    async act(_org, { id, person }: { id: string; person: TestPerson }) {
      const response = await post(row.path(id), person.cookie, row.form ?? {});
      expect(response.status, await response.clone().text()).toBe(row.status);
      return { actor: `user:${person.id}`, ...subjectOf(id, row.purges) };
    },
  });
}

/** The entry's subject: the id itself, or for a purge something else that must not be the id. */
function subjectOf(id: string, purges = false): Pick<Done, 'subject' | 'hidden'> {
  return purges ? { subject: expect.any(String), hidden: [id] } : { subject: id };
}

// ---------------------------------------------------------------------------------------------

const KEYS = [
  audited({
    action: 'key.create',
    how: 'POST /v1/keys',
    prepare: nothing,
    async act(org) {
      const body = await expectStatus<{ id: string; secret: string }>(
        api('POST', '/v1/keys', org.keys.manager, { name: 'ATS sync', role: 'user' }),
        201,
      );
      return { actor: keyActor(org, 'manager'), subject: body.id, hidden: [body.secret] };
    },
  }),
  audited({
    action: 'key.create',
    how: 'the console keys form',
    prepare: (org) => signedInAs(org.keys.manager),
    async act(_org, person) {
      const response = await post('/console/keys', person.cookie, {
        name: 'Console',
        role: 'user',
      });
      expect(response.status).toBe(201);
      const html = await response.text();
      const secret = /sk_[A-Za-z0-9_-]{20,}/.exec(html)?.[0] ?? '';
      expect(secret).not.toBe('');
      const [key] = await rows<{ id: string }>(
        'SELECT id FROM api_keys WHERE org_id = ? AND name = ?',
        person.orgId,
        'Console',
      );
      return { actor: `user:${person.id}`, subject: key?.id ?? '', hidden: [secret] };
    },
  }),
  audited({
    action: 'key.rotate',
    how: 'POST /v1/keys/{id}/rotate',
    prepare: newKey,
    async act(org, id: string) {
      const body = await expectStatus<{ id: string; secret: string }>(
        api('POST', `/v1/keys/${id}/rotate`, org.keys.manager),
        201,
      );
      return { actor: keyActor(org, 'manager'), subject: body.id, hidden: [body.secret] };
    },
  }),
  onMade({
    action: 'key.revoke',
    how: 'DELETE /v1/keys/{id}',
    make: newKey,
    role: 'manager',
    send: (org, id) => api('DELETE', `/v1/keys/${id}`, org.keys.manager),
  }),
  consoleForm({
    action: 'key.revoke',
    how: 'the console revoke form',
    make: newKey,
    path: (id) => `/console/keys/${id}/revoke`,
    status: 303,
  }),
];

const USERS = [
  audited({
    action: 'user.created',
    how: 'POST /v1/users',
    prepare: nothing,
    async act(org) {
      const id = await newUser(org);
      return { actor: keyActor(org, 'admin'), subject: id };
    },
  }),
  onMade({
    action: 'user.updated',
    how: 'PATCH /v1/users/{id} (a role change)',
    make: newUser,
    role: 'admin',
    send: (org, id) => api('PATCH', `/v1/users/${id}`, org.keys.admin, { role: 'manager' }),
  }),
  onMade({
    action: 'user.deactivated',
    how: 'DELETE /v1/users/{id}',
    make: newUser,
    role: 'admin',
    send: (org, id) => api('DELETE', `/v1/users/${id}`, org.keys.admin),
  }),
  consoleForm({
    action: 'user.deactivated',
    how: 'the console deactivate form',
    make: newUser,
    path: (id) => `/console/users/${id}/deactivate`,
    form: { confirm: 'yes' },
    status: 303,
  }),
  consoleForm({
    action: 'user.updated',
    how: 'the console reactivate form',
    async make(org) {
      const id = await newUser(org);
      await expectStatus(api('DELETE', `/v1/users/${id}`, org.keys.admin), 200);
      return id;
    },
    path: (id) => `/console/users/${id}/reactivate`,
    status: 303,
  }),
];

const SETTINGS = [
  audited({
    action: 'settings.update',
    how: 'PUT /v1/settings/engagement (consent)',
    prepare: nothing,
    async act(org) {
      await expectStatus(
        api('PUT', '/v1/settings/engagement', org.keys.manager, { consentMode: 'onetrust' }),
        200,
      );
      return { actor: keyActor(org, 'manager'), subject: 'engagement' };
    },
  }),
  audited({
    action: 'settings.update',
    how: 'PUT /v1/settings/engagement (webhook URL and a new secret)',
    prepare: nothing,
    async act(org) {
      const body = await expectStatus<{ webhookSecret?: string }>(
        api('PUT', '/v1/settings/engagement', org.keys.manager, {
          webhookUrl: 'https://hooks.example.com/cxm',
          rotateWebhookSecret: true,
        }),
        200,
      );
      expect(body.webhookSecret).toBeTruthy();
      return {
        actor: keyActor(org, 'manager'),
        subject: 'engagement',
        hidden: [body.webhookSecret ?? ''],
      };
    },
  }),
  audited({
    action: 'settings.sign_in',
    how: 'PUT /v1/settings/sign-in',
    prepare: async () => fakeProvider(),
    async act(org, idp: FakeIdp) {
      await expectStatus(useProvider(org, idp), 200);
      return { actor: keyActor(org, 'manager'), subject: org.orgId, hidden: [idp.clientSecret] };
    },
  }),
  audited({
    action: 'settings.messaging',
    how: 'PUT /v1/settings/messaging (the monthly allowance)',
    prepare: nothing,
    async act(org) {
      await expectStatus(
        api('PUT', '/v1/settings/messaging', org.keys.manager, { monthlyContactAllowance: 750 }),
        200,
      );
      return { actor: keyActor(org, 'manager'), subject: org.orgId };
    },
  }),
];

const CAMPAIGNS = [
  audited({
    action: 'campaign.create',
    how: 'POST /v1/campaigns',
    prepare: (org) => personToken(org.orgId, 'user', { senderPhone: US_PHONE }),
    async act(org, sender: { id: string }) {
      const id = await campaign(org, sender.id);
      return { actor: keyActor(org, 'manager'), subject: id };
    },
  }),
  ...(['enable', 'disable', 'archive'] as const).map((state) =>
    onMade({
      action: `campaign.${state}`,
      how: `POST /v1/campaigns/{id}/${state}`,
      make: (org) => newCampaign(org, state === 'enable' ? 'disable' : 'enable'),
      role: 'manager',
      send: (org, id) => api('POST', `/v1/campaigns/${id}/${state}`, org.keys.manager),
    }),
  ),
];

const PURGES = [
  onMade({
    action: 'candidate.purge',
    how: 'DELETE /v1/candidates/{id}',
    make: newCandidate,
    role: 'admin',
    send: (org, candidate) => api('DELETE', `/v1/candidates/${candidate}`, org.keys.admin),
    purges: true,
  }),
  consoleForm({
    action: 'candidate.purge',
    how: 'the console purge form',
    make: newCandidate,
    path: (candidate) => `/console/candidates/${candidate}/purge`,
    status: 200,
    purges: true,
  }),
];

const SIGN_INS = [
  audited({
    action: 'user.signed_in',
    how: 'the identity provider’s callback',
    prepare: async (org) => ({
      idp: await provider(org),
      person: await createPerson(org.orgId, 'user'),
    }),
    async act(org, { idp, person }: { idp: FakeIdp; person: { id: string; email: string } }) {
      const response = await signIn(org, idp, person.email);
      expect(response.status, await response.clone().text()).toBe(303);
      const token = sessionCookieOf(response);
      expect(token).not.toBe('');
      return { actor: `user:${person.id}`, subject: person.id, hidden: [token, idp.clientSecret] };
    },
  }),
  audited({
    action: 'user.sign_in_failed',
    how: 'the callback for a person who is not a user',
    prepare: provider,
    async act(org, idp: FakeIdp) {
      const stranger = `${rid('x').toLowerCase()}@strangers.test`;
      const response = await signIn(org, idp, stranger);
      expect(response.status).toBe(403);
      return { actor: 'system', subject: stranger, hidden: [idp.clientSecret] };
    },
  }),
  audited({
    action: 'user.sign_in_failed',
    how: 'the callback with an ID token the provider did not mean for this attempt',
    prepare: async (org) => ({
      idp: await provider(org),
      person: await createPerson(org.orgId, 'user'),
    }),
    async act(org, { idp, person }: { idp: FakeIdp; person: { id: string; email: string } }) {
      const response = await signIn(org, idp, person.email, { nonce: 'another-attempt' });
      expect(response.status).toBe(401);
      return { actor: 'system', subject: null, hidden: [idp.clientSecret] };
    },
  }),
];

const WEBHOOKS = [
  audited({
    action: 'webhook.test_sent',
    how: 'POST /v1/webhook-deliveries/test',
    prepare: (org) => {
      fakeReceiver(); // restored with every mock after the row
      return setWebhook(org);
    },
    async act(org, webhook: { secret: string }) {
      const body = await expectStatus<{ id: string }>(
        api('POST', '/v1/webhook-deliveries/test', org.keys.manager),
        201,
      );
      return { actor: keyActor(org, 'manager'), subject: body.id, hidden: [webhook.secret] };
    },
  }),
  audited({
    action: 'webhook.redelivered',
    how: 'POST /v1/webhook-deliveries/{id}/redeliver',
    async prepare(org) {
      fakeReceiver(); // restored with every mock after the row
      const webhook = await setWebhook(org);
      const sent = await expectStatus<{ id: string }>(
        api('POST', '/v1/webhook-deliveries/test', org.keys.manager),
        201,
      );
      return { ...webhook, id: sent.id };
    },
    async act(org, sent: { id: string; secret: string }) {
      await expectStatus(
        api('POST', `/v1/webhook-deliveries/${sent.id}/redeliver`, org.keys.manager),
        200,
      );
      return { actor: keyActor(org, 'manager'), subject: sent.id, hidden: [sent.secret] };
    },
  }),
];

const ACTIONS = [...KEYS, ...USERS, ...SETTINGS, ...WEBHOOKS, ...CAMPAIGNS, ...PURGES, ...SIGN_INS];

/** Requests that change nothing: `ready` prepares what they need, then the request is sent. */
const REFUSALS: {
  what: string;
  status: number;
  ready: (org: TestOrg) => Promise<() => Response | Promise<Response>>;
}[] = [
  {
    what: 'a user key creating an admin key',
    status: 403,
    ready: async (org) => () =>
      api('POST', '/v1/keys', org.keys.user, { name: 'Mine', role: 'admin' }),
  },
  {
    what: 'a manager purging a candidate',
    status: 403,
    async ready(org) {
      const candidate = await newCandidate(org);
      return () => api('DELETE', `/v1/candidates/${candidate}`, org.keys.manager);
    },
  },
  {
    what: 'an unknown consent mode',
    status: 400,
    ready: async (org) => () =>
      api('PUT', '/v1/settings/engagement', org.keys.manager, { consentMode: 'nope' }),
  },
  {
    what: 'a user without an email',
    status: 400,
    ready: async (org) => () =>
      api('POST', '/v1/users', org.keys.admin, { displayName: 'No email' }),
  },
  {
    what: 'a negative monthly allowance',
    status: 400,
    ready: async (org) => () =>
      api('PUT', '/v1/settings/messaging', org.keys.manager, { monthlyContactAllowance: -1 }),
  },
  {
    what: 'the console’s first deactivate press, which only asks',
    status: 200,
    async ready(org) {
      const id = await newUser(org);
      const person = await signedInAs(org.keys.admin);
      return () => post(`/console/users/${id}/deactivate`, person.cookie, {});
    },
  },
];

beforeEach(() => {
  // The sign-in flow logs why it refused, for the operator.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  for (const idp of providers.splice(0)) idp.uninstall();
  vi.restoreAllMocks();
});

describe('every audited action writes one entry', () => {
  it.each(ACTIONS)('$action, by $how', async (row) => {
    const org = await messagingOrg();
    const prepared = await row.prepare(org);
    const before = new Set((await entriesOf(org)).map((entry) => entry.id));
    const done = await row.act(org, prepared);
    const added = (await entriesOf(org)).filter((entry) => !before.has(entry.id));
    expect(added).toHaveLength(1);
    const [entry] = added;
    expect(entry).toMatchObject({ action: row.action, actor: done.actor, subject: done.subject });
    for (const hidden of done.hidden ?? []) {
      expect(hidden.length).toBeGreaterThan(0);
      expect(JSON.stringify(entry)).not.toContain(hidden);
    }
  });

  it.each(REFUSALS)('writes nothing for $what ($status)', async ({ status, ready }) => {
    const org = await messagingOrg();
    const send = await ready(org);
    const before = (await entriesOf(org)).length;
    const response = await send();
    expect(response.status, await response.clone().text()).toBe(status);
    expect(await entriesOf(org)).toHaveLength(before);
  });
});
