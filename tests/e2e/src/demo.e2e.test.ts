// The demo a newcomer runs, end to end in real headless Chromium: a visitor on the pasted-snippet
// site linked to a candidate and seen in the console; the tracking toggle turning the platform
// example and the collector off; consent on the OneTrust example; and screenshots of the console.
import { launch } from '@cxm/test-support/chromium';
import { until } from '@cxm/test-support/poll';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PEOPLE,
  env,
  recruiter,
  screenshot,
  storedWithDetail,
  type Visitor,
  visitor,
} from './harness.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

/** Waits until the collector accepted at least `count` events from this visitor. */
async function accepted(v: Visitor, count: number, what: string) {
  try {
    return await until(what, () => {
      const total = v.collected.reduce(
        (sum, c) => sum + (c.status === 202 ? (c.body.accepted ?? 0) : 0),
        0,
      );
      return total >= count ? total : undefined;
    });
  } catch (error) {
    const replies = JSON.stringify(v.collected);
    const edge = v.requests.filter((url) => url.startsWith(env.edge)).join(' ');
    throw new Error(
      `${(error as Error).message}; collector replies ${replies}; edge requests ${edge}`,
    );
  }
}

/** Clicks the Enable Career Site Tracking switch until it reads `on`. */
async function setTracking(console: Page, on: boolean) {
  await console.goto(`${env.api}/console/settings`);
  const toggle = console.getByRole('switch', { name: /Enable Career Site Tracking/ });
  if ((await toggle.getAttribute('aria-checked')) !== String(on)) {
    await toggle.click();
    await console.waitForURL(/saved=tracking/);
  }
  expect(await console.getByRole('switch').getAttribute('aria-checked')).toBe(String(on));
}

describe('the demo', () => {
  it('links a new visitor of the pasted-snippet site to a candidate and shows the visit in the console', async () => {
    const v = await visitor(browser);
    await v.page.goto(`${env.sites}/pasted-snippet/`);
    await accepted(v, 1, 'the home page visit reaches the collector');
    await v.page.goto(`${env.sites}/pasted-snippet/jobs/backend-engineer.html`);
    await accepted(v, 2, 'the job page visit reaches the collector');
    await v.page.goto(`${env.sites}/pasted-snippet/talent-network.html`);
    await accepted(v, 3, 'the talent-network page visit reaches the collector');

    // The talent-network form: its backend (examples/pasted-snippet/server.mjs) creates the
    // candidate from the email and links the visitor id the tracker put in the form.
    const email = `e2e-${Date.now()}@example.com`;
    await v.page.getByLabel('Name').fill('End To End');
    await v.page.getByLabel('Email').fill(email);
    await v.page.getByRole('button', { name: 'Join' }).click();
    await v.page.waitForURL(/thanks\.html$/);
    const behind = v.page.locator('#behind-the-scenes');
    await expect.poll(() => behind.textContent()).toContain('linked this browser');
    const candidateId = await v.page
      .locator('[data-candidate-id]')
      .getAttribute('data-candidate-id');
    expect(candidateId).toMatch(/^cand-[0-9a-f]{16}$/);
    await v.context.close();

    // A recruiter with the least role sees the visits on the candidate's Engagement tab.
    const console = await recruiter(browser, DEMO_PEOPLE.user);
    const profile = `${env.api}/console/candidates/${candidateId}`;
    await until('the visits show on the Engagement tab', async () => {
      await console.goto(profile);
      const text = (await console.locator('#main').textContent()) ?? '';
      return text.includes('/pasted-snippet/jobs/backend-engineer.html') &&
        text.includes('Form submitted')
        ? text
        : undefined;
    });
    await expect.poll(() => console.locator('h1 .badge').textContent()).toMatch(/Inactive|Engaged/);
    const rows = console.getByRole('row', { name: /Career-site visit/ });
    expect(await rows.count()).toBeGreaterThanOrEqual(3);
    await console
      .getByRole('navigation', { name: 'Candidate' })
      .evaluate((tabs) => tabs.scrollIntoView({ block: 'start' }));
    await screenshot(console, 'console-candidate-linked-visitor');
    await console.context().close();
  });

  it('stops the platform injecting the snippet and the collector storing anything when tracking is turned off', async () => {
    const manager = await recruiter(browser, DEMO_PEOPLE.manager);
    await setTracking(manager, true);

    // On: the platform page carries the snippet, and the visit is stored.
    const before = await visitor(browser);
    await before.page.goto(`${env.sites}/career-site-platform/`);
    expect(await before.page.locator('[data-cxm-tracking]').textContent()).toBe('on');
    await accepted(before, 1, 'the platform page visit reaches the collector');
    await before.context.close();

    try {
      await setTracking(manager, false);
      await screenshot(manager, 'console-settings-tracking-off');

      // Off: within the platform's cache time the snippet is gone and nothing is requested.
      const off = await visitor(browser);
      await until('the platform stops injecting the snippet', async () => {
        await off.page.goto(`${env.sites}/career-site-platform/`);
        return (await off.page.locator('[data-cxm-tracking]').textContent()) === 'off'
          ? true
          : undefined;
      });
      // Only this page's requests count: the polls before the platform's cache expired loaded
      // the snippet while tracking was still on for it.
      off.requests.length = 0;
      await off.page.goto(`${env.sites}/career-site-platform/jobs/mobile-engineer`);
      await off.page.waitForLoadState('load');
      expect(await off.page.locator('script[src*="/t.js"]').count()).toBe(0);
      expect(off.requests.filter((url) => url.startsWith(env.edge))).toEqual([]);
      await off.context.close();

      // A page that still has the snippet pasted: nothing is stored, whether the worker served
      // an inert script (`t.js?site=`) or the tracker ran and the collector said tracking: false.
      const product = `${env.sites}/pasted-snippet/jobs/product-designer.html`;
      const pasted = await visitor(browser);
      await pasted.page.goto(product);
      await pasted.page.waitForLoadState('load');
      for (const reply of pasted.collected) {
        expect(reply.body).toMatchObject({ accepted: 0, tracking: false });
      }
      // And a tracker that is still running somewhere (an old tab, a cached copy) sends a beacon
      // anyway: the collector answers, and stores nothing.
      const reply = await pasted.page.evaluate(async (edge) => {
        const response = await fetch(`${edge}/v1/collect`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({
            v: 1,
            site: 'pk_demo',
            visitor: { id: 'v_e2e_still_running', kind: 'stored' },
            events: [
              {
                id: 'evt_e2e_off_0001',
                type: 'visit_landing_page',
                url: location.href,
                at: Date.now(),
              },
            ],
          }),
        });
        return { status: response.status, body: await response.json() };
      }, env.edge);
      expect(reply.status).toBe(202);
      expect(reply.body).toMatchObject({ accepted: 0, tracking: false });
      expect(storedWithDetail(product)).toBe(0);
      await pasted.context.close();
    } finally {
      // Back on, whatever happened: the other tests need tracking.
      await setTracking(manager, true);
    }
    await manager.context().close();
  });

  it('tracks the OneTrust example only after consent, and stops and forgets on withdrawal', async () => {
    const v = await visitor(browser);
    await v.page.goto(`${env.sites}/onetrust/`);
    await v.page.locator('#onetrust-accept-btn-handler').waitFor();
    expect(v.requests.filter((url) => url.startsWith(env.edge))).toEqual([]);

    await v.page.locator('#onetrust-accept-btn-handler').click();
    await accepted(v, 1, 'the visit after consent reaches the collector');
    const visitorId = v.collected[0]?.visitorId;
    expect(visitorId).toBeTruthy();
    await until('the visit is stored', () =>
      storedWithDetail(`${env.sites}/onetrust/`) >= 1 ? true : undefined,
    );
    expect(await cxmStorage(v.page)).not.toEqual([]);

    await v.page.locator('#onetrust-withdraw-handler').click();
    await until('the tracker forgets the visitor', async () =>
      (await cxmStorage(v.page)).length === 0 ? true : undefined,
    );
    const sent = v.collected.length;
    await v.page.goto(`${env.sites}/onetrust/jobs/site-reliability.html`);
    await v.page.locator('#onetrust-state').waitFor();
    await v.page.waitForTimeout(1000); // a beacon would have gone by now; this checks none did
    expect(v.collected.length).toBe(sent);
    expect(await cxmStorage(v.page)).toEqual([]);
    await v.context.close();
  });

  it('takes screenshots of the console pages', async () => {
    const admin = await recruiter(browser, DEMO_PEOPLE.admin);
    await screenshot(admin, 'console-candidates');
    await admin.goto(`${env.api}/console/candidates?tier=highly_engaged`);
    await screenshot(admin, 'console-candidates-highly-engaged');
    await admin.goto(`${env.api}/console/candidates/ada-lovelace`);
    await expect.poll(() => admin.locator('svg.chart').count()).toBe(1);
    await screenshot(admin, 'console-candidate');
    await admin.goto(`${env.api}/console/reports`);
    await screenshot(admin, 'console-reports');
    await admin.goto(`${env.api}/console/settings`);
    await screenshot(admin, 'console-settings');
    await admin.context().close();

    const signIn = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    await signIn.goto(`${env.api}/console`);
    await screenshot(signIn, 'console-sign-in');
    await signIn.context().close();
  });
});

/** The tracker's keys in the page's storage. */
function cxmStorage(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((key) =>
      key.startsWith('cxm'),
    ),
  );
}
