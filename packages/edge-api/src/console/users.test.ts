// The Users pages as a browser uses them: the list with the licences in use, inviting (and the
// refusals shown beside the fields, with what was typed kept), one user's page (read-only for a
// manager looking at an admin), deactivation only after a confirmation, reactivation, and the
// roles and origins that are refused. Each test has an organisation of its own.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, createOrg, json, type TestOrg } from '../test/client.js';
import { createPerson, page, post, signedInAs } from '../test/console.js';

interface User {
  id: string;
  email: string;
  displayName: string;
  role: string;
  licence: boolean;
  senderPhone: string | null;
  autoReply: string | null;
  active: boolean;
}

async function setSeats(org: TestOrg, seats: number) {
  await env.DB.prepare('UPDATE organisations SET seats = ? WHERE id = ?')
    .bind(seats, org.orgId)
    .run();
}

/** The organisation's users as the API lists them (with the manager key). */
async function users(org: TestOrg): Promise<User[]> {
  return (await json<{ users: User[] }>(api('GET', '/v1/users', org.keys.manager))).users;
}

async function user(org: TestOrg, id: string): Promise<User> {
  return json<User>(api('GET', `/v1/users/${id}`, org.keys.manager));
}

/** No inline script and no style attribute: the console's CSP allows neither. */
function expectNoInlineCode(html: string) {
  expect(html).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toContain('style=');
}

describe('console users', () => {
  it('lists the users with their role, licence, number, last sign-in and status', async () => {
    const org = await createOrg();
    await setSeats(org, 3);
    const manager = await signedInAs(org.keys.manager);
    const reporter = await createPerson(org.orgId, 'reporter', { licence: false });
    const gone = await createPerson(org.orgId, 'user', { licence: false });
    await env.DB.prepare('UPDATE users SET sender_phone = ?, deactivated_at = ? WHERE id = ?')
      .bind('+14155550126', Date.now(), gone.id)
      .run();

    const response = await page('/console/users', manager.cookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expectNoInlineCode(html);
    expect(html).toContain('<h1>Users</h1>');
    expect(html).toContain('1 of 3 messaging licences in use');
    expect(html).toContain('<caption>');
    expect(html).toContain('<th scope="col">Last signed in</th>');
    for (const person of [manager, reporter, gone]) {
      expect(html).toContain(`href="/console/users/${person.id}"`);
      expect(html).toContain(person.email);
    }
    expect(html).toContain('+14155550126');
    expect(html).toContain('Deactivated');
    // The reporter has never signed in; the manager's session started with a sign-in.
    expect(html).toContain('Never');
    expect(html).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(html).toContain('(you)');
    expect(html).toContain('href="/console/users/new"');
  });

  it('invites a user and names them in the notice', async () => {
    const org = await createOrg();
    await setSeats(org, 5);
    const manager = await signedInAs(org.keys.manager);
    const form = await page('/console/users/new', manager.cookie);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expectNoInlineCode(formHtml);
    expect(formHtml).toContain('International format, e.g. +14155550123');
    for (const id of ['email', 'displayName', 'role', 'licence', 'senderPhone', 'autoReply']) {
      expect(formHtml).toContain(`<label for="invite-${id}">`);
    }

    const email = `ada.${crypto.randomUUID().slice(0, 8)}@example.com`;
    const invited = await post('/console/users', manager.cookie, {
      email,
      displayName: 'Ada Lovelace',
      role: 'reporter',
      licence: 'yes',
      senderPhone: '+1 (415) 555-0123',
      autoReply: 'Thanks, I will call you back.',
    });
    expect(invited.status).toBe(303);
    const location = invited.headers.get('location') ?? '';
    expect(location).toMatch(/^\/console\/users\?saved=invited&user=usr_/);

    const created = (await users(org)).find((one) => one.email === email);
    expect(created).toMatchObject({
      displayName: 'Ada Lovelace',
      role: 'reporter',
      licence: true,
      senderPhone: '+14155550123',
      autoReply: 'Thanks, I will call you back.',
      active: true,
    });
    const notice = await (await page(location, manager.cookie)).text();
    expect(notice).toContain('Invited <strong>Ada Lovelace</strong>');
    expect(notice).toContain('2 of 5 messaging licences in use');
  });

  it('shows the invite’s field errors beside the fields, keeps what was typed, and creates nothing', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const response = await post('/console/users', manager.cookie, {
      email: 'not-an-email',
      displayName: 'Grace Hopper',
      role: 'manager',
      senderPhone: '12345',
      autoReply: 'Back on Monday',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expectNoInlineCode(html);
    expect(html).toContain('role="alert"');
    expect(html).toContain('The invitation was not sent');
    // Each message beside its field, which points at it; the summary links to the fields.
    expect(html).toContain('id="invite-email-error"');
    expect(html).toContain('Not an email address.');
    expect(html).toContain('id="invite-senderPhone-error"');
    expect(html).toContain('Not a valid phone number in international format');
    expect(html).toContain('aria-describedby="invite-email-error invite-email-hint"');
    expect(html).toContain('aria-describedby="invite-senderPhone-error invite-senderPhone-hint"');
    expect(html).toContain('href="#invite-email"');
    // What was typed, kept.
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('value="Grace Hopper"');
    expect(html).toContain('value="12345"');
    expect(html).toContain('Back on Monday');
    expect(html).toMatch(/<option value="manager" selected/);
    expect((await users(org)).map((one) => one.displayName)).not.toContain('Grace Hopper');
  });

  it('offers the admin role to an admin only, and shows a manager an admin read-only', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const admin = await signedInAs(org.keys.admin);
    const managerForm = await (await page('/console/users/new', manager.cookie)).text();
    expect(managerForm).toContain('<option value="manager"');
    expect(managerForm).not.toContain('<option value="admin"');
    const adminForm = await (await page('/console/users/new', admin.cookie)).text();
    expect(adminForm).toContain('<option value="admin"');

    const readOnly = await page(`/console/users/${admin.id}`, manager.cookie);
    expect(readOnly.status).toBe(200);
    const html = await readOnly.text();
    expect(html).toContain('Only an admin can change an admin');
    expect(html).not.toContain(`action="/console/users/${admin.id}"`);
    expect(html).not.toContain(`action="/console/users/${admin.id}/deactivate"`);
    // The admin sees the form for the same person.
    const editable = await (await page(`/console/users/${admin.id}`, admin.cookie)).text();
    expect(editable).toContain(`action="/console/users/${admin.id}"`);
    expect(editable).toContain('<option value="admin" selected');

    // A form sent anyway is refused by the API, and the page says so with its status.
    const forced = await post(`/console/users/${admin.id}`, manager.cookie, {
      displayName: 'Renamed',
      role: 'user',
    });
    expect(forced.status).toBe(403);
    expect(await forced.text()).toContain('Only an admin can change an admin');
    const invited = await post('/console/users', manager.cookie, {
      email: `boss.${crypto.randomUUID().slice(0, 8)}@example.com`,
      displayName: 'Boss',
      role: 'admin',
    });
    expect(invited.status).toBe(403);
    expect(await invited.text()).toContain('Only an admin can make someone an admin.');
    expect((await user(org, admin.id)).role).toBe('admin');
  });

  it('says plainly when no messaging licence is free (409), keeping the form', async () => {
    const org = await createOrg();
    await setSeats(org, 1);
    // The signed-in manager holds the only seat.
    const manager = await signedInAs(org.keys.manager);
    const response = await post('/console/users', manager.cookie, {
      email: 'seatless@example.com',
      displayName: 'Seatless',
      role: 'user',
      licence: 'yes',
    });
    expect(response.status).toBe(409);
    const html = await response.text();
    expect(html).toContain('no messaging licence is free');
    expect(html).toContain('All messaging licences are in use (1 of 1)');
    expect(html).toContain('value="seatless@example.com"');
    expect(html).toMatch(/id="invite-licence"[^>]*checked/);
    expect((await users(org)).map((one) => one.email)).not.toContain('seatless@example.com');
  });

  it('says when an email is already a user, with a link to them', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const existing = await createPerson(org.orgId, 'user');
    const response = await post('/console/users', manager.cookie, {
      email: existing.email.toUpperCase(),
      displayName: 'Again',
    });
    expect(response.status).toBe(409);
    const html = await response.text();
    expect(html).toContain('that email already belongs to a user');
    expect(html).toContain(`href="/console/users/${existing.id}"`);
  });

  it('saves changes, removing an emptied sender phone and auto-reply', async () => {
    const org = await createOrg();
    await setSeats(org, 5);
    const manager = await signedInAs(org.keys.manager);
    const target = await createPerson(org.orgId, 'user', { licence: false });
    await env.DB.prepare('UPDATE users SET sender_phone = ?, auto_reply = ? WHERE id = ?')
      .bind('+14155550126', 'Old reply', target.id)
      .run();
    const before = await (await page(`/console/users/${target.id}`, manager.cookie)).text();
    expectNoInlineCode(before);
    expect(before).toContain('value="+14155550126"');
    expect(before).toContain('Old reply');

    const saved = await post(`/console/users/${target.id}`, manager.cookie, {
      displayName: 'Katherine Johnson',
      role: 'reporter',
      licence: 'yes',
      senderPhone: '',
      autoReply: '  ',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/console/users/${target.id}?saved=updated`);
    expect(await user(org, target.id)).toMatchObject({
      displayName: 'Katherine Johnson',
      role: 'reporter',
      licence: true,
      senderPhone: null,
      autoReply: null,
    });
    const after = await (
      await page(`/console/users/${target.id}?saved=updated`, manager.cookie)
    ).text();
    expect(after).toContain('Saved the changes to Katherine Johnson.');

    const bad = await post(`/console/users/${target.id}`, manager.cookie, {
      displayName: '',
      role: 'reporter',
      senderPhone: 'call me',
      autoReply: 'Kept text',
    });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('The changes were not saved');
    expect(html).toContain('id="user-displayName-error"');
    expect(html).toContain('id="user-senderPhone-error"');
    expect(html).toContain('value="call me"');
    expect(html).toContain('Kept text');
    expect((await user(org, target.id)).displayName).toBe('Katherine Johnson');
  });

  it('deactivates only after the confirmation, and reactivates without a licence', async () => {
    const org = await createOrg();
    await setSeats(org, 5);
    const manager = await signedInAs(org.keys.manager);
    const target = await createPerson(org.orgId, 'reporter');

    const asked = await post(`/console/users/${target.id}/deactivate`, manager.cookie, {});
    expect(asked.status).toBe(200);
    const confirm = await asked.text();
    expectNoInlineCode(confirm);
    expect(confirm).toContain(
      'They will be signed out at once and lose their licence; their name stays in history.',
    );
    expect(confirm).toContain('<h1>Deactivate Test reporter?</h1>');
    expect(confirm).toContain('name="confirm" value="yes"');
    expect(await user(org, target.id)).toMatchObject({ active: true, licence: true });
    const notYes = await post(`/console/users/${target.id}/deactivate`, manager.cookie, {
      confirm: 'no',
    });
    expect(notYes.status).toBe(200);
    expect((await user(org, target.id)).active).toBe(true);

    const done = await post(`/console/users/${target.id}/deactivate`, manager.cookie, {
      confirm: 'yes',
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/console/users/${target.id}?saved=deactivated`);
    expect(await user(org, target.id)).toMatchObject({ active: false, licence: false });
    const deactivated = await (
      await page(`/console/users/${target.id}?saved=deactivated`, manager.cookie)
    ).text();
    expect(deactivated).toContain('Test reporter is deactivated');
    expect(deactivated).toContain(`action="/console/users/${target.id}/reactivate"`);
    expect(deactivated).toContain('Reactivate Test reporter');

    const back = await post(`/console/users/${target.id}/reactivate`, manager.cookie, {});
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/console/users/${target.id}?saved=reactivated`);
    expect(await user(org, target.id)).toMatchObject({ active: true, licence: false });
    const reactivated = await (
      await page(`/console/users/${target.id}?saved=reactivated`, manager.cookie)
    ).text();
    expect(reactivated).toContain('Test reporter is active again, without a messaging licence');
  });

  it('refuses to deactivate or demote the last active admin, with the message and a 409', async () => {
    const org = await createOrg();
    const admin = await signedInAs(org.keys.admin);
    const deactivate = await post(`/console/users/${admin.id}/deactivate`, admin.cookie, {
      confirm: 'yes',
    });
    expect(deactivate.status).toBe(409);
    const html = await deactivate.text();
    expect(html).toContain('The user was not deactivated');
    expect(html).toContain('the organisation must keep an active admin');
    expect(html).toContain('is the last active admin: make someone else admin first.');
    const demote = await post(`/console/users/${admin.id}`, admin.cookie, {
      displayName: 'Test admin',
      role: 'manager',
    });
    expect(demote.status).toBe(409);
    expect(await demote.text()).toContain('is the last active admin');
    expect(await user(org, admin.id)).toMatchObject({ role: 'admin', active: true });
  });

  it('sends a person who changed their own role to sign in again', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const changed = await post(`/console/users/${manager.id}`, manager.cookie, {
      displayName: 'Test manager',
      role: 'reporter',
    });
    expect(changed.status).toBe(303);
    const next = await page(changed.headers.get('location') ?? '', manager.cookie);
    expect(next.status).toBe(303);
    expect(next.headers.get('location')).toMatch(/^\/console\?ended=1/);
    expect((await user(org, manager.id)).role).toBe('reporter');
  });

  it('tells a user or reporter they cannot manage users (403)', async () => {
    const org = await createOrg();
    for (const role of ['user', 'reporter'] as const) {
      const person = await signedInAs(org.keys[role]);
      for (const path of ['/console/users', '/console/users/new', `/console/users/${person.id}`]) {
        const response = await page(path, person.cookie);
        expect(response.status).toBe(403);
        expect(await response.text()).toContain(`Your role (${role}) cannot manage users.`);
      }
      const invite = await post('/console/users', person.cookie, {
        email: `sneaky.${role}@example.com`,
        displayName: 'Sneaky',
      });
      expect(invite.status).toBe(403);
      expect(await invite.text()).toContain('cannot manage users');
    }
    expect((await users(org)).map((one) => one.displayName)).not.toContain('Sneaky');
  });

  it('refuses a users form posted from another origin', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const target = await createPerson(org.orgId, 'user');
    const invite = await post(
      '/console/users',
      manager.cookie,
      { email: 'csrf@example.com', displayName: 'Forged' },
      'http://evil.test',
    );
    expect(invite.status).toBe(403);
    const deactivate = await post(
      `/console/users/${target.id}/deactivate`,
      manager.cookie,
      { confirm: 'yes' },
      'http://evil.test',
    );
    expect(deactivate.status).toBe(403);
    expect((await users(org)).map((one) => one.email)).not.toContain('csrf@example.com');
    expect((await user(org, target.id)).active).toBe(true);
  });
});
