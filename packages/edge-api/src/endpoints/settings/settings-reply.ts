// The engagement settings as the API shows them (`GET`, and `PUT`'s reply): the organisation's
// row and its sites, one shape, secrets only as "set or not".

import type { OrgContext } from '../../orgs/context.js';
import { isoOrNull } from '../../schemas/common.js';
import type { RescoreProgress } from '../../scoring/rescore.js';
import type { CONSENT_MODES } from './schema.js';

export type ConsentMode = (typeof CONSENT_MODES)[number];

/** Stored consent modes: `explicit` was the schema's first name for `manual`. */
export function consentOf(stored: string): ConsentMode {
  if (stored === 'none' || stored === 'onetrust') return stored;
  return 'manual';
}

export function settingsReply(org: OrgContext, rescore: RescoreProgress | null) {
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
    webhookPreviousSecretValidUntil: isoOrNull(org.webhookSecretPreviousUntil),
    linkAllowlist: [...org.linkAllowlist],
    rescore,
    siteKey: first?.publicKey ?? null,
    sites: org.sites.map((site) => ({
      siteKey: site.publicKey,
      trackingEnabled: site.trackingEnabled,
      allowedOrigins: [...site.allowedOrigins],
    })),
  };
}
