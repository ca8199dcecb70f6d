#!/usr/bin/env node
// Demo candidates with twelve months of engagements of every type and tags (scripts/demo-history.mjs),
// sent through the public API (`POST /v1/engagements`, `PUT /v1/candidates/{id}/tags`) like any
// backend caller would, so tiers, decay, audiences, tag filters and the year's reports have
// something to show. The API takes an engagement of any age (from 2000 on, never more than a day
// ahead), so history needs no special allowance. Idempotent: engagement ids depend only on the
// candidate and an index, so a second run (any day) is all duplicates and stores nothing new, and
// a PUT of the same tags leaves them as they are.
//
// With `--idp <issuer>` it first points the demo organisation's console sign-in at that
// identity provider (examples/identity-provider, run by `npm start`), as a manager would.
//
//   node scripts/seed-demo.mjs [--api http://127.0.0.1:8787] [--key sk_demo_user] [--idp http://127.0.0.1:8790]

import { DAY, demoEngagements, PEOPLE } from './demo-history.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1] : fallback;
};
const API = option('api', process.env.API_ORIGIN ?? 'http://127.0.0.1:8787');
const KEY = option('key', 'sk_demo_user');
const IDP = option('idp', null);
/** The demo provider's client for the console (examples/identity-provider's defaults). */
const IDP_CLIENT = { clientId: 'cxm-console', clientSecret: 'cxm-demo-client-secret-local-only' };
const now = Date.now();
const engagements = demoEngagements(now);

if (IDP) {
  const signIn = await fetch(`${API}/v1/settings/sign-in`, {
    method: 'PUT',
    headers: { authorization: 'Bearer sk_demo_manager', 'content-type': 'application/json' },
    body: JSON.stringify({ issuer: IDP, ...IDP_CLIENT }),
  });
  if (signIn.status !== 200) {
    process.stderr.write(
      `[seed-demo] ${API}/v1/settings/sign-in answered ${signIn.status}: ${await signIn.text()}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`[seed-demo] the demo organisation signs in through ${IDP}\n`);
}

// In parts well under the API's 500 a request.
let accepted = 0;
let duplicates = 0;
for (let start = 0; start < engagements.length; start += 200) {
  const response = await fetch(`${API}/v1/engagements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ engagements: engagements.slice(start, start + 200) }),
  });
  const body = await response.text();
  if (response.status !== 202) {
    process.stderr.write(
      `[seed-demo] ${API}/v1/engagements answered ${response.status}: ${body}\n`,
    );
    process.exit(1);
  }
  const counts = JSON.parse(body);
  accepted += counts.accepted;
  duplicates += counts.duplicates;
}

// Tags, for the list's tag filters (all of them, or any), campaigns and exports.
let tagged = 0;
for (const [candidateId, , tags] of PEOPLE) {
  const put = await fetch(`${API}/v1/candidates/${candidateId}/tags`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tags }),
  });
  if (put.status === 200) tagged++;
  else {
    process.stderr.write(`[seed-demo] tags of ${candidateId}: ${put.status} ${await put.text()}\n`);
  }
}

// Contact details for texting: numbers in several supported SMS countries (with their zones),
// and two in Germany and one in Ireland, which SMS does not reach: WhatsApp only. Consent is
// recorded as a career-site form would record it. Sent every run: a PUT of the same number keeps
// whatever the candidate did since (a STOP stays a STOP).
const PHONES = [
  ['+12125550101', 'America/New_York'],
  ['+13125550102', 'America/Chicago'],
  ['+16475550103', 'America/Toronto'],
  ['+447400123401', null],
  ['+447400123402', null],
  ['+48512345603', null],
  ['+61412345604', 'Australia/Sydney'],
  ['+17875550105', null],
  ['+491701234506', null],
  ['+12065550107', 'America/Los_Angeles'],
  ['+447400123408', null],
  ['+353861234509', null],
  ['+12025550110', 'America/New_York'],
  ['+61412345611', 'Australia/Perth'],
  ['+48512345612', null],
  ['+14155550113', 'America/Los_Angeles'],
  ['+447400123414', null],
  ['+491701234515', null],
  ['+12125550116', 'America/New_York'],
  ['+447400123417', null],
];
const consent = {
  source: 'career-site form (demo seed)',
  at: new Date(now - 60 * DAY).toISOString(),
};
let phones = 0;
for (const [index, [candidateId]] of PEOPLE.entries()) {
  const [phone, timeZone] = PHONES[index % PHONES.length];
  const whatsappOnly = phone.startsWith('+49') || phone.startsWith('+353');
  const contact = await fetch(`${API}/v1/candidates/${candidateId}/contact`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      phone,
      firstName: candidateId.split('-')[0].replace(/^./, (c) => c.toUpperCase()),
      timeZone,
      smsConsent: whatsappOnly ? null : consent,
      whatsappOptIn: consent,
    }),
  });
  if (contact.status === 200) phones++;
  else {
    process.stderr.write(
      `[seed-demo] contact details of ${candidateId}: ${contact.status} ${await contact.text()}\n`,
    );
  }
}
process.stdout.write(
  `[seed-demo] ${PEOPLE.length} demo candidates, ${engagements.length} engagements over 12 months: ${accepted} new, ${duplicates} already there; ${tagged} tagged, ${phones} with contact details\n`,
);

// Last contacted: a recruiter's phone call with each candidate, most more than a month ago and
// every fourth last week, recorded as a backend would (`POST /v1/contacts`); ids depend only on
// the candidate, so a second run stores nothing new.
const contacts = PEOPLE.map(([candidateId], index) => ({
  id: `demo-call-${candidateId}`,
  candidateId,
  kind: 'phone_call',
  occurredAt: new Date(now - (index % 4 === 0 ? 6 : 35 + ((index * 11) % 70)) * DAY).toISOString(),
}));
const recorded = await fetch(`${API}/v1/contacts`, {
  method: 'POST',
  headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
  body: JSON.stringify({ contacts }),
});
if (recorded.status !== 202 && recorded.status !== 200) {
  process.stderr.write(
    `[seed-demo] ${API}/v1/contacts answered ${recorded.status}: ${await recorded.text()}\n`,
  );
}

// One enabled re-engagement campaign (README "Campaigns"): every day at 09:00 on the
// organisation's clock (Europe/London), an SMS to the candidates not contacted for 30 days who are
// not Inactive. Created once: found again by its code on later runs.
const CAMPAIGN_CODE = 'DEMO-WARM-30';
const found = await fetch(`${API}/v1/campaigns?code=${CAMPAIGN_CODE}&limit=1`, {
  headers: { authorization: `Bearer ${KEY}` },
});
const existing = found.status === 200 ? (await found.json()).campaigns : [];
if (existing.length === 0) {
  // From Uma User (usr_demo_user), chosen by a manager: a key is nobody, and only a manager or
  // admin may name another sender (a user key got 403 forbidden and the demo had no campaign).
  const created = await fetch(`${API}/v1/campaigns`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_demo_manager', 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Warm pool: not contacted for 30 days',
      reengagement: true,
      code: CAMPAIGN_CODE,
      url: 'http://127.0.0.1:8080/pasted-snippet/jobs/',
      autoResponse: 'Thanks for your reply! A recruiter will get back to you today.',
      timeframe: { notContactedForDays: 30 },
      fromUserId: 'usr_demo_user',
      sendTime: '09:00',
      channel: 'sms',
      message:
        'Hi {{firstName}}, it has been a while! New roles that fit you: {{url}} Reply STOP to opt out.',
    }),
  });
  process.stdout.write(
    created.status === 201
      ? `[seed-demo] the re-engagement campaign ${CAMPAIGN_CODE}, enabled, runs daily at 09:00 London time\n`
      : `[seed-demo] the demo campaign: ${created.status} ${await created.text()}\n`,
  );
}
