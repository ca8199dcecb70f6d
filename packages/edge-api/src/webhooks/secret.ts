// The webhook signing secret at rest and in use. Stored sealed (AES-GCM under `SECRETS_KEY`,
// `src/utils/sealed.ts`) with the organisation as additional data, shown once when minted, never
// returned by a read. A rotation keeps the previous secret for a grace period, during which every
// delivery carries two signatures (`t=…,v1=<new>,v1=<old>`, as Stripe does), so a receiver can
// switch to the new secret at any moment of the day without refusing a genuine event.
//
// A value starting `whsec_` is one stored in plain text before sealing: it is still used, and the
// next rotation seals its successor.
import { randomBase64url } from '../utils/encoding.js';
import { type SealingSecrets, seal, unseal } from '../utils/sealed.js';

/** How long a rotated-out secret still signs deliveries. */
export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

const LEGACY_PREFIX = 'whsec_';

function context(orgId: string): string {
  return `webhook-secret:${orgId}`;
}

export function mintWebhookSecret(): string {
  return `${LEGACY_PREFIX}${randomBase64url(32)}`;
}

export function sealWebhookSecret(
  secrets: SealingSecrets,
  orgId: string,
  secret: string,
): Promise<string> {
  return seal(secrets, secret, context(orgId));
}

/** The secret a stored value holds, or null when it does not open with this server's keys. */
export async function openWebhookSecret(
  secrets: SealingSecrets,
  orgId: string,
  stored: string,
): Promise<string | null> {
  if (stored.startsWith(LEGACY_PREFIX)) return stored;
  return unseal(secrets, stored, context(orgId));
}

export interface StoredWebhookSecrets {
  orgId: string;
  current: string | null;
  previous: string | null;
  previousUntil: number | null;
}

/**
 * The secrets a delivery at `now` is signed with, newest first: the current one, and the
 * previous one while its grace lasts. Null when the current one is unset or does not open.
 */
export async function signingSecrets(
  secrets: SealingSecrets,
  stored: StoredWebhookSecrets,
  now: number,
): Promise<string[] | null> {
  if (!stored.current) return null;
  const current = await openWebhookSecret(secrets, stored.orgId, stored.current);
  if (current === null) return null;
  const inGrace =
    stored.previous !== null && stored.previousUntil !== null && stored.previousUntil > now;
  const previous = inGrace
    ? await openWebhookSecret(secrets, stored.orgId, stored.previous as string)
    : null;
  return previous === null ? [current] : [current, previous];
}
