// After a write that may have queued tier-change events, try to post them once the reply has
// gone (`waitUntil`), so receivers hear of on-write changes within seconds; whatever fails is
// retried by the 10-minute cron. Without an execution context (tests, app.request) it does
// nothing: tests drive delivery directly.
import type { Context } from 'hono';
import { database } from '../db/client.js';
import type { AppEnv } from '../env.js';
import { sealingSecrets } from '../utils/sealed.js';
import { deliverDue } from './deliver.js';

export function deliverAfterResponse(c: Context<AppEnv>, orgId: string): void {
  let waitUntil: (promise: Promise<unknown>) => void;
  try {
    const ctx = c.executionCtx;
    waitUntil = (promise) => ctx.waitUntil(promise);
  } catch {
    return;
  }
  waitUntil(
    deliverDue(database(c.env.DB), {
      now: Date.now(),
      orgId,
      secrets: sealingSecrets(c.env),
    }).catch((error: unknown) => {
      console.error('webhooks: delivery after response failed', error);
    }),
  );
}
