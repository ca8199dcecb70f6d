// The Webhooks page as a manager uses it: the URL saved from this page (and back to it, with the
// new secret shown once), a test event sent and its outcome shown, the delivery log with its
// status filter and older pages, a failed event redelivered; forms from elsewhere and roles below
// manager are refused.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrg, rows } from '../test/client.js';
import { page, post, signedInAs } from '../test/console.js';
import { fakeReceiver, HOOKS_ORIGIN, setWebhook } from '../test/webhook-receiver.js';

let receiver: ReturnType<typeof fakeReceiver>;
beforeEach(() => {
  receiver = fakeReceiver();
});
afterEach(() => receiver.restore());

describe('console: webhooks', () => {
  it('saves the URL from this page and comes back to it, the new secret shown once', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const empty = await (await page('/console/webhooks', manager.cookie)).text();
    expect(empty).toContain('<h1>Webhooks</h1>');
    expect(empty).toContain('name="returnTo" value="webhooks"');
    expect(empty).toContain('Save a webhook URL above first.');
    expect(empty).toContain('No events yet.');

    const url = `${HOOKS_ORIGIN}/${org.orgId}`;
    const saved = await post('/console/settings/webhook', manager.cookie, {
      webhookUrl: url,
      returnTo: 'webhooks',
    });
    expect(saved.status).toBe(200);
    const html = await saved.text();
    expect(html).toContain('<h1>Webhooks</h1>');
    expect(html).toMatch(/id="webhook-secret" value="whsec_/);

    const changed = await post('/console/settings/webhook', manager.cookie, {
      webhookUrl: `${url}/v2`,
      returnTo: 'webhooks',
    });
    expect(changed.status).toBe(303);
    expect(changed.headers.get('location')).toBe('/console/webhooks?saved=webhook');
    // Any other value goes back to the settings page, never to a place the form names.
    const elsewhere = await post('/console/settings/webhook', manager.cookie, {
      webhookUrl: `${url}/v2`,
      returnTo: 'https://evil.example.net/',
    });
    expect(elsewhere.headers.get('location')).toBe('/console/settings?saved=webhook');
  });

  it('shows a refused URL beside its field on this page', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const refused = await post('/console/settings/webhook', manager.cookie, {
      webhookUrl: 'https://10.0.0.5/hook',
      returnTo: 'webhooks',
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('<h1>Webhooks</h1>');
    expect(html).toContain('The webhook was not saved');
    expect(html).toContain('not an IP address');
    expect(html).toMatch(/name="webhookUrl" value="https:\/\/10\.0\.0\.5\/hook"/);
  });

  it('sends a test event, shows it delivered in the log, and redelivers a failed one', async () => {
    const org = await createOrg();
    await setWebhook(org);
    const manager = await signedInAs(org.keys.manager);
    const sent = await post('/console/webhooks/test', manager.cookie, {});
    expect(sent.status).toBe(200);
    const html = await sent.text();
    expect(html).toContain('Test event: delivered');
    expect(html).toContain('<code>webhook.test</code>');
    expect(receiver.posted).toHaveLength(1);

    receiver.status = 500;
    const failing = await (await post('/console/webhooks/test', manager.cookie, {})).text();
    expect(failing).toContain('Test event: not delivered (HTTP 500)');
    const [failed] = await rows<{ id: string }>(
      "SELECT id FROM webhook_deliveries WHERE org_id = ? AND status = 'failed'",
      org.orgId,
    );
    const log = await (await page('/console/webhooks?status=failed', manager.cookie)).text();
    expect(log).toMatch(/<option value="failed" selected/);
    expect(log.match(/>Redeliver</g)).toHaveLength(1);
    expect(log).toContain(`action="/console/webhooks/${failed?.id}/redeliver"`);

    receiver.status = 200;
    const again = await post(`/console/webhooks/${failed?.id}/redeliver`, manager.cookie, {});
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Event redelivered: delivered');
    expect(receiver.posted.map((p) => p.delivery).at(-1)).toBe(failed?.id);
  });

  it('pages the log to older deliveries, keeping the filter', async () => {
    const org = await createOrg();
    await setWebhook(org);
    const manager = await signedInAs(org.keys.manager);
    const now = Date.now();
    const insert = env.DB.prepare(
      `INSERT INTO webhook_deliveries (id, org_id, payload, status, attempts, next_attempt_at, created_at, delivered_at)
       VALUES (?, ?, '{"type":"candidate.tier_changed"}', 'delivered', 1, ?, ?, ?)`,
    );
    await env.DB.batch(
      Array.from({ length: 51 }, (_, i) =>
        insert.bind(crypto.randomUUID(), org.orgId, now - i, now - i, now - i),
      ),
    );
    const first = await (await page('/console/webhooks?status=delivered', manager.cookie)).text();
    expect(first.match(/>Redeliver</g)).toHaveLength(50);
    const next = /href="(\/console\/webhooks\?status=delivered&amp;cursor=[^"]+)"/.exec(first);
    expect(next?.[1]).toBeTruthy();
    const older = await (
      await page((next?.[1] ?? '').replaceAll('&amp;', '&'), manager.cookie)
    ).text();
    expect(older.match(/>Redeliver</g)).toHaveLength(1);
    expect(older).not.toContain('Older deliveries');
  });

  it('says why a test cannot be sent without a URL, and refuses a reporter and forms from elsewhere', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const noUrl = await post('/console/webhooks/test', manager.cookie, {});
    expect(noUrl.status).toBe(409);
    expect(await noUrl.text()).toContain('no webhook URL');

    const reporter = await signedInAs(org.keys.reporter);
    const refused = await page('/console/webhooks', reporter.cookie);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Your role (reporter) cannot manage webhooks');

    await setWebhook(org);
    const forged = await post(
      '/console/webhooks/test',
      manager.cookie,
      {},
      'https://evil.example.net',
    );
    expect(forged.status).toBe(403);
    expect(receiver.posted).toEqual([]);
  });
});
