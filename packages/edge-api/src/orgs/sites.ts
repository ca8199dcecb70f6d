// Sites and their organisations as the collect endpoint needs them: looked up by public key,
// with the settings the writer uses.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations, sites } from '../db/schema.js';
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
