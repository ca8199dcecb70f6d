// The demo candidates' story as data: who they are, how engaged they are now (hot, warming,
// cooling, dormant, email readers), twelve months of engagements that lead there, and their
// tags (role family, skill, location, source). Pure and deterministic but for `now`: the seed
// (seed-demo.mjs) sends it through the API, and a test
// (packages/edge-api/src/demo-history.node.test.ts) checks the earlier months move nobody's tier.
//
// Engagement ids depend only on the candidate and an index, never on `now`, so a second seed
// (any day) is all duplicates. The recent engagements (`demo-<candidate>-<n>`) are the ones the
// demo always had; the earlier months (`demo-<candidate>-h<n>`) come from their own random
// stream, so adding them moved nobody's recent history.

export const DAY = 86_400_000;

/** Deterministic per text, so the same history comes back on every machine. */
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

/**
 * Archetypes: the recent engagements that make a candidate's tier at seeding (how many, over
 * which days ago, which types), and the earlier months, far enough back that they hardly count
 * now (30-day half-life: the test checks they move nobody's tier) but fill the year's charts.
 */
export const ARCHETYPES = {
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
    // Engaged all year: mail, the site, an event now and then.
    earlier: {
      count: 18,
      from: 45,
      to: 364,
      mix: ['open_email', 'click_email', 'visit_landing_page', 'register_event', 'attend_event'],
    },
  },
  warming: {
    count: 8,
    from: 1,
    to: 30,
    mix: ['click_email', 'open_email', 'visit_landing_page', 'register_event'],
    // Quiet most of the year: the odd email opened, a visit.
    earlier: { count: 5, from: 150, to: 364, mix: ['open_email', 'visit_landing_page'] },
  },
  cooling: {
    count: 10,
    from: 45,
    to: 100,
    mix: ['attend_event', 'register_event', 'click_email', 'open_email'],
    // Highly engaged six months to a year ago: events, a form, then it tailed off.
    earlier: {
      count: 12,
      from: 180,
      to: 364,
      mix: ['attend_event', 'register_event', 'submit_form', 'click_email', 'visit_landing_page'],
    },
  },
  dormant: {
    count: 8,
    from: 120,
    to: 180,
    mix: ['open_email', 'click_email', 'visit_landing_page', 'submit_form'],
    // Applied and went to events most of a year ago.
    earlier: {
      count: 14,
      from: 200,
      to: 364,
      mix: ['submit_form', 'attend_event', 'register_event', 'click_email', 'visit_landing_page'],
    },
  },
  readers: {
    count: 12,
    from: 0,
    to: 60,
    mix: ['open_email'],
    // Open the newsletter all year, click now and then.
    earlier: { count: 16, from: 90, to: 364, mix: ['open_email', 'open_email', 'click_email'] },
  },
};

/** Each candidate: archetype and tags (role family, skill, location as their phone's, source). */
export const PEOPLE = [
  ['ada-lovelace', 'hot', ['backend', 'python', 'new-york', 'referral']],
  ['grace-hopper', 'hot', ['backend', 'java', 'chicago', 'event']],
  ['alan-turing', 'warming', ['data', 'python', 'toronto', 'career-site']],
  ['katherine-johnson', 'hot', ['data', 'sql', 'london', 'event']],
  ['edsger-dijkstra', 'cooling', ['backend', 'java', 'london', 'career-site']],
  ['barbara-liskov', 'warming', ['backend', 'java', 'warsaw', 'referral']],
  ['donald-knuth', 'dormant', ['backend', 'typescript', 'sydney', 'linkedin']],
  ['margaret-hamilton', 'hot', ['sre', 'go', 'remote', 'referral']],
  ['john-mccarthy', 'readers', ['data', 'python', 'berlin', 'linkedin']],
  ['frances-allen', 'cooling', ['backend', 'go', 'seattle', 'event']],
  ['ken-thompson', 'dormant', ['sre', 'go', 'london', 'career-site']],
  ['radia-perlman', 'warming', ['sre', 'python', 'dublin', 'event']],
  ['tim-berners-lee', 'readers', ['frontend', 'typescript', 'remote', 'career-site']],
  ['hedy-lamarr', 'cooling', ['design', 'remote', 'linkedin']],
  ['dennis-ritchie', 'dormant', ['backend', 'go', 'warsaw', 'agency']],
  ['annie-easley', 'warming', ['frontend', 'typescript', 'san-francisco', 'referral']],
  ['claude-shannon', 'readers', ['data', 'sql', 'london', 'agency']],
  ['sophie-wilson', 'hot', ['frontend', 'typescript', 'berlin', 'event']],
  ['leslie-lamport', 'cooling', ['backend', 'java', 'new-york', 'career-site']],
  ['joan-clarke', 'dormant', ['design', 'london', 'linkedin']],
];

function detailFor(type, pick) {
  if (type === 'open_email' || type === 'click_email') return pick(SUBJECTS);
  if (type === 'register_event' || type === 'attend_event') return pick(EVENTS);
  if (type === 'visit_landing_page') return pick(PAGES);
  return `${PAGES[3]}#talent-network`;
}

/** `count` engagements of `mix` spread over `from`..`to` days before `now`. */
function spread(candidateId, prefix, random, window, now) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const out = [];
  for (let i = 0; i < window.count; i++) {
    const type = pick(window.mix);
    const daysAgo = window.from + random() * (window.to - window.from);
    out.push({
      id: `demo-${candidateId}-${prefix}${i}`,
      candidateId,
      type,
      detail: detailFor(type, pick),
      occurredAt: new Date(now - daysAgo * DAY).toISOString(),
    });
  }
  return out;
}

/** Every demo engagement as of `now` (epoch ms): a year of history, the recent weeks as before. */
export function demoEngagements(now) {
  const engagements = [];
  for (const [candidateId, archetype] of PEOPLE) {
    const shape = ARCHETYPES[archetype];
    engagements.push(...spread(candidateId, '', rng(candidateId), shape, now));
    engagements.push(
      ...spread(candidateId, 'h', rng(`${candidateId}:earlier`), shape.earlier, now),
    );
  }
  return engagements;
}
