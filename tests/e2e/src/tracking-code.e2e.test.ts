// The code a site owner copies from the console is the code that works (issue 18): a manager
// copies it with the console's Copy button, a new career page carries exactly that in its <head>
// and a plain form posting to the example site's backend, the page's origin is allowed as a site
// owner would allow it, a visitor browses and submits, and the backend links the visitor to a
// candidate through the hidden field the copied code added, so the visit and the submit land on
// the candidate. Before, the console's code lacked the form visitor field and nothing linked.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launch } from '@cxm/test-support/chromium';
import { until } from '@cxm/test-support/poll';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, env, recruiter, visitor } from './harness.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

/** What the manager's clipboard holds after pressing the plain code's Copy button. */
async function copiedCode(): Promise<string> {
  const page = await recruiter(browser, DEMO_PEOPLE.manager);
  try {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: env.api,
    });
    await page.goto(`${env.api}/console/settings`);
    const section = page.getByRole('region', { name: 'Copy Tracking Code' });
    await section.getByRole('button', { name: 'Copy' }).first().click();
    await until(
      'the console says the code was copied',
      async () => (await section.getByRole('status').first().textContent())?.trim() || undefined,
    );
    return await page.evaluate(() => navigator.clipboard.readText());
  } finally {
    await page.context().close();
  }
}

/**
 * A career page with `code` in its head and a talent-network form posting to the example site's
 * backend (examples/pasted-snippet/server.mjs), served from a loopback origin of its own: a page
 * made up inside the browser (a routed response) may not load scripts from loopback.
 */
function pageWith(code: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Pasted from the console</title>
  ${code}
</head>
<body>
  <main>
    <h1>Join our talent network</h1>
    <form id="copied-code-form" action="${env.sites}/pasted-snippet/thanks.html" method="post">
      <label>Name <input name="name" autocomplete="name"></label>
      <label>Email <input name="email" type="email" autocomplete="email" required></label>
      <button type="submit">Join</button>
    </form>
  </main>
</body>
</html>`;
}

async function serve(html: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The demo organisation's allowed origins, read and set with a manager's key. */
async function allowedOrigins(set?: string[]): Promise<string[]> {
  const response = await fetch(`${env.api}/v1/settings/engagement`, {
    method: set ? 'PUT' : 'GET',
    headers: { authorization: 'Bearer sk_demo_manager', 'content-type': 'application/json' },
    body: set ? JSON.stringify({ allowedOrigins: set }) : undefined,
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { allowedOrigins: string[] }).allowedOrigins;
}

interface Engagement {
  type: string;
  detail: string;
}

async function engagementsOf(candidateId: string): Promise<Engagement[]> {
  const response = await fetch(
    `${env.api}/v1/candidates/${encodeURIComponent(candidateId)}/engagements?limit=100`,
    { headers: { authorization: 'Bearer sk_demo_user' } },
  );
  if (response.status !== 200) return [];
  return ((await response.json()) as { engagements: Engagement[] }).engagements;
}

describe('Copy Tracking Code', () => {
  it('gives the code that links a form submit on the example site to a candidate', async () => {
    const code = await copiedCode();
    // The console's code is the organisation's: its site key, the form visitor field, no
    // consent wait unless the organisation asked for one (the demo's mode is none).
    expect(code).toContain('data-site="pk_demo"');
    expect(code).toContain('data-form-visitor-field');

    // The career page on an origin of its own, allowed for the site as its owner would.
    const site = await serve(pageWith(code));
    const before = await allowedOrigins();
    await allowedOrigins([...before, site.origin]);
    const path = `/careers-${Date.now()}.html`;
    const v = await visitor(browser);
    let candidateId: string | null = null;
    try {
      await v.page.goto(`${site.origin}${path}`);
      // The copied code runs: the visit reaches the collector and is accepted.
      await until('the visit reaches the collector', () =>
        v.collected.some((reply) => reply.status === 202 && (reply.body.accepted ?? 0) > 0)
          ? true
          : undefined,
      );
      const email = `copied-code-${Date.now()}@example.com`;
      await v.page.getByLabel('Name').fill('Copied Code');
      await v.page.getByLabel('Email').fill(email);
      await v.page.getByRole('button', { name: 'Join' }).click();
      await v.page.waitForURL(/thanks\.html$/);
      // The backend found the hidden cxm_vid field the copied code added at the submit.
      await expect
        .poll(() => v.page.locator('#behind-the-scenes').textContent())
        .toContain('linked this browser');
      candidateId = await v.page.locator('[data-candidate-id]').getAttribute('data-candidate-id');
    } finally {
      await v.context.close();
      await allowedOrigins(before);
      await new Promise((resolve) => site.server.close(resolve));
    }
    expect(candidateId).toMatch(/^cand-[0-9a-f]{16}$/);

    // The visit and the submit on the copied-code page are the candidate's.
    const mine = await until('the visit and the submit are the candidate’s', async () => {
      const rows = (await engagementsOf(candidateId ?? '')).filter((row) =>
        row.detail?.includes(path),
      );
      const types = new Set(rows.map((row) => row.type));
      return types.has('visit_landing_page') && types.has('submit_form') ? rows : undefined;
    });
    expect(mine.map((row) => row.type).sort()).toEqual(['submit_form', 'visit_landing_page']);
  });
});
