// How a tracked click tells the landing page who clicked, without putting an identity in the URL.
//
// A click on an email or text message link that leads to one of the organisation's own sites
// redirects with `cxm_t=<code>`: an opaque, encrypted token of kind `code` (./tokens.ts), valid
// an hour. The tracker there takes it out of the address bar as the page loads and, once the
// visitor consents, sends it with its beacon; the collect endpoint claims it for that browser's
// first-party device id and links the device to the candidate. The first device to present a
// code owns it: the same code from another device (read from a proxy or analytics log, or a
// forwarded URL) links nobody and is counted as an ignored token. The owner may present it again
// (a retried beacon, the next page of the same visit). Landing URLs therefore never carry
// anything a third party could read or reuse.
import { IDENTITY_PARAM } from '@cxm/tracker/wire';
import { lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { identityCodeClaims } from '../db/schema.js';
import { sha256Hex } from '../utils/encoding.js';
import { mintIdentityToken, type TokenPayload } from './tokens.js';

/** Long enough for a visitor to read the page and answer the consent banner. */
export const IDENTITY_CODE_TTL_SECONDS = 60 * 60;

export async function appendClickIdentity(
  secret: string,
  input: { orgId: string; candidateId: string; now: number },
  target: URL,
): Promise<void> {
  const code = await mintIdentityToken(secret, {
    ...input,
    kind: 'code',
    ttlSeconds: IDENTITY_CODE_TTL_SECONDS,
  });
  target.searchParams.set(IDENTITY_PARAM, code);
}

/**
 * Whether `deviceId` may use the verified code `code`: true for the first device to present it
 * (the claim is written) and for that device again; false for any other. One statement: an
 * upsert that keeps the first claimant and returns it, so two devices racing get one winner.
 */
export async function claimIdentityCode(
  db: Db,
  input: { code: string; payload: TokenPayload; deviceId: string },
): Promise<boolean> {
  const rows = await db
    .insert(identityCodeClaims)
    .values({
      codeHash: await sha256Hex(input.code),
      orgId: input.payload.o,
      externalId: input.payload.c,
      deviceId: input.deviceId,
      expiresAt: input.payload.x * 1000,
    })
    .onConflictDoUpdate({
      target: identityCodeClaims.codeHash,
      set: { codeHash: sql`excluded.code_hash` },
    })
    .returning({ deviceId: identityCodeClaims.deviceId });
  return rows[0]?.deviceId === input.deviceId;
}

/** Deletes the claims of codes that have expired (an expired code is refused before a claim). */
export async function pruneIdentityCodes(db: Db, now: number): Promise<number> {
  const result = await db.delete(identityCodeClaims).where(lt(identityCodeClaims.expiresAt, now));
  return result.meta.changes;
}
