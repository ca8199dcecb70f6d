// The Webhooks page in Chromium, as a manager uses it: opened from the navigation, the URL set to
// this run's receiver (loopback, which the dev worker allows: ALLOW_LOCAL_WEBHOOKS) from the page
// itself, whose signing secret it shows once; a test event sent, signed, and shown delivered in
// the log; the receiver made to fail, and the event redelivered (same id, the failure shown), then
// redelivered again once the receiver answers. The organisation's webhook URL is put back after.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launch } from '@cxm/test-support/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, env, expectRefusedPage, recruiter, screenshot } from './harness.js';

const MANAGER_KEY = 'sk_demo_manager';

interface Received {
  delivery: string;
  signature: string;
  body: string;
}

/** A receiver on loopback that records each post and answers `status` (changed by the test). */
const receiver = {
  status: 204,
  posts: [] as Received[],
  url: '',
  server: undefined as Server | undefined,
};

let browser: Browser;
let before: string | null = null;

async function settings(body?: unknown): Promise<{ webhookUrl: string | null }> {
  const response = await fetch(`${env.api}/v1/settings/engagement`, {
    method: body === undefined ? 'GET' : 'PUT',
    headers: { authorization: `Bearer ${MANAGER_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`settings: ${response.status} ${text}`);
  return JSON.parse(text) as { webhookUrl: string | null };
}

beforeAll(async () => {
  before = (await settings()).webhookUrl;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.posts.push({
        delivery: String(request.headers['cxm-delivery'] ?? ''),
        signature: String(request.headers['cxm-signature'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.server = server;
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/e2e-hook`;
  browser = await launch();
});

afterAll(async () => {
  try {
    if ((await settings()).webhookUrl !== before) await settings({ webhookUrl: before });
    expect((await settings()).webhookUrl).toBe(before);
  } finally {
    await browser?.close();
    const { server } = receiver;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
});

/** The README's check: the HMAC of `<t>.<body>` under the secret is one of the `v1`s. */
function verifies(secret: string, post: Received): boolean {
  const [t, ...rest] = post.signature.split(',');
  const expected = createHmac('sha256', secret)
    .update(`${t?.slice(2)}.${post.body}`)
    .digest('hex');
  return rest.includes(`v1=${expected}`);
}

/** The delivery log's first row: its cells' text, each with its spaces tidied, joined by ` | `. */
async function firstRow(page: Page): Promise<string> {
  const cells = await page
    .locator('main table.deliveries tbody tr')
    .first()
    .locator('td')
    .allTextContents();
  return cells.map((cell) => cell.replace(/\s+/g, ' ').trim()).join(' | ');
}

describe('Webhooks', () => {
  it('sets the URL, sends a test event, sees it delivered, and redelivers it after a failure', async () => {
    const page = await recruiter(browser, DEMO_PEOPLE.manager);
    try {
      await page
        .getByRole('navigation', { name: 'Console' })
        .getByRole('link', { name: 'Webhooks' })
        .click();
      await page.locator('main h1', { hasText: 'Webhooks' }).waitFor();

      // The URL, saved from this page: back on this page, the new secret shown once.
      await page.locator('[id="set-webhookUrl"]').fill(receiver.url);
      const rotate = page.getByLabel('Issue a new signing secret');
      if ((await rotate.count()) > 0) await rotate.check();
      await page.getByRole('button', { name: 'Save webhook' }).click();
      await page.locator('main h1', { hasText: 'Webhooks' }).waitFor();
      const secret = await page.locator('#webhook-secret').inputValue();
      expect(secret).toMatch(/^whsec_/);
      expect((await settings()).webhookUrl).toBe(receiver.url);

      // A test event: posted signed, at once, and shown delivered in the log.
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.getByText('Test event: delivered').waitFor();
      const test = receiver.posts.at(-1);
      expect(test && JSON.parse(test.body)).toMatchObject({ type: 'webhook.test', orgId: 'demo' });
      expect(test && verifies(secret, test)).toBe(true);
      expect(await firstRow(page)).toMatch(/webhook\.test \| Delivered/);
      await screenshot(page, 'console-webhooks');

      // The receiver fails: a redelivery says so, with its status, and is retried later.
      receiver.status = 500;
      await page
        .getByRole('button', { name: /^Redeliver webhook\.test/ })
        .first()
        .click();
      await page.getByText('Event redelivered: not delivered (HTTP 500)').waitFor();
      expect(await firstRow(page)).toContain('HTTP 500');
      expect(receiver.posts.at(-1)?.delivery).toBe(test?.delivery);

      // Answering again: the same event (same id and body) is delivered.
      receiver.status = 204;
      await page
        .getByRole('button', { name: /^Redeliver webhook\.test/ })
        .first()
        .click();
      await page.getByText('Event redelivered: delivered').waitFor();
      const again = receiver.posts.at(-1);
      expect(again?.delivery).toBe(test?.delivery);
      expect(again?.body).toBe(test?.body);
      expect(await firstRow(page)).toMatch(/webhook\.test \| Delivered/);

      // With events in the log, a phone's page still does not scroll sideways (the table does).
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.locator('main table.deliveries').scrollIntoViewIfNeeded();
      await screenshot(page, 'console-webhooks-log-390', { width: 390, height: 844 });
    } finally {
      await page.context().close();
    }
  });

  it('answers a reporter with a refusal and no link to it', async () => {
    await expectRefusedPage(browser, DEMO_PEOPLE.reporter, {
      path: '/console/webhooks',
      link: 'Webhooks',
      says: 'cannot manage webhooks',
    });
  });
});
