// The scoring demo: three candidates, their engagements, and what their tiers do as time passes.
import { DEFAULT_MODEL, type Engagement, score } from '../src/index.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();

const candidates: Record<string, Engagement[]> = {
  'Ada (came to the hiring fair)': [
    { type: 'open_email', detail: 'Join us at the Spring hiring fair', occurredAt: daysAgo(21) },
    { type: 'register_event', detail: 'Spring hiring fair', occurredAt: daysAgo(20) },
    { type: 'attend_event', detail: 'Spring hiring fair', occurredAt: daysAgo(7) },
  ],
  'Ben (opens every email, five times a day)': Array.from({ length: 15 }, (_, i) => ({
    type: 'open_email' as const,
    detail: 'Our newsletter',
    occurredAt: daysAgo(Math.floor(i / 5)),
  })),
  'Chloe (very active, three months ago)': [
    { type: 'attend_event', detail: 'Engineering open day', occurredAt: daysAgo(95) },
    {
      type: 'submit_form',
      detail: 'https://careers.example.com/talent-network#signup',
      occurredAt: daysAgo(94),
    },
    { type: 'click_email', detail: 'Roles for you', occurredAt: daysAgo(90) },
  ],
};

console.log(
  `Model: weights ${JSON.stringify(DEFAULT_MODEL.weights)}, half-life ${DEFAULT_MODEL.halfLifeDays} days, ` +
    `engaged >= ${DEFAULT_MODEL.thresholds.engaged}, highly engaged >= ${DEFAULT_MODEL.thresholds.highlyEngaged}\n`,
);
for (const [name, engagements] of Object.entries(candidates)) {
  const today = score(engagements, { now });
  const later = score(engagements, { now: now + 60 * 86_400_000 });
  const parts = today.breakdown
    .filter((entry) => entry.count > 0)
    .map((entry) => `${entry.type} ${entry.points.toFixed(2)} (${entry.count})`)
    .join(', ');
  console.log(`${name}\n  today: ${today.tier}, ${today.points.toFixed(2)} points: ${parts}`);
  console.log(`  in 60 days with no activity: ${later.tier}, ${later.points.toFixed(2)} points\n`);
}
