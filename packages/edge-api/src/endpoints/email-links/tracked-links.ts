// Tracked email links: minting (`POST /v1/links`), what the open pixel and click redirect
// record, and where a click goes. Each token is opaque (auth/tokens.ts: encrypted, then signed
// with TOKEN_SECRET) and names the organisation, the candidate and the
// link row, and a click token carries its destination, so the redirect can only go where the
// organisation signed; a tampered or foreign token fails the signature and is refused. A click
// token also says (`t`: 1 or 0, decided when minting) whether the redirect appends `cxm_t`: only
// for destinations on the organisation's own sites, never for link-allowlist (third-party) ones.
import { and, eq } from 'drizzle-orm';
import { appendClickIdentity } from '../../auth/click-identity.js';
import { mintToken, type TokenPayload } from '../../auth/tokens.js';
import { OPTIONS } from '../../config.js';
import { findCandidate, newCandidateStatements } from '../../db/candidates.js';
import { type Db, newId, runBatch } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import { candidates, trackedLinks } from '../../db/schema.js';
import { loadOrg, siteOrigins } from '../../orgs/context.js';
import { orgSettings } from '../../orgs/sites.js';
import { httpOrigin } from '../../utils/page-urls.js';
import { writeEngagements } from '../engagements/write-engagements.js';
import { isMachineClick, isMachineOpen } from './machine.js';

/** Link tokens outlive the campaign: emails get opened weeks later. */
export const LINK_TTL_SECONDS = 180 * 24 * 60 * 60;

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
     * Origins of the organisation's own sites: only a click to one of them carries a `cxm_t`
     * identity code (its tracker reads it). Link-allowlist destinations (third parties) get a
     * clean redirect: the code is of no use there, and none of their business.
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

export interface LinkRow {
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

export type LinkKind = 'open' | 'click';

/** Which of the email's destinations a click token names (the open pixel has none: 0). */
function destinationIndex(payload: TokenPayload): number {
  return typeof payload.i === 'number' ? payload.i : 0;
}

/**
 * What an open and a click record, as data: the engagement type, the rule that calls it a
 * machine's (machine.ts), and the event's name within its link (a click's names its
 * destination, so clicks on two destinations of one email are two events).
 */
const LINK_EVENTS: Record<
  LinkKind,
  {
    type: 'open_email' | 'click_email';
    isMachine: (userAgent: string | undefined, msSinceSend: number) => boolean;
    what: (payload: TokenPayload) => string;
  }
> = {
  open: { type: 'open_email', isMachine: isMachineOpen, what: () => 'open' },
  click: {
    type: 'click_email',
    isMachine: isMachineClick,
    what: (payload) => `click:${destinationIndex(payload)}`,
  },
};

/**
 * Records the open or click a live token names, under the organisation's scoring model. Repeats
 * within the same hour (per link, destination and machine-or-person) are one event: a client
 * re-fetching the pixel is not a new open.
 */
export async function recordLinkEvent(
  db: Db,
  input: {
    kind: LinkKind;
    payload: TokenPayload;
    link: LinkRow;
    userAgent: string | undefined;
    now: number;
  },
): Promise<{ machine: boolean }> {
  const { link, payload, now } = input;
  const event = LINK_EVENTS[input.kind];
  const machine = event.isMachine(input.userAgent, now - link.createdAt);
  const hour = Math.floor(now / HOUR_MS);
  const what = event.what(payload);
  const { scoringModel } = await orgSettings(db, payload.o);
  await writeEngagements(db, {
    orgId: payload.o,
    scoringModel,
    receivedAt: now,
    items: [
      {
        id: `${link.id}:${what}`,
        eventKey: `lnk:${link.id}:${what}:${machine ? 'm' : 'p'}:${hour}`,
        source: 'email_link',
        candidateId: payload.c,
        type: event.type,
        detail: link.subject,
        occurredAt: now,
        machine,
      },
    ],
  });
  return { machine };
}

/** A click token's destination, or null when it holds no http(s) URL (a bad link). */
export function clickDestination(payload: TokenPayload): URL | null {
  const destination = typeof payload.u === 'string' ? payload.u : '';
  return httpOrigin(destination) === null ? null : new URL(destination);
}

/**
 * Whether a click redirect appends `cxm_t`: the token says so (`t`, decided when minting: only
 * destinations on the organisation's own sites). Tokens minted before `t` existed are checked
 * against the sites' allowed origins now, so a link-allowlist destination never gets it.
 */
async function carriesIdentity(db: Db, payload: TokenPayload, origin: string): Promise<boolean> {
  if (payload.t === 1) return true;
  if (payload.t !== undefined) return false;
  const org = await loadOrg(db, payload.o);
  return org !== null && siteOrigins(org).has(origin);
}

/** A live link token whose link still exists: its open or click has been recorded. */
export interface TrackedHit {
  db: Db;
  payload: TokenPayload;
  now: number;
}

/** Appends an identity code for a tracked click's candidate, if its destination gets one. */
export async function appendIdentity(secret: string, hit: TrackedHit, target: URL): Promise<void> {
  const { db, payload } = hit;
  if (!(await carriesIdentity(db, payload, target.origin))) return;
  await appendClickIdentity(
    secret,
    { orgId: payload.o, candidateId: payload.c, now: hit.now },
    target,
  );
}
