// Console sessions as callers: the idle and absolute limits on a fake clock, the throttled
// `last_seen_at`, sessions ended by deactivation and role changes (and not by other changes),
// whoami for a person, organisations kept apart, and only the token's hash in D1.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { database } from '../db/client.js';
import { api, createOrg, errorOf, json, rid, rows, type TestOrg } from '../test/client.js';
import { createSession, SESSION_LIMITS } from './sessions.js';

const T0 = Date.parse('2031-06-01T08:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

interface User {
  id: string;
  email: string;
  displayName: string;
  role: string;
  licence: boolean;
}

afterEach(() => {
  vi.useRealTimers();
});

function freezeAt(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
}

async function addUser(org: TestOrg, body: Record<string, unknown> = {}): Promise<User> {
  const response = await api('POST', '/v1/users', org.keys.admin, {
    email: `${rid('s').toLowerCase()}@example.com`,
    displayName: 'Session Person',
    ...body,
  });
  if (response.status !== 201) {
    throw new Error(`POST /v1/users: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as User;
}

function signIn(org: TestOrg, user: User, now = Date.now()): Promise<string> {
  return createSession(database(env.DB), { id: user.id, orgId: org.orgId }, now);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sessionRow(token: string) {
  const [row] = await rows<{ created_at: number; last_seen_at: number; user_id: string }>(
    'SELECT * FROM sessions WHERE token_hash = ?',
    await sha256Hex(token),
  );
  return row;
}

async function sessionsOf(user: User) {
  return rows('SELECT * FROM sessions WHERE user_id = ?', user.id);
}

async function expectEnded(token: string, what: string) {
  const response = await api('GET', '/v1/whoami', token);
  expect(response.status, what).toBe(401);
  expect((await errorOf(response)).code, what).toBe('unauthorized');
  expect(response.headers.get('www-authenticate'), what).toBe('Bearer');
}

async function expectAlive(token: string, what: string) {
  const response = await api('GET', '/v1/whoami', token);
  expect(response.status, what).toBe(200);
}

describe('sessions: the fake clock', () => {
  it('moves Date.now() inside workerd, in the test and in the handlers it calls', async () => {
    freezeAt(T0);
    expect(Date.now()).toBe(T0);
    const org = await createOrg();
    const user = await addUser(org);
    const [row] = await rows<{ created_at: number }>(
      'SELECT created_at FROM users WHERE id = ?',
      user.id,
    );
    expect(row?.created_at).toBe(T0);
  });
});

describe('sessions: limits', () => {
  it('ends a session 30 minutes after its last use, and deletes the row', async () => {
    freezeAt(T0);
    const org = await createOrg();
    const user = await addUser(org);
    const used = await signIn(org, user);
    const idle = await signIn(org, user);

    vi.setSystemTime(T0 + 29 * MINUTE + 59 * SECOND);
    await expectAlive(used, 'used at 29m59s');
    expect((await sessionRow(used))?.last_seen_at).toBe(T0 + 29 * MINUTE + 59 * SECOND);

    vi.setSystemTime(T0 + SESSION_LIMITS.idleMs);
    expect(await sessionRow(idle)).toBeDefined();
    await expectEnded(idle, 'idle for exactly 30m');
    expect(await sessionRow(idle)).toBeUndefined();
    // The used one counts from its last use (29m59s): 1 ms short of 30 minutes later it is
    // alive (and this use moves its last use again), 30 minutes after that it has ended.
    const lastSeen = T0 + 29 * MINUTE + 59 * SECOND + SESSION_LIMITS.idleMs - 1;
    vi.setSystemTime(lastSeen);
    await expectAlive(used, '1 ms short of 30m idle since its last use');
    vi.setSystemTime(lastSeen + SESSION_LIMITS.idleMs);
    await expectEnded(used, '30m idle since its last use');
    expect(await sessionRow(used)).toBeUndefined();
    // Once ended, it stays ended (no row to revive), even back in time.
    vi.setSystemTime(T0 + MINUTE);
    await expectEnded(used, 'after the row was deleted');
  });

  it('ends a session 12 hours after sign-in however often it is used', async () => {
    freezeAt(T0);
    const org = await createOrg();
    const user = await addUser(org);
    const token = await signIn(org, user);
    for (let at = 20 * MINUTE; at < 12 * HOUR; at += 20 * MINUTE) {
      vi.setSystemTime(T0 + at);
      const response = await api('GET', '/v1/whoami', token);
      expect(response.status, `used at ${at / MINUTE} min`).toBe(200);
    }
    vi.setSystemTime(T0 + 11 * HOUR + 59 * MINUTE);
    await expectAlive(token, 'at 11h59m');
    expect(await sessionRow(token)).toMatchObject({
      created_at: T0,
      last_seen_at: T0 + 11 * HOUR + 59 * MINUTE,
    });
    vi.setSystemTime(T0 + SESSION_LIMITS.absoluteMs);
    await expectEnded(token, 'at 12h');
    expect(await sessionRow(token)).toBeUndefined();
  });

  it('writes last_seen_at at most once a minute', async () => {
    freezeAt(T0);
    const org = await createOrg();
    const user = await addUser(org);
    const token = await signIn(org, user);
    expect(await sessionRow(token)).toMatchObject({ created_at: T0, last_seen_at: T0 });
    const steps: [number, number][] = [
      [30 * SECOND, T0],
      [59 * SECOND + 999, T0],
      [60 * SECOND, T0 + 60 * SECOND],
      [90 * SECOND, T0 + 60 * SECOND],
      [119 * SECOND, T0 + 60 * SECOND],
      [125 * SECOND, T0 + 125 * SECOND],
      [125 * SECOND + 1, T0 + 125 * SECOND],
    ];
    for (const [offset, expected] of steps) {
      vi.setSystemTime(T0 + offset);
      await expectAlive(token, `at +${offset} ms`);
      // Several requests in the same instant write nothing more.
      await expectAlive(token, `again at +${offset} ms`);
      expect((await sessionRow(token))?.last_seen_at, `at +${offset} ms`).toBe(expected);
    }
  });
});

describe('sessions: ended by changes to the user', () => {
  it('ends every session of a user at once when they are deactivated', async () => {
    const org = await createOrg();
    const user = await addUser(org, { role: 'manager' });
    const other = await addUser(org);
    const phone = await signIn(org, user);
    const laptop = await signIn(org, user);
    const bystander = await signIn(org, other);
    await expectAlive(phone, 'before');
    expect(await sessionsOf(user)).toHaveLength(2);

    expect((await api('DELETE', `/v1/users/${user.id}`, org.keys.admin)).status).toBe(200);
    // The rows are gone in the same write, before anyone uses the tokens.
    expect(await sessionsOf(user)).toHaveLength(0);
    await expectEnded(phone, 'phone');
    await expectEnded(laptop, 'laptop');
    await expectAlive(bystander, "another user's session");
    // Reactivation does not revive them.
    expect(
      (await api('PATCH', `/v1/users/${user.id}`, org.keys.admin, { active: true })).status,
    ).toBe(200);
    await expectEnded(phone, 'after reactivation');
  });

  it('ends them on a role change, and not on a licence, name, number or auto-reply change', async () => {
    const org = await createOrg();
    await env.DB.prepare('UPDATE organisations SET seats = 1 WHERE id = ?').bind(org.orgId).run();
    const user = await addUser(org, { role: 'reporter', displayName: 'Before' });
    const token = await signIn(org, user);
    for (const body of [
      { licence: true },
      { displayName: 'After' },
      { senderPhone: '+14155550125' },
      { autoReply: 'Away' },
      { role: 'reporter' },
    ]) {
      const response = await api('PATCH', `/v1/users/${user.id}`, org.keys.admin, body);
      expect(response.status, JSON.stringify(body)).toBe(200);
      await expectAlive(token, JSON.stringify(body));
    }
    expect(await sessionsOf(user)).toHaveLength(1);
    // The session sees the current licence and name (read live, not copied at sign-in).
    expect(await json(api('GET', '/v1/whoami', token))).toMatchObject({
      licence: true,
      displayName: 'After',
      role: 'reporter',
    });

    const second = await signIn(org, user);
    const promoted = await api('PATCH', `/v1/users/${user.id}`, org.keys.admin, {
      role: 'manager',
    });
    expect(promoted.status).toBe(200);
    expect(await sessionsOf(user)).toHaveLength(0);
    await expectEnded(token, 'after role change');
    await expectEnded(second, 'second session after role change');
  });

  it("refuses a deactivated user's token even when its row remains", async () => {
    const org = await createOrg();
    const user = await addUser(org);
    const token = await signIn(org, user);
    await expectAlive(token, 'before');
    await env.DB.prepare('UPDATE users SET deactivated_at = ? WHERE id = ?')
      .bind(Date.now(), user.id)
      .run();
    expect(await sessionsOf(user)).toHaveLength(1);
    await expectEnded(token, 'deactivated behind its back');
  });
});

describe('sessions: who is calling', () => {
  it('answers whoami for a person', async () => {
    const org = await createOrg();
    await env.DB.prepare('UPDATE organisations SET seats = 1 WHERE id = ?').bind(org.orgId).run();
    const user = await addUser(org, {
      email: 'Whoami.Person@Example.com',
      displayName: 'Who Am I',
      role: 'manager',
      licence: true,
    });
    const token = await signIn(org, user);
    const response = await api('GET', '/v1/whoami', token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      orgId: org.orgId,
      orgName: `Test ${org.orgId}`,
      kind: 'user',
      role: 'manager',
      licence: true,
      userId: user.id,
      email: 'whoami.person@example.com',
      displayName: 'Who Am I',
    });
    const [row] = await rows<{ last_signed_in_at: number | null }>(
      'SELECT last_signed_in_at FROM users WHERE id = ?',
      user.id,
    );
    expect(row?.last_signed_in_at).not.toBeNull();
  });

  it("puts the caller in the user's organisation, never another's", async () => {
    const mine = await createOrg();
    const theirs = await createOrg();
    const stranger = await addUser(theirs, { role: 'admin', email: 'stranger@example.com' });
    const colleague = await addUser(mine, { email: 'colleague@example.com' });
    // A session row claiming `mine` for `theirs`'s user (as a bug elsewhere might write):
    // the caller is still in the user's own organisation.
    const token = await createSession(
      database(env.DB),
      { id: stranger.id, orgId: mine.orgId },
      Date.now(),
    );
    const who = await json(api('GET', '/v1/whoami', token));
    expect(who).toMatchObject({ orgId: theirs.orgId, kind: 'user', userId: stranger.id });
    const listed = await json<{ users: User[] }>(api('GET', '/v1/users', token));
    expect(listed.users.map((u) => u.id)).toEqual([stranger.id]);
    const read = await api('GET', `/v1/users/${colleague.id}`, token);
    expect(read.status).toBe(404);
    const write = await api('PATCH', `/v1/users/${colleague.id}`, token, { displayName: 'Hacked' });
    expect(write.status).toBe(404);
    const [row] = await rows<{ display_name: string }>(
      'SELECT display_name FROM users WHERE id = ?',
      colleague.id,
    );
    expect(row?.display_name).toBe('Session Person');
    expect((await api('DELETE', `/v1/users/${colleague.id}`, token)).status).toBe(404);

    // And a properly made session of the other organisation likewise reads only its own.
    const proper = await createSession(
      database(env.DB),
      { id: stranger.id, orgId: theirs.orgId },
      Date.now(),
    );
    expect((await api('GET', `/v1/users/${colleague.id}`, proper)).status).toBe(404);
  });

  it('refuses a made-up session token', async () => {
    const org = await createOrg();
    const user = await addUser(org);
    const real = await signIn(org, user);
    for (const token of [
      `cxs_${'A'.repeat(43)}`,
      'cxs_',
      `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
      `cxs_${'x'.repeat(300)}`,
    ]) {
      const response = await api('GET', '/v1/whoami', token);
      expect(response.status, token.slice(0, 20)).toBe(401);
      expect((await errorOf(response)).code).toBe('unauthorized');
    }
    await expectAlive(real, 'the real one');
  });

  it('stores only the hash of the token', async () => {
    const org = await createOrg();
    const user = await addUser(org);
    const token = await signIn(org, user);
    expect(token).toMatch(/^cxs_[\w-]{40,}$/);
    const stored = await sessionsOf(user);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.token_hash).toBe(await sha256Hex(token));
    const secret = token.slice('cxs_'.length);
    for (const row of await rows('SELECT * FROM sessions')) {
      const text = JSON.stringify(row);
      expect(text).not.toContain(token);
      expect(text).not.toContain(secret);
    }
    // Nor anywhere else a sign-in writes.
    const [userRow] = await rows('SELECT * FROM users WHERE id = ?', user.id);
    expect(JSON.stringify(userRow)).not.toContain(secret);
    const audit = await rows('SELECT * FROM audit_log WHERE org_id = ?', org.orgId);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });
});
