// Debian's Chromium through playwright-core, and a browser context that looks like a visitor's.
import type { Browser, BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';

/**
 * Headless Chromium says `HeadlessChrome` in its user agent, which the tracker and the collector
 * rightly treat as a bot. A visitor's browser says this instead.
 */
export const VISITOR_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** Headless Chromium (`CHROMIUM_PATH`, default the distribution's `/usr/bin/chromium`). */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
}

export interface VisitorOptions {
  /** Default `VISITOR_UA`; `null` keeps headless Chromium's own (a bot's). */
  userAgent?: string | null;
  /**
   * What `navigator.webdriver` says. Default `true`, playwright's own, which the tracker treats as
   * automation unless the page carries its test switch; `false` for pages that are real pages.
   */
  webdriver?: boolean;
  viewport?: { width: number; height: number };
}

/** A fresh browser profile, as a new visitor brings. */
export async function visitorContext(
  browser: Browser,
  options: VisitorOptions = {},
): Promise<BrowserContext> {
  const { userAgent = VISITOR_UA, webdriver = true, viewport } = options;
  const context = await browser.newContext({
    ...(userAgent === null ? {} : { userAgent }),
    ...(viewport ? { viewport } : {}),
  });
  if (!webdriver) {
    // As text, not a function: tsx (the benchmarks) rewrites functions to call a `__name` helper
    // the page does not have, and the override would throw.
    await context.addInitScript(
      "Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });",
    );
  }
  return context;
}
