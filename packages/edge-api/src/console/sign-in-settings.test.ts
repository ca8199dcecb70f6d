// Admin settings, Sign-in tab: a manager points the organisation's console sign-in at an OpenID
// Provider. The form goes through the console to `PUT /v1/settings/sign-in`; the provider's
// discovery is answered by an in-memory fake (src/test/fake-idp.ts) on a unique https issuer.
// The client secret is never in a page, not even after a refused save.
import { afterEach, describe, expect, it } from 'vitest';
import { createOrg, request, rid } from '../test/client.js';
import { CONSOLE_ORIGIN, signedInAs } from '../test/console.js';
import { createFakeIdp, type FakeIdp, uniqueIssuer } from '../test/fake-idp.js';

/** LOCAL_DEMO explicitly off: https issuers only, as in production. */
const BINDINGS = { LOCAL_DEMO: 'false' };
const TAB = '/console/settings?tab=sign-in';
const FORM = '/console/settings/sign-in';
const REDIRECT_URI = `${CONSOLE_ORIGIN}/console/oidc/callback`;

const fakes: FakeIdp[] = [];

afterEach(() => {
  for (const fake of fakes.splice(0)) fake.uninstall();
});

function page(path: string, cookie: string) {
  return request(path, { headers: { cookie }, redirect: 'manual' }, BINDINGS);
}

function post(path: string, cookie: string, form: Record<string, string>, origin = CONSOLE_ORIGIN) {
  return request(
    path,
    {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    },
    BINDINGS,
  );
}

interface Stored {
  issuer: string | null;
  clientId: string | null;
  clientSecretSet: boolean;
  emailClaim: string;
  autoProvision: boolean;
  redirectUri: string;
}

async function stored(key: string): Promise<Stored> {
  const response = await request(
    '/v1/settings/sign-in',
    { headers: { authorization: `Bearer ${key}` } },
    BINDINGS,
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Stored;
}

function fakeIdp(metadata?: Record<string, unknown>): FakeIdp {
  const idp = createFakeIdp({
    issuer: uniqueIssuer(),
    clientId: `client-${rid('c')}`,
    clientSecret: `secret-${rid('s')}`,
    ...(metadata ? { metadata } : {}),
  });
  idp.install();
  fakes.push(idp);
  return idp;
}

/** The `<input>` (or other element) with `id`, as rendered. */
function element(html: string, id: string): string {
  const at = html.indexOf(`id="${id}"`);
  if (at === -1) throw new Error(`no element with id ${id}`);
  return html.slice(html.lastIndexOf('<', at), html.indexOf('>', at) + 1);
}

/** The field's error message under it, tags and escaping dropped. */
function fieldError(html: string, id: string): string | null {
  const match = html.match(new RegExp(`<p class="field-error" id="${id}-error">([\\s\\S]*?)</p>`));
  if (!match) return null;
  return (match[1] ?? '')
    .replace(/<[^>]+>/g, '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');
}

describe('console: Admin settings, Sign-in tab', () => {
  it('shows a manager the form with the redirect URI to register, and no secret', async () => {
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const engagement = await (await page('/console/settings', manager)).text();
    expect(engagement).toContain('<a href="/console/settings?tab=sign-in">Sign-in</a>');
    expect(engagement).not.toContain('Single sign-on (OpenID Connect)');

    const response = await page(TAB, manager);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<a href="/console/settings?tab=sign-in" aria-current="page">');
    expect(html).toContain('<h2 id="sso-heading">Single sign-on (OpenID Connect)</h2>');
    expect(html).toContain('<form method="post" action="/console/settings/sign-in">');
    // The redirect URI, read-only, with a copy button like the tracking code's.
    expect(html).toContain('Redirect URI to register at your identity provider');
    const redirect = element(html, 'sso-redirect-uri');
    expect(redirect).toContain(`value="${REDIRECT_URI}"`);
    expect(redirect).toContain('readonly');
    expect(redirect).not.toContain('name=');
    expect(html).toContain('data-copy="sso-redirect-uri"');
    expect(html).toContain('id="sso-redirect-uri-status"');
    // The fields; the secret is a password field, never filled, and required while none is set.
    for (const label of ['Issuer URL', 'Client ID', 'Client secret', 'Email claim']) {
      expect(html).toContain(`>${label}</label>`);
    }
    const secret = element(html, 'sso-clientSecret');
    expect(secret).toContain('type="password"');
    expect(secret).toContain('autocomplete="off"');
    expect(secret).not.toContain('value=');
    expect(html).toContain('<p class="hint" id="sso-clientSecret-hint">Required</p>');
    expect(element(html, 'sso-emailClaim')).toContain('value="email"');
    expect(element(html, 'sso-autoProvision')).toContain('type="checkbox"');
    expect(element(html, 'sso-autoProvision')).not.toContain('checked');
    expect(html).toContain(
      'Let in people the identity provider verifies who are not users yet (as role user, without a licence)',
    );
    // The strict CSP holds: no inline script or style.
    expect(html).not.toContain('style=');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });

  it('shows the API’s refusal of an http issuer beside the field, keeping what was typed', async () => {
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const clientId = `typed-${rid('c')}`;
    const secret = `typed-secret-${rid('s')}`;
    const response = await post(FORM, manager, {
      issuer: 'http://login.example.test',
      clientId,
      clientSecret: secret,
      emailClaim: 'upn',
      autoProvision: 'yes',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('The sign-in settings were not saved.');
    expect(html).not.toContain('invalid_request');
    expect(fieldError(html, 'sso-issuer')).toBe('Error: The issuer must be https.');
    expect(element(html, 'sso-issuer')).toContain('aria-invalid="true"');
    expect(element(html, 'sso-issuer')).toContain(
      'aria-describedby="sso-issuer-error sso-issuer-hint"',
    );
    expect(html).toContain('<a href="#sso-issuer">Issuer URL: The issuer must be https.</a>');
    // What was typed stays, except the secret, which is never sent back.
    expect(element(html, 'sso-issuer')).toContain('value="http://login.example.test"');
    expect(element(html, 'sso-clientId')).toContain(`value="${clientId}"`);
    expect(element(html, 'sso-emailClaim')).toContain('value="upn"');
    expect(element(html, 'sso-autoProvision')).toContain('checked');
    expect(element(html, 'sso-clientSecret')).not.toContain('value=');
    expect(html).not.toContain(secret);
    expect((await stored(org.keys.manager)).issuer).toBeNull();
  });

  it('asks for the secret the first time, and says when the issuer’s discovery cannot be used', async () => {
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const idp = fakeIdp();
    const noSecret = await post(FORM, manager, { issuer: idp.issuer, clientId: idp.clientId });
    expect(noSecret.status).toBe(400);
    const first = await noSecret.text();
    expect(fieldError(first, 'sso-clientSecret')).toBe(
      'Error: Give the client secret: none is stored yet.',
    );
    expect(element(first, 'sso-issuer')).toContain(`value="${idp.issuer}"`);

    // A provider whose discovery document names another issuer.
    const other = fakeIdp({ issuer: 'https://someone-else.example.test' });
    const wrong = await post(FORM, manager, {
      issuer: other.issuer,
      clientId: other.clientId,
      clientSecret: other.clientSecret,
    });
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(fieldError(html, 'sso-issuer')).toContain(
      `The issuer's discovery document (${other.issuer}/.well-known/openid-configuration) could not be used`,
    );
    expect(html).not.toContain(other.clientSecret);
    expect((await stored(org.keys.manager)).clientSecretSet).toBe(false);
  });

  it('saves a working provider, never shows the secret, and keeps it when the field is left empty', async () => {
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const idp = fakeIdp();
    const saved = await post(FORM, manager, {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      emailClaim: 'email',
      autoProvision: 'yes',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/console/settings?saved=sign-in');
    expect(idp.requests).toContain('GET /.well-known/openid-configuration');
    expect(await stored(org.keys.manager)).toEqual({
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecretSet: true,
      emailClaim: 'email',
      autoProvision: true,
      redirectUri: REDIRECT_URI,
    });

    // Back on the page: the Sign-in tab with the notice, the values, and no secret anywhere.
    const after = await page('/console/settings?saved=sign-in', manager);
    expect(after.status).toBe(200);
    const html = await after.text();
    expect(html).toContain('Sign-in settings saved.');
    expect(html).toContain('<h2 id="sso-heading">Single sign-on (OpenID Connect)</h2>');
    expect(element(html, 'sso-issuer')).toContain(`value="${idp.issuer}"`);
    expect(element(html, 'sso-clientId')).toContain(`value="${idp.clientId}"`);
    expect(element(html, 'sso-autoProvision')).toContain('checked');
    expect(html).not.toContain(idp.clientSecret);
    expect(element(html, 'sso-clientSecret')).not.toContain('value=');
    expect(element(html, 'sso-clientSecret')).not.toContain('required');
    expect(html).toContain(
      'Stored encrypted and never shown again. Leave empty to keep the current one.',
    );

    // Saved again with the secret left empty (and an email claim, auto-provisioning off).
    const again = await post(FORM, manager, {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: '',
      emailClaim: 'preferred_username',
    });
    expect(again.status).toBe(303);
    expect(await stored(org.keys.manager)).toMatchObject({
      clientSecretSet: true,
      emailClaim: 'preferred_username',
      autoProvision: false,
    });
    // The stored secret is still the one the provider knows: a sign-in gets through to it.
    const started = await request(
      '/console/sign-in',
      {
        method: 'POST',
        headers: { origin: CONSOLE_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ org: org.orgId }).toString(),
        redirect: 'manual',
      },
      BINDINGS,
    );
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toMatch(new RegExp(`^${idp.issuer}/authorize\\?`));
  });

  it('refuses a form posted from another origin', async () => {
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const idp = fakeIdp();
    const response = await post(
      FORM,
      manager,
      { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      'http://evil.test',
    );
    expect(response.status).toBe(403);
    expect(idp.requests).toEqual([]);
    expect(await stored(org.keys.manager)).toMatchObject({ issuer: null, clientSecretSet: false });
  });

  it('gives a user or a reporter the usual refusal, neither the section nor a save', async () => {
    const org = await createOrg();
    const idp = fakeIdp();
    for (const role of ['user', 'reporter'] as const) {
      const cookie = (await signedInAs(org.keys[role])).cookie;
      const seen = await page(TAB, cookie);
      expect(seen.status).toBe(403);
      const html = await seen.text();
      expect(html).toContain(`Your role (${role}) cannot see the settings.`);
      expect(html).not.toContain('Single sign-on');
      expect(html).not.toContain('/console/oidc/callback');
      const saved = await post(FORM, cookie, {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
      });
      expect(saved.status).toBe(403);
      const refused = await saved.text();
      expect(refused).toContain(`Your role (${role}) cannot see the settings.`);
      expect(refused).not.toContain(idp.clientSecret);
    }
    expect(idp.requests).toEqual([]);
    expect(await stored(org.keys.manager)).toMatchObject({ issuer: null, clientSecretSet: false });
  });
});
