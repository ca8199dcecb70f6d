// Admin settings, Messaging tab, and the monthly contacts panel on Reports: a manager edits the
// allowance, time zone, send hours and sender numbers through the console (the form goes to
// `PUT /v1/settings/messaging`); every refusal comes back in words beside its field with what was
// typed kept and nothing stored; forms from another origin and roles below manager change nothing.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePhone } from '../schemas/phone.js';
import { api, createOrg, rows, type TestOrg } from '../test/client.js';
import { page, post, signedInAs } from '../test/console.js';
import { addCandidate, freezeClock, NOON, sendOk, sms, thawClock } from '../test/messaging.js';

const TAB = '/console/settings?tab=messaging';
const FORM = '/console/settings/messaging';

afterEach(() => thawClock());

interface Settings {
  monthlyContactAllowance: number;
  timeZone: string;
  sendHours: { start: number; end: number };
  senderNumbers: Record<string, string>;
  whatsappSender: string | null;
}

async function stored(org: TestOrg): Promise<Settings> {
  const response = await api('GET', '/v1/settings/messaging', org.keys.manager);
  expect(response.status).toBe(200);
  return (await response.json()) as Settings;
}

/** A valid number of `country` nobody else has: `prefix` and random digits up to `length`. */
function freshNumber(country: string, prefix: string, length: number): string {
  for (;;) {
    const digits = Array.from(
      crypto.getRandomValues(new Uint8Array(length - prefix.length)),
      (b) => b % 10,
    ).join('');
    const parsed = parsePhone(`${prefix}${digits}`);
    if (!('problem' in parsed) && parsed.country === country) return parsed.number;
  }
}

/** A UK mobile (+44 7400 …), as E.164. */
const gbNumber = () => freshNumber('GB', '+447400', 13);
/** A San Francisco number (+1 415 …), as E.164. */
const usNumber = () => freshNumber('US', '+1415', 12);

/** The element with `id`, as rendered (its opening tag). */
function element(html: string, id: string): string {
  const at = html.indexOf(`id="${id}"`);
  if (at === -1) throw new Error(`no element with id ${id}`);
  return html.slice(html.lastIndexOf('<', at), html.indexOf('>', at) + 1);
}

/** The field's error message under it, tags and escaping dropped. */
function fieldError(html: string, id: string): string | null {
  const escaped = id.replaceAll('.', '\\.');
  const match = html.match(
    new RegExp(`<p class="field-error" id="${escaped}-error">([\\s\\S]*?)</p>`),
  );
  if (!match) return null;
  return (match[1] ?? '')
    .replace(/<[^>]+>/g, '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');
}

/** The whole form as a browser posts it, with `changes` made. */
function form(changes: Record<string, string> = {}): Record<string, string> {
  return {
    monthlyContactAllowance: '0',
    timeZone: 'UTC',
    'sendHours.start': '8',
    'sendHours.end': '20',
    whatsappSender: '',
    ...changes,
  };
}

async function auditCount(org: TestOrg) {
  const [row] = await rows<{ n: number }>(
    "SELECT count(*) AS n FROM audit_log WHERE org_id = ? AND action = 'settings.messaging'",
    org.orgId,
  );
  return row?.n ?? 0;
}

describe('console: Admin settings, Messaging tab', () => {
  it('shows a manager this month’s usage and the form, with a field for each SMS country', async () => {
    freezeClock(NOON);
    const org = await createOrg();
    await api('PUT', '/v1/settings/messaging', org.keys.manager, {
      monthlyContactAllowance: 120,
      timeZone: 'Europe/London',
    });
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const engagement = await (await page('/console/settings', manager)).text();
    expect(engagement).toContain('<a href="/console/settings?tab=messaging">Messaging</a>');

    const response = await page(TAB, manager);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<a href="/console/settings?tab=messaging" aria-current="page">');
    expect(html).toContain('<h2 id="usage-heading">Monthly contacts</h2>');
    expect(html).toMatch(/<dt>Allowance<\/dt>\s*<dd>120<\/dd>/);
    expect(html).toMatch(/<dt>Used<\/dt>\s*<dd>0<\/dd>/);
    expect(html).toMatch(/<dt>Remaining<\/dt>\s*<dd>120<\/dd>/);
    // London's April starts at 23:00 UTC on 31 March (BST).
    expect(html).toContain('This month (2026-03) renews on');
    expect(html).toContain('<time datetime="2026-03-31T23:00:00.000Z">1 April 2026');
    expect(html).toContain('<form method="post" action="/console/settings/messaging">');
    expect(element(html, 'msg-monthlyContactAllowance')).toContain('value="120"');
    expect(element(html, 'msg-timeZone')).toContain('value="Europe/London"');
    expect(element(html, 'msg-timeZone')).toContain('list="msg-timeZone-names"');
    // The hours offered are 08:00 to 20:00 only, the stored ones chosen.
    const start = html.slice(html.indexOf('id="msg-sendHours.start"'), html.indexOf('</select>'));
    expect(start).toContain('<option value="8" selected="">08:00</option>');
    expect(start).not.toContain('07:00');
    expect(start).toContain('<option value="20">20:00</option>');
    expect(start).not.toContain('21:00');
    // 19 SMS countries, each with its own labelled field, named as the API names its issues.
    const countries = [...html.matchAll(/name="senderNumbers\.([A-Z]{2})"/g)].map((m) => m[1]);
    expect(countries).toHaveLength(19);
    expect(countries.slice(0, 2)).toEqual(['CA', 'US']);
    expect(html).toContain(
      '<label for="msg-senderNumbers.GB">United Kingdom <span class="muted">(GB)</span></label>',
    );
    expect(element(html, 'msg-senderNumbers.GB')).toContain('type="tel"');
    expect(element(html, 'msg-whatsappSender')).toContain('value=""');
    expect(html).not.toContain('style=');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });

  it('saves the form, normalised by the API, and comes back to the tab with a notice', async () => {
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const gb = gbNumber();
    const spaced = `${gb.slice(0, 3)} ${gb.slice(3, 7)} ${gb.slice(7)}`;
    const wa = usNumber();
    const saved = await post(
      FORM,
      manager,
      form({
        monthlyContactAllowance: ' 300 ',
        timeZone: 'Europe/Warsaw',
        'sendHours.start': '9',
        'sendHours.end': '18',
        'senderNumbers.GB': spaced,
        'senderNumbers.US': '',
        whatsappSender: `${wa.slice(0, 2)} ${wa.slice(2, 5)} ${wa.slice(5, 8)} ${wa.slice(8)}`,
      }),
    );
    expect(saved.status, await saved.clone().text()).toBe(303);
    expect(saved.headers.get('location')).toBe('/console/settings?saved=messaging');
    expect(await stored(org)).toEqual({
      monthlyContactAllowance: 300,
      timeZone: 'Europe/Warsaw',
      sendHours: { start: 9, end: 18 },
      senderNumbers: { GB: gb },
      whatsappSender: wa,
    });
    expect(await auditCount(org)).toBe(1);

    const after = await page('/console/settings?saved=messaging', manager);
    expect(after.status).toBe(200);
    const html = await after.text();
    expect(html).toContain('Messaging settings saved.');
    expect(html).toContain('<h2 id="msg-heading">Texting candidates</h2>');
    expect(element(html, 'msg-senderNumbers.GB')).toContain(`value="${gb}"`);
    expect(html).toContain('<option value="9" selected="">09:00</option>');

    // The same form again changes nothing, so nothing more is logged.
    const again = await post(
      FORM,
      manager,
      form({
        monthlyContactAllowance: '300',
        timeZone: 'Europe/Warsaw',
        'sendHours.start': '9',
        'sendHours.end': '18',
        'senderNumbers.GB': gb,
        whatsappSender: wa,
      }),
    );
    expect(again.status).toBe(303);
    expect(await auditCount(org)).toBe(1);
  });

  it('shows each refusal beside its field in words, keeps what was typed and stores nothing', async () => {
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const before = await stored(org);
    const response = await post(
      FORM,
      manager,
      form({
        monthlyContactAllowance: 'lots',
        timeZone: 'Europe/Londn',
        // Not offered by the form, but a hand-made post must still be refused.
        'sendHours.start': '7',
        'sendHours.end': '20',
        'senderNumbers.GB': '+1 415 555 0123',
        'senderNumbers.PL': '12345',
      }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('The messaging settings were not saved.');
    expect(html).toContain('Check the 5 fields marked below.');
    expect(html).not.toContain('invalid_request');
    expect(fieldError(html, 'msg-monthlyContactAllowance')).toBe(
      'Error: A whole number of contacts.',
    );
    expect(fieldError(html, 'msg-timeZone')).toBe(
      'Error: Unknown time zone "Europe/Londn": give an IANA time zone name, e.g. Europe/London.',
    );
    expect(fieldError(html, 'msg-sendHours.start')).toBe(
      'Error: Texts may go only between 08:00 and 20:00 local time: an organisation may narrow these hours, never widen them.',
    );
    expect(fieldError(html, 'msg-senderNumbers.GB')).toBe(
      'Error: +14155550123 is a number of the United States (US), not of the United Kingdom: texts to GB go from a GB number.',
    );
    expect(fieldError(html, 'msg-senderNumbers.PL')).toContain('Not a valid phone number');
    expect(element(html, 'msg-senderNumbers.GB')).toContain('aria-invalid="true"');
    expect(element(html, 'msg-senderNumbers.GB')).toContain(
      'aria-describedby="msg-senderNumbers.GB-error"',
    );
    expect(html).toContain('<a href="#msg-senderNumbers.GB">Sender number, the United Kingdom:');
    // What was typed stays.
    expect(element(html, 'msg-monthlyContactAllowance')).toContain('value="lots"');
    expect(element(html, 'msg-timeZone')).toContain('value="Europe/Londn"');
    expect(element(html, 'msg-senderNumbers.GB')).toContain('value="+1 415 555 0123"');
    expect(html).toContain('<option value="7" selected="">7</option>');
    expect(await stored(org)).toEqual(before);
    expect(await auditCount(org)).toBe(0);

    const backwards = await post(
      FORM,
      manager,
      form({ 'sendHours.start': '18', 'sendHours.end': '9' }),
    );
    expect(backwards.status).toBe(400);
    expect(fieldError(await backwards.text(), 'msg-sendHours.end')).toBe(
      'Error: The end (09:00) must be after the start (18:00).',
    );
  });

  it('says a number is another organisation’s beside the field it was typed in (409)', async () => {
    const owner = await createOrg();
    const taken = gbNumber();
    await api('PUT', '/v1/settings/messaging', owner.keys.manager, {
      senderNumbers: { GB: taken },
    });
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const typed = `${taken.slice(0, 3)} ${taken.slice(3)}`;
    const response = await post(FORM, manager, form({ 'senderNumbers.GB': typed }));
    expect(response.status).toBe(409);
    const html = await response.text();
    const message = `${taken} is already a sender number elsewhere; a sender number belongs to one organisation.`;
    expect(html).toContain(`The messaging settings were not saved.</strong> ${message}`);
    expect(fieldError(html, 'msg-senderNumbers.GB')).toBe(`Error: ${message}`);
    // No status or API code: the words say it all.
    expect(html).not.toContain('sender_number_taken');
    expect(html).not.toContain('(409');
    expect(element(html, 'msg-senderNumbers.GB')).toContain(`value="${typed}"`);
    expect((await stored(org)).senderNumbers).toEqual({});
  });

  it('refuses a form posted from another origin', async () => {
    const org = await createOrg();
    const manager = (await signedInAs(org.keys.manager)).cookie;
    const response = await post(
      FORM,
      manager,
      form({ monthlyContactAllowance: '100000' }),
      'http://evil.test',
    );
    expect(response.status).toBe(403);
    expect((await stored(org)).monthlyContactAllowance).toBe(0);
    expect(await auditCount(org)).toBe(0);
  });

  it('gives a user or a reporter the usual refusal, neither the form nor a save', async () => {
    const org = await createOrg();
    for (const role of ['user', 'reporter'] as const) {
      const cookie = (await signedInAs(org.keys[role])).cookie;
      const seen = await page(TAB, cookie);
      expect(seen.status).toBe(403);
      const html = await seen.text();
      expect(html).toContain(`Your role (${role}) cannot see the settings.`);
      expect(html).not.toContain('Texting candidates');
      const saved = await post(FORM, cookie, form({ monthlyContactAllowance: '100000' }));
      expect(saved.status).toBe(403);
      expect(await saved.text()).toContain(`Your role (${role}) cannot see the settings.`);
    }
    expect((await stored(org)).monthlyContactAllowance).toBe(0);
    expect(await auditCount(org)).toBe(0);
  });
});

describe('console: Reports, monthly contacts', () => {
  it('shows a reporter the allowance, used, remaining and the renewal, and who may change it', async () => {
    freezeClock(NOON);
    const org = await createOrg();
    await env.DB.prepare('UPDATE api_keys SET messaging = 1 WHERE org_id = ?1')
      .bind(org.orgId)
      .run();
    await api('PUT', '/v1/settings/messaging', org.keys.manager, {
      monthlyContactAllowance: 1,
      timeZone: 'America/New_York',
      senderNumbers: { US: usNumber() },
    });
    await sendOk(org.keys.user, sms(await addCandidate(org)));

    const reporter = (await signedInAs(org.keys.reporter)).cookie;
    const response = await page('/console/reports', reporter);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h2 id="usage-heading">Monthly contacts</h2>');
    expect(html).toMatch(/<dt>Allowance<\/dt>\s*<dd>1<\/dd>/);
    expect(html).toMatch(/<dt>Used<\/dt>\s*<dd>1<\/dd>/);
    expect(html).toMatch(/<dt>Remaining<\/dt>\s*<dd>0<\/dd>/);
    // New York's April starts at 04:00 UTC (EDT).
    expect(html).toContain('<time datetime="2026-04-01T04:00:00.000Z">1 April 2026');
    expect(html).toContain('None left this month');
    expect(html).toContain('A manager changes the allowance');
    expect(html).not.toContain('href="/console/settings?tab=messaging"');

    const manager = (await signedInAs(org.keys.manager)).cookie;
    const managers = await (await page('/console/reports', manager)).text();
    expect(managers).toContain(
      '<a href="/console/settings?tab=messaging">Admin settings → Messaging</a>',
    );
  });
});
