// Writes a checked settings change: the organisation's row (minting a webhook secret when one is
// due), its sites (creating the first one if needed) and the audit entry, in one batch; a scoring
// model change also starts a rescore run in that batch, then queues its first page (the reply
// does not wait: `GET /v1/settings/engagement` shows its progress), or, without the rescore
// queue, rescores every page before replying.
import { eq } from 'drizzle-orm';
import { type Db, newId, runBatch, type Statement } from '../../db/client.js';
import { auditLog, organisations, sites } from '../../db/schema.js';
import type { Bindings } from '../../env.js';
import type { OrgContext } from '../../orgs/context.js';
import { forgetSites } from '../../orgs/sites.js';
import { type RescorePageJob, rescoreInline, startRescore } from '../../scoring/rescore.js';
import { writeHints } from '../../shards/directory.js';
import { randomBase64url } from '../../utils/encoding.js';
import type { SealingSecrets } from '../../utils/sealed.js';
import { mintWebhookSecret, ROTATION_GRACE_MS, sealWebhookSecret } from '../../webhooks/secret.js';
import type { SettingsBody } from './schema.js';
import type { CheckedSettings } from './validate-settings.js';

interface SettingsChange {
  org: OrgContext;
  body: SettingsBody;
  checked: CheckedSettings;
}

/** What the reply adds to the settings: a new secret (shown once), the count rescored inline. */
export interface SettingsUpdated {
  webhookSecret?: string;
  rescored?: number;
}

/** Webhooks on (set now, or kept) without a secret yet get one; so does an asked rotation. */
function webhookSecretDue({ org, body }: SettingsChange): boolean {
  const webhookOn = body.webhookUrl
    ? true
    : body.webhookUrl === undefined && org.webhookUrl !== null;
  return (webhookOn && org.webhookSecret === null) || body.rotateWebhookSecret === true;
}

/** The organisation row's new values, and the webhook secret minted for it, if any. */
function orgChanges(change: SettingsChange) {
  const { body, checked } = change;
  const changes: Partial<typeof organisations.$inferInsert> = {};
  if (body.consentMode !== undefined) changes.consentMode = body.consentMode;
  if (body.onetrustCategory !== undefined) changes.oneTrustCategory = body.onetrustCategory;
  if (body.dedupe?.visitMinutes !== undefined)
    changes.visitWindowMinutes = body.dedupe.visitMinutes;
  if (body.dedupe?.formMinutes !== undefined) changes.formWindowMinutes = body.dedupe.formMinutes;
  if (checked.linkAllowlist) changes.linkAllowlist = JSON.stringify(checked.linkAllowlist);
  if (checked.model !== undefined) {
    changes.scoringModel = checked.model === null ? null : JSON.stringify(checked.model);
  }
  if (body.webhookUrl !== undefined) changes.webhookUrl = body.webhookUrl || null;
  return changes;
}

/**
 * A new webhook secret when one is due, sealed into the row; a rotation keeps the one it replaces
 * (still sealed) signing deliveries for the grace period. The plain secret is for the reply only.
 */
async function webhookSecretChanges(
  change: SettingsChange,
  secrets: SealingSecrets,
  now: number,
): Promise<{ changes: Partial<typeof organisations.$inferInsert>; webhookSecret?: string }> {
  if (!webhookSecretDue(change)) return { changes: {} };
  const { org } = change;
  const webhookSecret = mintWebhookSecret();
  const changes: Partial<typeof organisations.$inferInsert> = {
    webhookSecret: await sealWebhookSecret(secrets, org.id, webhookSecret),
    webhookSecretPrevious: org.webhookSecret,
    webhookSecretPreviousUntil: org.webhookSecret === null ? null : now + ROTATION_GRACE_MS,
  };
  return { changes, webhookSecret };
}

/**
 * The sites' new values; an organisation without a site gets one on its first site setting (its
 * new public key is returned too, for the directory).
 */
function siteStatements(
  db: Db,
  { org, body, checked }: SettingsChange,
): { statements: Statement[]; newKey?: string } {
  const changes: Partial<typeof sites.$inferInsert> = {};
  if (body.trackingEnabled !== undefined) changes.trackingEnabled = body.trackingEnabled;
  if (checked.allowedOrigins) changes.allowedOrigins = JSON.stringify(checked.allowedOrigins);
  if (Object.keys(changes).length === 0) return { statements: [] };
  if (org.sites.length > 0) {
    return { statements: [db.update(sites).set(changes).where(eq(sites.orgId, org.id))] };
  }
  const publicKey = `pk_${randomBase64url(12)}`;
  const site = { id: newId(), orgId: org.id, publicKey, name: org.name, ...changes };
  return { statements: [db.insert(sites).values(site)], newKey: publicKey };
}

/** Which settings changed, and the values that are not secrets; nothing for an empty change. */
function auditStatements(
  db: Db,
  { org, body }: SettingsChange,
  input: { actor: string; webhookSecret: string | undefined; now: number },
): Statement[] {
  const changed = [
    ...Object.keys(body).filter((key) => key !== 'rotateWebhookSecret'),
    ...(input.webhookSecret ? ['webhookSecret'] : []),
  ];
  if (changed.length === 0) return [];
  const details = {
    changed,
    ...(body.trackingEnabled === undefined ? {} : { trackingEnabled: body.trackingEnabled }),
    ...(body.webhookUrl === undefined ? {} : { webhookUrl: body.webhookUrl }),
  };
  return [
    db.insert(auditLog).values({
      id: newId(),
      orgId: org.id,
      at: input.now,
      actor: input.actor,
      action: 'settings.update',
      subject: 'engagement',
      details: JSON.stringify(details),
    }),
  ];
}

export async function updateSettings(
  db: Db,
  change: SettingsChange & {
    actor: string;
    now: number;
    secrets: SealingSecrets;
    /** The rescore queue; without it the model change is rescored before this returns. */
    rescoreQueue?: Queue | undefined;
    /** Where a new site's key is recorded (src/shards): the request's environment. */
    directory: Pick<Bindings, 'DB' | 'DIRECTORY'>;
  },
): Promise<SettingsUpdated> {
  const { org, now } = change;
  const minted = await webhookSecretChanges(change, change.secrets, now);
  const { webhookSecret } = minted;
  const changes = { ...orgChanges(change), ...minted.changes };
  // Stored scores belong to the model that built them: a new model rebuilds them all, page by
  // page, in a run the same batch starts (so its pages see the model it stored).
  const modelChanged =
    changes.scoringModel !== undefined && changes.scoringModel !== org.scoringModelJson;
  const rescore = modelChanged ? startRescore(db, org.id, now) : null;
  const site = siteStatements(db, change);
  if (site.newKey) await writeHints(change.directory, 'site', org.id, [site.newKey]);
  await runBatch(db, [
    ...(Object.keys(changes).length > 0
      ? [db.update(organisations).set(changes).where(eq(organisations.id, org.id))]
      : []),
    ...site.statements,
    ...auditStatements(db, change, { actor: change.actor, webhookSecret, now }),
    ...(rescore ? [rescore.statement] : []),
  ]);
  // The collector's cached copy of the sites (tracking, origins, model, windows) is stale now.
  forgetSites(org.id);
  const rescored = rescore ? await queueRescore(db, rescore.job, change) : undefined;
  return {
    ...(webhookSecret ? { webhookSecret } : {}),
    ...(rescored === undefined ? {} : { rescored }),
  };
}

/** Queues the run's first page (undefined), or rescores it all now (how many it rescored). */
async function queueRescore(
  db: Db,
  job: RescorePageJob,
  input: { now: number; rescoreQueue?: Queue | undefined },
): Promise<number | undefined> {
  if (!input.rescoreQueue) return rescoreInline(db, job, { now: input.now });
  try {
    await input.rescoreQueue.send(job);
  } catch (error) {
    // The model and its run are stored: the cron queues a run that has not moved again
    // (jobs/rescore-queue.ts), so the change stands and the reply says the rescore is queued.
    console.error('rescore: could not queue the first page; the cron will', job, error);
  }
  return undefined;
}
