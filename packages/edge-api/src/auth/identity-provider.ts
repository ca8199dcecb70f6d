// An organisation's identity provider as sign-in uses it: the settings row with the client
// secret unsealed. The secret is sealed to its organisation (`sealContext`), so it opens only in
// the row it was saved in.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations } from '../db/schema.js';
import type { Bindings } from '../env.js';
import { flagOn } from '../utils/outbound-url.js';
import { sealingSecrets, unseal } from '../utils/sealed.js';
import type { IdentityProvider, OidcOptions } from './oidc.js';

export function sealContext(orgId: string): string {
  return `oidc_client_secret:${orgId}`;
}

export function oidcOptions(env: Bindings): OidcOptions {
  return { allowHttp: flagOn(env.LOCAL_DEMO) };
}

export interface OrgSignIn {
  orgId: string;
  orgName: string;
  autoProvision: boolean;
  /** Null when the organisation has not configured one, or its secret does not open. */
  provider: IdentityProvider | null;
  /** Configured, but the stored client secret does not open with this worker's keys. */
  unreadable: boolean;
}

/** The organisation's sign-in configuration, or null for an unknown organisation. */
export async function loadOrgSignIn(
  db: Db,
  env: Bindings,
  orgId: string,
): Promise<OrgSignIn | null> {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, orgId));
  if (!org) return null;
  const base = {
    orgId: org.id,
    orgName: org.name,
    autoProvision: org.autoProvision,
    unreadable: false,
  };
  if (!org.oidcIssuer || !org.oidcClientId || !org.oidcClientSecret) {
    return { ...base, provider: null };
  }
  const secret = await unseal(sealingSecrets(env), org.oidcClientSecret, sealContext(org.id));
  if (secret === null) {
    console.error(`organisation ${org.id}: the identity provider's client secret does not open`);
    return { ...base, provider: null, unreadable: true };
  }
  return {
    ...base,
    provider: {
      issuer: org.oidcIssuer,
      clientId: org.oidcClientId,
      clientSecret: secret,
      emailClaim: org.oidcEmailClaim,
    },
  };
}
