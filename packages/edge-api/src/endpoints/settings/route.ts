// `GET`/`PUT /v1/settings/engagement` and the tracking code to paste (manager role). The tracking
// toggle governs browser tracking only: `/t.js` turns inert and `/v1/collect` stores nothing while
// it is off; server-to-server engagements (email, events, forms processed by the caller) are
// always recorded.
import { DEFAULT_MODEL, type ScoringModel, validateModel } from '@cxm/scoring';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { requireRole } from '../../auth/api-keys.js';
import { database, newId, runBatch, type Statement } from '../../db/client.js';
import { auditLog, organisations, sites } from '../../db/schema.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { callerOrg, type OrgContext } from '../../orgs/context.js';
import { errorResponses } from '../../schemas/error.js';
import { rescoreOrganisation } from '../../scoring/rescore.js';
import { randomBase64url } from '../../utils/encoding.js';
import { apiError, errorResponse, type Issue, invalidRequest } from '../../utils/errors.js';
import { normaliseOrigin } from '../../utils/page-urls.js';
import {
  type CONSENT_MODES,
  settingsBodySchema,
  settingsSchema,
  settingsUpdateReplySchema,
  trackingCodeQuerySchema,
  trackingCodeSchema,
} from './schema.js';
import { trackingSnippet } from './tracking-code.js';

type ConsentMode = (typeof CONSENT_MODES)[number];

export const getSettingsRoute = createRoute({
  method: 'get',
  path: '/v1/settings/engagement',
  summary: 'Engagement settings',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  responses: {
    200: {
      description: 'The settings.',
      content: { 'application/json': { schema: settingsSchema } },
    },
    ...errorResponses([401, 403]),
  },
});

export const putSettingsRoute = createRoute({
  method: 'put',
  path: '/v1/settings/engagement',
  summary: 'Change engagement settings',
  description:
    'Any subset of the writable fields; returns the whole settings. A new scoring model is ' +
    'checked with `validateModel` (every problem listed) and every candidate is rescored. ' +
    'Setting a webhook URL for the first time (or `rotateWebhookSecret: true`) returns ' +
    '`webhookSecret` once.',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [
    requireRole('manager'),
    jsonBody({ maxBytes: 32 * 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: settingsBodySchema } } },
  },
  responses: {
    200: {
      description: 'The settings after the change.',
      content: { 'application/json': { schema: settingsUpdateReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export const trackingCodeRoute = createRoute({
  method: 'get',
  path: '/v1/settings/engagement/tracking-code',
  summary: 'The snippet to paste on the career site',
  description:
    'The OneTrust variant marks the tracker script tag `type="text/plain"` with the ' +
    '`optanon-category-<category>` class, so OneTrust runs it only once that category has ' +
    'consent; the one-line queue stub stays runnable (it sends and stores nothing).',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  request: { query: trackingCodeQuerySchema },
  responses: {
    200: {
      description: 'The snippet.',
      content: { 'application/json': { schema: trackingCodeSchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

/** Stored consent modes: `explicit` was the schema's first name for `manual`. */
function consentOf(stored: string): ConsentMode {
  if (stored === 'none' || stored === 'onetrust') return stored;
  return 'manual';
}

export function settingsReply(org: OrgContext) {
  const first = org.sites[0];
  return {
    trackingEnabled: org.sites.length > 0 && org.sites.every((site) => site.trackingEnabled),
    allowedOrigins: first ? [...first.allowedOrigins] : [],
    consentMode: consentOf(org.consentMode),
    onetrustCategory: org.oneTrustCategory,
    dedupe: { visitMinutes: org.visitWindowMinutes, formMinutes: org.formWindowMinutes },
    scoringModel: org.model,
    scoringModelIsDefault: org.scoringModelJson === null,
    webhookUrl: org.webhookUrl,
    webhookSecretSet: org.webhookSecret !== null,
    linkAllowlist: [...org.linkAllowlist],
    siteKey: first?.publicKey ?? null,
    sites: org.sites.map((site) => ({
      siteKey: site.publicKey,
      trackingEnabled: site.trackingEnabled,
      allowedOrigins: [...site.allowedOrigins],
    })),
  };
}

/** Names that only ever mean this machine or a private network (RFC 6761, 6762, 8375). */
const LOCAL_SUFFIXES = ['localhost', 'local', 'internal', 'home.arpa'];

/** The loopback hosts `ALLOW_LOCAL_WEBHOOKS` lets through, for the local demo. */
const DEV_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where webhooks may be posted: https to a public DNS name. Refused: IP literals of any kind
 * (so 127/8, 10/8, 172.16/12, 192.168/16, 169.254/16, ::1, fc00::/7, fe80::/10 and every
 * spelling the URL parser turns into one, such as `2130706433` or `0x7f000001`), single-label
 * names, and `localhost`, `*.localhost`, `*.local`, `*.internal`, `*.home.arpa`. With
 * `allowLocal` (the `ALLOW_LOCAL_WEBHOOKS` dev flag) http(s)://localhost, 127.0.0.1 and [::1]
 * are allowed for the local demo; nothing else private is.
 */
export function webhookUrlProblem(url: string, allowLocal = false): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be https';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (allowLocal && DEV_HOSTS.has(host)) return null;
  if (parsed.protocol !== 'https:') return 'must be https';
  if (host.startsWith('[') || /^[\d.]+$/.test(host)) {
    return 'must be a public DNS name, not an IP address';
  }
  if (LOCAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) {
    return 'must be a public DNS name, not a loopback or private-network name';
  }
  if (!host.includes('.')) return 'must be a public DNS name (a single-label host is private)';
  return null;
}

/** Whether the dev flag allowing localhost webhooks is on (`"true"` or `"1"`). */
export function allowLocalWebhooks(flag: string | undefined): boolean {
  return flag === 'true' || flag === '1';
}

function originList(values: string[], path: string, issues: Issue[]): string[] {
  const out: string[] = [];
  values.forEach((value, index) => {
    const origin = normaliseOrigin(value);
    if (origin === null || (origin !== value && `${origin}/` !== value)) {
      issues.push({
        path: `${path}.${index}`,
        code: 'invalid',
        message: 'must be an http(s) origin such as https://careers.example.com (no path)',
      });
    } else if (!out.includes(origin)) out.push(origin);
  });
  return out;
}

function newWebhookSecret(): string {
  return `whsec_${randomBase64url(32)}`;
}

export function registerSettings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getSettingsRoute, async (c) => {
    const org = await callerOrg(database(c.env.DB), c.get('caller').orgId);
    return c.json(settingsReply(org), 200);
  });

  app.openapi(putSettingsRoute, async (c) => {
    const body = c.req.valid('json');
    const caller = c.get('caller');
    const db = database(c.env.DB);
    const now = Date.now();
    const org = await callerOrg(db, caller.orgId);
    const issues: Issue[] = [];

    const allowedOrigins =
      body.allowedOrigins && originList(body.allowedOrigins, 'allowedOrigins', issues);
    const linkAllowlist =
      body.linkAllowlist && originList(body.linkAllowlist, 'linkAllowlist', issues);
    let model: ScoringModel | null | undefined;
    if (body.scoringModel !== undefined) {
      if (body.scoringModel === null) model = null;
      else {
        const checked = validateModel(body.scoringModel);
        if (checked.ok) model = body.scoringModel as unknown as ScoringModel;
        else {
          for (const error of checked.errors) {
            issues.push({
              path: `scoringModel.${error.path}`,
              code: 'invalid',
              message: error.message,
            });
          }
        }
      }
    }
    if (body.webhookUrl) {
      const problem = webhookUrlProblem(
        body.webhookUrl,
        allowLocalWebhooks(c.env.ALLOW_LOCAL_WEBHOOKS),
      );
      if (problem) issues.push({ path: 'webhookUrl', code: 'invalid', message: problem });
    }
    if (issues.length > 0) return errorResponse(c, invalidRequest(issues));

    const orgChanges: Partial<typeof organisations.$inferInsert> = {};
    if (body.consentMode !== undefined) orgChanges.consentMode = body.consentMode;
    if (body.onetrustCategory !== undefined) orgChanges.oneTrustCategory = body.onetrustCategory;
    if (body.dedupe?.visitMinutes !== undefined)
      orgChanges.visitWindowMinutes = body.dedupe.visitMinutes;
    if (body.dedupe?.formMinutes !== undefined)
      orgChanges.formWindowMinutes = body.dedupe.formMinutes;
    if (linkAllowlist) orgChanges.linkAllowlist = JSON.stringify(linkAllowlist);
    const modelJson =
      model === undefined ? undefined : model === null ? null : JSON.stringify(model);
    const modelChanged = modelJson !== undefined && modelJson !== org.scoringModelJson;
    if (modelJson !== undefined) orgChanges.scoringModel = modelJson;
    let webhookSecret: string | undefined;
    if (body.webhookUrl !== undefined) orgChanges.webhookUrl = body.webhookUrl || null;
    const webhookOn = body.webhookUrl
      ? true
      : body.webhookUrl === undefined && org.webhookUrl !== null;
    if ((webhookOn && org.webhookSecret === null) || body.rotateWebhookSecret) {
      webhookSecret = newWebhookSecret();
      orgChanges.webhookSecret = webhookSecret;
    }

    const statements: Statement[] = [];
    if (Object.keys(orgChanges).length > 0) {
      statements.push(
        db.update(organisations).set(orgChanges).where(eq(organisations.id, caller.orgId)),
      );
    }
    const siteChanges: Partial<typeof sites.$inferInsert> = {};
    if (body.trackingEnabled !== undefined) siteChanges.trackingEnabled = body.trackingEnabled;
    if (allowedOrigins) siteChanges.allowedOrigins = JSON.stringify(allowedOrigins);
    if (Object.keys(siteChanges).length > 0) {
      if (org.sites.length === 0) {
        // An organisation without a site gets one on its first site setting.
        statements.push(
          db.insert(sites).values({
            id: newId(),
            orgId: caller.orgId,
            publicKey: `pk_${randomBase64url(12)}`,
            name: org.name,
            ...siteChanges,
          }),
        );
      } else {
        statements.push(db.update(sites).set(siteChanges).where(eq(sites.orgId, caller.orgId)));
      }
    }
    const changed = [
      ...Object.keys(body).filter((key) => key !== 'rotateWebhookSecret'),
      ...(webhookSecret ? ['webhookSecret'] : []),
    ];
    if (changed.length > 0) {
      statements.push(
        db.insert(auditLog).values({
          id: newId(),
          orgId: caller.orgId,
          at: now,
          actor: `key:${caller.keyId}`,
          action: 'settings.update',
          subject: 'engagement',
          // Which settings changed, and the values that are not secrets.
          details: JSON.stringify({
            changed,
            ...(body.trackingEnabled === undefined
              ? {}
              : { trackingEnabled: body.trackingEnabled }),
            ...(body.webhookUrl === undefined ? {} : { webhookUrl: body.webhookUrl }),
          }),
        }),
      );
    }
    await runBatch(db, statements);
    const rescored = modelChanged
      ? await rescoreOrganisation(db, {
          orgId: caller.orgId,
          model: model ?? DEFAULT_MODEL,
          now,
        })
      : undefined;
    const updated = await callerOrg(db, caller.orgId);
    return c.json(
      {
        ...settingsReply(updated),
        ...(webhookSecret ? { webhookSecret } : {}),
        ...(rescored === undefined ? {} : { rescored }),
      },
      200,
    );
  });

  app.openapi(trackingCodeRoute, async (c) => {
    const org = await callerOrg(database(c.env.DB), c.get('caller').orgId);
    const site = org.sites[0];
    if (!site) {
      return errorResponse(
        c,
        apiError('not_found', 'The organisation has no career site yet; set allowedOrigins first.'),
      );
    }
    const consent = c.req.valid('query').consent ?? consentOf(org.consentMode);
    return c.json(
      {
        consent,
        siteKey: site.publicKey,
        snippet: trackingSnippet({
          origin: new URL(c.req.url).origin,
          siteKey: site.publicKey,
          consent,
          onetrustCategory: org.oneTrustCategory,
        }),
      },
      200,
    );
  });
}
