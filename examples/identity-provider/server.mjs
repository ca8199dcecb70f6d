#!/usr/bin/env node
// The demo's identity provider: a real OpenID Provider (oidc-provider) on http://127.0.0.1:8790
// that the recruiter console signs people in through (authorization code flow, PKCE S256, state,
// nonce, client_secret_basic). LOCAL DEVELOPMENT ONLY: fixed demo accounts with the password
// `demo`, plain http, keys and sessions that live only as long as the process.
//
//   node examples/identity-provider/server.mjs
//
// Environment: PORT (8790), HOST (127.0.0.1), ISSUER (http://127.0.0.1:$PORT), CLIENT_ID,
// CLIENT_SECRET, REDIRECT_URIS and POST_LOGOUT_REDIRECT_URIS (comma-separated, exact). See README.md.
//
// scripts/examples-server.mjs imports examples/<name>/server.mjs for its `handle` export when a
// request names the folder, so this module starts nothing on import: only when run as a script.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import Provider from 'oidc-provider';
// The same in-memory adapter oidc-provider uses when none is configured. Passing it ourselves
// only keeps its "development-only adapter" warning out of the demo's output: losing sessions and
// codes on restart is what a local demo wants. (No `exports` map: the path is stable for the
// exactly pinned version.)
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

/** @typedef {{ sub: string, email: string, name: string, role: string | null }} Account */

/** Every demo account's password. */
export const PASSWORD = 'demo';

/**
 * One person per role of the product's demo organisation, and one who is not a user of it (the
 * console refuses him: signing in proves who you are, not that you may use the product).
 * `sub` is stable across restarts so the console can link people to it.
 * @type {readonly Account[]}
 */
export const ACCOUNTS = Object.freeze([
  { sub: 'demo-user', email: 'user@demo.test', name: 'Uma User', role: 'user' },
  { sub: 'demo-reporter', email: 'reporter@demo.test', name: 'Rita Reporter', role: 'reporter' },
  { sub: 'demo-manager', email: 'manager@demo.test', name: 'Max Manager', role: 'manager' },
  { sub: 'demo-admin', email: 'admin@demo.test', name: 'Ada Admin', role: 'admin' },
  { sub: 'outsider', email: 'outsider@demo.test', name: 'Otto Outsider', role: null },
]);

/** @param {string | undefined} value */
function list(value) {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** @param {unknown} value */
function html(value) {
  return String(value).replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char],
  );
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:32rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.3rem;margin:0 0 .25rem}h2{font-size:1rem;margin:1.5rem 0 .25rem}p.note{color:#5a6270;margin-top:0}label{display:block;margin-top:.75rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #b8bfcc;border-radius:4px}
button{margin-top:1rem;padding:.55rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#2c5fd9;border:0;border-radius:4px;cursor:pointer}
button.secondary{color:#1d2330;background:#e3e6ec}
.error{padding:.5rem .75rem;color:#8a1020;background:#fde8eb;border-radius:4px}
table{border-collapse:collapse;margin-top:.5rem;font-size:.9rem}td,th{text-align:left;padding:.15rem .75rem .15rem 0}
code{font-size:.9rem}`;

/** A whole page; no scripts and nothing loaded from elsewhere. */
function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/**
 * The sign-in form of one interaction.
 * @param {{ uid: string, email?: string, error?: string, clientName?: string }} options
 */
function loginPage({ uid, email = '', error, clientName }) {
  const accounts = ACCOUNTS.map(
    (account) =>
      `<tr><td><code>${html(account.email)}</code></td><td>${html(account.name)}</td><td>${html(
        account.role ?? 'not a user of the demo organisation',
      )}</td></tr>`,
  ).join('\n');
  return page(
    'Sign in – Demo identity provider',
    `<h1>Demo identity provider</h1>
<p class="note">Sign in${clientName ? ` to continue to ${html(clientName)}` : ''}. Local development only.</p>
${error ? `<p class="error" role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${html(uid)}/login">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${html(email)}"${email ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${email ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<h2>Demo accounts</h2>
<p class="note">Every account's password is <code>${html(PASSWORD)}</code>.</p>
<table>
<thead><tr><th>Email</th><th>Name</th><th>Role</th></tr></thead>
<tbody>
${accounts}
</tbody>
</table>`,
  );
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {number} status
 * @param {string} body
 */
function sendHtml(response, status, body) {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No scripts, no framing; form-action is left out on purpose: Chromium applies it to the
    // redirects after the form is posted, and those end at the console's origin.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

/**
 * A urlencoded form body, at most 16 kB.
 * @param {import('node:http').IncomingMessage} request
 * @returns {Promise<URLSearchParams>}
 */
async function readForm(request) {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 16_384) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/**
 * The provider's configuration. Each choice that differs from oidc-provider's defaults says why.
 * @param {{ clientId: string, clientSecret: string, redirectUris: string[], postLogoutRedirectUris: string[] }} options
 */
function configuration({ clientId, clientSecret, redirectUris, postLogoutRedirectUris }) {
  // A fresh RS256 signing key every start: nothing on disk, works offline. The console fetches
  // the JWKS from the provider, so a restart only signs out people mid-flow.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: `demo-${randomBytes(6).toString('base64url')}`,
    alg: 'RS256',
    use: 'sig',
  };
  /** @type {Map<string, Account>} */
  const bySub = new Map(ACCOUNTS.map((account) => [account.sub, account]));

  return {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        client_name: 'the cxm recruiter console',
        // application_type stays `web` (the default): oidc-provider 9 accepts http redirect URIs
        // for web clients that do not use the implicit flow, so http://127.0.0.1:<port> needs no
        // relaxed validation (`native` would also allow loopback http, but the console is not a
        // native app and its secret would then be out of place).
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    // Only the code flow: nothing else is offered in discovery or accepted.
    responseTypes: ['code'],
    // By default oidc-provider requires PKCE only for public clients; the console uses it anyway
    // and the provider refuses any authorization request without it (S256 is the only method
    // oidc-provider 9 supports).
    pkce: { required: () => true },
    // No offline_access (the default list has it): the console gets no refresh tokens.
    scopes: ['openid'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // oidc-provider's default (true) keeps scope-requested claims out of the ID token whenever an
    // access token for the userinfo endpoint is issued too, as OpenID Connect Core 5.4 says for
    // the code flow. The console reads email and name from the ID token alone, so put them there.
    conformIdTokenClaims: false,
    /** @param {unknown} _ctx @param {string} sub */
    async findAccount(_ctx, sub) {
      const account = bySub.get(sub);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        async claims() {
          return {
            sub: account.sub,
            email: account.email,
            email_verified: true,
            name: account.name,
          };
        },
      };
    },
    jwks: { keys: [signingKey] },
    // Signs the provider's cookies; random per start like the signing key.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    adapter: createMemoryAdapter(),
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      // The quick-start login/consent pages are replaced by this file's own.
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    // Only the console's server calls the token and userinfo endpoints; no browser origin needs
    // CORS on them.
    clientBasedCORS: () => false,
    // Lifetimes (seconds) set explicitly: a short demo session, and no notice from oidc-provider
    // about its defaults at every sign-in.
    ttl: {
      AccessToken: 10 * 60,
      AuthorizationCode: 60,
      IdToken: 10 * 60,
      Interaction: 30 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
    },
    renderError,
  };
}

/** The provider's own error page (bad authorization requests, unknown clients…), without remote fonts. */
async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page(
    'Error – Demo identity provider',
    `<h1>Demo identity provider</h1>
<p class="error" role="alert">${html(out.error)}${out.error_description ? `: ${html(out.error_description)}` : ''}</p>
<p class="note">Go back to the console and sign in again.</p>`,
  );
}

/** RP-initiated logout asks before it signs out (oidc-provider's form carries the xsrf token). */
async function logoutSource(ctx, form) {
  ctx.body = page(
    'Sign out – Demo identity provider',
    `<h1>Demo identity provider</h1>
<p>Sign out of the demo identity provider?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
  );
}

/** Shown after a sign-out that names no post_logout_redirect_uri. */
async function postLogoutSuccessSource(ctx) {
  ctx.body = page(
    'Signed out – Demo identity provider',
    `<h1>Demo identity provider</h1>
<p>You are signed out.</p>`,
  );
}

/**
 * Grants the console what it asked for, with no consent screen: it is the product's own
 * (first-party) client. Missing claims and resource scopes are granted as well.
 * @param {Provider} provider
 * @param {{ grantId?: string, params: Record<string, unknown>, prompt: { details: Record<string, unknown> } }} interaction
 * @param {string} accountId
 */
async function grantConsent(provider, interaction, accountId) {
  const { details } = interaction.prompt;
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant =
    existing ?? new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
  grant.addOIDCScope('openid email profile');
  if (Array.isArray(details.missingOIDCClaims)) grant.addOIDCClaims(details.missingOIDCClaims);
  if (details.missingResourceScopes && typeof details.missingResourceScopes === 'object') {
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  return grant.save();
}

/**
 * Creates the provider and the HTTP server around it (not yet listening).
 * @param {{ issuer: string, clientId: string, clientSecret: string, redirectUris: string[], postLogoutRedirectUris: string[] }} options
 */
export function createIdentityProvider({ issuer, ...clientOptions }) {
  const provider = new Provider(issuer, configuration(clientOptions));
  provider.on('server_error', (_ctx, error) => {
    process.stderr.write(`[identity-provider] server error: ${error?.stack ?? error}\n`);
  });
  const delegate = provider.callback();

  /** The interaction named in the URL is not this browser's (no cookie, expired, another uid). */
  const interactionGone = (response) =>
    sendHtml(
      response,
      400,
      page(
        'Sign-in expired – Demo identity provider',
        `<h1>Demo identity provider</h1>
<p class="error" role="alert">This sign-in request has expired or was not started in this browser.</p>
<p class="note">Go back to the console and sign in again.</p>`,
      ),
    );

  const server = createServer(async (request, response) => {
    const { pathname } = new URL(request.url ?? '/', issuer);
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(pathname);
    if (!match) return delegate(request, response);
    const [, uid, login] = match;
    try {
      let interaction;
      try {
        interaction = await provider.interactionDetails(request, response);
      } catch {
        // No interaction cookie, or it expired (oidc-provider's SessionNotFound).
        return interactionGone(response);
      }
      if (interaction.uid !== uid) return interactionGone(response);
      const client = await provider.Client.find(String(interaction.params.client_id));
      const clientName = client?.clientName;

      if (!login && request.method === 'GET') {
        if (interaction.prompt.name === 'consent') {
          // Signed in already (an earlier sign-in in this browser), the console asks for more.
          const grantId = await grantConsent(provider, interaction, interaction.session.accountId);
          return await provider.interactionFinished(
            request,
            response,
            { consent: { grantId } },
            { mergeWithLastSubmission: true },
          );
        }
        const hint =
          typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : '';
        return sendHtml(response, 200, loginPage({ uid, email: hint, clientName }));
      }
      if (!login || request.method !== 'POST' || interaction.prompt.name !== 'login') {
        return sendHtml(response, 405, page('Not allowed', '<p>Not allowed.</p>'));
      }

      const form = await readForm(request);
      const email = (form.get('email') ?? '').trim();
      const account = ACCOUNTS.find((candidate) => candidate.email === email.toLowerCase());
      if (!account || form.get('password') !== PASSWORD) {
        return sendHtml(
          response,
          401,
          loginPage({ uid, email, error: 'Wrong email or password.', clientName }),
        );
      }
      // Login and consent in one result: the console is first-party, so the person is never asked.
      const grantId = await grantConsent(provider, interaction, account.sub);
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: account.sub }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      process.stderr.write(`[identity-provider] interaction error: ${error?.stack ?? error}\n`);
      if (!response.headersSent)
        sendHtml(response, 500, page('Error', '<p>Something went wrong.</p>'));
      else response.end();
    }
  });
  return { provider, server };
}

async function main() {
  const port = Number(process.env.PORT ?? 8790);
  const host = process.env.HOST ?? '127.0.0.1';
  const issuer = (process.env.ISSUER ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  const redirectUris = list(
    process.env.REDIRECT_URIS ?? 'http://127.0.0.1:8787/console/oidc/callback',
  );
  const postLogoutRedirectUris = list(
    process.env.POST_LOGOUT_REDIRECT_URIS ?? 'http://127.0.0.1:8787/console?signed-out',
  );
  const { server } = createIdentityProvider({
    issuer,
    clientId: process.env.CLIENT_ID ?? 'cxm-console',
    clientSecret: process.env.CLIENT_SECRET ?? 'cxm-demo-client-secret-local-only',
    redirectUris,
    postLogoutRedirectUris,
  });
  server.on('error', (error) => {
    process.stderr.write(`[identity-provider] error: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    process.stdout.write(`identity provider on ${issuer}\n`);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => process.exit(0));
    // Keep-alive connections (browsers, the console's fetches) would hold close() open.
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main();
}
