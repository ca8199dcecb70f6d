// OpenID Connect sign-in against an organisation's own identity provider, through `oauth4webapi`
// (no JWT parsing of our own): the authorization code flow with PKCE (S256), `state` and
// `nonce`, the client authenticated with its secret. The ID token's signature is checked against
// the provider's published keys, and its issuer, audience, expiry and nonce by the library.
// Failures are values: a reason to show the person, and a detail for the log.
import * as oauth from 'oauth4webapi';

export interface IdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The ID token claim holding the email (`email` unless the provider puts it elsewhere). */
  emailClaim: string;
}

export interface OidcOptions {
  /** LOCAL_DEMO only: the demo's provider is plain http on loopback. */
  allowHttp: boolean;
}

/** What the callback needs to check the provider's answer; kept server-side between the two. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type SignInOutcome =
  | { ok: true; email: string; subject: string; name: string | null }
  | { ok: false; reason: string; detail: string };

const TIMEOUT_MS = 10_000;
const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const discovered = new Map<string, { at: number; server: oauth.AuthorizationServer }>();

function requestOptions(options: OidcOptions) {
  return {
    signal: AbortSignal.timeout(TIMEOUT_MS),
    ...(options.allowHttp ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

/** The provider's metadata (`/.well-known/openid-configuration`), kept ten minutes per isolate. */
export async function discover(
  issuer: string,
  options: OidcOptions,
): Promise<oauth.AuthorizationServer> {
  const cached = discovered.get(issuer);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.server;
  const url = new URL(issuer);
  const response = await oauth.discoveryRequest(url, {
    ...requestOptions(options),
    algorithm: 'oidc',
  });
  const server = await oauth.processDiscoveryResponse(url, response);
  discovered.set(issuer, { at: Date.now(), server });
  return server;
}

function client(provider: IdentityProvider): oauth.Client {
  return { client_id: provider.clientId, id_token_signed_response_alg: 'RS256' };
}

/** Where to send the browser to sign in, and what the callback will need to check the answer. */
export async function authorizationRequest(
  provider: IdentityProvider,
  redirectUri: string,
  options: OidcOptions,
): Promise<{ url: string; pending: PendingSignIn }> {
  const server = await discover(provider.issuer, options);
  if (!server.authorization_endpoint) {
    throw new Error(`${provider.issuer} publishes no authorization endpoint`);
  }
  const pending = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
  };
  const url = new URL(server.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: provider.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.toString(), pending };
}

function failure(reason: string, error: unknown): SignInOutcome {
  const detail =
    error instanceof oauth.ResponseBodyError
      ? `${error.error}: ${error.error_description ?? ''}`
      : error instanceof Error
        ? `${error.name}: ${error.message}${error.cause ? ` (${JSON.stringify(error.cause)})` : ''}`
        : String(error);
  return { ok: false, reason, detail };
}

/**
 * Checks the provider's answer on the callback URL and redeems the code: the state must be the
 * pending one, the token response must carry an ID token signed by the provider's key, for this
 * client, unexpired, with the pending nonce, and the email claim must be a verified email.
 */
export async function completeSignIn(
  provider: IdentityProvider,
  redirectUri: string,
  callback: URL,
  pending: PendingSignIn,
  options: OidcOptions,
): Promise<SignInOutcome> {
  let server: oauth.AuthorizationServer;
  try {
    server = await discover(provider.issuer, options);
  } catch (error) {
    return failure('The identity provider could not be reached.', error);
  }
  const oidcClient = client(provider);
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(server, oidcClient, callback, pending.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      return failure(
        `The identity provider did not sign you in (${error.error}${error.error_description ? `: ${error.error_description}` : ''}).`,
        error,
      );
    }
    return failure('The identity provider’s answer does not match this sign-in.', error);
  }
  let claims: oauth.IDToken | undefined;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      oidcClient,
      oauth.ClientSecretBasic(provider.clientSecret),
      params,
      redirectUri,
      pending.codeVerifier,
      requestOptions(options),
    );
    const result = await oauth.processAuthorizationCodeResponse(server, oidcClient, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    // Over TLS the library may skip the signature; we do not: the keys are the provider's JWKS.
    await oauth.validateApplicationLevelSignature(server, response, requestOptions(options));
    claims = oauth.getValidatedIdTokenClaims(result);
  } catch (error) {
    return failure('The identity provider’s answer could not be verified.', error);
  }
  if (!claims) return failure('The identity provider sent no ID token.', null);
  const email = claims[provider.emailClaim];
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
    return failure(
      `The identity provider sent no email in the \`${provider.emailClaim}\` claim.`,
      null,
    );
  }
  if (claims.email_verified === false) {
    return failure('The identity provider says this email address is not verified.', null);
  }
  const name = typeof claims.name === 'string' ? claims.name : null;
  return { ok: true, email: email.trim().toLowerCase(), subject: claims.sub, name };
}
