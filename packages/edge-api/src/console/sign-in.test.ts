// Console sign-in end to end through the app, against an in-memory OpenID Provider
// (src/test/fake-idp.ts) that the worker reaches through the global fetch: the redirect to the
// provider (PKCE S256, state, nonce), the callback that redeems the code and checks the ID token,
// the session cookie, and every refusal (state, replay, nonce, expiry, signature, audience,
// issuer, email, deactivation, stale attempt, provider error) with its page, its status and no
// session. Then auto-provisioning, the sign-in settings API (the secret sealed and never
// returned) and sign-out. Each test has its own organisation and its own provider (issuer).
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { Role } from '../db/schema.js';
import { createOrg, errorOf, request, rid, rows, type TestOrg } from '../test/client.js';
import { createPerson } from '../test/console.js';
import { type CodeOverrides, createFakeIdp, type FakeIdp, uniqueIssuer } from '../test/fake-idp.js';

const ORIGIN = 'http://api.test';
const CALLBACK = `${ORIGIN}/console/oidc/callback`;
/** LOCAL_DEMO explicitly off: https issuers only, no insecure requests. */
const BINDINGS = { LOCAL_DEMO: 'false' };
const MINUTE = 60 * 1000;
const ROLES: Role[] = ['user', 'reporter', 'manager', 'admin'];

const fakes: FakeIdp[] = [];
let warn: MockInstance<typeof console.warn>;
let error: MockInstance<typeof console.error>;

beforeEach(() => {
  // The flow logs why it refused (for the operator); the tests read those lines.
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  for (const fake of fakes.splice(0)) fake.uninstall();
  warn.mockRestore();
  error.mockRestore();
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------
// Helpers

function call(path: string, init: RequestInit = {}) {
  return request(path, init, BINDINGS);
}

function apiCall(method: string, path: string, key?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return call(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function fakeIdp(options: { metadata?: Record<string, unknown>; clientSecret?: string } = {}) {
  const idp = createFakeIdp({
    issuer: uniqueIssuer(),
    clientId: `client-${rid('c')}`,
    clientSecret: options.clientSecret ?? `secret-${rid('s')}`,
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
  idp.install();
  fakes.push(idp);
  return idp;
}

interface Setup {
  org: TestOrg;
  idp: FakeIdp;
}

/** A fresh organisation whose manager pointed its sign-in at a fresh fake provider. */
async function setUp(options: { autoProvision?: boolean } = {}): Promise<Setup> {
  const org = await createOrg();
  const idp = fakeIdp();
  const response = await apiCall('PUT', '/v1/settings/sign-in', org.keys.manager, {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    ...(options.autoProvision === undefined ? {} : { autoProvision: options.autoProvision }),
  });
  if (response.status !== 200) {
    throw new Error(`PUT /v1/settings/sign-in: ${response.status} ${await response.text()}`);
  }
  return { org, idp };
}

async function person(org: TestOrg, role: Role = 'user') {
  const email = `${rid('p').toLowerCase()}@example.test`;
  const created = await createPerson(org.orgId, role, { email });
  const displayName = `Person ${rid('n')}`;
  await env.DB.prepare('UPDATE users SET display_name = ? WHERE id = ?')
    .bind(displayName, created.id)
    .run();
  return { ...created, displayName };
}

interface Cookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

function setCookies(response: Response): Cookie[] {
  return response.headers.getSetCookie().map((line) => {
    const [pair = '', ...parts] = line.split(';').map((part) => part.trim());
    const at = pair.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const part of parts) {
      const eq = part.indexOf('=');
      if (eq === -1) attributes[part.toLowerCase()] = true;
      else attributes[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
    }
    return { name: pair.slice(0, at), value: pair.slice(at + 1), attributes };
  });
}

function cookieNamed(response: Response, name: string): Cookie | undefined {
  return setCookies(response).find((cookie) => cookie.name === name);
}

interface Started {
  response: Response;
  authorizeUrl: string;
  state: string;
  /** The `cookie` header the browser sends on the callback. */
  cookie: string;
}

function postSignIn(form: Record<string, string>, headers: Record<string, string> = {}) {
  return call('/console/sign-in', {
    method: 'POST',
    headers: {
      origin: ORIGIN,
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body: new URLSearchParams(form).toString(),
  });
}

/** The browser posts the sign-in form and is sent to the provider. */
async function start(org: TestOrg, next?: string): Promise<Started> {
  const response = await postSignIn({
    org: org.orgId,
    ...(next === undefined ? {} : { next }),
  });
  if (response.status !== 303) {
    throw new Error(`POST /console/sign-in: ${response.status} ${await response.text()}`);
  }
  const authorizeUrl = response.headers.get('location') ?? '';
  const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
  const signIn = cookieNamed(response, 'cxm_sign_in');
  return { response, authorizeUrl, state, cookie: `cxm_sign_in=${signIn?.value ?? ''}` };
}

/** The browser follows the provider's redirect back to the worker. */
function callback(url: string, cookie?: string | null) {
  const parsed = new URL(url);
  expect(parsed.origin).toBe(ORIGIN);
  return call(`${parsed.pathname}${parsed.search}`, cookie ? { headers: { cookie } } : {});
}

/** The whole sign-in, provider step included, with ID token overrides. */
async function signIn(
  setup: Setup,
  overrides: Omit<CodeOverrides, 'authorizeUrl'>,
  next?: string,
): Promise<Response> {
  const started = await start(setup.org, next);
  return callback(
    setup.idp.issueCode({ authorizeUrl: started.authorizeUrl, ...overrides }),
    started.cookie,
  );
}

function sessionTokenOf(response: Response): string {
  const cookie = cookieNamed(response, 'cxm_session');
  if (!cookie) throw new Error(`no cxm_session cookie: ${response.status}`);
  return cookie.value;
}

async function sessionCount(orgId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(
    'SELECT count(*) AS n FROM sessions WHERE org_id = ?',
    orgId,
  );
  return row?.n ?? 0;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The page's text with JSX's escaping undone, so messages compare as written. */
function pageText(html: string): string {
  return html
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** A refusal: the sign-in page with the message, the status, no session cookie, no session row. */
async function expectRefused(
  response: Response,
  status: number,
  message: string | RegExp,
  orgId: string,
  sessionsBefore = 0,
) {
  const html = pageText(await response.text());
  expect(response.status, html.slice(0, 2000)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html).toContain('Sign in to the console');
  expect(html).toContain('role="alert"');
  if (typeof message === 'string') expect(html).toContain(message);
  else expect(html).toMatch(message);
  expect(cookieNamed(response, 'cxm_session')).toBeUndefined();
  expect(await sessionCount(orgId)).toBe(sessionsBefore);
}

/** The detail the flow logged for the operator when it refused (not shown to the person). */
function loggedRefusal(): string {
  return warn.mock.calls.map((args) => args.map(String).join(' ')).join('\n');
}

const NOT_VERIFIED = 'The identity provider’s answer could not be verified.';
const START_AGAIN = 'Start again from the sign-in page.';

// ---------------------------------------------------------------------------------------------

describe('console sign-in: the happy path', () => {
  it('redirects to the provider with PKCE S256, state and nonce, and remembers the attempt', async () => {
    const setup = await setUp();
    const started = await start(setup.org);
    const authorize = new URL(started.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${setup.idp.issuer}/authorize`);
    const params = authorize.searchParams;
    expect(params.get('client_id')).toBe(setup.idp.clientId);
    expect(params.get('redirect_uri')).toBe(CALLBACK);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(params.get('nonce')).not.toBe(params.get('state'));

    const cookie = cookieNamed(started.response, 'cxm_sign_in');
    expect(cookie?.value).toBe(started.state);
    expect(cookie?.attributes.path).toBe('/console/oidc');
    expect(cookie?.attributes.httponly).toBe(true);
    expect(String(cookie?.attributes.samesite).toLowerCase()).toBe('lax');

    // The attempt is stored under the state's hash, with a verifier matching the challenge.
    const [attempt] = await rows<{ org_id: string; code_verifier: string; expires_at: number }>(
      'SELECT * FROM sign_in_attempts WHERE state_hash = ?',
      await sha256Hex(started.state),
    );
    expect(attempt?.org_id).toBe(setup.org.orgId);
    const challenge = await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(attempt?.code_verifier ?? ''),
    );
    const b64 = btoa(String.fromCharCode(...new Uint8Array(challenge)))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    expect(b64).toBe(params.get('code_challenge'));
    expect(attempt?.expires_at).toBeGreaterThan(Date.now() + 9 * MINUTE);
    expect(attempt?.expires_at).toBeLessThanOrEqual(Date.now() + 10 * MINUTE);
    expect(
      await rows('SELECT * FROM sign_in_attempts WHERE state_hash = ?', started.state),
    ).toEqual([]);
  });

  it.each(ROLES)('signs a %s in: session cookie, console page, whoami, audit', async (role) => {
    const setup = await setUp();
    const who = await person(setup.org, role);
    const started = await start(setup.org);
    // The provider may spell the email in capitals; the user is found by its lowercase form.
    const url = setup.idp.issueCode({
      authorizeUrl: started.authorizeUrl,
      email: who.email.toUpperCase(),
      sub: `sub-${who.id}`,
    });
    const before = Date.now();
    const response = await callback(url, started.cookie);
    expect(response.status, await response.clone().text()).toBe(303);
    expect(response.headers.get('location')).toBe('/console/candidates');

    const session = cookieNamed(response, 'cxm_session');
    expect(session?.value).toMatch(/^cxs_[A-Za-z0-9_-]{20,}$/);
    expect(session?.attributes.httponly).toBe(true);
    expect(String(session?.attributes.samesite).toLowerCase()).toBe('lax');
    expect(session?.attributes.path).toBe('/console');
    // http://api.test is not loopback: the cookie is Secure.
    expect(session?.attributes.secure).toBe(true);
    // The sign-in cookie is cleared.
    const cleared = cookieNamed(response, 'cxm_sign_in');
    expect(cleared?.attributes['max-age']).toBe('0');

    const token = sessionTokenOf(response);
    // The attempt is gone; the session row holds the token's hash, never the token.
    expect(
      await rows(
        'SELECT * FROM sign_in_attempts WHERE state_hash = ?',
        await sha256Hex(started.state),
      ),
    ).toEqual([]);
    const sessions = await rows<{ token_hash: string; user_id: string }>(
      'SELECT token_hash, user_id FROM sessions WHERE org_id = ?',
      setup.org.orgId,
    );
    expect(sessions).toEqual([{ token_hash: await sha256Hex(token), user_id: who.id }]);

    // The console names the person; a `user` may not list candidates (GET /v1/audiences is for
    // reporters and up), so their landing page is the open-by-id form, signed in all the same.
    const page = await call('/console/candidates', { headers: { cookie: `cxm_session=${token}` } });
    const html = pageText(await page.text());
    expect(page.status, html.slice(0, 1000)).toBe(200);
    if (role === 'user') expect(html).toContain('Find a candidate');
    expect(html.replace(/<[^>]+>/g, '')).toContain(
      `${who.displayName} · Test ${setup.org.orgId} · role ${role}`,
    );

    const whoami = await apiCall('GET', '/v1/whoami', token);
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({
      orgId: setup.org.orgId,
      kind: 'user',
      role,
      userId: who.id,
      email: who.email,
      displayName: who.displayName,
    });

    const [user] = await rows<{ last_signed_in_at: number | null }>(
      'SELECT last_signed_in_at FROM users WHERE id = ?',
      who.id,
    );
    expect(user?.last_signed_in_at).toBeGreaterThanOrEqual(before);
    expect(user?.last_signed_in_at).toBeLessThanOrEqual(Date.now());

    const audit = await rows<{ actor: string; subject: string; details: string }>(
      "SELECT actor, subject, details FROM audit_log WHERE org_id = ? AND action = 'user.signed_in'",
      setup.org.orgId,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toBe(`user:${who.id}`);
    expect(audit[0]?.subject).toBe(who.id);
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({
      issuer: setup.idp.issuer,
      subject: `sub-${who.id}`,
    });
    expect(audit[0]?.details).not.toContain(token);

    // The provider saw one good token request, with the client's secret (unsealed correctly).
    expect(setup.idp.tokenRequests).toEqual([
      { code: expect.any(String), status: 200, error: null, reason: null },
    ]);
  });

  it('returns to a safe `next`', async () => {
    const setup = await setUp();
    const who = await person(setup.org, 'reporter');
    const started = await start(setup.org, '/console/reports');
    const [attempt] = await rows<{ return_to: string | null }>(
      'SELECT return_to FROM sign_in_attempts WHERE state_hash = ?',
      await sha256Hex(started.state),
    );
    expect(attempt?.return_to).toBe('/console/reports');
    const response = await callback(
      setup.idp.issueCode({ authorizeUrl: started.authorizeUrl, email: who.email }),
      started.cookie,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console/reports');
    expect(cookieNamed(response, 'cxm_session')).toBeDefined();
  });

  it.each([
    'https://evil.test',
    '//evil.test',
    '/\\evil.test',
    '/console//evil.test',
    '/console/\\evil.test',
    'javascript:alert(1)',
    '/elsewhere',
  ])('ignores an unsafe `next` (%s) and lands on /console/candidates', async (next) => {
    const setup = await setUp();
    const who = await person(setup.org);
    const response = await signIn(setup, { email: who.email }, next);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console/candidates');
  });

  it('ignores a `next` that climbs out of /console with dot segments', async () => {
    // `/console/../x` starts with `/console/` and has no `//`, but a browser resolves the
    // Location to `/x`: same origin, not an open redirect, yet outside the console. `safeReturn`
    // (src/console/auth.tsx) resolves the path as the browser would (`..`, `%2e%2e`) and refuses it.
    const setup = await setUp();
    const who = await person(setup.org);
    for (const next of ['/console/../x', '/console/%2e%2e/x']) {
      const response = await signIn(setup, { email: who.email }, next);
      expect(response.status).toBe(303);
      expect.soft(response.headers.get('location'), next).toBe('/console/candidates');
    }
  });
});

describe('console sign-in: refusals', () => {
  it('refuses a callback whose state is not this browser’s, and leaves the attempt for it', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    const started = await start(setup.org);
    const url = setup.idp.issueCode({ authorizeUrl: started.authorizeUrl, email: who.email });
    const tampered = new URL(url);
    tampered.searchParams.set('state', `${started.state}x`);
    await expectRefused(
      await callback(tampered.toString(), started.cookie),
      400,
      `This sign-in was not started in this browser, or it has expired. ${START_AGAIN}`,
      setup.org.orgId,
    );
    // Another browser's cookie with this answer: refused too.
    const other = await start(setup.org);
    await expectRefused(
      await callback(url, other.cookie),
      400,
      'This sign-in was not started in this browser',
      setup.org.orgId,
    );
    expect(setup.idp.tokenRequests).toEqual([]);
    // The genuine browser still signs in with the untouched attempt.
    const genuine = await callback(url, started.cookie);
    expect(genuine.status).toBe(303);
    expect(await sessionCount(setup.org.orgId)).toBe(1);
  });

  it('refuses a callback without the sign-in cookie, or without state', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    const started = await start(setup.org);
    const url = setup.idp.issueCode({ authorizeUrl: started.authorizeUrl, email: who.email });
    await expectRefused(
      await callback(url, null),
      400,
      'This sign-in was not started in this browser',
      setup.org.orgId,
    );
    const stateless = new URL(url);
    stateless.searchParams.delete('state');
    await expectRefused(
      await callback(stateless.toString(), started.cookie),
      400,
      'This sign-in answer has no state.',
      setup.org.orgId,
    );
    expect(setup.idp.tokenRequests).toEqual([]);
  });

  it('refuses a replayed callback (the same URL twice): one session only', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    const started = await start(setup.org);
    const url = setup.idp.issueCode({ authorizeUrl: started.authorizeUrl, email: who.email });
    const first = await callback(url, started.cookie);
    expect(first.status).toBe(303);
    expect(await sessionCount(setup.org.orgId)).toBe(1);
    await expectRefused(
      await callback(url, started.cookie),
      400,
      `This sign-in has already been used or has expired. ${START_AGAIN}`,
      setup.org.orgId,
      1,
    );
    // The replay never reached the provider.
    expect(setup.idp.tokenRequests).toHaveLength(1);
  });

  it('refuses a replayed code under a fresh attempt: the provider says invalid_grant', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    const first = await start(setup.org);
    const url = setup.idp.issueCode({ authorizeUrl: first.authorizeUrl, email: who.email });
    expect((await callback(url, first.cookie)).status).toBe(303);

    const fresh = await start(setup.org);
    const replay = new URL(url);
    replay.searchParams.set('state', fresh.state);
    await expectRefused(
      await callback(replay.toString(), fresh.cookie),
      401,
      `${NOT_VERIFIED} ${START_AGAIN}`,
      setup.org.orgId,
      1,
    );
    expect(setup.idp.tokenRequests.at(-1)).toMatchObject({
      status: 400,
      error: 'invalid_grant',
      reason: 'code already used',
    });
    expect(loggedRefusal()).toContain('invalid_grant');
  });

  it.each<[string, (setup: Setup) => Omit<CodeOverrides, 'authorizeUrl'>, RegExp]>([
    ['a wrong nonce', () => ({ nonce: 'not-the-nonce' }), /"nonce"/],
    [
      'an expired ID token',
      () => ({
        exp: Math.floor(Date.now() / 1000) - 3600,
        iat: Math.floor(Date.now() / 1000) - 7200,
      }),
      /"exp"/,
    ],
    [
      'an ID token signed by another key (same kid)',
      () => ({ signWith: 'other-key' }),
      /signature/i,
    ],
    ['a wrong audience', () => ({ aud: 'someone-else' }), /"aud"/],
    ['another audience only, in a list', () => ({ aud: ['someone-else', 'another'] }), /"aud"/],
    ['a wrong issuer in the ID token', () => ({ iss: 'https://other-idp.example.test' }), /"iss"/],
  ])('refuses %s (401), no session', async (_, overrides, detail) => {
    const setup = await setUp();
    const who = await person(setup.org);
    const response = await signIn(setup, { email: who.email, ...overrides(setup) });
    await expectRefused(response, 401, `${NOT_VERIFIED} ${START_AGAIN}`, setup.org.orgId);
    // The code was redeemed (the token request succeeded); the ID token was what failed.
    expect(setup.idp.tokenRequests).toMatchObject([{ status: 200 }]);
    expect(loggedRefusal()).toMatch(detail);
    // One failed sign-in in the organisation's audit log, in the words the person saw.
    expect(
      await rows(
        `SELECT action, json_extract(details, '$.reason') AS reason FROM audit_log
         WHERE org_id = ? AND action LIKE 'user.sign_in%'`,
        setup.org.orgId,
      ),
    ).toEqual([{ action: 'user.sign_in_failed', reason: NOT_VERIFIED }]);
    const [user] = await rows<{ last_signed_in_at: number | null }>(
      'SELECT last_signed_in_at FROM users WHERE id = ?',
      who.id,
    );
    expect(user?.last_signed_in_at).toBeNull();
  });

  it('refuses a callback `iss` that is not the issuer (mix-up), before redeeming the code', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    const started = await start(setup.org);
    const url = setup.idp.issueCode({
      authorizeUrl: started.authorizeUrl,
      email: who.email,
      callbackIss: 'https://attacker.example.test',
    });
    await expectRefused(
      await callback(url, started.cookie),
      401,
      'The identity provider’s answer does not match this sign-in.',
      setup.org.orgId,
    );
    expect(setup.idp.tokenRequests).toEqual([]);
  });

  it('refuses an email that is no user of the organisation (403)', async () => {
    const setup = await setUp();
    await person(setup.org);
    const email = `${rid('stranger').toLowerCase()}@example.test`;
    const response = await signIn(setup, { email });
    await expectRefused(
      response,
      403,
      `${email} is not a user of Test ${setup.org.orgId}. Ask a manager to invite you.`,
      setup.org.orgId,
    );
    expect(
      await rows('SELECT id FROM users WHERE org_id = ? AND email = ?', setup.org.orgId, email),
    ).toEqual([]);
    // The organisation's audit log has the failed attempt, with who the provider vouched for.
    const failed = await rows<{ actor: string; subject: string; details: string }>(
      `SELECT actor, subject, details FROM audit_log WHERE org_id = ? AND action = 'user.sign_in_failed'`,
      setup.org.orgId,
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]?.actor).toBe('system');
    expect(failed[0]?.subject).toBe(email);
    expect(JSON.parse(failed[0]?.details ?? '{}')).toMatchObject({
      email,
      reason: expect.stringContaining('is not a user of'),
    });
  });

  it('refuses a user of another organisation (the email is looked up in this one)', async () => {
    const setup = await setUp();
    const elsewhere = await createOrg();
    const email = `${rid('other').toLowerCase()}@example.test`;
    await createPerson(elsewhere.orgId, 'admin', { email });
    await expectRefused(
      await signIn(setup, { email }),
      403,
      `${email} is not a user of Test ${setup.org.orgId}.`,
      setup.org.orgId,
    );
    expect(await sessionCount(elsewhere.orgId)).toBe(0);
  });

  it('refuses a deactivated user (403)', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    const deactivated = await apiCall('DELETE', `/v1/users/${who.id}`, setup.org.keys.admin);
    expect(deactivated.status, await deactivated.clone().text()).toBe(200);
    await expectRefused(
      await signIn(setup, { email: who.email }),
      403,
      `${who.email} is deactivated in Test ${setup.org.orgId}. Ask a manager to reactivate you.`,
      setup.org.orgId,
    );
  });

  it('refuses email_verified: false (401)', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    await expectRefused(
      await signIn(setup, { email: who.email, email_verified: false }),
      401,
      `The identity provider says this email address is not verified. ${START_AGAIN}`,
      setup.org.orgId,
    );
  });

  it('accepts email_verified: true', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    const response = await signIn(setup, { email: who.email, email_verified: true });
    expect(response.status).toBe(303);
    expect(await sessionCount(setup.org.orgId)).toBe(1);
  });

  it('refuses an ID token without the email claim (401)', async () => {
    const setup = await setUp();
    await person(setup.org);
    await expectRefused(
      await signIn(setup, { omitEmail: true }),
      401,
      'The identity provider sent no email in the `email` claim.',
      setup.org.orgId,
    );
  });

  it('refuses an attempt older than 10 minutes (400), and accepts one just younger', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);

    const young = await start(setup.org);
    const youngUrl = setup.idp.issueCode({ authorizeUrl: young.authorizeUrl, email: who.email });
    vi.setSystemTime(t0 + 10 * MINUTE - 1000);
    const ok = await callback(youngUrl, young.cookie);
    expect(ok.status, await ok.clone().text()).toBe(303);
    expect(await sessionCount(setup.org.orgId)).toBe(1);

    vi.setSystemTime(t0 + 20 * MINUTE);
    const old = await start(setup.org);
    const oldUrl = setup.idp.issueCode({ authorizeUrl: old.authorizeUrl, email: who.email });
    vi.setSystemTime(t0 + 30 * MINUTE + 1000);
    await expectRefused(
      await callback(oldUrl, old.cookie),
      400,
      `This sign-in has already been used or has expired. ${START_AGAIN}`,
      setup.org.orgId,
      1,
    );
    expect(setup.idp.tokenRequests).toHaveLength(1);
    // Expired attempts are taken back too: nothing left to retry with.
    expect(
      await rows('SELECT * FROM sign_in_attempts WHERE state_hash = ?', await sha256Hex(old.state)),
    ).toEqual([]);
  });

  it('refuses when the provider answers error=access_denied (401)', async () => {
    const setup = await setUp();
    await person(setup.org);
    const started = await start(setup.org);
    const url = setup.idp.issueError({
      authorizeUrl: started.authorizeUrl,
      error: 'access_denied',
      description: 'The user cancelled',
    });
    await expectRefused(
      await callback(url, started.cookie),
      401,
      'The identity provider did not sign you in (access_denied: The user cancelled).',
      setup.org.orgId,
    );
    expect(setup.idp.tokenRequests).toEqual([]);
  });

  it('refuses when the provider rejects the client secret (invalid_client, 401)', async () => {
    // The organisation's stored secret is not the one the provider knows.
    const org = await createOrg();
    const idp = fakeIdp();
    const put = await apiCall('PUT', '/v1/settings/sign-in', org.keys.manager, {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: 'a-stale-secret',
    });
    expect(put.status).toBe(200);
    const who = await person(org);
    await expectRefused(
      await signIn({ org, idp }, { email: who.email }),
      401,
      NOT_VERIFIED,
      org.orgId,
    );
    expect(idp.tokenRequests).toMatchObject([{ status: 401, error: 'invalid_client' }]);
  });

  it('refuses to start without the same-origin Origin, for an unknown organisation, or one without a provider', async () => {
    const setup = await setUp();
    const crossSite = await postSignIn({ org: setup.org.orgId }, { origin: 'https://evil.test' });
    expect(crossSite.status).toBe(403);
    expect(cookieNamed(crossSite, 'cxm_sign_in')).toBeUndefined();

    const unknown = await postSignIn({ org: 'no-such-org-here' });
    expect(unknown.status).toBe(404);
    expect(pageText(await unknown.text())).toContain('No organisation “no-such-org-here”');

    const bare = await createOrg();
    const unconfigured = await postSignIn({ org: bare.orgId });
    expect(unconfigured.status).toBe(409);
    expect(pageText(await unconfigured.text())).toContain('has no identity provider set up yet');

    const empty = await postSignIn({ org: '' });
    expect(empty.status).toBe(400);
    expect(pageText(await empty.text())).toContain('Enter your organisation’s name.');
  });
});

describe('console sign-in: auto-provisioning', () => {
  it('on: an unknown verified email gets a user (role user, no licence) and a session', async () => {
    const setup = await setUp({ autoProvision: true });
    const email = `${rid('new').toLowerCase()}@example.test`;
    const response = await signIn(setup, {
      email: email.toUpperCase(),
      email_verified: true,
      name: 'New Person',
    });
    expect(response.status, await response.clone().text()).toBe(303);
    expect(response.headers.get('location')).toBe('/console/candidates');
    const token = sessionTokenOf(response);

    const users = await rows<{
      id: string;
      email: string;
      role: string;
      licence: number;
      display_name: string;
      deactivated_at: number | null;
      last_signed_in_at: number | null;
    }>('SELECT * FROM users WHERE org_id = ?', setup.org.orgId);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      email,
      role: 'user',
      licence: 0,
      display_name: 'New Person',
      deactivated_at: null,
    });
    expect(users[0]?.last_signed_in_at).toEqual(expect.any(Number));

    const whoami = await apiCall('GET', '/v1/whoami', token);
    expect(await whoami.json()).toMatchObject({
      kind: 'user',
      role: 'user',
      licence: false,
      userId: users[0]?.id,
    });
    const actions = await rows<{ action: string }>(
      'SELECT action FROM audit_log WHERE org_id = ? AND subject = ? ORDER BY at, action',
      setup.org.orgId,
      users[0]?.id,
    );
    expect(actions.map((row) => row.action).sort()).toEqual(['user.provisioned', 'user.signed_in']);

    // Signing in again finds the same user, no second one.
    expect((await signIn(setup, { email })).status).toBe(303);
    expect(await rows('SELECT id FROM users WHERE org_id = ?', setup.org.orgId)).toHaveLength(1);
  });

  it('on: a deactivated user is still refused, not provisioned again', async () => {
    const setup = await setUp({ autoProvision: true });
    const who = await person(setup.org);
    expect((await apiCall('DELETE', `/v1/users/${who.id}`, setup.org.keys.admin)).status).toBe(200);
    await expectRefused(
      await signIn(setup, { email: who.email }),
      403,
      `${who.email} is deactivated in`,
      setup.org.orgId,
    );
    expect(await rows('SELECT id FROM users WHERE org_id = ?', setup.org.orgId)).toHaveLength(1);
  });

  it('on: an unverified email is not provisioned', async () => {
    const setup = await setUp({ autoProvision: true });
    await expectRefused(
      await signIn(setup, { email: 'unverified@example.test', email_verified: false }),
      401,
      'not verified',
      setup.org.orgId,
    );
    expect(await rows('SELECT id FROM users WHERE org_id = ?', setup.org.orgId)).toEqual([]);
  });

  it('off: an unknown verified email is refused (403) and no user is made', async () => {
    const setup = await setUp({ autoProvision: false });
    const email = `${rid('new').toLowerCase()}@example.test`;
    await expectRefused(
      await signIn(setup, { email, email_verified: true }),
      403,
      `${email} is not a user of`,
      setup.org.orgId,
    );
    expect(await rows('SELECT id FROM users WHERE org_id = ?', setup.org.orgId)).toEqual([]);
  });
});

describe('sign-in settings API', () => {
  interface Settings {
    issuer: string | null;
    clientId: string | null;
    clientSecretSet: boolean;
    emailClaim: string;
    autoProvision: boolean;
    redirectUri: string;
  }

  it('stores the secret sealed, never returns it, and audits the change without it', async () => {
    const org = await createOrg();
    const idp = fakeIdp();
    const empty = await apiCall('GET', '/v1/settings/sign-in', org.keys.manager);
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({
      issuer: null,
      clientId: null,
      clientSecretSet: false,
      emailClaim: 'email',
      autoProvision: false,
      redirectUri: CALLBACK,
    });

    const put = await apiCall('PUT', '/v1/settings/sign-in', org.keys.manager, {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      autoProvision: true,
    });
    const putText = await put.text();
    expect(put.status, putText).toBe(200);
    expect(putText).not.toContain(idp.clientSecret);
    const expected: Settings = {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecretSet: true,
      emailClaim: 'email',
      autoProvision: true,
      redirectUri: CALLBACK,
    };
    expect(JSON.parse(putText)).toEqual(expected);
    expect(idp.requests).toContain('GET /.well-known/openid-configuration');

    for (const key of [org.keys.manager, org.keys.admin]) {
      const got = await apiCall('GET', '/v1/settings/sign-in', key);
      const text = await got.text();
      expect(got.status).toBe(200);
      expect(text).not.toContain(idp.clientSecret);
      expect(JSON.parse(text)).toEqual(expected);
    }

    const [stored] = await rows<{ oidc_client_secret: string; oidc_issuer: string }>(
      'SELECT oidc_client_secret, oidc_issuer FROM organisations WHERE id = ?',
      org.orgId,
    );
    expect(stored?.oidc_issuer).toBe(idp.issuer);
    expect(stored?.oidc_client_secret).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(stored?.oidc_client_secret).not.toContain(idp.clientSecret);
    expect(stored?.oidc_client_secret).not.toContain(btoa(idp.clientSecret).replace(/=+$/, ''));

    const audit = await rows<{ actor: string; subject: string; details: string }>(
      "SELECT actor, subject, details FROM audit_log WHERE org_id = ? AND action = 'settings.sign_in'",
      org.orgId,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.subject).toBe(org.orgId);
    expect(audit[0]?.actor).toContain(`key_${org.orgId}_manager`);
    expect(audit[0]?.details).not.toContain(idp.clientSecret);
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({
      issuer: idp.issuer,
      clientId: idp.clientId,
      emailClaim: 'email',
      autoProvision: true,
      secretChanged: true,
    });
  });

  it('keeps the stored secret when a later PUT leaves it out', async () => {
    const setup = await setUp();
    const [before] = await rows<{ oidc_client_secret: string }>(
      'SELECT oidc_client_secret FROM organisations WHERE id = ?',
      setup.org.orgId,
    );
    const put = await apiCall('PUT', '/v1/settings/sign-in', setup.org.keys.manager, {
      issuer: setup.idp.issuer,
      clientId: setup.idp.clientId,
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as Settings).clientSecretSet).toBe(true);
    const [after] = await rows<{ oidc_client_secret: string }>(
      'SELECT oidc_client_secret FROM organisations WHERE id = ?',
      setup.org.orgId,
    );
    expect(after?.oidc_client_secret).toBe(before?.oidc_client_secret);
    const audit = await rows<{ details: string }>(
      "SELECT details FROM audit_log WHERE org_id = ? AND action = 'settings.sign_in' ORDER BY at",
      setup.org.orgId,
    );
    expect(audit.map((row) => JSON.parse(row.details).secretChanged).sort()).toEqual([false, true]);
    // The kept secret still works at the provider.
    const who = await person(setup.org);
    expect((await signIn(setup, { email: who.email })).status).toBe(303);
  });

  it('refuses an issuer that is not https, has a query or fragment, or is not public (400)', async () => {
    const org = await createOrg();
    const idp = fakeIdp();
    for (const issuer of [
      idp.issuer.replace('https:', 'http:'),
      'http://localhost:8790',
      'http://127.0.0.1:8790',
      `${idp.issuer}?tenant=1`,
      `${idp.issuer}#x`,
      'https://127.0.0.1',
      'https://10.0.0.1',
      'https://idp.internal',
      'https://localhost',
      'https://intranet',
      'not a url',
    ]) {
      const response = await apiCall('PUT', '/v1/settings/sign-in', org.keys.manager, {
        issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
      });
      expect(response.status, issuer).toBe(400);
      const problem = await errorOf(response);
      expect(problem.code, issuer).toBe('invalid_request');
      expect(
        problem.issues?.map((issue) => issue.path),
        issuer,
      ).toEqual(['issuer']);
    }
    // Nothing was called or stored.
    expect(idp.requests).toEqual([]);
    const [row] = await rows<{ oidc_issuer: string | null }>(
      'SELECT oidc_issuer FROM organisations WHERE id = ?',
      org.orgId,
    );
    expect(row?.oidc_issuer).toBeNull();
  });

  it('refuses an issuer whose discovery fails, naming the issuer (400)', async () => {
    const org = await createOrg();
    const idp = fakeIdp();
    const mismatched = fakeIdp({ metadata: { issuer: 'https://someone-else.example.test' } });
    for (const issuer of [`${idp.issuer}/no-such-tenant`, mismatched.issuer]) {
      const response = await apiCall('PUT', '/v1/settings/sign-in', org.keys.manager, {
        issuer,
        clientId: 'client',
        clientSecret: 'secret',
      });
      const text = await response.text();
      expect(response.status, text).toBe(400);
      expect(text).toContain(`${issuer}/.well-known/openid-configuration`);
      expect(text).toContain('could not be used');
      expect(text).not.toContain('"secret"');
    }
    const [row] = await rows<{ oidc_issuer: string | null; oidc_client_secret: string | null }>(
      'SELECT oidc_issuer, oidc_client_secret FROM organisations WHERE id = ?',
      org.orgId,
    );
    expect(row).toEqual({ oidc_issuer: null, oidc_client_secret: null });
    expect(
      await rows(
        "SELECT id FROM audit_log WHERE org_id = ? AND action = 'settings.sign_in'",
        org.orgId,
      ),
    ).toEqual([]);
  });

  it('requires the client secret the first time (400)', async () => {
    const org = await createOrg();
    const idp = fakeIdp();
    const response = await apiCall('PUT', '/v1/settings/sign-in', org.keys.manager, {
      issuer: idp.issuer,
      clientId: idp.clientId,
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).issues?.map((issue) => issue.path)).toEqual(['clientSecret']);
  });

  it('refuses unknown fields (strict body)', async () => {
    const org = await createOrg();
    const idp = fakeIdp();
    const response = await apiCall('PUT', '/v1/settings/sign-in', org.keys.manager, {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      clientSecretSet: true,
    });
    expect(response.status).toBe(400);
  });

  it('is for managers and admins: user and reporter keys get 403, no key 401', async () => {
    const org = await createOrg();
    const idp = fakeIdp();
    const body = { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret };
    for (const role of ['user', 'reporter'] as const) {
      const get = await apiCall('GET', '/v1/settings/sign-in', org.keys[role]);
      expect(get.status, `GET as ${role}`).toBe(403);
      expect((await errorOf(get)).code).toBe('forbidden');
      const put = await apiCall('PUT', '/v1/settings/sign-in', org.keys[role], body);
      expect(put.status, `PUT as ${role}`).toBe(403);
    }
    expect((await apiCall('GET', '/v1/settings/sign-in')).status).toBe(401);
    expect((await apiCall('PUT', '/v1/settings/sign-in', undefined, body)).status).toBe(401);
    expect(idp.requests).toEqual([]);
    expect((await apiCall('PUT', '/v1/settings/sign-in', org.keys.admin, body)).status).toBe(200);
  });

  it('a sealed secret copied into another organisation’s row does not open: a clear page, not a 500', async () => {
    const a = await setUp();
    const b = await setUp();
    const [sealed] = await rows<{ oidc_client_secret: string }>(
      'SELECT oidc_client_secret FROM organisations WHERE id = ?',
      a.org.orgId,
    );
    // An attempt under way in B when the row is overwritten.
    const who = await person(b.org);
    const underWay = await start(b.org);
    await env.DB.prepare('UPDATE organisations SET oidc_client_secret = ? WHERE id = ?')
      .bind(sealed?.oidc_client_secret, b.org.orgId)
      .run();

    const starting = await postSignIn({ org: b.org.orgId });
    const html = pageText(await starting.text());
    expect(starting.status, html.slice(0, 1000)).toBe(409);
    expect(html).toContain(
      `Test ${b.org.orgId}’s identity provider settings cannot be used: the stored client secret does not open`,
    );
    expect(cookieNamed(starting, 'cxm_sign_in')).toBeUndefined();

    await expectRefused(
      await callback(
        b.idp.issueCode({ authorizeUrl: underWay.authorizeUrl, email: who.email }),
        underWay.cookie,
      ),
      409,
      'the stored client secret does not open with this server’s key',
      b.org.orgId,
    );
    expect(b.idp.tokenRequests).toEqual([]);
    expect(error.mock.calls.map((args) => String(args[0])).join('\n')).toContain(
      `organisation ${b.org.orgId}: the identity provider's client secret does not open`,
    );
    // A still signs in with its own.
    const whoA = await person(a.org);
    expect((await signIn(a, { email: whoA.email })).status).toBe(303);
  });
});

describe('console sign-out', () => {
  it('deletes the session row and clears the cookie; the old cookie then goes to sign in', async () => {
    const setup = await setUp();
    const who = await person(setup.org);
    const token = sessionTokenOf(await signIn(setup, { email: who.email }));
    const cookie = `cxm_session=${token}`;
    expect(await sessionCount(setup.org.orgId)).toBe(1);

    // Without the same-origin Origin: refused, the session stays.
    const forged = await call('/console/sign-out', {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.test' },
    });
    expect(forged.status).toBe(403);
    expect(await sessionCount(setup.org.orgId)).toBe(1);

    const out = await call('/console/sign-out', {
      method: 'POST',
      headers: { cookie, origin: ORIGIN },
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console?signed-out');
    const cleared = cookieNamed(out, 'cxm_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes['max-age']).toBe('0');
    expect(cleared?.attributes.path).toBe('/console');
    expect(await sessionCount(setup.org.orgId)).toBe(0);

    const page = await call('/console/candidates', { headers: { cookie } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console?ended=1');
    expect((await apiCall('GET', '/v1/whoami', token)).status).toBe(401);
  });
});
