// User management (`/v1/users`): the round trip as stored, refused input that writes nothing,
// who may do what (manager and admin, keys and console sessions), the last active admin, seats
// (also raced), organisations kept apart, and the audit log of every effective change.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSession } from '../../auth/sessions.js';
import { database } from '../../db/client.js';
import { api, createOrg, errorOf, json, rid, rows, type TestOrg } from '../../test/client.js';

interface User {
  id: string;
  email: string;
  displayName: string;
  role: 'user' | 'reporter' | 'manager' | 'admin';
  licence: boolean;
  senderPhone: string | null;
  autoReply: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  lastSignedInAt: string | null;
  deactivatedAt: string | null;
}

/** A request under way (started at once; awaited in order by the loops below). */
type Pending = ReturnType<typeof api>;

interface UserList {
  users: User[];
  licences: { seats: number; used: number };
}

interface AuditRow {
  actor: string;
  action: string;
  subject: string;
  details: string;
}

const T0 = Date.parse('2031-03-04T05:06:07.000Z');

afterEach(() => {
  vi.useRealTimers();
});

function freezeAt(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
}

function newEmail(name = 'u'): string {
  return `${rid(name).toLowerCase()}@example.com`;
}

async function setSeats(org: TestOrg, seats: number) {
  await env.DB.prepare('UPDATE organisations SET seats = ? WHERE id = ?')
    .bind(seats, org.orgId)
    .run();
}

/** Creates a user through the API (admin key unless told), failing the test on any refusal. */
async function addUser(
  org: TestOrg,
  body: Record<string, unknown> = {},
  key = org.keys.admin,
): Promise<User> {
  const response = await api('POST', '/v1/users', key, {
    email: newEmail(),
    displayName: 'Someone',
    ...body,
  });
  if (response.status !== 201) {
    throw new Error(`POST /v1/users: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as User;
}

async function sessionFor(org: TestOrg, user: User): Promise<string> {
  return createSession(database(env.DB), { id: user.id, orgId: org.orgId }, Date.now());
}

async function userRow(id: string) {
  return (await rows('SELECT * FROM users WHERE id = ?', id))[0];
}

async function auditOf(org: TestOrg) {
  return rows<AuditRow>(
    'SELECT actor, action, subject, details FROM audit_log WHERE org_id = ? ORDER BY at, rowid',
    org.orgId,
  );
}

async function counts(org: TestOrg) {
  const [row] = await rows<{ users: number; audit: number }>(
    `SELECT (SELECT count(*) FROM users WHERE org_id = ?1) AS users,
            (SELECT count(*) FROM audit_log WHERE org_id = ?1) AS audit`,
    org.orgId,
  );
  return row;
}

async function list(org: TestOrg, key = org.keys.admin) {
  return json<UserList>(api('GET', '/v1/users', key));
}

describe('users: round trip', () => {
  it('creates, lists, reads, changes and deactivates a user, answering what is stored', async () => {
    freezeAt(T0);
    const org = await createOrg();
    await setSeats(org, 1);
    const created = await api('POST', '/v1/users', org.keys.admin, {
      email: '  Ada.Lovelace@Example.COM ',
      displayName: ' Ada Lovelace ',
      role: 'manager',
      licence: true,
      senderPhone: '+44 20 7946 0958',
      autoReply: 'Thanks, I will be back soon.',
    });
    expect(created.status).toBe(201);
    const ada = (await created.json()) as User;
    expect(ada.id).toMatch(/^usr_[0-9a-f]{32}$/);
    expect(ada).toEqual({
      id: ada.id,
      email: 'ada.lovelace@example.com',
      displayName: 'Ada Lovelace',
      role: 'manager',
      licence: true,
      senderPhone: '+442079460958',
      autoReply: 'Thanks, I will be back soon.',
      active: true,
      createdAt: new Date(T0).toISOString(),
      updatedAt: new Date(T0).toISOString(),
      lastSignedInAt: null,
      deactivatedAt: null,
    });
    expect(await userRow(ada.id)).toEqual({
      id: ada.id,
      org_id: org.orgId,
      email: 'ada.lovelace@example.com',
      display_name: 'Ada Lovelace',
      role: 'manager',
      licence: 1,
      sender_phone: '+442079460958',
      auto_reply: 'Thanks, I will be back soon.',
      created_at: T0,
      updated_at: T0,
      last_signed_in_at: null,
      deactivated_at: null,
    });

    // Defaults: role user, no licence, no number, no auto-reply.
    vi.setSystemTime(T0 + 1000);
    const bob = await addUser(org, { email: 'BOB@example.com', displayName: 'Bob' });
    expect(bob).toMatchObject({
      email: 'bob@example.com',
      role: 'user',
      licence: false,
      senderPhone: null,
      autoReply: null,
      active: true,
      createdAt: new Date(T0 + 1000).toISOString(),
    });

    expect(await json(api('GET', `/v1/users/${ada.id}`, org.keys.admin))).toEqual(ada);
    const listed = await list(org);
    expect(listed).toEqual({ users: [ada, bob], licences: { seats: 1, used: 1 } });

    // Duplicate email, any case, is refused and writes nothing.
    const before = await counts(org);
    const dup = await api('POST', '/v1/users', org.keys.admin, {
      email: 'ADA.LOVELACE@example.com',
      displayName: 'Other Ada',
    });
    expect(dup.status).toBe(409);
    const dupError = await errorOf(dup);
    expect(dupError.code).toBe('user_exists');
    expect(dupError.message).toContain('ada.lovelace@example.com');
    expect(await counts(org)).toEqual(before);

    // A change: the new values as stored, updatedAt moves and createdAt stays.
    vi.setSystemTime(T0 + 60_000);
    const patched = await api('PATCH', `/v1/users/${ada.id}`, org.keys.admin, {
      displayName: 'Ada King',
      licence: false,
      senderPhone: '+1 (415) 555-0123',
      autoReply: null,
    });
    expect(patched.status).toBe(200);
    const changed = (await patched.json()) as User;
    expect(changed).toEqual({
      ...ada,
      displayName: 'Ada King',
      licence: false,
      senderPhone: '+14155550123',
      autoReply: null,
      updatedAt: new Date(T0 + 60_000).toISOString(),
    });
    expect(await userRow(ada.id)).toMatchObject({
      display_name: 'Ada King',
      licence: 0,
      sender_phone: '+14155550123',
      auto_reply: null,
      created_at: T0,
      updated_at: T0 + 60_000,
    });
    expect(await json(api('GET', `/v1/users/${ada.id}`, org.keys.admin))).toEqual(changed);

    // Deactivation keeps the row, stamps the time and frees nothing it does not hold.
    vi.setSystemTime(T0 + 120_000);
    await api('PATCH', `/v1/users/${bob.id}`, org.keys.admin, { licence: true });
    expect((await list(org)).licences).toEqual({ seats: 1, used: 1 });
    vi.setSystemTime(T0 + 180_000);
    const deactivated = await api('DELETE', `/v1/users/${bob.id}`, org.keys.admin);
    expect(deactivated.status).toBe(200);
    const gone = (await deactivated.json()) as User;
    expect(gone).toMatchObject({
      id: bob.id,
      active: false,
      licence: false,
      deactivatedAt: new Date(T0 + 180_000).toISOString(),
      updatedAt: new Date(T0 + 180_000).toISOString(),
    });
    expect(await userRow(bob.id)).toMatchObject({ deactivated_at: T0 + 180_000, licence: 0 });
    expect(await json(api('GET', `/v1/users/${bob.id}`, org.keys.admin))).toEqual(gone);
    const after = await list(org);
    expect(after.users.map((u) => [u.id, u.active])).toEqual([
      [ada.id, true],
      [bob.id, false],
    ]);
    expect(after.licences).toEqual({ seats: 1, used: 0 });

    // A deactivated user's email still counts as taken, with a hint.
    const again = await api('POST', '/v1/users', org.keys.admin, {
      email: 'bob@EXAMPLE.com',
      displayName: 'Bob again',
    });
    expect(again.status).toBe(409);
    const againError = await errorOf(again);
    expect(againError.code).toBe('user_exists');
    expect(againError.message).toContain('reactivate');

    // Repeated DELETE: 200, the same user, unchanged.
    vi.setSystemTime(T0 + 240_000);
    const twice = await api('DELETE', `/v1/users/${bob.id}`, org.keys.admin);
    expect(twice.status).toBe(200);
    expect(await twice.json()).toEqual(gone);

    // Reactivation: active again, without a licence.
    vi.setSystemTime(T0 + 300_000);
    const back = await json<User>(
      api('PATCH', `/v1/users/${bob.id}`, org.keys.admin, { active: true }),
    );
    expect(back).toMatchObject({
      active: true,
      licence: false,
      deactivatedAt: null,
      updatedAt: new Date(T0 + 300_000).toISOString(),
    });
  });
});

describe('users: refused input writes nothing', () => {
  it('answers 400 with issues for every bad create and leaves the tables as they were', async () => {
    const org = await createOrg();
    await setSeats(org, 5);
    const good = { email: newEmail(), displayName: 'Valid Name' };
    const bad: [string, Record<string, unknown>][] = [
      ['invalid email', { ...good, email: 'not-an-email' }],
      ['email missing', { displayName: 'x' }],
      ['empty displayName', { ...good, displayName: '' }],
      ['blank displayName', { ...good, displayName: '   ' }],
      ['unknown role', { ...good, role: 'owner' }],
      ['senderPhone not a number', { ...good, senderPhone: 'call me' }],
      ['senderPhone too short', { ...good, senderPhone: '+1 555' }],
      ['senderPhone without +', { ...good, senderPhone: '02079460958' }],
      ['unknown field', { ...good, nickname: 'Ads' }],
      ['licence not a boolean', { ...good, licence: 'yes' }],
    ];
    const before = await counts(org);
    for (const [what, body] of bad) {
      const response = await api('POST', '/v1/users', org.keys.admin, body);
      expect(response.status, what).toBe(400);
      const error = await errorOf(response);
      expect(error.code, what).toBe('invalid_request');
      expect(error.issues?.length, what).toBeGreaterThan(0);
      expect(await counts(org), what).toEqual(before);
    }
    // The good body itself is accepted (so the refusals above were about the one bad field).
    expect((await api('POST', '/v1/users', org.keys.admin, good)).status).toBe(201);
  });

  it('answers 400 for every bad change and leaves the user as it was', async () => {
    const org = await createOrg();
    const user = await addUser(org, { senderPhone: '+14155550124', autoReply: 'Away' });
    const stored = await userRow(user.id);
    const before = await counts(org);
    const bad: [string, Record<string, unknown>][] = [
      ['empty body', {}],
      ['empty displayName', { displayName: '' }],
      ['unknown role', { role: 'superuser' }],
      ['bad senderPhone', { senderPhone: '+999 123' }],
      ['empty autoReply', { autoReply: '  ' }],
      ['unknown field', { nickname: 'x' }],
      ['email is not changeable', { email: newEmail() }],
      ['active false (use DELETE)', { active: false }],
      ['one good field beside an unknown one', { displayName: 'Fine', colour: 'red' }],
    ];
    for (const [what, body] of bad) {
      const response = await api('PATCH', `/v1/users/${user.id}`, org.keys.admin, body);
      expect(response.status, what).toBe(400);
      const error = await errorOf(response);
      expect(error.code, what).toBe('invalid_request');
      expect(error.issues?.length, what).toBeGreaterThan(0);
      expect(await userRow(user.id), what).toEqual(stored);
      expect(await counts(org), what).toEqual(before);
    }
  });
});

describe('users: who may do what', () => {
  it('lets a manager key manage users, managers and reporters but never admins', async () => {
    const org = await createOrg();
    const manager = org.keys.manager;
    for (const role of ['user', 'reporter', 'manager'] as const) {
      const made = await api('POST', '/v1/users', manager, {
        email: newEmail(role),
        displayName: role,
        role,
      });
      expect(made.status, role).toBe(201);
      expect(((await made.json()) as User).role).toBe(role);
    }
    const admin = await addUser(org, { role: 'admin', displayName: 'The Admin' });
    const plain = await addUser(org, { role: 'user' });
    const before = await counts(org);
    const adminRow = await userRow(admin.id);
    const plainRow = await userRow(plain.id);

    const attempts: [string, Pending][] = [
      [
        'create an admin',
        api('POST', '/v1/users', manager, { email: newEmail(), displayName: 'x', role: 'admin' }),
      ],
      ['rename an admin', api('PATCH', `/v1/users/${admin.id}`, manager, { displayName: 'x' })],
      ['demote an admin', api('PATCH', `/v1/users/${admin.id}`, manager, { role: 'user' })],
      ['deactivate an admin', api('DELETE', `/v1/users/${admin.id}`, manager)],
      ['promote to admin', api('PATCH', `/v1/users/${plain.id}`, manager, { role: 'admin' })],
    ];
    for (const [what, pending] of attempts) {
      const response = await pending;
      expect(response.status, what).toBe(403);
      expect((await errorOf(response)).code, what).toBe('forbidden');
    }
    expect(await counts(org)).toEqual(before);
    expect(await userRow(admin.id)).toEqual(adminRow);
    expect(await userRow(plain.id)).toEqual(plainRow);

    // The manager may still read admins and change everyone else.
    expect((await api('GET', `/v1/users/${admin.id}`, manager)).status).toBe(200);
    expect((await list(org, manager)).users).toHaveLength(5);
    const promoted = await api('PATCH', `/v1/users/${plain.id}`, manager, { role: 'manager' });
    expect(promoted.status).toBe(200);
    expect((await api('DELETE', `/v1/users/${plain.id}`, manager)).status).toBe(200);
  });

  it('lets an admin key do all of it', async () => {
    const org = await createOrg();
    const key = org.keys.admin;
    const first = await addUser(org, { role: 'admin' });
    const second = await addUser(org, { role: 'admin' });
    const plain = await addUser(org);
    expect(
      await json(api('PATCH', `/v1/users/${first.id}`, key, { displayName: 'Renamed' })),
    ).toMatchObject({ displayName: 'Renamed', role: 'admin' });
    expect(await json(api('PATCH', `/v1/users/${plain.id}`, key, { role: 'admin' }))).toMatchObject(
      { role: 'admin' },
    );
    expect(
      await json(api('PATCH', `/v1/users/${first.id}`, key, { role: 'reporter' })),
    ).toMatchObject({ role: 'reporter' });
    const off = await api('DELETE', `/v1/users/${second.id}`, key);
    expect(off.status).toBe(200);
    expect(((await off.json()) as User).active).toBe(false);
    expect(await json(api('PATCH', `/v1/users/${second.id}`, key, { active: true }))).toMatchObject(
      { active: true, role: 'admin' },
    );
  });

  it('refuses user and reporter keys on every /v1/users route', async () => {
    const org = await createOrg();
    const target = await addUser(org);
    const stored = await userRow(target.id);
    const before = await counts(org);
    for (const role of ['user', 'reporter'] as const) {
      const key = org.keys[role];
      const calls: [string, Pending][] = [
        ['GET list', api('GET', '/v1/users', key)],
        ['POST', api('POST', '/v1/users', key, { email: newEmail(), displayName: 'x' })],
        ['GET one', api('GET', `/v1/users/${target.id}`, key)],
        ['PATCH', api('PATCH', `/v1/users/${target.id}`, key, { displayName: 'x' })],
        ['DELETE', api('DELETE', `/v1/users/${target.id}`, key)],
      ];
      for (const [what, pending] of calls) {
        const response = await pending;
        expect(response.status, `${what} as ${role}`).toBe(403);
        expect((await errorOf(response)).code).toBe('forbidden');
      }
    }
    expect(await userRow(target.id)).toEqual(stored);
    expect(await counts(org)).toEqual(before);
  });

  it('treats a signed-in manager (a session) like a manager key, and a signed-in user as a user', async () => {
    const org = await createOrg();
    const managerUser = await addUser(org, { role: 'manager', displayName: 'Meg Manager' });
    const admin = await addUser(org, { role: 'admin' });
    const token = await sessionFor(org, managerUser);
    const who = await json(api('GET', '/v1/whoami', token));
    expect(who).toMatchObject({ kind: 'user', role: 'manager', userId: managerUser.id });

    const made = await api('POST', '/v1/users', token, {
      email: newEmail(),
      displayName: 'Made by Meg',
      role: 'reporter',
    });
    expect(made.status).toBe(201);
    const reporter = (await made.json()) as User;
    expect((await list(org, token)).users.map((u) => u.id)).toContain(reporter.id);
    expect((await api('GET', `/v1/users/${admin.id}`, token)).status).toBe(200);
    expect(
      (await api('PATCH', `/v1/users/${reporter.id}`, token, { role: 'manager' })).status,
    ).toBe(200);

    const before = await counts(org);
    const refused: [string, Pending][] = [
      [
        'create an admin',
        api('POST', '/v1/users', token, { email: newEmail(), displayName: 'x', role: 'admin' }),
      ],
      ['change an admin', api('PATCH', `/v1/users/${admin.id}`, token, { displayName: 'x' })],
      ['deactivate an admin', api('DELETE', `/v1/users/${admin.id}`, token)],
      ['promote to admin', api('PATCH', `/v1/users/${reporter.id}`, token, { role: 'admin' })],
      ['promote self', api('PATCH', `/v1/users/${managerUser.id}`, token, { role: 'admin' })],
    ];
    for (const [what, pending] of refused) {
      const response = await pending;
      expect(response.status, what).toBe(403);
      expect((await errorOf(response)).code, what).toBe('forbidden');
    }
    expect(await counts(org)).toEqual(before);

    // A signed-in person with role user is refused like a user key.
    const plain = await addUser(org, { role: 'user' });
    const plainToken = await sessionFor(org, plain);
    const response = await api('GET', '/v1/users', plainToken);
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('forbidden');
  });
});

describe('users: the last active admin', () => {
  it('cannot be demoted or deactivated; with two admins one may go; a deactivated admin does not count', async () => {
    const org = await createOrg();
    const ada = await addUser(org, { role: 'admin', email: 'ada@example.com' });
    const adaRow = await userRow(ada.id);
    const before = await counts(org);
    for (const [what, pending] of [
      ['demote', api('PATCH', `/v1/users/${ada.id}`, org.keys.admin, { role: 'manager' })],
      ['deactivate', api('DELETE', `/v1/users/${ada.id}`, org.keys.admin)],
    ] as const) {
      const response = await pending;
      expect(response.status, what).toBe(409);
      const error = await errorOf(response);
      expect(error.code, what).toBe('last_admin');
      expect(error.message, what).toContain('ada@example.com');
    }
    expect(await userRow(ada.id)).toEqual(adaRow);
    expect(await counts(org)).toEqual(before);
    // Other changes to the last admin are fine.
    expect(
      (await api('PATCH', `/v1/users/${ada.id}`, org.keys.admin, { displayName: 'Ada L' })).status,
    ).toBe(200);

    // With a second admin, one may go, and then the other is the last.
    const bea = await addUser(org, { role: 'admin', email: 'bea@example.com' });
    const demoted = await api('PATCH', `/v1/users/${ada.id}`, org.keys.admin, { role: 'manager' });
    expect(demoted.status).toBe(200);
    const last = await api('DELETE', `/v1/users/${bea.id}`, org.keys.admin);
    expect(last.status).toBe(409);
    expect(await errorOf(last)).toMatchObject({ code: 'last_admin' });
    expect(
      (await errorOf(await api('DELETE', `/v1/users/${bea.id}`, org.keys.admin))).message,
    ).toContain('bea@example.com');

    // A deactivated admin does not count: with Cy deactivated, Bea is still the last.
    const cy = await addUser(org, { role: 'admin', email: 'cy@example.com' });
    expect((await api('DELETE', `/v1/users/${cy.id}`, org.keys.admin)).status).toBe(200);
    expect((await userRow(cy.id))?.role).toBe('admin');
    const stillLast = await api('PATCH', `/v1/users/${bea.id}`, org.keys.admin, { role: 'user' });
    expect(stillLast.status).toBe(409);
    expect((await errorOf(stillLast)).code).toBe('last_admin');
    // Reactivated, Cy counts again and Bea may go.
    expect(
      (await api('PATCH', `/v1/users/${cy.id}`, org.keys.admin, { active: true })).status,
    ).toBe(200);
    expect((await api('DELETE', `/v1/users/${bea.id}`, org.keys.admin)).status).toBe(200);
  });

  it('keeps one admin when the last two are demoted or deactivated at the same moment', async () => {
    const rounds = [
      ['PATCH', 'PATCH'],
      ['DELETE', 'DELETE'],
      ['PATCH', 'DELETE'],
      ['PATCH', 'PATCH'],
      ['DELETE', 'PATCH'],
      ['PATCH', 'PATCH'],
    ] as const;
    for (const [round, methods] of rounds.entries()) {
      const org = await createOrg();
      const a = await addUser(org, { role: 'admin' });
      const b = await addUser(org, { role: 'admin' });
      const auditBefore = (await auditOf(org)).length;
      const remove = (user: User, method: 'PATCH' | 'DELETE') =>
        method === 'PATCH'
          ? api('PATCH', `/v1/users/${user.id}`, org.keys.admin, { role: 'manager' })
          : api('DELETE', `/v1/users/${user.id}`, org.keys.admin);
      const responses = await Promise.all([remove(a, methods[0]), remove(b, methods[1])]);
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 409]);
      const refused = responses.find((r) => r.status === 409)!;
      expect((await errorOf(refused)).code).toBe('last_admin');
      const admins = await rows(
        "SELECT id FROM users WHERE org_id = ? AND role = 'admin' AND deactivated_at IS NULL",
        org.orgId,
      );
      expect(admins, `round ${round}`).toHaveLength(1);
      expect((await auditOf(org)).length - auditBefore, `round ${round}`).toBe(1);
    }
  });
});

describe('users: messaging licences and seats', () => {
  it('grants licences up to the seats, frees one on deactivation, and reactivates without one', async () => {
    const org = await createOrg();
    await setSeats(org, 2);
    const one = await addUser(org, { licence: true });
    const two = await addUser(org, { licence: true });
    const spare = await addUser(org);
    expect((await list(org)).licences).toEqual({ seats: 2, used: 2 });

    const before = await counts(org);
    const third = await api('POST', '/v1/users', org.keys.admin, {
      email: newEmail(),
      displayName: 'Third',
      licence: true,
    });
    expect(third.status).toBe(409);
    const thirdError = await errorOf(third);
    expect(thirdError.code).toBe('seats_exhausted');
    expect(thirdError.message).toContain('(2 of 2)');
    const grant = await api('PATCH', `/v1/users/${spare.id}`, org.keys.admin, { licence: true });
    expect(grant.status).toBe(409);
    const grantError = await errorOf(grant);
    expect(grantError.code).toBe('seats_exhausted');
    expect(grantError.message).toContain('(2 of 2)');
    expect(await counts(org)).toEqual(before);
    expect((await userRow(spare.id))?.licence).toBe(0);
    // A licence holder keeps theirs through other changes.
    expect(
      (await api('PATCH', `/v1/users/${one.id}`, org.keys.admin, { displayName: 'Still one' }))
        .status,
    ).toBe(200);

    // Deactivating a holder frees the seat.
    expect((await api('DELETE', `/v1/users/${one.id}`, org.keys.admin)).status).toBe(200);
    expect((await list(org)).licences).toEqual({ seats: 2, used: 1 });
    expect(
      await json(api('PATCH', `/v1/users/${spare.id}`, org.keys.admin, { licence: true })),
    ).toMatchObject({ licence: true });
    expect((await list(org)).licences).toEqual({ seats: 2, used: 2 });

    // A deactivated user cannot be given a licence without being reactivated.
    const offGrant = await api('PATCH', `/v1/users/${one.id}`, org.keys.admin, { licence: true });
    expect(offGrant.status).toBe(400);
    expect((await errorOf(offGrant)).code).toBe('invalid_request');

    // Reactivation comes without a licence (the seats are full again), so it is allowed.
    const back = await json<User>(
      api('PATCH', `/v1/users/${one.id}`, org.keys.admin, { active: true }),
    );
    expect(back).toMatchObject({ active: true, licence: false });
    expect((await list(org)).licences).toEqual({ seats: 2, used: 2 });
    // Reactivation with a licence in the same change needs a free seat.
    const both = await api('DELETE', `/v1/users/${one.id}`, org.keys.admin);
    expect(both.status).toBe(200);
    const withLicence = await api('PATCH', `/v1/users/${one.id}`, org.keys.admin, {
      active: true,
      licence: true,
    });
    expect(withLicence.status).toBe(409);
    expect((await errorOf(withLicence)).code).toBe('seats_exhausted');
    expect((await userRow(one.id))?.deactivated_at).not.toBeNull();
    expect((await userRow(two.id))?.licence).toBe(1);
  });

  it('gives the last seat to exactly one of two grants at the same moment', async () => {
    for (let round = 0; round < 4; round++) {
      const org = await createOrg();
      await setSeats(org, 2);
      await addUser(org, { licence: true });
      const x = await addUser(org);
      const y = await addUser(org);
      const responses = await Promise.all([
        api('PATCH', `/v1/users/${x.id}`, org.keys.admin, { licence: true }),
        api('PATCH', `/v1/users/${y.id}`, org.keys.admin, { licence: true }),
      ]);
      expect(responses.map((r) => r.status).sort(), `round ${round}`).toEqual([200, 409]);
      const loser = responses.find((r) => r.status === 409)!;
      const error = await errorOf(loser);
      expect(error.code).toBe('seats_exhausted');
      expect(error.message).toContain('(2 of 2)');
      expect((await list(org)).licences, `round ${round}`).toEqual({ seats: 2, used: 2 });
    }
  });

  it('gives the last seat to exactly one of two licensed users created at the same moment', async () => {
    for (let round = 0; round < 4; round++) {
      const org = await createOrg();
      await setSeats(org, 1);
      const before = await counts(org);
      const responses = await Promise.all(
        ['p', 'q'].map((name) =>
          api('POST', '/v1/users', org.keys.admin, {
            email: newEmail(name),
            displayName: name,
            licence: true,
          }),
        ),
      );
      expect(responses.map((r) => r.status).sort(), `round ${round}`).toEqual([201, 409]);
      expect((await errorOf(responses.find((r) => r.status === 409)!)).code).toBe(
        'seats_exhausted',
      );
      expect(await counts(org)).toEqual({ users: before!.users + 1, audit: before!.audit + 1 });
      expect((await list(org)).licences).toEqual({ seats: 1, used: 1 });
    }
  });
});

describe('users: organisations are apart', () => {
  it("answers 404 for an unknown id and for another organisation's user, changing nothing", async () => {
    const a = await createOrg();
    const b = await createOrg();
    await setSeats(a, 3);
    await setSeats(b, 3);
    const theirs = await addUser(a, { email: 'shared@example.com', role: 'admin', licence: true });
    const stored = await userRow(theirs.id);
    const beforeA = await counts(a);
    const beforeB = await counts(b);

    for (const id of ['usr_00000000000000000000000000000000', 'nobody', theirs.id]) {
      const calls: [string, Pending][] = [
        ['GET', api('GET', `/v1/users/${id}`, b.keys.admin)],
        [
          'PATCH',
          api('PATCH', `/v1/users/${id}`, b.keys.admin, { displayName: 'Hijacked', role: 'user' }),
        ],
        ['PATCH licence', api('PATCH', `/v1/users/${id}`, b.keys.admin, { licence: false })],
        ['DELETE', api('DELETE', `/v1/users/${id}`, b.keys.admin)],
      ];
      for (const [what, pending] of calls) {
        const response = await pending;
        expect(response.status, `${what} ${id}`).toBe(404);
        expect((await errorOf(response)).code).toBe('not_found');
      }
    }
    expect(await userRow(theirs.id)).toEqual(stored);
    expect(await counts(a)).toEqual(beforeA);
    expect(await counts(b)).toEqual(beforeB);
    expect((await list(b)).users).toEqual([]);
    expect((await list(b)).licences).toEqual({ seats: 3, used: 0 });

    // The same email in another organisation is another person.
    const mine = await addUser(b, { email: 'SHARED@example.com' });
    expect(mine.id).not.toBe(theirs.id);
    expect((await list(a)).users.map((u) => u.id)).toEqual([theirs.id]);
  });
});

describe('users: audit log', () => {
  it('writes one entry per effective change, naming the key or the signed-in user, none for a no-op', async () => {
    const org = await createOrg();
    await setSeats(org, 2);
    const keyActor = `key:key_${org.orgId}_admin`;
    const user = await addUser(org, { email: 'audit@example.com', role: 'reporter' });
    let audit = await auditOf(org);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: keyActor, action: 'user.created', subject: user.id });
    expect(JSON.parse(audit[0]!.details)).toEqual({
      email: 'audit@example.com',
      role: 'reporter',
      licence: false,
    });

    await api('PATCH', `/v1/users/${user.id}`, org.keys.admin, { displayName: 'Audited' });
    audit = await auditOf(org);
    expect(audit).toHaveLength(2);
    expect(audit[1]).toMatchObject({ actor: keyActor, action: 'user.updated', subject: user.id });
    expect(JSON.parse(audit[1]!.details)).toEqual({
      email: 'audit@example.com',
      changes: { display_name: ['Someone', 'Audited'] },
    });

    // No-ops: the same values again, reactivating an active user.
    for (const body of [{ displayName: 'Audited' }, { role: 'reporter' }, { active: true }]) {
      const response = await api('PATCH', `/v1/users/${user.id}`, org.keys.admin, body);
      expect(response.status, JSON.stringify(body)).toBe(200);
    }
    expect(await auditOf(org)).toHaveLength(2);
    // Refusals write nothing either.
    await api('PATCH', `/v1/users/${user.id}`, org.keys.manager, { role: 'admin' });
    expect(await auditOf(org)).toHaveLength(2);

    // Through a session: the actor is the signed-in user.
    const manager = await addUser(org, { role: 'manager' });
    const token = await sessionFor(org, manager);
    await api('PATCH', `/v1/users/${user.id}`, token, { role: 'user', licence: true });
    audit = await auditOf(org);
    expect(audit).toHaveLength(4);
    expect(audit[3]).toMatchObject({
      actor: `user:${manager.id}`,
      action: 'user.updated',
      subject: user.id,
    });
    expect(JSON.parse(audit[3]!.details)).toEqual({
      email: 'audit@example.com',
      changes: { role: ['reporter', 'user'], licence: [false, true] },
    });

    // Deactivation once, however many DELETEs.
    expect((await api('DELETE', `/v1/users/${user.id}`, token)).status).toBe(200);
    expect((await api('DELETE', `/v1/users/${user.id}`, token)).status).toBe(200);
    expect((await api('DELETE', `/v1/users/${user.id}`, org.keys.admin)).status).toBe(200);
    audit = await auditOf(org);
    expect(audit).toHaveLength(5);
    expect(audit[4]).toMatchObject({
      actor: `user:${manager.id}`,
      action: 'user.deactivated',
      subject: user.id,
    });
    const deactivation = JSON.parse(audit[4]!.details) as {
      changes: Record<string, [unknown, unknown]>;
    };
    expect(deactivation.changes.licence).toEqual([true, false]);
    expect(deactivation.changes.deactivated_at?.[0]).toBeNull();
    expect(typeof deactivation.changes.deactivated_at?.[1]).toBe('number');

    // Creation through a session.
    const made = await addUser(org, {}, token);
    audit = await auditOf(org);
    expect(audit.at(-1)).toMatchObject({
      actor: `user:${manager.id}`,
      action: 'user.created',
      subject: made.id,
    });
  });

  // Two writes that read the same row in the same millisecond: the loser's guarded UPDATE changes
  // nothing, and neither its audit entry nor its end of sessions may be written (they once were,
  // when they keyed on an `updated_at` stamp both writes computed alike).
  it('writes one entry for each of two changes to the same user made at the same moment', async () => {
    // Date frozen: both writes read the same row at the same instant, so the second loses the
    // guarded update and is decided again; its lost attempt must leave no audit entry behind.
    freezeAt(T0);
    const org = await createOrg();
    const user = await addUser(org, { email: 'racing@example.com' });
    const responses = await Promise.all([
      api('PATCH', `/v1/users/${user.id}`, org.keys.admin, { displayName: 'First' }),
      api('PATCH', `/v1/users/${user.id}`, org.keys.admin, { autoReply: 'Second' }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(await userRow(user.id)).toMatchObject({ display_name: 'First', auto_reply: 'Second' });
    const updates = (await auditOf(org)).filter((row) => row.action === 'user.updated');
    expect(updates.map((row) => Object.keys(JSON.parse(row.details).changes)).sort()).toEqual([
      ['auto_reply'],
      ['display_name'],
    ]);
  });

  // The licence grant loses to the deactivation, is decided again and refused (400, a deactivated
  // user gets no licence): the log must not say it was granted.
  it('logs no change that was refused after losing a race to a deactivation', async () => {
    freezeAt(T0);
    const org = await createOrg();
    await setSeats(org, 5);
    const user = await addUser(org, { email: 'raced-off@example.com' });
    const [deactivated, granted] = await Promise.all([
      api('DELETE', `/v1/users/${user.id}`, org.keys.admin),
      api('PATCH', `/v1/users/${user.id}`, org.keys.admin, { licence: true }),
    ]);
    expect(deactivated.status).toBe(200);
    const row = await userRow(user.id);
    expect(row?.deactivated_at).not.toBeNull();
    expect(row?.licence).toBe(0);
    if (granted.status === 400) {
      // The grant was decided after the deactivation: nothing of it may be in the log.
      const logged = (await auditOf(org)).map((entry) => entry.action);
      expect(logged).toEqual(['user.created', 'user.deactivated']);
    }
  });
});

describe('users: sender numbers', () => {
  it('refuses a sender number another organisation uses (409), and writes nothing', async () => {
    const owner = await createOrg();
    await env.DB.prepare(`UPDATE organisations SET sender_numbers = ?1 WHERE id = ?2`)
      .bind(JSON.stringify({ GB: ['+447400100999'] }), owner.orgId)
      .run();
    const other = await createOrg();
    const created = await api('POST', '/v1/users', other.keys.admin, {
      email: 'claims@x.test',
      displayName: 'Claims',
      senderPhone: '+44 7400 100999',
    });
    expect(created.status).toBe(409);
    expect(await errorOf(created)).toMatchObject({ code: 'sender_number_taken' });
    expect(await rows('SELECT id FROM users WHERE org_id = ?', other.orgId)).toEqual([]);

    const user = await json<{ id: string }>(
      api('POST', '/v1/users', other.keys.admin, { email: 'ok@x.test', displayName: 'Ok' }),
    );
    const patched = await api('PATCH', `/v1/users/${user.id}`, other.keys.admin, {
      senderPhone: '+447400100999',
    });
    expect(patched.status).toBe(409);
    const [row] = await rows<{ sender_phone: string | null }>(
      'SELECT sender_phone FROM users WHERE id = ?',
      user.id,
    );
    expect(row?.sender_phone).toBeNull();
    // The organisation's own number is fine for its own people.
    const own = await api('POST', '/v1/users', owner.keys.admin, {
      email: 'mine@x.test',
      displayName: 'Mine',
      senderPhone: '+447400100999',
    });
    expect(own.status).toBe(201);
  });
});
