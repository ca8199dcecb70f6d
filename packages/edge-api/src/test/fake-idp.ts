// An in-memory OpenID Provider for worker tests: discovery, JWKS and a token endpoint that
// checks the client's secret (client_secret_basic), the grant, the redirect URI and the PKCE
// verifier against the code's S256 challenge, with single-use codes. `issueCode` plays the
// person signing in at the provider: it reads the authorization URL the worker redirected to and
// returns the callback URL the provider would send the browser to. Overrides make bad ID tokens
// (wrong nonce, audience or issuer, expired, signed by another key with the same `kid`, other or
// missing email, `email_verified: false`). ID tokens are RS256, signed with WebCrypto.
//
// `install()` routes the global `fetch` for the issuer's origin to the fake (the worker and
// oauth4webapi run in the test's isolate and look `fetch` up at call time); every other URL goes
// to the real fetch. Several fakes may be installed at once; `uninstall()` removes one, and the
// global is restored when none is left.
import { type MockInstance, vi } from 'vitest';

export interface FakeIdpOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Overrides of the discovery document (e.g. another `issuer`, to make it unusable). */
  metadata?: Record<string, unknown>;
}

export interface CodeOverrides {
  /** The authorization URL the worker redirected the browser to. */
  authorizeUrl: string;
  email?: string;
  name?: string;
  sub?: string;
  /** ID token `nonce` (default: the one in the authorization request). */
  nonce?: string;
  /** ID token `aud` (default: the client id). */
  aud?: string | string[];
  /** ID token `iss` (default: the issuer). */
  iss?: string;
  /** ID token `exp`, seconds since the epoch (default: an hour after it is issued). */
  exp?: number;
  /** ID token `iat`, seconds since the epoch (default: when it is issued). */
  iat?: number;
  /** `other-key`: signed by a key the provider does not publish, under the published `kid`. */
  signWith?: 'provider' | 'other-key';
  email_verified?: boolean;
  /** No email claim at all. */
  omitEmail?: boolean;
  /** More claims, added last. */
  claims?: Record<string, unknown>;
  /** The callback's `iss` parameter (default: the issuer); null leaves it out. */
  callbackIss?: string | null;
}

export interface TokenRequestLog {
  code: string | null;
  status: number;
  error: string | null;
  /** Why the fake refused, for assertions (e.g. `code already used`). */
  reason: string | null;
}

export interface FakeIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Every request the fake answered, as `METHOD path`. */
  requests: string[];
  /** Every token request and how it was answered. */
  tokenRequests: TokenRequestLog[];
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Signs the person in at the provider: the callback URL with a fresh code. */
  issueCode(options: CodeOverrides): string;
  /** The provider refusing: the callback URL with `error` (e.g. `access_denied`). */
  issueError(options: { authorizeUrl: string; error: string; description?: string }): string;
  install(): void;
  uninstall(): void;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
  overrides: CodeOverrides;
  used: boolean;
}

const KID = 'fake-idp-key-1';

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function base64urlJson(value: unknown): string {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function generateRsaKey(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  ) as Promise<CryptoKeyPair>;
}

async function signJwt(key: CryptoKey, claims: Record<string, unknown>): Promise<string> {
  const input = `${base64urlJson({ alg: 'RS256', typ: 'JWT', kid: KID })}.${base64urlJson(claims)}`;
  const signature = await crypto.subtle.sign(
    'RSASSA-PKCS1-v1_5',
    key,
    new TextEncoder().encode(input),
  );
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

/** `application/x-www-form-urlencoded` decoding of one client_secret_basic part. */
function formDecode(text: string): string {
  return decodeURIComponent(text.replaceAll('+', ' '));
}

function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(24)));
}

// The fakes installed on the global fetch, by origin, and the spy that routes to them.
const installed = new Map<string, FakeIdp>();
let spy: MockInstance<typeof fetch> | null = null;

function route(input: RequestInfo | URL): FakeIdp | undefined {
  const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
  try {
    return installed.get(new URL(url).origin);
  } catch {
    return undefined;
  }
}

/** What one fake provider holds: where it lives, its keys, the codes it issued and its logs. */
interface IdpState {
  options: FakeIdpOptions;
  issuer: string;
  origin: string;
  /** The issuer without a trailing slash, where the endpoints are. */
  base: string;
  provider: Promise<CryptoKeyPair>;
  other: Promise<CryptoKeyPair>;
  codes: Map<string, PendingCode>;
  requests: string[];
  tokenRequests: TokenRequestLog[];
}

function createState(options: FakeIdpOptions): IdpState {
  const issuer = options.issuer;
  return {
    options,
    issuer,
    origin: new URL(issuer).origin,
    base: issuer.replace(/\/$/, ''),
    provider: generateRsaKey(),
    other: generateRsaKey(),
    codes: new Map(),
    requests: [],
    tokenRequests: [],
  };
}

/** The discovery document (`/.well-known/openid-configuration`), with the options' overrides. */
function discovery(state: IdpState): Record<string, unknown> {
  const { base } = state;
  return {
    issuer: state.issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/jwks`,
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
    scopes_supported: ['openid', 'email', 'profile'],
    authorization_response_iss_parameter_supported: true,
    ...state.options.metadata,
  };
}

/** The published key set: the provider's public key only. */
async function jwks(state: IdpState) {
  const { publicKey } = await state.provider;
  const jwk = (await crypto.subtle.exportKey('jwk', publicKey)) as JsonWebKey;
  return {
    keys: [{ kty: jwk.kty, n: jwk.n, e: jwk.e, kid: KID, alg: 'RS256', use: 'sig' }],
  };
}

/** A token request the fake refuses: the OAuth error and, for assertions, why. */
class Refused {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {}
}

/** A refusal of anything but a form-encoded POST, or null. */
function formRefusal(request: Request): Refused | null {
  if (request.method !== 'POST') return new Refused(405, 'invalid_request', 'POST only');
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    return new Refused(400, 'invalid_request', `content-type ${type}`);
  }
  return null;
}

/** The client id from client_secret_basic credentials that match the options, or the refusal. */
function authenticate(request: Request, options: FakeIdpOptions): string | Refused {
  const authorization = request.headers.get('authorization') ?? '';
  const [scheme, encoded] = authorization.split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !encoded) {
    return new Refused(401, 'invalid_client', 'client_secret_basic required');
  }
  let id: string;
  let secret: string;
  try {
    const decoded = atob(encoded);
    const colon = decoded.indexOf(':');
    id = formDecode(decoded.slice(0, colon));
    secret = formDecode(decoded.slice(colon + 1));
  } catch {
    return new Refused(401, 'invalid_client', 'malformed basic credentials');
  }
  if (id !== options.clientId || secret !== options.clientSecret) {
    return new Refused(401, 'invalid_client', 'wrong client credentials');
  }
  return id;
}

/**
 * The pending code the request's authorization_code grant redeems (marked used, once), checked
 * against the client, the redirect URI and the PKCE verifier; or the refusal. Logs the code.
 */
async function redeem(
  state: IdpState,
  request: Request,
  clientId: string,
  log: TokenRequestLog,
): Promise<PendingCode | Refused> {
  const body = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
  if (body.get('grant_type') !== 'authorization_code') {
    return new Refused(400, 'unsupported_grant_type', `grant_type ${body.get('grant_type')}`);
  }
  const code = body.get('code');
  log.code = code;
  const pending = code ? state.codes.get(code) : undefined;
  if (!code || !pending) return new Refused(400, 'invalid_grant', 'unknown code');
  if (pending.used) return new Refused(400, 'invalid_grant', 'code already used');
  pending.used = true;
  if (pending.clientId !== clientId) {
    return new Refused(400, 'invalid_grant', 'code of another client');
  }
  if (body.get('redirect_uri') !== pending.redirectUri) {
    return new Refused(400, 'invalid_grant', `redirect_uri ${body.get('redirect_uri')}`);
  }
  const verifier = body.get('code_verifier');
  if (!verifier || (await s256(verifier)) !== pending.codeChallenge) {
    return new Refused(400, 'invalid_grant', 'PKCE code_verifier does not match the challenge');
  }
  return pending;
}

/** The ID token's claims for a redeemed code: the defaults, then the code's overrides. */
function idTokenClaims(state: IdpState, pending: PendingCode): Record<string, unknown> {
  const o = pending.overrides;
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: o.iss ?? state.issuer,
    sub: o.sub ?? `sub-${o.email ?? 'nobody'}`,
    aud: o.aud ?? state.options.clientId,
    iat: o.iat ?? now,
    exp: o.exp ?? now + 3600,
    auth_time: now,
    ...(pending.nonce === null && o.nonce === undefined ? {} : { nonce: o.nonce ?? pending.nonce }),
    ...(o.omitEmail ? {} : { email: o.email ?? 'person@example.test' }),
    ...(o.email_verified === undefined ? {} : { email_verified: o.email_verified }),
    ...(o.name === undefined ? {} : { name: o.name }),
    ...o.claims,
  };
}

/** The token reply for a redeemed code, its ID token signed by the key the overrides ask for. */
async function tokenReply(state: IdpState, pending: PendingCode): Promise<Response> {
  const signer = pending.overrides.signWith === 'other-key' ? state.other : state.provider;
  const key = (await signer).privateKey;
  return jsonResponse({
    access_token: randomToken(),
    token_type: 'Bearer',
    expires_in: 3600,
    scope: 'openid email profile',
    id_token: await signJwt(key, idTokenClaims(state, pending)),
  });
}

/** The token endpoint: every request logged, refused with an OAuth error or answered. */
async function token(state: IdpState, request: Request): Promise<Response> {
  const log: TokenRequestLog = { code: null, status: 200, error: null, reason: null };
  state.tokenRequests.push(log);
  let outcome: PendingCode | Refused | null = formRefusal(request);
  if (!outcome) {
    const clientId = authenticate(request, state.options);
    outcome = clientId instanceof Refused ? clientId : await redeem(state, request, clientId, log);
  }
  if (outcome instanceof Refused) {
    const { status, error, reason } = outcome;
    Object.assign(log, { status, error, reason });
    return jsonResponse({ error, error_description: reason }, status);
  }
  return tokenReply(state, outcome);
}

/** The fake's `fetch`: discovery, JWKS and the token endpoint under the issuer; 404 otherwise. */
async function answer(
  state: IdpState,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const request = new Request(input, init);
  const url = new URL(request.url);
  state.requests.push(`${request.method} ${url.pathname}`);
  if (url.origin !== state.origin) return new Response('not this provider', { status: 404 });
  const path = url.pathname;
  const prefix = new URL(state.base).pathname.replace(/\/$/, '');
  if (request.method === 'GET' && path === `${prefix}/.well-known/openid-configuration`) {
    return jsonResponse(discovery(state));
  }
  if (request.method === 'GET' && path === `${prefix}/jwks`) return jsonResponse(await jwks(state));
  if (path === `${prefix}/token`) return token(state, request);
  return new Response('not found', { status: 404 });
}

/** The parts of the worker's authorization request a code is bound to; throws if it is not one. */
function authorizationRequest(state: IdpState, authorizeUrl: string) {
  const authorize = new URL(authorizeUrl);
  const params = authorize.searchParams;
  const redirectUri = params.get('redirect_uri');
  const stateParam = params.get('state');
  const clientId = params.get('client_id');
  const codeChallenge = params.get('code_challenge');
  if (authorize.href.split('?')[0] !== `${state.base}/authorize`) {
    throw new Error(`fake IdP: not its authorization endpoint: ${authorize.href}`);
  }
  if (!redirectUri || !stateParam || !clientId || !codeChallenge) {
    throw new Error(`fake IdP: incomplete authorization request: ${authorize.href}`);
  }
  if (params.get('response_type') !== 'code' || params.get('code_challenge_method') !== 'S256') {
    throw new Error(`fake IdP: not a code flow with S256 PKCE: ${authorize.href}`);
  }
  if (clientId !== state.options.clientId) throw new Error(`fake IdP: unknown client ${clientId}`);
  return { redirectUri, state: stateParam, clientId, codeChallenge, nonce: params.get('nonce') };
}

/** Signs the person in: stores a fresh single-use code and returns the callback URL with it. */
function issueCode(state: IdpState, overrides: CodeOverrides): string {
  const request = authorizationRequest(state, overrides.authorizeUrl);
  const code = randomToken();
  state.codes.set(code, {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    nonce: request.nonce,
    overrides,
    used: false,
  });
  const callback = new URL(request.redirectUri);
  callback.searchParams.set('code', code);
  callback.searchParams.set('state', request.state);
  const iss = overrides.callbackIss === undefined ? state.issuer : overrides.callbackIss;
  if (iss !== null) callback.searchParams.set('iss', iss);
  return callback.toString();
}

/** The provider refusing: the callback URL with `error`. */
function issueError(
  state: IdpState,
  {
    authorizeUrl,
    error,
    description,
  }: { authorizeUrl: string; error: string; description?: string },
): string {
  const params = new URL(authorizeUrl).searchParams;
  const callback = new URL(params.get('redirect_uri') ?? '');
  callback.searchParams.set('error', error);
  if (description) callback.searchParams.set('error_description', description);
  callback.searchParams.set('state', params.get('state') ?? '');
  callback.searchParams.set('iss', state.issuer);
  return callback.toString();
}

/** Routes the global `fetch` for `origin` to `idp`, spying on it if no fake is installed yet. */
function install(origin: string, idp: FakeIdp): void {
  installed.set(origin, idp);
  if (!spy) {
    const realFetch = globalThis.fetch;
    spy = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation((input: RequestInfo | URL, init?: RequestInit) => {
        const fake = route(input);
        return fake ? fake.fetch(input, init) : realFetch(input, init);
      });
  }
}

/** Removes `idp` from the global `fetch`, restoring it when no fake is left. */
function uninstall(origin: string, idp: FakeIdp): void {
  if (installed.get(origin) === idp) installed.delete(origin);
  if (installed.size === 0 && spy) {
    spy.mockRestore();
    spy = null;
  }
}

export function createFakeIdp(options: FakeIdpOptions): FakeIdp {
  const state = createState(options);
  const idp: FakeIdp = {
    issuer: state.issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    requests: state.requests,
    tokenRequests: state.tokenRequests,
    fetch: (input, init) => answer(state, input, init),
    issueCode: (overrides) => issueCode(state, overrides),
    issueError: (request) => issueError(state, request),
    install: () => install(state.origin, idp),
    uninstall: () => uninstall(state.origin, idp),
  };
  return idp;
}

/** A unique https issuer for one test. */
export function uniqueIssuer(): string {
  return `https://idp-${crypto.randomUUID().slice(0, 8)}.example.test`;
}
