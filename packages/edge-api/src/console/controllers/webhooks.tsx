// `/console/webhooks`: the Webhooks page (`GET /v1/settings/engagement` for the URL form,
// `GET /v1/webhook-deliveries` for the log, in the view the URL keeps) and its buttons, each sent
// on as the signed-in person: Send test event (`POST /v1/webhook-deliveries/test`) and Redeliver
// (`POST …/{id}/redeliver`) answer with the page and the outcome of that one post, delivered or
// why not. The URL form itself posts to `/console/settings/webhook` (controllers/settings.tsx),
// which comes back here through `webhooksPage`.
import type { Hono } from 'hono';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { type WebhooksOutcome, WebhooksPage, type WebhooksView } from '../pages/webhooks.js';
import { type At, whenSignedIn } from './signed-in.js';

const PAGE_SIZE = 50;

/** The page in the view the URL asks for, with what the last post did. */
export async function webhooksPage(
  c: At<string>,
  signed: Session,
  outcome?: WebhooksOutcome,
  status?: number,
) {
  const view: WebhooksView = {
    status: c.req.query('status')?.trim() ?? '',
    cursor: c.req.query('cursor') || undefined,
  };
  const [settings, log] = await Promise.all([
    settle(signed.client.settings()),
    settle(
      signed.client.webhookDeliveries({
        // Passed on unchecked: the API refuses an unknown status with a 400, shown in the log.
        ...(view.status ? { status: view.status as 'pending' } : {}),
        limit: PAGE_SIZE,
        ...(view.cursor ? { cursor: view.cursor } : {}),
      }),
    ),
  ]);
  const page = (
    <WebhooksPage who={signed.who} view={view} settings={settings} log={log} outcome={outcome} />
  );
  const shown = status ?? (settings.ok ? statusOf(log) : statusOf(settings));
  // The refusal's own status (a 400, 404 or 409 from the API), which Hono types only as literals.
  return c.html(page, shown as 200);
}

export function registerWebhooks(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get(
    '/webhooks',
    whenSignedIn(signedIn, (c, signed) =>
      webhooksPage(c, signed, { saved: c.req.query('saved') === 'webhook' }),
    ),
  );

  routes.post(
    '/webhooks/test',
    whenSignedIn(signedIn, async (c, signed) => {
      const sent = await settle(signed.client.sendTestWebhook());
      if (!sent.ok) return webhooksPage(c, signed, { refused: sent.problem }, sent.problem.status);
      return webhooksPage(c, signed, {
        sent: { kind: 'test', delivery: sent.data },
      });
    }),
  );

  routes.post(
    '/webhooks/:id/redeliver',
    whenSignedIn(signedIn, async (c: At<'/webhooks/:id/redeliver'>, signed) => {
      const sent = await settle(signed.client.redeliverWebhook(c.req.param('id')));
      if (!sent.ok) return webhooksPage(c, signed, { refused: sent.problem }, sent.problem.status);
      return webhooksPage(c, signed, { sent: { kind: 'redelivery', delivery: sent.data } });
    }),
  );
}
