// Tracked email links: minting (`POST /v1/links`) and what the open pixel and click redirect
// record. Each token is signed with TOKEN_SECRET, names the organisation, the candidate and the
// link row, and a click token carries its destination, so the redirect can only go where the
// organisation signed; a tampered or foreign token fails the signature and is refused. A click
// token also says (`t`: 1 or 0, decided when minting) whether the redirect appends `cxm_t`: only
// for destinations on the organisation's own sites, never for link-allowlist (third-party) ones.
import { and, eq } from 'drizzle-orm';
import { mintToken, type TokenPayload } from '../../auth/tokens.js';
import { OPTIONS } from '../../config.js';
import { findCandidate, newCandidateStatements } from '../../db/candidates.js';
import { type Db, newId, runBatch } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import { candidates, trackedLinks } from '../../db/schema.js';
import { writeEngagements } from '../engagements/write-engagements.js';
import { isMachineClick, isMachineOpen } from './machine.js';

/** Link tokens outlive the campaign: emails get opened weeks later. */
export const LINK_TTL_SECONDS = 180 * 24 * 60 * 60;
/** The identity token a click appends (`cxm_t`): read by the tracker as the page loads. */
export const CLICK_IDENTITY_TTL_SECONDS = 60 * 60;

export interface MintedLinks {
  linkId: string;
  openUrl: string;
  clickUrls: Record<string, string>;
  expiresAt: string;
}

export async function mintLinks(
  db: Db,
  secret: string,
  input: {
    orgId: string;
    candidateId: string;
    subject: string;
    destinations: string[];
    /**
     * Origins of the organisation's own sites: only a click to one of them carries the `cxm_t`
     * identity token (its tracker reads it). Link-allowlist destinations (third parties) get a
     * clean redirect, since the token names the candidate in readable form.
     */
    siteOrigins: ReadonlySet<string>;
    origin: string;
    now: number;
  },
): Promise<MintedLinks> {
  const linkId = newId();
  await withRetries(async () => {
    const known = await findCandidate(db, input.orgId, input.candidateId);
    const candidateId = known?.id ?? newId();
    await runBatch(db, [
      ...(known
        ? []
        : newCandidateStatements(db, {
            orgId: input.orgId,
            id: candidateId,
            externalId: input.candidateId,
            now: input.now,
          })),
      db.insert(trackedLinks).values({
        id: linkId,
        orgId: input.orgId,
        candidateId,
        subject: input.subject,
        destinations: JSON.stringify(input.destinations),
        createdAt: input.now,
      }),
    ]);
  }, OPTIONS.writeAttempts);
  const x = Math.floor(input.now / 1000) + LINK_TTL_SECONDS;
  const base = { o: input.orgId, c: input.candidateId, x, l: linkId };
  const open = await mintToken(secret, { k: 'open', ...base });
  const clickUrls: Record<string, string> = {};
  for (const [index, destination] of input.destinations.entries()) {
    const identity = input.siteOrigins.has(new URL(destination).origin) ? 1 : 0;
    const token = await mintToken(secret, {
      k: 'click',
      ...base,
      i: index,
      u: destination,
      t: identity,
    });
    clickUrls[destination] = `${input.origin}/v1/c/${token}`;
  }
  return {
    linkId,
    openUrl: `${input.origin}/v1/o/${open}`,
    clickUrls,
    expiresAt: new Date(x * 1000).toISOString(),
  };
}

interface LinkRow {
  id: string;
  subject: string;
  createdAt: number;
}

/** The link a verified token names, if it still exists (a purge deletes it). */
export async function findLink(db: Db, payload: TokenPayload): Promise<LinkRow | null> {
  if (typeof payload.l !== 'string') return null;
  const rows = await db
    .select({
      id: trackedLinks.id,
      subject: trackedLinks.subject,
      createdAt: trackedLinks.createdAt,
    })
    .from(trackedLinks)
    .innerJoin(candidates, eq(candidates.id, trackedLinks.candidateId))
    .where(
      and(
        eq(trackedLinks.id, payload.l),
        eq(trackedLinks.orgId, payload.o),
        eq(candidates.externalId, payload.c),
      ),
    );
  return rows[0] ?? null;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Records an open or a click. Repeats within the same hour (per link, destination and
 * machine-or-person) are one event: a client re-fetching the pixel is not a new open.
 */
export async function recordLinkEvent(
  db: Db,
  input: {
    orgId: string;
    candidateExternalId: string;
    scoringModel: string | null;
    link: LinkRow;
    kind: 'open' | 'click';
    destinationIndex: number;
    userAgent: string | undefined;
    now: number;
  },
): Promise<{ machine: boolean }> {
  const since = input.now - input.link.createdAt;
  const machine =
    input.kind === 'open'
      ? isMachineOpen(input.userAgent, since)
      : isMachineClick(input.userAgent, since);
  const hour = Math.floor(input.now / HOUR_MS);
  const what = input.kind === 'open' ? 'open' : `click:${input.destinationIndex}`;
  await writeEngagements(db, {
    orgId: input.orgId,
    scoringModel: input.scoringModel,
    receivedAt: input.now,
    items: [
      {
        id: `${input.link.id}:${what}`,
        eventKey: `lnk:${input.link.id}:${what}:${machine ? 'm' : 'p'}:${hour}`,
        source: 'email_link',
        candidateId: input.candidateExternalId,
        type: input.kind === 'open' ? 'open_email' : 'click_email',
        detail: input.link.subject,
        occurredAt: input.now,
        machine,
      },
    ],
  });
  return { machine };
}
