// Admin settings, Engagement tab, as a manager uses it: every setting of
// `/v1/settings/engagement` has its own editor that saves; bad input is refused with the problem
// in plain words beside its field (no status, no API codes), what was typed kept and nothing
// stored; the scoring model is a form whose preview gives the tier counts the report shows once
// it is saved; roles below manager change nothing.
import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL, ENGAGEMENT_TYPES, type ScoringModel } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import {
  api,
  createOrg,
  DAY_MS,
  json,
  rid,
  sendEngagements,
  type TestOrg,
} from '../test/client.js';
import { page, post, signedInAs } from '../test/console.js';
import { rescoreDone } from '../test/rescore.js';
import { modelForm } from './settings-fields.js';

interface Settings {
  allowedOrigins: string[];
  consentMode: string;
  onetrustCategory: string;
  dedupe: { visitMinutes: number; formMinutes: number };
  scoringModel: ScoringModel;
  scoringModelIsDefault: boolean;
  webhookUrl: string | null;
  webhookSecretSet: boolean;
  linkAllowlist: string[];
}
type Counts = { inactive: number; engaged: number; highly_engaged: number };

const stored = (org: TestOrg) =>
  json<Settings>(api('GET', '/v1/settings/engagement', org.keys.manager));

function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The error under field `name` (id `set-<name>-error`), as a person reads it. */
function fieldError(html: string, name: string): string | null {
  const id = `set-${name}-error`.replaceAll('.', '\\.');
  const match = html.match(new RegExp(`<p class="field-error" id="${id}">([\\s\\S]*?)</p>`));
  return match ? textOf(match[1] ?? '').replace(/^Error: /, '') : null;
}

/** The opening tag of the element with id `set-<name>`. */
function field(html: string, name: string): string {
  const at = html.indexOf(`id="set-${name}"`);
  if (at === -1) throw new Error(`no field ${name}`);
  return html.slice(html.lastIndexOf('<', at), html.indexOf('>', at) + 1);
}

/** The API's words for developers, which a refusal on the page must not show. */
function expectNoApiSpeak(html: string) {
  const refusal = html.slice(html.indexOf('class="message error"'));
  expect(refusal).not.toMatch(/invalid_request|invalid_json|see issues|\(400|expected number/);
}

/** The whole model form as a browser posts it, from `model`, with `changes`. */
function modelPost(
  model: ScoringModel,
  action: string,
  changes: Record<string, string> = {},
): Record<string, string> {
  return { ...modelForm(model), action, ...changes };
}

async function manager(org: TestOrg) {
  return (await signedInAs(org.keys.manager)).cookie;
}

describe('Admin settings, Engagement tab: the editors', () => {
  it('saves every editor, each changing only its own settings', async () => {
    const org = await createOrg();
    const cookie = await manager(org);
    const saves: [string, Record<string, string>][] = [
      [
        '/console/settings/origins',
        { allowedOrigins: 'https://jobs.example.com\nhttps://careers.example.com/' },
      ],
      ['/console/settings/consent', { consentMode: 'onetrust', onetrustCategory: 'C0002' }],
      ['/console/settings/dedupe', { 'dedupe.visitMinutes': '45', 'dedupe.formMinutes': '0' }],
      ['/console/settings/links', { linkAllowlist: 'https://events.example.com' }],
    ];
    for (const [path, form] of saves) {
      const response = await post(path, cookie, form);
      expect(response.status, path).toBe(303);
    }
    expect(await stored(org)).toMatchObject({
      allowedOrigins: ['https://jobs.example.com', 'https://careers.example.com'],
      consentMode: 'onetrust',
      onetrustCategory: 'C0002',
      dedupe: { visitMinutes: 45, formMinutes: 0 },
      linkAllowlist: ['https://events.example.com'],
      webhookUrl: null,
    });
    const html = await (await page('/console/settings?saved=dedupe', cookie)).text();
    expect(html).toContain('Dedupe windows saved.');
    expect(field(html, 'dedupe.visitMinutes')).toContain('value="45"');
    expect(html).toContain('<option value="onetrust" selected="">');

    // The webhook: its secret is shown once, on the page the save answers with.
    const hook = await post('/console/settings/webhook', cookie, {
      webhookUrl: 'https://hooks.example.com/cxm',
    });
    expect(hook.status).toBe(200);
    const secret = (await hook.text()).match(/value="(whsec_[^"]+)"/)?.[1];
    expect(secret).toBeDefined();
    expect(await stored(org)).toMatchObject({
      webhookUrl: 'https://hooks.example.com/cxm',
      webhookSecretSet: true,
    });
    const rotated = await post('/console/settings/webhook', cookie, {
      webhookUrl: 'https://hooks.example.com/cxm',
      rotateWebhookSecret: 'yes',
    });
    const fresh = (await rotated.text()).match(/value="(whsec_[^"]+)"/)?.[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(secret);
    expect((await post('/console/settings/webhook', cookie, { webhookUrl: '' })).status).toBe(303);
    expect((await stored(org)).webhookUrl).toBeNull();
  });

  it('saves the scoring model from its form, and resets it to the default', async () => {
    const org = await createOrg();
    const cookie = await manager(org);
    const before = await (await page('/console/settings', cookie)).text();
    expect(before).toContain('The default model, not customised.');
    for (const type of ENGAGEMENT_TYPES) {
      expect(field(before, `scoringModel.weights.${type}`)).toContain(
        `value="${DEFAULT_MODEL.weights[type]}"`,
      );
    }
    const saved = await post(
      '/console/settings/scoring-model',
      cookie,
      modelPost(DEFAULT_MODEL, 'save', {
        'scoringModel.weights.open_email': '2',
        'scoringModel.halfLifeDays': '45',
        'scoringModel.thresholds.engaged': '6',
        'scoringModel.thresholds.highlyEngaged': '18.5',
        'scoringModel.window.caps.click_message': '4',
      }),
    );
    expect(saved.status).toBe(303);
    const model = (await stored(org)).scoringModel;
    expect(model).toEqual({
      ...DEFAULT_MODEL,
      weights: { ...DEFAULT_MODEL.weights, open_email: 2 },
      halfLifeDays: 45,
      thresholds: { engaged: 6, highlyEngaged: 18.5 },
      window: { ...DEFAULT_MODEL.window, caps: { ...DEFAULT_MODEL.window.caps, click_message: 4 } },
    });
    const after = await (await page('/console/settings?saved=model', cookie)).text();
    expect(after).toContain('Customised for your organisation.');
    expect(field(after, 'scoringModel.halfLifeDays')).toContain('value="45"');
    const reset = await post('/console/settings/scoring-model', cookie, modelPost(model, 'reset'));
    expect(reset.status).toBe(303);
    expect((await stored(org)).scoringModelIsDefault).toBe(true);
  });

  it('refuses bad input beside each field in plain words, keeps it, and stores nothing', async () => {
    const org = await createOrg();
    const cookie = await manager(org);
    const initial = await stored(org);
    const cases: [string, Record<string, string>, [string, string][]][] = [
      [
        '/console/settings/origins',
        { allowedOrigins: 'https://careers.example.com\ncareers.example.com/jobs' },
        [
          [
            'allowedOrigins',
            '“careers.example.com/jobs” is not an origin. Write the scheme and host only, such as https://careers.example.com, with no path.',
          ],
        ],
      ],
      [
        '/console/settings/origins',
        { allowedOrigins: 'https://careers.example.com\nhttps://*.example.com' },
        [
          [
            'allowedOrigins',
            '“https://*.example.com”: wildcards are not supported. Write each origin in full, such as https://careers.example.com.',
          ],
        ],
      ],
      [
        '/console/settings/consent',
        { consentMode: 'onetrust', onetrustCategory: '4' },
        [['onetrustCategory', 'A OneTrust category is a C and four digits, such as C0004.']],
      ],
      [
        '/console/settings/dedupe',
        { 'dedupe.visitMinutes': 'half an hour', 'dedupe.formMinutes': '2000' },
        [
          ['dedupe.visitMinutes', 'Enter a whole number of minutes from 0 to 1440 (24 hours).'],
          ['dedupe.formMinutes', 'Enter a whole number of minutes from 0 to 1440 (24 hours).'],
        ],
      ],
      [
        '/console/settings/links',
        { linkAllowlist: 'ftp://files.example.com' },
        [
          [
            'linkAllowlist',
            '“ftp://files.example.com” is not an origin. Write the scheme and host only, such as https://careers.example.com, with no path.',
          ],
        ],
      ],
      [
        '/console/settings/webhook',
        { webhookUrl: 'https://10.0.0.5/hook' },
        [['webhookUrl', 'The webhook URL must be a public DNS name, not an IP address.']],
      ],
      [
        '/console/settings/scoring-model',
        modelPost(DEFAULT_MODEL, 'save', {
          'scoringModel.weights.open_email': '-1',
          'scoringModel.halfLifeDays': '0',
          'scoringModel.thresholds.engaged': '20',
          'scoringModel.thresholds.highlyEngaged': '10',
          'scoringModel.window.caps.submit_form': 'two',
          'scoringModel.hysteresis': '1',
        }),
        [
          ['scoringModel.weights.open_email', 'Enter a number of points from 0 to 1,000,000.'],
          ['scoringModel.halfLifeDays', 'Enter a number of days from one hour (0.042) to 36,500.'],
          [
            'scoringModel.thresholds.highlyEngaged',
            'Highly Engaged must take more points than Engaged.',
          ],
          ['scoringModel.window.caps.submit_form', 'Enter a whole number from 1 to 100.'],
          ['scoringModel.hysteresis', 'Enter a share from 0 up to (not including) 1: 0.1 is 10 %.'],
        ],
      ],
    ];
    for (const [path, form, errors] of cases) {
      const response = await post(path, cookie, form);
      expect(response.status, path).toBe(400);
      const html = await response.text();
      expectNoApiSpeak(html);
      expect(html, path).toContain('<a href="#set-');
      for (const [name, message] of errors) {
        expect(fieldError(html, name), `${path} ${name}`).toBe(message);
        expect(field(html, name)).toContain('aria-invalid="true"');
      }
      // What was typed is shown again.
      for (const [name, value] of Object.entries(form)) {
        if (name === 'action') continue;
        const tag = field(html, name);
        if (tag.startsWith('<textarea')) {
          const at = html.indexOf(tag) + tag.length;
          expect(textOf(html.slice(at, html.indexOf('</textarea>', at)))).toBe(value);
        } else if (tag.startsWith('<input')) expect(tag, name).toContain(`value="${value}"`);
      }
    }
    // The model's guards, refused, open the part of the form they are in.
    const model = await post('/console/settings/scoring-model', cookie, cases[5]![1]);
    expect(await model.text()).toContain('<details open="">');
    expect(await stored(org)).toEqual(initial);
  });
});

/** Candidates on both sides of a threshold: 1 inactive, 2 engaged, 1 highly engaged. */
async function seedPool(org: TestOrg) {
  const pool: { type: string; ago: number }[][] = [
    [{ type: 'open_email', ago: DAY_MS }],
    [{ type: 'attend_event', ago: DAY_MS }],
    [
      { type: 'submit_form', ago: 10 * DAY_MS },
      { type: 'click_email', ago: 10 * DAY_MS },
    ],
    [
      { type: 'attend_event', ago: 2 * DAY_MS },
      { type: 'register_event', ago: 2 * DAY_MS },
    ],
  ];
  for (const items of pool) await sendEngagements(org.keys.user, rid('cand'), items);
}

const tiersOf = async (org: TestOrg) =>
  (await json<{ tiers: Counts }>(api('GET', '/v1/reports/tiers', org.keys.reporter))).tiers;

describe('Admin settings, Engagement tab: the scoring model preview', () => {
  it('shows what a change does to the tier counts, then saving gives those counts', async () => {
    const org = await createOrg();
    await seedPool(org);
    const cookie = await manager(org);
    const now = await (await page('/console/settings', cookie)).text();
    expect(textOf(now)).toContain('Inactive 1 → 1, Engaged 2 → 2, Highly Engaged 1 → 1.');
    // Without script: Update preview posts the form and the page comes back with it as typed.
    const changes = {
      'scoringModel.thresholds.engaged': '6',
      'scoringModel.thresholds.highlyEngaged': '9',
    };
    const previewed = await post(
      '/console/settings/scoring-model',
      cookie,
      modelPost(DEFAULT_MODEL, 'preview', changes),
    );
    expect(previewed.status).toBe(200);
    const html = await previewed.text();
    expect(textOf(html)).toContain('Inactive 1 → 2, Engaged 2 → 0, Highly Engaged 1 → 2.');
    expect(field(html, 'scoringModel.thresholds.highlyEngaged')).toContain('value="9"');
    expect((await stored(org)).scoringModelIsDefault).toBe(true);
    expect(await tiersOf(org)).toEqual({ inactive: 1, engaged: 2, highly_engaged: 1 });
    // With script: the panel alone, for a half-life change (every candidate rescored in memory).
    const panel = await post(
      '/console/settings/scoring-model/preview',
      cookie,
      modelPost(DEFAULT_MODEL, 'preview', { ...changes, 'scoringModel.halfLifeDays': '3' }),
    );
    const panelHtml = await panel.text();
    expect(panelHtml.startsWith('<section class="estimate" id="model-preview"')).toBe(true);
    const counts = textOf(panelHtml).match(
      /Inactive \d+ → (\d+), Engaged \d+ → (\d+), Highly Engaged \d+ → (\d+)\./,
    );
    expect(panelHtml).toContain('rescored from their engagements');
    // Saving that model gives the counts the preview showed.
    const save = await post(
      '/console/settings/scoring-model',
      cookie,
      modelPost(DEFAULT_MODEL, 'save', { ...changes, 'scoringModel.halfLifeDays': '3' }),
    );
    expect(save.status).toBe(303);
    await rescoreDone(org);
    expect(await tiersOf(org)).toEqual({
      inactive: Number(counts?.[1]),
      engaged: Number(counts?.[2]),
      highly_engaged: Number(counts?.[3]),
    });
  });

  it('loads the script that refreshes the panel in place, and serves it', async () => {
    const cookie = await manager(await createOrg());
    const html = await (await page('/console/settings', cookie)).text();
    expect(html).toContain('<script src="/console/assets/settings-form.js" defer="">');
    expect(html).toContain('data-preview="/console/settings/scoring-model/preview"');
    // Without script, the same form's Update preview button posts it.
    expect(html).toContain('<button type="submit" name="action" value="preview"');
    const script = await page('/console/assets/settings-form.js', cookie);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain("getElementById('model-preview')");
  });

  it('says in the panel which fields stop a preview', async () => {
    const org = await createOrg();
    const cookie = await manager(org);
    const panel = await post(
      '/console/settings/scoring-model/preview',
      cookie,
      modelPost(DEFAULT_MODEL, 'preview', { 'scoringModel.halfLifeDays': '' }),
    );
    const text = textOf(await panel.text());
    expect(text).toContain('No preview until these are fixed:');
    expect(text).toContain('Half-life: Enter a number of days from one hour (0.042) to 36,500.');
    const page = await post(
      '/console/settings/scoring-model',
      cookie,
      modelPost(DEFAULT_MODEL, 'preview', { 'scoringModel.halfLifeDays': 'soon' }),
    );
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(textOf(html)).toContain('There is no preview of this model.');
    expect(fieldError(html, 'scoringModel.halfLifeDays')).toBe(
      'Enter a number of days from one hour (0.042) to 36,500.',
    );
    expect(field(html, 'scoringModel.halfLifeDays')).toContain('value="soon"');
  });
});

describe('Admin settings, Engagement tab: roles', () => {
  it('lets no role below manager change or preview anything', async () => {
    const org = await createOrg();
    const initial = await stored(org);
    for (const role of ['user', 'reporter'] as const) {
      const cookie = (await signedInAs(org.keys[role])).cookie;
      const consent = await post('/console/settings/consent', cookie, {
        consentMode: 'none',
        onetrustCategory: 'C0001',
      });
      expect(consent.status, role).toBe(403);
      expectNoApiSpeak(await consent.text());
      const model = await post(
        '/console/settings/scoring-model',
        cookie,
        modelPost(DEFAULT_MODEL, 'save', { 'scoringModel.halfLifeDays': '7' }),
      );
      expect(model.status, role).toBe(403);
      const panel = await post(
        '/console/settings/scoring-model/preview',
        cookie,
        modelPost(DEFAULT_MODEL, 'preview'),
      );
      expect(textOf(await panel.text())).toContain('Your role cannot preview the scoring model.');
    }
    expect(await stored(org)).toEqual(initial);
    const admin = (await signedInAs(org.keys.admin)).cookie;
    const saved = await post('/console/settings/dedupe', admin, {
      'dedupe.visitMinutes': '10',
      'dedupe.formMinutes': '10',
    });
    expect(saved.status).toBe(303);
  });
});

describe('Admin settings, Engagement tab: a rescore in progress', () => {
  it('says how many candidates of how many are rescored while a saved model rescores', async () => {
    const org = await createOrg();
    const cookie = await manager(org);
    expect(textOf(await (await page('/console/settings', cookie)).text())).not.toContain(
      'Rescoring',
    );
    // A run part-way through, as the rescore queue's pages leave it.
    await env.DB.prepare(
      `INSERT INTO rescore_runs (org_id, run_id, state, cursor, done, total, started_at, updated_at)
       VALUES (?1, 'rsc_test', 'running', 'c', 1200, 3400, ?2, ?2)`,
    )
      .bind(org.orgId, Date.now())
      .run();
    expect(textOf(await (await page('/console/settings', cookie)).text())).toContain(
      'Rescoring 1,200 of 3,400 candidates…',
    );
    await env.DB.prepare(
      `UPDATE rescore_runs SET state = 'done', done = 3400, version = version + 1 WHERE org_id = ?1`,
    )
      .bind(org.orgId)
      .run();
    expect(textOf(await (await page('/console/settings', cookie)).text())).not.toContain(
      'Rescoring',
    );
  });
});
