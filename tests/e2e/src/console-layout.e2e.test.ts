// Every console page from a 360 px phone to a wide screen, signed in as the demo admin (who sees
// every page): the document never scrolls sideways (wide tables scroll inside themselves), axe-core
// finds nothing serious or critical, the main navigation is reached with Tab and shows where the
// focus is (a ring at 3:1 or more), and every chart has a text alternative and legible labels.
// 390 px screenshots for the README.
import { launch } from '@cxm/test-support/chromium';
import type { Result } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAxeClean } from './axe.js';
import { DEMO_PEOPLE, env, recruiter, screenshot } from './harness.js';

/** A common phone, the narrowest phone still sold in numbers, and a laptop. */
const PHONE = { width: 390, height: 844 };
const WIDTHS = [PHONE.width, 360, 1280] as const;

let browser: Browser;
let admin: Page;
/** Moderate and minor violations seen on the way (they do not fail a page), reported at the end. */
const lesser = new Map<string, Result[]>();

beforeAll(async () => {
  browser = await launch();
  admin = await recruiter(browser, DEMO_PEOPLE.admin);
});

afterAll(async () => {
  if (lesser.size > 0) {
    const lines = [...lesser].map(
      ([where, violations]) =>
        `${where}: ${violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(', ')}`,
    );
    console.info(`axe-core, moderate and minor (not failing):\n${lines.join('\n')}`);
  }
  await browser?.close();
});

/** The elements that stick out to the right of the viewport, outermost first (at most five). */
function sideways(page: Page) {
  return page.evaluate(() => {
    const limit = window.innerWidth;
    const name = (element: Element) => {
      const classes = Array.from(element.classList, (c) => `.${c}`).join('');
      return `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${classes}`;
    };
    const out: string[] = [];
    for (const element of Array.from(document.body.querySelectorAll('*'))) {
      const right = element.getBoundingClientRect().right;
      const parent = element.parentElement;
      if (right <= limit + 0.5 || !parent) continue;
      if (parent !== document.body && parent.getBoundingClientRect().right > limit + 0.5) continue;
      // Inside a box that scrolls (or clips) sideways on its own, it moves nothing else.
      let clipped = false;
      for (
        let box: Element | null = parent;
        box && box !== document.body;
        box = box.parentElement
      ) {
        if (getComputedStyle(box).overflowX !== 'visible') clipped = true;
      }
      if (clipped) continue;
      out.push(`${name(parent)} > ${name(element)} (right edge ${Math.round(right)} px)`);
      if (out.length === 5) break;
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: limit,
      out,
    };
  });
}

async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth, out } = await sideways(page);
  expect(
    scrollWidth,
    `${where} scrolls sideways (${scrollWidth} px of content in ${innerWidth} px):\n${out.join('\n')}`,
  ).toBeLessThanOrEqual(innerWidth);
}

/**
 * The page as it is, at each width: no sideways scroll and (unless `axe` is false) axe-clean;
 * with `shot`, a 390 px screenshot of the top of the page under that name.
 */
async function checkLayout(
  page: Page,
  where: string,
  options: { axe?: boolean; shot?: string } = {},
): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: PHONE.height });
    await expectNoSidewaysScroll(page, `${where} at ${width} px`);
    if (options.axe !== false) {
      const violations = await expectAxeClean(page, `${where} at ${width} px`);
      if (violations.length > 0) lesser.set(`${where} at ${width} px`, violations);
    }
  }
  if (options.shot) await screenshot(page, options.shot, PHONE);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Opens a console path as the admin and waits for its heading: the page is there to check. */
async function open(page: Page, path: string): Promise<void> {
  const response = await page.goto(`${env.api}${path}`);
  expect(response?.status(), `${path} answers`).toBe(200);
  await page.locator('main h1').first().waitFor();
}

/** Every `<svg>` in the page that is not hidden from assistive technology, and what it says. */
function figures(page: Page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('main svg'))
      .filter((svg) => !svg.closest('[aria-hidden="true"]'))
      .map((svg) => {
        const labelledBy = (svg.getAttribute('aria-labelledby') ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
          .join(' ');
        const title = svg.querySelector(':scope > title')?.textContent?.trim() ?? '';
        return {
          chart: svg.getAttribute('class') ?? '',
          role: svg.getAttribute('role'),
          name: (svg.getAttribute('aria-label') ?? labelledBy) || title,
          // A table of the same figures in the chart's figure or section is an alternative too.
          table: svg.closest('figure, section')?.querySelector('table') !== null,
        };
      }),
  );
}

/** The smallest label on any chart, in CSS pixels as drawn (a chart scales with its box). */
function smallestChartText(page: Page) {
  return page.evaluate(() => {
    let smallest = Number.POSITIVE_INFINITY;
    for (const svg of Array.from(document.querySelectorAll<SVGSVGElement>('main svg.chart'))) {
      const scale = svg.getBoundingClientRect().width / (svg.viewBox.baseVal?.width || 1);
      for (const text of Array.from(svg.querySelectorAll('text'))) {
        const style = getComputedStyle(text);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        smallest = Math.min(smallest, Number.parseFloat(style.fontSize) * scale);
      }
    }
    return smallest;
  });
}

/**
 * Every chart is an image with a name (or has a table of its figures beside it), and its labels
 * are drawn at 9 px or more on a phone.
 */
async function expectChartsDescribed(page: Page, where: string): Promise<void> {
  for (const width of [PHONE.width, 360]) {
    await page.setViewportSize({ width, height: PHONE.height });
    const smallest = await smallestChartText(page);
    expect(smallest, `${where}: chart labels at ${width} px`).toBeGreaterThanOrEqual(9);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  const found = await figures(page);
  expect(found.length, `${where} has a chart`).toBeGreaterThan(0);
  for (const figure of found) {
    expect(figure.role, `${where}: <svg class="${figure.chart}"> is an image`).toBe('img');
    expect(
      figure.name.length,
      `${where}: <svg class="${figure.chart}"> says what it shows`,
    ).toBeGreaterThan(10);
  }
}

const LAYOUT_CAMPAIGN = 'Layout check';

/** A disabled re-engagement campaign, created through the API with the demo manager's key. */
async function disabledCampaign(): Promise<string> {
  const response = await fetch(`${env.api}/v1/campaigns`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_demo_manager', 'content-type': 'application/json' },
    body: JSON.stringify({
      name: LAYOUT_CAMPAIGN,
      reengagement: true,
      state: 'disabled',
      timeframe: { notContactedForDays: 30 },
      fromUserId: 'usr_demo_user',
      sendTime: '09:00',
      channel: 'sms',
      message: 'Hi {{firstName}}, new roles that fit you. Reply STOP to opt out.',
    }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** The focused element: where it is, whether it shows a ring, and the ring's contrast. */
function focusedNow(page: Page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!(element instanceof HTMLElement) || element === document.body) return null;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    const channels = (colour: string) => (colour.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = (colour: string) => {
      const [r = 0, g = 0, b = 0] = channels(colour).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    // The ring sits just outside the element: against the first opaque background around it.
    let behind = 'rgb(255, 255, 255)';
    for (let box: Element | null = element.parentElement; box; box = box.parentElement) {
      const colour = getComputedStyle(box).backgroundColor;
      if ((channels(colour)[3] ?? 1) > 0) {
        behind = colour;
        break;
      }
    }
    const [light, dark] = [luminance(style.outlineColor), luminance(behind)].sort((a, b) => b - a);
    return {
      tag: element.tagName.toLowerCase(),
      text: element.textContent?.trim() ?? '',
      inNav: element.closest('nav[aria-label="Console"]') !== null,
      inMain: element.closest('main') !== null,
      focusVisible: element.matches(':focus-visible'),
      ring: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2,
      ringContrast: ((light ?? 1) + 0.05) / ((dark ?? 0) + 0.05),
      onScreen: box.left >= 0 && box.right <= window.innerWidth && box.width > 0,
    };
  });
}

describe('the console from 360 px to a wide screen', () => {
  it('signs in on a phone: the sign-in page, the home page and the API reference', async () => {
    const page = await (await browser.newContext({ viewport: PHONE })).newPage();
    await page.goto(`${env.api}/console`);
    await page.getByLabel('Organisation').waitFor();
    await checkLayout(page, 'the sign-in page', { shot: 'console-sign-in-390' });

    await page.goto(`${env.api}/`);
    await page
      .getByRole('link', { name: /console/i })
      .first()
      .waitFor();
    await checkLayout(page, 'the home page /');

    // Scalar's reference is not ours to fix beyond fitting the screen: layout only.
    await page.goto(`${env.api}/docs`);
    await page.locator('.scalar-app, #app, main').first().waitFor();
    await checkLayout(page, 'the API reference /docs', { axe: false });
    await page.context().close();
  });

  it('lists candidates, and shows a profile with each of its tabs and the purge confirmation', async () => {
    await open(admin, '/console/candidates');
    await admin.locator('main table').first().waitFor();
    await checkLayout(admin, 'the candidate list', { shot: 'console-candidates-390' });

    await open(admin, '/console/candidates/ada-lovelace');
    await checkLayout(admin, 'a profile, Engagement tab', { shot: 'console-candidate-390' });
    await expectChartsDescribed(admin, 'a profile');
    for (const [tab, label] of [
      ['conversation', 'Conversation'],
      ['score', 'Score breakdown'],
    ] as const) {
      await open(admin, `/console/candidates/ada-lovelace?tab=${tab}`);
      await checkLayout(admin, `a profile, ${label} tab`, {
        ...(tab === 'conversation' ? { shot: 'console-candidate-conversation-390' } : {}),
      });
    }
    await open(admin, '/console/candidates/ada-lovelace/purge');
    await checkLayout(admin, 'the purge confirmation');
  });

  it('shows reports, with text alternatives for the charts', async () => {
    await open(admin, '/console/reports');
    await checkLayout(admin, 'reports', { shot: 'console-reports-390' });
    await expectChartsDescribed(admin, 'reports');
  });

  it('lists campaigns, walks Add Campaign step by step, and shows a campaign', async () => {
    await open(admin, '/console/campaigns');
    await checkLayout(admin, 'the campaign list');

    await admin.getByRole('link', { name: 'Add Campaign' }).click();
    await admin.getByLabel('Campaign name').waitFor();
    await checkLayout(admin, 'Add Campaign, details');
    await admin.getByLabel('Campaign name').fill('Layout check (not saved)');
    for (const step of ['Filters', 'From and send time', 'Message', 'Review']) {
      await admin.getByRole('button', { name: `Next: ${step}` }).click();
      await admin.locator('ol.steps [aria-current="step"]', { hasText: step }).waitFor();
      await checkLayout(admin, `Add Campaign, ${step}`, {
        ...(step === 'Filters' ? { shot: 'console-campaign-filters-390' } : {}),
      });
    }

    // A campaign of the test's own, created disabled so that no run ever texts anyone.
    const id = await disabledCampaign();
    await open(admin, `/console/campaigns/${id}`);
    await admin.locator('main h1', { hasText: LAYOUT_CAMPAIGN }).waitFor();
    await checkLayout(admin, 'a campaign overview', { shot: 'console-campaign-overview-390' });
  });

  it('lists users, and shows a user and the invitation form', async () => {
    await open(admin, '/console/users');
    await checkLayout(admin, 'the user list', { shot: 'console-users-390' });
    await admin.locator('main table a[href^="/console/users/"]').first().click();
    await admin.waitForURL(/\/console\/users\/[^/]+$/);
    await admin.locator('main h1').first().waitFor();
    await checkLayout(admin, 'a user');
    await open(admin, '/console/users/new');
    await checkLayout(admin, 'inviting a user');
  });

  it('shows every tab of the admin settings', async () => {
    await open(admin, '/console/settings');
    await checkLayout(admin, 'settings, Engagement tab', { shot: 'console-settings-390' });
    await open(admin, '/console/settings?tab=messaging');
    await checkLayout(admin, 'settings, Messaging tab');
    await open(admin, '/console/settings?tab=sign-in');
    await checkLayout(admin, 'settings, Sign-in tab');
  });

  it('shows the API keys', async () => {
    await open(admin, '/console/keys');
    await admin.locator('main h1', { hasText: 'API keys' }).waitFor();
    await checkLayout(admin, 'the API keys', { shot: 'console-keys-390' });
  });

  it('shows the webhooks page', async () => {
    await open(admin, '/console/webhooks');
    await admin.locator('main h1', { hasText: 'Webhooks' }).waitFor();
    await checkLayout(admin, 'the webhooks page', { shot: 'console-webhooks-390' });
  });

  it('shows the audit log', async () => {
    await open(admin, '/console/audit');
    await admin.locator('main h1', { hasText: 'Audit log' }).waitFor();
    await checkLayout(admin, 'the audit log', { shot: 'console-audit-390' });
  });

  for (const width of [360, 1280]) {
    it(`reaches every navigation link with Tab at ${width} px, the focus visible on each`, async () => {
      await admin.setViewportSize({ width, height: PHONE.height });
      await open(admin, '/console/candidates');
      const nav = admin.getByRole('navigation', { name: 'Console' });
      const links = await nav.getByRole('link').allTextContents();
      expect(links.length).toBeGreaterThan(0);

      const reached: string[] = [];
      let inMain = false;
      // The skip link, the brand, the navigation, the sign-out and the first field of the page:
      // well within this many presses.
      for (let press = 0; press < 20 && !inMain; press += 1) {
        await admin.keyboard.press('Tab');
        const focused = await focusedNow(admin);
        if (!focused) continue;
        if (press === 0) {
          expect(focused.text, 'the first Tab offers to skip to the content').toBe(
            'Skip to content',
          );
          expect(focused.onScreen, 'the skip link shows when focused').toBe(true);
        }
        if (!focused.inNav && !focused.inMain) continue;
        const what = `"${focused.text || focused.tag}"`;
        expect(focused.focusVisible, `${what} matches :focus-visible`).toBe(true);
        expect(focused.ring, `${what} shows a focus ring at least 2 px wide`).toBe(true);
        // WCAG 1.4.11: the ring is told from what is around it at 3:1 or more.
        expect(focused.ringContrast, `${what}: focus ring contrast`).toBeGreaterThanOrEqual(3);
        expect(focused.onScreen, `${what} is on screen at ${width} px`).toBe(true);
        if (focused.inNav) reached.push(focused.text);
        inMain = focused.inMain;
      }
      expect(reached).toEqual(links);
      expect(inMain, 'Tab goes on from the navigation into the page').toBe(true);
      await admin.setViewportSize({ width: 1280, height: 800 });
    });
  }
});
