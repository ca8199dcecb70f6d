// The identity token a tracked click appends (`cxm_t`) when it redirects to one of the
// organisation's own sites: the tracker there reads it as the page loads and links that browser
// to the candidate. Short-lived: it only has to survive the redirect. Email clicks and text
// message clicks both use it.
import { IDENTITY_PARAM } from '@cxm/tracker/wire';
import { mintIdentityToken } from './tokens.js';

const CLICK_IDENTITY_TTL_SECONDS = 60 * 60;

export async function appendClickIdentity(
  secret: string,
  input: { orgId: string; candidateId: string; now: number },
  target: URL,
): Promise<void> {
  const identity = await mintIdentityToken(secret, {
    ...input,
    ttlSeconds: CLICK_IDENTITY_TTL_SECONDS,
  });
  target.searchParams.set(IDENTITY_PARAM, identity);
}
