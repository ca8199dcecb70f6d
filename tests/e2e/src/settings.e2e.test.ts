// Every settings editor saving and refusing bad input (issue 18), in Chromium, signed in as the
// demo manager through the identity provider. On the Engagement tab each editor (allowed origins,
// consent, dedupe windows, link destinations, webhook) refuses a bad value with the problem in
// plain words beside its field (the field's aria-describedby names it; no API status or code on
// the page), keeps what was typed and stores nothing; then a good value saves and the original is
// put back through the same form. The scoring model form's live preview (refreshed in place by
// settings-form.js) gives the counts the tier report gives once the model is saved; bad values are
// refused beside their fields; the model is reset. The Messaging and Sign-in tabs: one refusal
// and one save each, restored. The other e2e tests rely on the demo's settings (this run's
// example-sites origin allowed, consent mode none, tracking on): whatever is still different at
// the end is put back through the API, and the test checks it was.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launch } from '@cxm/test-support/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, env, recruiter, screenshot } from './harness.js';

const MANAGER_KEY = 'sk_demo_manager';

type Tiers = { inactive: number; engaged: number; highly_engaged: number };

interface ScoringModel {
  halfLifeDays: number;
  thresholds: { engaged: number; highlyEngaged: number };
  [key: string]: unknown;
}

interface EngagementSettings {
  trackingEnabled: boolean;
  allowedOrigins: string[];
  consentMode: string;
  onetrustCategory: string;
  dedupe: { visitMinutes: number; formMinutes: number };
  scoringModel: ScoringModel;
  scoringModelIsDefault: boolean;
  webhookUrl: string | null;
  linkAllowlist: string[];
  /** The rescore after the latest model change (null: none yet). */
  rescore: { state: 'queued' | 'running' | 'done' | 'failed'; done: number; total: number } | null;
}

interface MessagingSettings {
  monthlyContactAllowance: number;
  timeZone: string;
  sendHours: { start: number; end: number };
  senderNumbers: Record<string, string>;
  whatsappSender: string | null;
}

interface SignInSettings {
  issuer: string | null;
  clientId: string | null;
  clientSecretSet: boolean;
  emailClaim: string;
  autoProvision: boolean;
}

async function call<T>(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${env.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${MANAGER_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

const engagement = () => call<EngagementSettings>('GET', '/v1/settings/engagement');
const messaging = () => call<MessagingSettings>('GET', '/v1/settings/messaging');
const signIn = () => call<SignInSettings>('GET', '/v1/settings/sign-in');
const tiers = async () => (await call<{ tiers: Tiers }>('GET', '/v1/reports/tiers')).tiers;

/** The fields of the engagement settings this file changes, as the API takes them back. */
function engagementBody(settings: EngagementSettings) {
  return {
    trackingEnabled: settings.trackingEnabled,
    allowedOrigins: settings.allowedOrigins,
    consentMode: settings.consentMode,
    onetrustCategory: settings.onetrustCategory,
    dedupe: settings.dedupe,
    linkAllowlist: settings.linkAllowlist,
    webhookUrl: settings.webhookUrl,
  };
}

function messagingBody(settings: MessagingSettings) {
  return {
    monthlyContactAllowance: settings.monthlyContactAllowance,
    timeZone: settings.timeZone,
    sendHours: settings.sendHours,
    senderNumbers: settings.senderNumbers,
    whatsappSender: settings.whatsappSender,
  };
}

let browser: Browser;
let manager: Page;
let original: {
  engagement: EngagementSettings;
  messaging: MessagingSettings;
  signIn: SignInSettings;
};
/** Receives the webhook this file saves (loopback is allowed by the dev flag ALLOW_LOCAL_WEBHOOKS). */
let hooks: { server: Server; url: string };

beforeAll(async () => {
  original = {
    engagement: await engagement(),
    messaging: await messaging(),
    signIn: await signIn(),
  };
  // What the other e2e tests rely on, as the run set it up.
  expect(original.engagement.allowedOrigins).toContain(env.sites);
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hooks = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cxm-hook` };
  browser = await launch();
  manager = await recruiter(browser, DEMO_PEOPLE.manager);
});

afterAll(async () => {
  try {
    if (original) {
      // Whatever a failed test left changed goes back; then it is checked to be back.
      const now = await engagement();
      const changed: Record<string, unknown> = Object.fromEntries(
        Object.entries(engagementBody(original.engagement)).filter(
          ([key, value]) =>
            JSON.stringify(value) !==
            JSON.stringify(engagementBody(now)[key as keyof ReturnType<typeof engagementBody>]),
        ),
      );
      if (JSON.stringify(now.scoringModel) !== JSON.stringify(original.engagement.scoringModel)) {
        changed.scoringModel = original.engagement.scoringModelIsDefault
          ? null
          : original.engagement.scoringModel;
      }
      if (Object.keys(changed).length > 0) {
        await call('PUT', '/v1/settings/engagement', changed);
      }
      if (JSON.stringify(await messaging()) !== JSON.stringify(original.messaging)) {
        await call('PUT', '/v1/settings/messaging', messagingBody(original.messaging));
      }
      const sso = await signIn();
      if (JSON.stringify(sso) !== JSON.stringify(original.signIn)) {
        await call('PUT', '/v1/settings/sign-in', {
          issuer: original.signIn.issuer,
          clientId: original.signIn.clientId,
          emailClaim: original.signIn.emailClaim,
          autoProvision: original.signIn.autoProvision,
        });
      }
      expect(engagementBody(await engagement())).toEqual(engagementBody(original.engagement));
      expect((await engagement()).scoringModel).toEqual(original.engagement.scoringModel);
      expect(await messaging()).toEqual(original.messaging);
      expect(await signIn()).toEqual(original.signIn);
    }
  } finally {
    await browser?.close();
    if (hooks) await new Promise((resolve) => hooks.server.close(resolve));
  }
});

/** The element with this id (ids hold dots: `set-dedupe.visitMinutes`). */
function byId(page: Page, id: string) {
  return page.locator(`[id="${id}"]`);
}

/** Clicks a form's submit button and waits for the page it answers with. */
async function submit(page: Page, button: string, lands: RegExp) {
  await Promise.all([
    page.waitForURL(lands, { waitUntil: 'load' }),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
}

async function openTab(page: Page, tab = '') {
  await page.goto(`${env.api}/console/settings${tab ? `?tab=${tab}` : ''}`);
  await page.locator('#main h1').waitFor();
}

/**
 * The refusal of field `id`: marked invalid, its aria-describedby naming its error first, the
 * error beside it (in the field's own box) saying `message`, and the summary above the form
 * linking to it and saying what was not saved.
 */
async function expectRefusedBeside(page: Page, id: string, message: string, notSaved: string) {
  const field = byId(page, id);
  expect(await field.getAttribute('aria-invalid'), id).toBe('true');
  const describedBy = ((await field.getAttribute('aria-describedby')) ?? '').split(' ');
  expect(describedBy[0], id).toBe(`${id}-error`);
  const error = field.locator('xpath=..').locator(`[id="${id}-error"]`);
  expect(((await error.textContent()) ?? '').replace(/^Error:\s*/, ''), id).toBe(message);
  const summary = page.getByRole('alert');
  expect(await summary.textContent()).toContain(`${notSaved}.`);
  expect(await summary.locator(`a[href="#${id}"]`).textContent()).toContain(message);
}

/** No API speak anywhere on the page: no status, no code, no "see issues". */
async function expectNoApiSpeak(page: Page) {
  const text = await page.locator('body').textContent();
  expect(text).not.toMatch(
    /\b400\b|invalid_request|invalid_json|see issues|expected (number|string)|Bad Request/i,
  );
}

/** The saved notice. */
async function expectSaved(page: Page, notice: string) {
  await expect.poll(() => page.locator('#main').textContent()).toContain(notice);
}

describe('Admin settings, Engagement tab: each editor', () => {
  it('allowed origins: refuses an origin with a path beside the field, saves a good one, restores', async () => {
    const page = manager;
    const before = original.engagement.allowedOrigins;
    const typed = [...before, 'https://careers.example.com/jobs'].join('\n');
    await openTab(page);
    await byId(page, 'set-allowedOrigins').fill(typed);
    await submit(page, 'Save origins', /\/console\/settings\/origins$/);
    await expectRefusedBeside(
      page,
      'set-allowedOrigins',
      '“https://careers.example.com/jobs” is not an origin. Write the scheme and host only, such as https://careers.example.com, with no path.',
      'The allowed origins were not saved',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, 'set-allowedOrigins').inputValue()).toBe(typed);
    expect((await engagement()).allowedOrigins).toEqual(before);

    // A good one saves.
    await openTab(page);
    await byId(page, 'set-allowedOrigins').fill(
      [...before, 'https://careers-e2e.example.com'].join('\n'),
    );
    await submit(page, 'Save origins', /\/console\/settings\?saved=origins$/);
    await expectSaved(page, 'Allowed origins saved.');
    expect((await engagement()).allowedOrigins).toEqual([
      ...before,
      'https://careers-e2e.example.com',
    ]);
    expect(await byId(page, 'set-allowedOrigins').inputValue()).toContain(
      'https://careers-e2e.example.com',
    );

    // And back, through the same form.
    await byId(page, 'set-allowedOrigins').fill(before.join('\n'));
    await submit(page, 'Save origins', /\/console\/settings\?saved=origins$/);
    expect((await engagement()).allowedOrigins).toEqual(before);
  });

  it('consent: refuses a OneTrust category X1 beside the field, saves OneTrust C0002, restores', async () => {
    const page = manager;
    const { consentMode, onetrustCategory } = original.engagement;
    await openTab(page);
    await byId(page, 'set-consentMode').selectOption('onetrust');
    await byId(page, 'set-onetrustCategory').fill('X1');
    await submit(page, 'Save consent settings', /\/console\/settings\/consent$/);
    await expectRefusedBeside(
      page,
      'set-onetrustCategory',
      'A OneTrust category is a C and four digits, such as C0004.',
      'The consent settings were not saved',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, 'set-onetrustCategory').inputValue()).toBe('X1');
    expect(await byId(page, 'set-consentMode').inputValue()).toBe('onetrust');
    expect(await engagement()).toMatchObject({ consentMode, onetrustCategory });

    await openTab(page);
    await byId(page, 'set-consentMode').selectOption('onetrust');
    await byId(page, 'set-onetrustCategory').fill('C0002');
    await submit(page, 'Save consent settings', /\/console\/settings\?saved=consent$/);
    await expectSaved(page, 'Consent settings saved.');
    expect(await engagement()).toMatchObject({
      consentMode: 'onetrust',
      onetrustCategory: 'C0002',
    });
    // The code to copy now carries the mode.
    expect(await page.locator('label[for="code-plain"]').textContent()).toBe(
      'Tracking code (consent mode OneTrust)',
    );

    await byId(page, 'set-consentMode').selectOption(consentMode);
    await byId(page, 'set-onetrustCategory').fill(onetrustCategory);
    await submit(page, 'Save consent settings', /\/console\/settings\?saved=consent$/);
    expect(await engagement()).toMatchObject({ consentMode, onetrustCategory });
  });

  it('dedupe windows: refuses -1 and 5000 beside each field, saves a good window, restores', async () => {
    const page = manager;
    const { dedupe } = original.engagement;
    await openTab(page);
    await byId(page, 'set-dedupe.visitMinutes').fill('-1');
    await byId(page, 'set-dedupe.formMinutes').fill('5000');
    await submit(page, 'Save dedupe windows', /\/console\/settings\/dedupe$/);
    const rule = 'Enter a whole number of minutes from 0 to 1440 (24 hours).';
    await expectRefusedBeside(
      page,
      'set-dedupe.visitMinutes',
      rule,
      'The dedupe windows were not saved',
    );
    await expectRefusedBeside(
      page,
      'set-dedupe.formMinutes',
      rule,
      'The dedupe windows were not saved',
    );
    expect(await page.getByRole('alert').textContent()).toContain(
      'Check the 2 fields marked below.',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, 'set-dedupe.visitMinutes').inputValue()).toBe('-1');
    expect(await byId(page, 'set-dedupe.formMinutes').inputValue()).toBe('5000');
    expect((await engagement()).dedupe).toEqual(dedupe);
    await page
      .getByRole('region', { name: 'Dedupe windows' })
      .evaluate((section) => section.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'console-settings-refusal');

    const visitMinutes = dedupe.visitMinutes === 1440 ? 1439 : dedupe.visitMinutes + 1;
    await openTab(page);
    await byId(page, 'set-dedupe.visitMinutes').fill(String(visitMinutes));
    await submit(page, 'Save dedupe windows', /\/console\/settings\?saved=dedupe$/);
    await expectSaved(page, 'Dedupe windows saved.');
    expect((await engagement()).dedupe).toEqual({ ...dedupe, visitMinutes });
    expect(await byId(page, 'set-dedupe.visitMinutes').inputValue()).toBe(String(visitMinutes));

    await byId(page, 'set-dedupe.visitMinutes').fill(String(dedupe.visitMinutes));
    await submit(page, 'Save dedupe windows', /\/console\/settings\?saved=dedupe$/);
    expect((await engagement()).dedupe).toEqual(dedupe);
  });

  it('link destinations: refuses one with a path beside the field, saves an origin, restores', async () => {
    const page = manager;
    const before = original.engagement.linkAllowlist;
    const typed = [...before, 'https://events.example.com/spring'].join('\n');
    await openTab(page);
    await byId(page, 'set-linkAllowlist').fill(typed);
    await submit(page, 'Save link destinations', /\/console\/settings\/links$/);
    await expectRefusedBeside(
      page,
      'set-linkAllowlist',
      '“https://events.example.com/spring” is not an origin. Write the scheme and host only, such as https://careers.example.com, with no path.',
      'The link destinations were not saved',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, 'set-linkAllowlist').inputValue()).toBe(typed);
    expect((await engagement()).linkAllowlist).toEqual(before);

    await openTab(page);
    await byId(page, 'set-linkAllowlist').fill(
      [...before, 'https://events.example.com'].join('\n'),
    );
    await submit(page, 'Save link destinations', /\/console\/settings\?saved=links$/);
    await expectSaved(page, 'Tracked link destinations saved.');
    expect((await engagement()).linkAllowlist).toEqual([...before, 'https://events.example.com']);

    await byId(page, 'set-linkAllowlist').fill(before.join('\n'));
    await submit(page, 'Save link destinations', /\/console\/settings\?saved=links$/);
    expect((await engagement()).linkAllowlist).toEqual(before);
  });

  it('webhook: refuses plain http to a public host beside the field, saves one, restores', async () => {
    const page = manager;
    const before = original.engagement.webhookUrl;
    await openTab(page);
    await byId(page, 'set-webhookUrl').fill('http://hooks.example.com/cxm');
    await submit(page, 'Save webhook', /\/console\/settings\/webhook$/);
    await expectRefusedBeside(
      page,
      'set-webhookUrl',
      'The webhook URL must be https.',
      'The webhook was not saved',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, 'set-webhookUrl').inputValue()).toBe('http://hooks.example.com/cxm');
    expect((await engagement()).webhookUrl).toBe(before);

    // A good one (this run's receiver on loopback, which the dev worker allows): saved, and its
    // signing secret shown once.
    await openTab(page);
    await byId(page, 'set-webhookUrl').fill(hooks.url);
    await submit(page, 'Save webhook', /\/console\/settings\/webhook$/);
    const shown = page.getByRole('status').filter({ hasText: 'Webhook saved.' });
    expect(await shown.textContent()).toContain(
      'Webhook saved. Its signing secret, shown this once:',
    );
    expect(await byId(page, 'webhook-secret').inputValue()).toMatch(/^whsec_/);
    expect(await page.locator('.message.error').count()).toBe(0);
    expect((await engagement()).webhookUrl).toBe(hooks.url);

    await openTab(page);
    await byId(page, 'set-webhookUrl').fill(before ?? '');
    await submit(page, 'Save webhook', /\/console\/settings(\/webhook|\?saved=webhook)$/);
    expect((await engagement()).webhookUrl).toBe(before);
  });
});

/** "Inactive 3 → 4, Engaged 2 → 1, Highly Engaged 1 → 1." as counts before and after. */
function countsOf(text: string | null): { before: Tiers; after: Tiers } | undefined {
  const match =
    /Inactive (\d+) → (\d+), Engaged (\d+) → (\d+), Highly Engaged (\d+) → (\d+)\./.exec(
      text ?? '',
    );
  if (!match) return undefined;
  const n = match.slice(1).map(Number);
  return {
    before: { inactive: n[0]!, engaged: n[2]!, highly_engaged: n[4]! },
    after: { inactive: n[1]!, engaged: n[3]!, highly_engaged: n[5]! },
  };
}

const ENGAGED = 'set-scoringModel.thresholds.engaged';
const HIGHLY = 'set-scoringModel.thresholds.highlyEngaged';
const HALF_LIFE = 'set-scoringModel.halfLifeDays';
const PREVIEW_PATH = '/console/settings/scoring-model/preview';

describe('Admin settings, Engagement tab: the scoring model form', () => {
  it('previews a threshold change live, saves the counts it showed, refuses bad values, resets', async () => {
    const page = manager;
    const model = original.engagement.scoringModel;
    const { engaged, highlyEngaged } = model.thresholds;
    const now = await tiers();
    await openTab(page);
    const panel = page.locator('#model-preview');
    // The stored model's counts: the report's.
    expect(await panel.getByRole('heading').textContent()).toBe('With this model today');
    const initial = countsOf(await panel.textContent());
    expect(initial).toEqual({ before: now, after: now });
    expect(now.engaged).toBeGreaterThan(0);

    // Engaged above Highly Engaged: the panel says why there is no preview, Save is refused.
    let refreshed = page.waitForResponse((r) => r.url().endsWith(PREVIEW_PATH));
    await byId(page, ENGAGED).fill(String(highlyEngaged + 5));
    await refreshed;
    await expect.poll(() => panel.textContent()).toContain('No preview until these are fixed:');
    expect(await panel.textContent()).toContain(
      'Highly Engaged from: Highly Engaged must take more points than Engaged.',
    );
    await submit(page, 'Save model', /\/console\/settings\/scoring-model$/);
    await expectRefusedBeside(
      page,
      HIGHLY,
      'Highly Engaged must take more points than Engaged.',
      'The scoring model was not saved',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, ENGAGED).inputValue()).toBe(String(highlyEngaged + 5));
    expect((await engagement()).scoringModel).toEqual(model);

    // A negative half-life: previewed when the field is left, refused beside it.
    await openTab(page);
    refreshed = page.waitForResponse((r) => r.url().endsWith(PREVIEW_PATH));
    await byId(page, HALF_LIFE).fill('-3');
    await byId(page, HALF_LIFE).press('Tab');
    await refreshed;
    await expect
      .poll(() => panel.textContent())
      .toContain('Half-life: Enter a number of days from one hour (0.042) to 36,500.');
    await submit(page, 'Save model', /\/console\/settings\/scoring-model$/);
    await expectRefusedBeside(
      page,
      HALF_LIFE,
      'Enter a number of days from one hour (0.042) to 36,500.',
      'The scoring model was not saved',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, HALF_LIFE).inputValue()).toBe('-3');
    expect((await engagement()).scoringModel).toEqual(model);

    // A good change: Engaged from just under Highly Engaged. The script refreshes the panel with
    // the counts before → after, and saving gives the report exactly those.
    const raised = highlyEngaged - (highlyEngaged - engaged) / 10;
    await openTab(page);
    refreshed = page.waitForResponse((r) => r.url().endsWith(PREVIEW_PATH));
    await byId(page, ENGAGED).fill(String(raised));
    const answered = countsOf((await (await refreshed).text()).replace(/<[^>]+>/g, ''));
    expect(answered?.before).toEqual(now);
    await expect.poll(async () => countsOf(await panel.textContent())).toEqual(answered);
    const preview = answered!.after;
    // Fewer engaged (some drop to inactive), the same highly engaged.
    expect(preview.engaged).toBeLessThan(now.engaged);
    expect(preview.inactive).toBeGreaterThan(now.inactive);
    expect(preview.highly_engaged).toBe(now.highly_engaged);
    // The table under the summary says the same, with the change per tier.
    const rows = await panel
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.children).map((cell) => cell.textContent)),
      );
    const change = (a: number, b: number) =>
      a === b ? 'no change' : b > a ? `+${b - a}` : `−${a - b}`;
    expect(rows).toEqual(
      (
        [
          ['Inactive', 'inactive'],
          ['Engaged', 'engaged'],
          ['Highly Engaged', 'highly_engaged'],
        ] as const
      ).map(([label, tier]) => [
        label,
        String(now[tier]),
        String(preview[tier]),
        change(now[tier], preview[tier]),
      ]),
    );
    await byId(page, 'model-heading').evaluate((heading) =>
      heading.scrollIntoView({ block: 'start' }),
    );
    await screenshot(page, 'console-settings-model-preview', { width: 1280, height: 1000 });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect((await engagement()).scoringModel).toEqual(model);

    await submit(page, 'Save model', /\/console\/settings\?saved=model$/);
    await expectSaved(page, 'Scoring model saved; scores use it from now on.');
    expect((await engagement()).scoringModel.thresholds).toEqual({
      engaged: raised,
      highlyEngaged,
    });
    // Saving answers before the rescore's pages run (the rescore queue): the counts follow as
    // soon as it is done (a threshold change counts from the stored sort keys at once anyway).
    await expect.poll(async () => (await engagement()).rescore?.state).toBe('done');
    expect(await tiers()).toEqual(preview);
    // The page's panel now counts the saved model: what the report says.
    expect(countsOf(await panel.textContent())).toEqual({ before: preview, after: preview });
    expect(await byId(page, ENGAGED).inputValue()).toBe(String(raised));

    // Back to what it was: the default through the form's reset, else the stored model.
    if (original.engagement.scoringModelIsDefault) {
      expect(await page.locator('#main').textContent()).toContain(
        'Customised for your organisation.',
      );
      await submit(page, 'Reset to the default', /\/console\/settings\?saved=model$/);
      await expectSaved(page, 'The default model, not customised.');
      expect(await engagement()).toMatchObject({
        scoringModelIsDefault: true,
        scoringModel: model,
      });
    } else {
      await call('PUT', '/v1/settings/engagement', { scoringModel: model });
      expect((await engagement()).scoringModel).toEqual(model);
    }
    await expect.poll(async () => (await engagement()).rescore?.state).toBe('done');
    expect(await tiers()).toEqual(now);
  });
});

describe('Admin settings, Messaging tab', () => {
  it('refuses an unknown time zone beside the field, saves an allowance, restores', async () => {
    const page = manager;
    const before = original.messaging;
    await openTab(page, 'messaging');
    await byId(page, 'msg-timeZone').fill('Europe/Londn');
    await submit(page, 'Save messaging settings', /\/console\/settings\/messaging$/);
    await expectRefusedBeside(
      page,
      'msg-timeZone',
      'Unknown time zone "Europe/Londn": give an IANA time zone name, e.g. Europe/London.',
      'The messaging settings were not saved',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, 'msg-timeZone').inputValue()).toBe('Europe/Londn');
    expect(await messaging()).toEqual(before);

    const allowance = before.monthlyContactAllowance + 7;
    await openTab(page, 'messaging');
    await byId(page, 'msg-monthlyContactAllowance').fill(String(allowance));
    await submit(page, 'Save messaging settings', /\/console\/settings\?saved=messaging$/);
    await expectSaved(page, 'Messaging settings saved.');
    expect(await messaging()).toEqual({ ...before, monthlyContactAllowance: allowance });
    expect(await byId(page, 'msg-monthlyContactAllowance').inputValue()).toBe(String(allowance));

    await byId(page, 'msg-monthlyContactAllowance').fill(String(before.monthlyContactAllowance));
    await submit(page, 'Save messaging settings', /\/console\/settings\?saved=messaging$/);
    expect(await messaging()).toEqual(before);
  });
});

describe('Admin settings, Sign-in tab', () => {
  it('refuses an http issuer beside the field, saves a change, restores', async () => {
    const page = manager;
    const before = original.signIn;
    expect(before.issuer).toBe(env.idp);
    await openTab(page, 'sign-in');
    await byId(page, 'sso-issuer').fill('http://login.example.test');
    await submit(page, 'Save sign-in settings', /\/console\/settings\/sign-in$/);
    await expectRefusedBeside(
      page,
      'sso-issuer',
      'The issuer must be https.',
      'The sign-in settings were not saved',
    );
    await expectNoApiSpeak(page);
    expect(await byId(page, 'sso-issuer').inputValue()).toBe('http://login.example.test');
    expect(await signIn()).toEqual(before);

    // A good save: the same provider (its discovery answers), auto-provisioning switched.
    await openTab(page, 'sign-in');
    await byId(page, 'sso-autoProvision').setChecked(!before.autoProvision);
    await submit(page, 'Save sign-in settings', /\/console\/settings\?saved=sign-in$/);
    await expectSaved(page, 'Sign-in settings saved.');
    expect(await signIn()).toEqual({ ...before, autoProvision: !before.autoProvision });
    expect(await byId(page, 'sso-autoProvision').isChecked()).toBe(!before.autoProvision);

    await byId(page, 'sso-autoProvision').setChecked(before.autoProvision);
    await submit(page, 'Save sign-in settings', /\/console\/settings\?saved=sign-in$/);
    expect(await signIn()).toEqual(before);
  });
});
