// Texting a candidate from the console (issue 16), in Chromium: a recruiter with a messaging
// licence sends from the candidate's Conversation tab, the text reaches the SMS stand-in's phone
// page (examples/sms-provider, the provider the worker sends through in this run), the candidate
// replies STOP there, and the console shows the opt-out and refuses the next text in words.
import { launch } from '@cxm/test-support/chromium';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, env, recruiter, screenshot } from './harness.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

/** A demo candidate in a zone where it is daytime now, so the text goes at once. */
async function daytimeCandidate(): Promise<{ id: string; phone: string }> {
  const hour = new Date().getUTCHours();
  // Seeded in New York (UTC-5/-4), London (UTC+0/+1) and Sydney (UTC+10/+11): at any hour one
  // of them is between 09:00 and 19:00, well inside the 08:00-20:00 window, DST either way.
  const choices = [
    { id: 'ada-lovelace', offset: -5 },
    { id: 'katherine-johnson', offset: 0 },
    { id: 'donald-knuth', offset: 10 },
  ];
  const open = choices.find((choice) => {
    const local = (hour + choice.offset + 24) % 24;
    return local >= 9 && local < 19;
  });
  if (!open) throw new Error(`no seeded candidate is in daytime at ${hour}:00 UTC`);
  const chosen = open;
  // Its number as the seed set it.
  const contact = await fetch(`${env.api}/v1/candidates/${chosen.id}/contact`, {
    headers: { authorization: 'Bearer sk_demo_user' },
  });
  expect(contact.status).toBe(200);
  const details = (await contact.json()) as { phone: string };
  return { id: chosen.id, phone: details.phone };
}

describe('texting from the console', () => {
  it('sends a text, sees it on the phone page, and the candidate opting out by STOP', async () => {
    const candidate = await daytimeCandidate();
    const page = await recruiter(browser, DEMO_PEOPLE.user);
    await page.goto(`${env.api}/console/candidates/${candidate.id}?tab=conversation`);
    const text = `Hello from the e2e run ${Date.now()}`;
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForURL(/tab=conversation&sent=/);

    // Daytime for the candidate: it goes at once, and their phone (the stand-in) receives it.
    expect(new URL(page.url()).searchParams.get('sent')).toBe('queued');
    const phone = await (await browser.newContext()).newPage();
    const thread = `${env.sms}/phone/${encodeURIComponent(candidate.phone)}`;
    await expect
      .poll(
        async () => {
          await phone.goto(thread);
          return (await phone.locator('body').textContent()) ?? '';
        },
        { timeout: 20_000 },
      )
      .toContain(text);
    await screenshot(phone, 'sms-stand-in-phone');

    // The delivery comes back: the console's thread says Delivered.
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await page.locator('ol.thread').textContent()) ?? '';
        },
        { timeout: 20_000 },
      )
      .toContain('Delivered');

    // The candidate replies STOP on their phone.
    await phone.getByLabel('Reply').fill('STOP');
    await phone.getByRole('button', { name: 'Send reply' }).click();
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await page.locator('#main').textContent()) ?? '';
        },
        { timeout: 20_000 },
      )
      .toContain('Opted out');
    await screenshot(page, 'console-conversation-opted-out');

    await page.getByLabel('Message', { exact: true }).fill('One more?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    expect(await page.getByRole('alert').first().textContent()).toContain('opted out');

    // Back as it was for other runs against the same database: START opts back in.
    await phone.goto(thread);
    await phone.getByLabel('Reply').fill('START');
    await phone.getByRole('button', { name: 'Send reply' }).click();
    await phone.context().close();
    await page.context().close();
  });
});
