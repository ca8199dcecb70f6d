// Automation: headless browsers and webdriver sessions are not candidates. The edge API filters
// bots again; this check only saves the requests.

/**
 * `navigator.webdriver` is true under WebDriver and CDP-driven Chrome with automation flags, but
 * headless Chromium 156 driven by playwright reports `false` while its user agent still says
 * `HeadlessChrome`, so both are checked.
 */
export function isAutomated(nav: Pick<Navigator, 'webdriver' | 'userAgent'> = navigator): boolean {
  return nav.webdriver === true || /HeadlessChrome/.test(nav.userAgent);
}
