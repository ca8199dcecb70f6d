// Sites and their organisations as the collect endpoint needs them: looked up by public key,
// with the settings the writer uses. Every beacon, preflight and tracker script needs its site,
// so the lookups are kept per isolate for SITE_CACHE_TTL_MS (`siteByKey`): a settings change
// applies at once in the isolate that saved it (`forgetSites`) and within the TTL elsewhere. The
// writers check what matters at write time against the database, not this copy (`sitesNow`):
// a beacon of a site whose tracking was turned off meanwhile is dropped, and the scoring model is
// the one stored now (write-beacon.ts, `BeaconJob.scoringModel`).
import { eq, inArray } from 'drizzle-orm';
import { type Db, database, inChunks } from '../db/client.js';
import { organisations, sites } from '../db/schema.js';
import type { Bindings } from '../env.js';
import { type Route, routeHint, routeOrg } from '../shards/route.js';
import { IsolateCache } from '../utils/isolate-cache.js';
import { normaliseOrigin } from '../utils/page-urls.js';

export interface SiteContext {
  id: string;
  orgId: string;
  allowedOrigins: Set<string>;
  trackingEnabled: boolean;
  scoringModel: string | null;
  visitWindowMinutes: number;
  formWindowMinutes: number;
}

export function parseOrigins(json: string): Set<string> {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return new Set();
  }
  if (!Array.isArray(list)) return new Set();
  const origins = new Set<string>();
  for (const item of list) {
    const origin = typeof item === 'string' ? normaliseOrigin(item) : null;
    if (origin) origins.add(origin);
  }
  return origins;
}

export async function findSite(db: Db, publicKey: string): Promise<SiteContext | null> {
  const rows = await db
    .select({
      id: sites.id,
      orgId: sites.orgId,
      allowedOrigins: sites.allowedOrigins,
      trackingEnabled: sites.trackingEnabled,
      scoringModel: organisations.scoringModel,
      visitWindowMinutes: organisations.visitWindowMinutes,
      formWindowMinutes: organisations.formWindowMinutes,
    })
    .from(sites)
    .innerJoin(organisations, eq(organisations.id, sites.orgId))
    .where(eq(sites.publicKey, publicKey));
  const row = rows[0];
  return row ? { ...row, allowedOrigins: parseOrigins(row.allowedOrigins) } : null;
}

/** How long an isolate keeps a site it looked up: the most a settings change waits elsewhere. */
export const SITE_CACHE_TTL_MS = 10_000;
const siteCache = new IsolateCache<string, SiteContext>(SITE_CACHE_TTL_MS, 1_000);

/**
 * The site with this public key and its organisation's route (src/shards), from this isolate's
 * cache when it looked the site up within the TTL. The route is not kept with the site: it comes
 * from the directory's own cache, which a move outwaits. Unknown keys are not kept (anyone can
 * make them up; each costs the one indexed read it costs now).
 */
export async function siteByKey(
  env: Bindings,
  publicKey: string,
): Promise<{ site: SiteContext; route: Route } | null> {
  const cached = siteCache.get(publicKey);
  if (cached) return { site: cached, route: await routeOrg(env, cached.orgId) };
  const route = await routeHint(env, 'site', publicKey);
  const site = await findSite(database(route.env.DB), publicKey);
  if (!site) return null;
  // Frozen: every request of the isolate shares the one object.
  siteCache.set(publicKey, Object.freeze(site));
  return { site, route };
}

/** After a change to an organisation's sites or settings: this isolate reads them afresh. */
export function forgetSites(orgId: string): void {
  siteCache.deleteWhere((site) => site.orgId === orgId);
}

/** What a writer must see as stored now, not as cached: is tracking on, and the scoring model. */
export interface SiteNow {
  trackingEnabled: boolean;
  scoringModel: string | null;
}

/** Each site's `SiteNow`, one query per 100 sites; a site that is gone is missing from the map. */
export async function sitesNow(db: Db, siteIds: readonly string[]): Promise<Map<string, SiteNow>> {
  const now = new Map<string, SiteNow>();
  for (const part of inChunks([...new Set(siteIds)])) {
    const rows = await db
      .select({
        id: sites.id,
        trackingEnabled: sites.trackingEnabled,
        scoringModel: organisations.scoringModel,
      })
      .from(sites)
      .innerJoin(organisations, eq(organisations.id, sites.orgId))
      .where(inArray(sites.id, part));
    for (const { id, ...site } of rows) now.set(id, site);
  }
  return now;
}

export interface OrgSettings {
  scoringModel: string | null;
}

export async function orgSettings(db: Db, orgId: string): Promise<OrgSettings> {
  const rows = await db
    .select({ scoringModel: organisations.scoringModel })
    .from(organisations)
    .where(eq(organisations.id, orgId));
  return { scoringModel: rows[0]?.scoringModel ?? null };
}
