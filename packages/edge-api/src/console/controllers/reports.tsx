// `GET /console/reports`: the tier report (`GET /v1/reports/tiers`) over the last 14, 30 or 90
// days, ending today (UTC), and this month's monthly contacts (`GET /v1/usage`).
import type { Hono } from 'hono';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { SignedIn } from '../auth.js';
import { REPORT_RANGES, ReportsPage } from '../pages/reports.js';

const DAY_MS = 86_400_000;

export function registerReports(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/reports', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const asked = Number(c.req.query('days'));
    const days = (REPORT_RANGES as readonly number[]).includes(asked) ? asked : 30;
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - (days - 1) * DAY_MS).toISOString().slice(0, 10);
    const [report, usage] = await Promise.all([
      settle(signed.client.tierReport({ from, to })),
      // Only the counts: the contacts themselves are the API's (`GET /v1/usage`).
      settle(signed.client.usage({ limit: 1 })),
    ]);
    return c.html(
      <ReportsPage who={signed.who} days={days} report={report} usage={usage} />,
      statusOf(report),
    );
  });
}
