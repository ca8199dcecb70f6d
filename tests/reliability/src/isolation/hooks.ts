// A webhook receiver for both organisations (`/hooks/<org>`), answering 200 to everything so
// every delivery settles at once. What it records shows whether a tier change of one
// organisation was ever posted to the other's URL, or signed with the other's secret. It is also
// each organisation's identity provider as far as saving the sign-in settings goes: the OpenID
// discovery document of the issuer `<origin>/idp/<org>` (`issuerOf`), not recorded as a delivery.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { freePort, listen } from '@cxm/test-support/ports';

export interface Delivery {
  /** The organisation the URL belongs to: `/hooks/<org>`, or `?claimed-by=<org>` when one set
   * the other's URL with that marker. */
  owner: string;
  body: string;
  signature: string;
}

export interface Hooks {
  origin: string;
  received: Delivery[];
  close: () => Promise<void>;
}

function read(request: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => done(body));
    request.on('error', fail);
  });
}

export async function startHooks(): Promise<Hooks> {
  const received: Delivery[] = [];
  let origin = '';
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://receiver');
    const discovery = /^\/idp\/([^/]+)\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (discovery && request.method === 'GET') {
      const issuer = issuerOf(origin, discovery[1] ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return;
    }
    const owner = url.searchParams.get('claimed-by') ?? url.pathname.split('/').at(-1) ?? '';
    const body = await read(request);
    received.push({ owner, body, signature: String(request.headers['cxm-signature'] ?? '') });
    response.writeHead(200).end();
  });
  origin = await listen(server, await freePort());
  return {
    origin,
    received,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** The issuer (OpenID Connect) the receiver at `origin` publishes for `orgId`. */
export function issuerOf(origin: string, orgId: string): string {
  return `${origin}/idp/${orgId}`;
}

/** What is wrong with a delivery, given each organisation's webhook secret; null when nothing. */
export function deliveryProblem(
  delivery: Delivery,
  secrets: Record<string, string>,
): string | null {
  let orgId: unknown;
  try {
    orgId = (JSON.parse(delivery.body) as { orgId?: unknown }).orgId;
  } catch {
    return `a delivery to ${delivery.owner}'s URL is not JSON: ${delivery.body.slice(0, 200)}`;
  }
  if (orgId !== delivery.owner) {
    return `${delivery.owner}'s URL received an event of ${String(orgId)}: ${delivery.body}`;
  }
  const secret = secrets[delivery.owner] ?? '';
  const { t, v1 } = Object.fromEntries(
    delivery.signature.split(',').map((part) => part.split('=')),
  );
  const expected = createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex');
  return v1 === expected
    ? null
    : `an event of ${delivery.owner} is not signed with ${delivery.owner}'s secret: ${delivery.body}`;
}
