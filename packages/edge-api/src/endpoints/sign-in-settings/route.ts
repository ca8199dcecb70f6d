// Console sign-in settings (manager): the organisation's OpenID Provider. Saving checks that the
// issuer is an https URL the worker may call and that its discovery document answers for that
// issuer, so a typo is a 400 now rather than a broken sign-in later. The client secret is sealed
// before it is stored and never returned; each change is audited (without the secret).
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { oidcOptions, sealContext } from '../../auth/identity-provider.js';
import { discover } from '../../auth/oidc.js';
import { requireRole } from '../../auth/require-role.js';
import { auditInsert } from '../../db/audit.js';
import { database } from '../../db/client.js';
import { organisations } from '../../db/schema.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { errorResponses } from '../../schemas/error.js';
import { errorResponse, invalidRequest } from '../../utils/errors.js';
import { flagOn, outboundUrlProblem } from '../../utils/outbound-url.js';
import { seal, sealingSecrets } from '../../utils/sealed.js';
import { signInSettingsBodySchema, signInSettingsSchema } from './schema.js';

const reply = { 'application/json': { schema: signInSettingsSchema } };

export const getSignInRoute = createRoute({
  method: 'get',
  path: '/v1/settings/sign-in',
  summary: 'The organisation’s identity provider for console sign-in',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  responses: {
    200: { description: 'The settings, without the secret.', content: reply },
    ...errorResponses([401, 403]),
  },
});

export const putSignInRoute = createRoute({
  method: 'put',
  path: '/v1/settings/sign-in',
  summary: 'Set the organisation’s identity provider (OpenID Connect)',
  description:
    'People then sign in to the console through it (authorization code flow with PKCE). The issuer must be https and publish `/.well-known/openid-configuration`; the secret is stored encrypted and never returned.',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [
    requireRole('manager'),
    jsonBody({ maxBytes: 8192, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: signInSettingsBodySchema,
          example: {
            issuer: 'https://login.example.com',
            clientId: 'cxm-console',
            clientSecret: 'a-secret-from-your-identity-provider',
            emailClaim: 'email',
            autoProvision: false,
          },
        },
      },
    },
  },
  responses: {
    200: { description: 'Saved.', content: reply },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export function callbackUrl(requestUrl: string): string {
  return `${new URL(requestUrl).origin}/console/oidc/callback`;
}

async function current(db: ReturnType<typeof database>, orgId: string, requestUrl: string) {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, orgId));
  return {
    issuer: org?.oidcIssuer ?? null,
    clientId: org?.oidcClientId ?? null,
    clientSecretSet: Boolean(org?.oidcClientSecret),
    emailClaim: org?.oidcEmailClaim ?? 'email',
    autoProvision: org?.autoProvision ?? false,
    redirectUri: callbackUrl(requestUrl),
  };
}

const getSignIn: RouteHandler<typeof getSignInRoute, AppEnv> = async (c) =>
  c.json(await current(database(c.env.DB), c.get('caller').orgId, c.req.url), 200);

/** What is wrong with `issuer`, or null: an https URL the worker may call, with nothing after the path. */
function issuerProblem(issuer: string, allowLocal: boolean): string | null {
  const problem = outboundUrlProblem(issuer, allowLocal);
  if (problem) return `The issuer ${problem}.`;
  const url = new URL(issuer);
  if (url.search || url.hash) return 'The issuer must not have a query or fragment.';
  return null;
}

const putSignIn: RouteHandler<typeof putSignInRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const caller = c.get('caller');
  const db = database(c.env.DB);
  const before = await current(db, caller.orgId, c.req.url);
  const issue = (path: string, message: string) =>
    errorResponse(c, invalidRequest([{ path, code: 'invalid', message }]));

  const problem = issuerProblem(body.issuer, flagOn(c.env.LOCAL_DEMO));
  if (problem) return issue('issuer', problem);
  if (!body.clientSecret && !before.clientSecretSet) {
    return issue('clientSecret', 'Give the client secret: none is stored yet.');
  }
  try {
    await discover(body.issuer, oidcOptions(c.env));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return issue(
      'issuer',
      `The issuer's discovery document (${body.issuer}/.well-known/openid-configuration) could not be used: ${reason}`,
    );
  }
  const now = Date.now();
  const secret = body.clientSecret
    ? await seal(sealingSecrets(c.env), body.clientSecret, sealContext(caller.orgId))
    : undefined;
  await db.batch([
    db
      .update(organisations)
      .set({
        oidcIssuer: body.issuer,
        oidcClientId: body.clientId,
        ...(secret ? { oidcClientSecret: secret } : {}),
        oidcEmailClaim: body.emailClaim,
        autoProvision: body.autoProvision,
      })
      .where(eq(organisations.id, caller.orgId)),
    auditInsert(db, {
      orgId: caller.orgId,
      at: now,
      actor: caller.actor,
      action: 'settings.sign_in',
      subject: caller.orgId,
      details: {
        issuer: body.issuer,
        clientId: body.clientId,
        emailClaim: body.emailClaim,
        autoProvision: body.autoProvision,
        secretChanged: secret !== undefined,
      },
    }),
  ]);
  return c.json(await current(db, caller.orgId, c.req.url), 200);
};

export function registerSignInSettings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getSignInRoute, getSignIn);
  app.openapi(putSignInRoute, putSignIn);
}
