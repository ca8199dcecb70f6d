#!/usr/bin/env node
// Demo candidates with months of engagements of every type, sent through the public API
// (`POST /v1/engagements`) like any backend caller would, so tiers, decay and audiences have
// something to show. Idempotent: engagement ids depend only on the candidate and its index, so a
// second run (any day) is all duplicates and stores nothing new.
//
// With `--idp <issuer>` it first points the demo organisation's console sign-in at that
// identity provider (examples/identity-provider, run by `npm start`), as a manager would.
//
//   node scripts/seed-demo.mjs [--api http://127.0.0.1:8787] [--key sk_demo_user] [--idp http://127.0.0.1:8790]

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
const DAY = 86_400_000;
const now = Date.now();

// Deterministic per candidate, so the same history comes back on every machine.
function rng(seedText) {
  let seed = 2166136261;
  for (const char of seedText) seed = Math.imul(seed ^ char.charCodeAt(0), 16777619);
  return () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
}

const SUBJECTS = [
  'Roles for you this month',
  'Join us at the Spring hiring fair',
  'Meet the platform team',
  'Your application, next steps',
];
const EVENTS = [
  'Spring hiring fair',
  'Engineering open day',
  'Design systems meetup',
  'Women in logistics tech breakfast',
];
const PAGES = [
  'http://127.0.0.1:8080/pasted-snippet/',
  'http://127.0.0.1:8080/pasted-snippet/jobs/backend-engineer.html',
  'http://127.0.0.1:8080/pasted-snippet/jobs/product-designer.html',
  'http://127.0.0.1:8080/pasted-snippet/talent-network.html',
];

/** Archetypes: how many engagements, over which days ago, with which type mix. */
const ARCHETYPES = {
  hot: {
    count: 14,
    from: 0,
    to: 25,
    mix: [
      'attend_event',
      'register_event',
      'click_email',
      'open_email',
      'visit_landing_page',
      'submit_form',
    ],
  },
  warming: {
    count: 8,
    from: 1,
    to: 30,
    mix: ['click_email', 'open_email', 'visit_landing_page', 'register_event'],
  },
  cooling: {
    count: 10,
    from: 45,
    to: 100,
    mix: ['attend_event', 'register_event', 'click_email', 'open_email'],
  },
  dormant: {
    count: 8,
    from: 120,
    to: 180,
    mix: ['open_email', 'click_email', 'visit_landing_page', 'submit_form'],
  },
  readers: { count: 12, from: 0, to: 60, mix: ['open_email'] },
};

const PEOPLE = [
  ['ada-lovelace', 'hot'],
  ['grace-hopper', 'hot'],
  ['alan-turing', 'warming'],
  ['katherine-johnson', 'hot'],
  ['edsger-dijkstra', 'cooling'],
  ['barbara-liskov', 'warming'],
  ['donald-knuth', 'dormant'],
  ['margaret-hamilton', 'hot'],
  ['john-mccarthy', 'readers'],
  ['frances-allen', 'cooling'],
  ['ken-thompson', 'dormant'],
  ['radia-perlman', 'warming'],
  ['tim-berners-lee', 'readers'],
  ['hedy-lamarr', 'cooling'],
  ['dennis-ritchie', 'dormant'],
  ['annie-easley', 'warming'],
  ['claude-shannon', 'readers'],
  ['sophie-wilson', 'hot'],
  ['leslie-lamport', 'cooling'],
  ['joan-clarke', 'dormant'],
];

function detailFor(type, pick) {
  if (type === 'open_email' || type === 'click_email') return pick(SUBJECTS);
  if (type === 'register_event' || type === 'attend_event') return pick(EVENTS);
  if (type === 'visit_landing_page') return pick(PAGES);
  return `${PAGES[3]}#talent-network`;
}

const engagements = [];
for (const [candidateId, archetype] of PEOPLE) {
  const random = rng(candidateId);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const { count, from, to, mix } = ARCHETYPES[archetype];
  for (let i = 0; i < count; i++) {
    const type = pick(mix);
    const daysAgo = from + random() * (to - from);
    engagements.push({
      id: `demo-${candidateId}-${i}`,
      candidateId,
      type,
      detail: detailFor(type, pick),
      occurredAt: new Date(now - daysAgo * DAY).toISOString(),
    });
  }
}

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

const response = await fetch(`${API}/v1/engagements`, {
  method: 'POST',
  headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
  body: JSON.stringify({ engagements }),
});
const body = await response.text();
if (response.status !== 202) {
  process.stderr.write(`[seed-demo] ${API}/v1/engagements answered ${response.status}: ${body}\n`);
  process.exit(1);
}
const { accepted, duplicates } = JSON.parse(body);

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
  `[seed-demo] ${PEOPLE.length} demo candidates, ${engagements.length} engagements: ${accepted} new, ${duplicates} already there; ${phones} with contact details\n`,
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
  const created = await fetch(`${API}/v1/campaigns`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
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
