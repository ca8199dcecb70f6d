// axe-core in a playwright page: its source evaluated in the page (the console's CSP refuses an
// inline <script>, and the DevTools protocol is not subject to it), then `axe.run` on the document.
// A page passes when no violation is `serious` or `critical`; the message names each one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), {
  encoding: 'utf8',
});

/** The impacts that fail a page: what stops someone using it, not what makes it harder. */
export const BLOCKING: readonly ImpactValue[] = ['serious', 'critical'];

type AxeWindow = { axe?: { run: (context: Document, options: RunOptions) => Promise<AxeResults> } };

/** Every axe violation on the page as it is now (all rules but the experimental ones). */
export async function axeViolations(page: Page): Promise<Result[]> {
  const present = await page.evaluate(() => typeof (window as AxeWindow).axe === 'object');
  if (!present) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const { axe } = window as AxeWindow;
    if (!axe) throw new Error('axe-core did not load');
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations;
  });
}

/** One line per violation and element: rule id, impact, target, help (and where to read more). */
export function describe(violations: readonly Result[]): string {
  return violations
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.id} (${node.impact ?? violation.impact}) at ${node.target.join(' ')}: ${violation.help} [${violation.helpUrl}]${node.failureSummary ? `\n    ${node.failureSummary.replaceAll('\n', '\n    ')}` : ''}`,
      ),
    )
    .join('\n');
}

/** The violations that fail a page. */
export function blocking(violations: readonly Result[]): Result[] {
  return violations.filter((violation) => BLOCKING.includes(violation.impact ?? 'minor'));
}

/**
 * Fails, naming each serious or critical violation, unless the page has none; returns every
 * violation (the lesser ones too) so a caller may report them.
 */
export async function expectAxeClean(page: Page, where: string): Promise<Result[]> {
  const violations = await axeViolations(page);
  const failing = blocking(violations);
  expect(
    failing.length,
    `axe-core: serious or critical violations on ${where}:\n${describe(failing)}`,
  ).toBe(0);
  return violations;
}
