// Known crawlers and headless browsers, recognised by user agent. A beacon from one of them is
// dropped and counted, never stored. The list holds well-known names only: a false positive
// loses real visits. Generic HTTP clients (curl, scripts) are not crawlers and are not listed;
// a forged beacon can claim any user agent anyway, which is why origins are checked too.

const BOT_PATTERN = new RegExp(
  [
    'bot\\b',
    'bot/',
    'crawl',
    'spider',
    'slurp',
    'headlesschrome', // Headless Chromium reports navigator.webdriver === false; its UA says it.
    'phantomjs',
    'puppeteer',
    'playwright',
    'selenium',
    'lighthouse',
    'pagespeed',
    'facebookexternalhit',
    'embedly',
    'preview',
    'scrapy',
    'bingpreview',
    'yandex',
    'baiduspider',
    'duckduckgo',
    'petalbot',
    'ahrefs',
    'semrush',
    'mj12',
    'dotbot',
    'uptime',
    'pingdom',
    'monitor',
  ].join('|'),
  'i',
);

/** True for a user agent that is missing or belongs to a known crawler or automation tool. */
export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (!userAgent || userAgent.trim() === '') return true;
  return BOT_PATTERN.test(userAgent);
}
