// An organisation's settings as the read and admin API use them: the organisations row plus its
// career sites (tracking toggle, allowed origins), parsed once.

import type { ScoringModel } from '@cxm/scoring';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations, sites } from '../db/schema.js';
import { modelFrom } from '../scoring/score-row.js';
import type { Issue } from '../utils/errors.js';
import { httpOrigin } from '../utils/page-urls.js';
import { parseOrigins } from './sites.js';

export interface OrgContext {
  id: string;
  name: string;
  scoringModelJson: string | null;
  model: ScoringModel;
  visitWindowMinutes: number;
  formWindowMinutes: number;
  consentMode: string;
  oneTrustCategory: string;
  webhookUrl: string | null;
  /** Sealed (src/webhooks/secret.ts). */
  webhookSecret: string | null;
  /** Until when the secret before the last rotation still signs deliveries (ms), if it does. */
  webhookSecretPreviousUntil: number | null;
  linkAllowlist: Set<string>;
  sites: { id: string; publicKey: string; allowedOrigins: Set<string>; trackingEnabled: boolean }[];
}

export async function loadOrg(db: Db, orgId: string): Promise<OrgContext | null> {
  const [orgRows, siteRows] = await Promise.all([
    db.select().from(organisations).where(eq(organisations.id, orgId)),
    db
      .select({
        id: sites.id,
        publicKey: sites.publicKey,
        allowedOrigins: sites.allowedOrigins,
        trackingEnabled: sites.trackingEnabled,
      })
      .from(sites)
      .where(eq(sites.orgId, orgId))
      .orderBy(asc(sites.createdAt), asc(sites.id)),
  ]);
  const org = orgRows[0];
  if (!org) return null;
  return {
    id: org.id,
    name: org.name,
    scoringModelJson: org.scoringModel,
    model: modelFrom(org.scoringModel),
    visitWindowMinutes: org.visitWindowMinutes,
    formWindowMinutes: org.formWindowMinutes,
    consentMode: org.consentMode,
    oneTrustCategory: org.oneTrustCategory,
    webhookUrl: org.webhookUrl,
    webhookSecret: org.webhookSecret,
    webhookSecretPreviousUntil: org.webhookSecretPreviousUntil,
    linkAllowlist: parseOrigins(org.linkAllowlist),
    sites: siteRows.map((site) => ({ ...site, allowedOrigins: parseOrigins(site.allowedOrigins) })),
  };
}

/** Every origin the organisation's own sites allow (where its tracker runs). */
export function siteOrigins(org: OrgContext): Set<string> {
  const origins = new Set<string>();
  for (const site of org.sites) for (const origin of site.allowedOrigins) origins.add(origin);
  return origins;
}

/** Every origin the organisation's sites allow, plus its link allowlist: where links may go. */
export function linkOrigins(org: OrgContext): Set<string> {
  return new Set([...org.linkAllowlist, ...siteOrigins(org)]);
}

/**
 * Destinations (tracked links' targets) neither on the organisation's sites nor on its link
 * allowlist, as issues at `pathOf(index)`: a tracked link never redirects anywhere the
 * organisation did not allow.
 */
export function destinationIssues(
  destinations: readonly string[],
  allowed: ReadonlySet<string>,
  pathOf: (index: number) => string,
): Issue[] {
  const issues: Issue[] = [];
  destinations.forEach((destination, index) => {
    const origin = httpOrigin(destination);
    if (origin === null || !allowed.has(origin)) {
      issues.push({
        path: pathOf(index),
        code: 'url_not_allowed',
        message:
          origin === null
            ? 'must be an http(s) URL'
            : `${origin} is neither an allowed origin of the organisation's sites nor on its link allowlist`,
      });
    }
  });
  return issues;
}

/** Loads the caller's organisation; it exists whenever its key does. */
export async function callerOrg(db: Db, orgId: string): Promise<OrgContext> {
  const org = await loadOrg(db, orgId);
  if (!org) throw new Error(`organisation ${orgId} of a valid key is missing`);
  return org;
}
