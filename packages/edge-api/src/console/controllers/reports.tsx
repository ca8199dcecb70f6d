// `GET /console/reports`: the tier report (`GET /v1/reports/tiers`) and the tier history
// (`GET /v1/reports/tier-history`) over the range in the URL (`from`, `to`, or a preset `days`;
// checked here first, so a wrong range is a sentence, not the API's 400), with `scale=log|linear`
// for the engagements chart, and this month's monthly contacts (`GET /v1/usage`).
import type { Hono } from 'hono';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { SignedIn } from '../auth.js';
import { ReportsPage } from '../pages/reports.js';
import { chooseReport } from '../report-range.js';

export function registerReports(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/reports', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const now = Date.now();
    const choice = chooseReport(c.req.query(), now);
    const page = (data: Parameters<typeof ReportsPage>[0]['data']) => (
      <ReportsPage who={signed.who} choice={choice} now={now} data={data} />
    );
    // Reports need the reporter role: say so without asking the API for what it would refuse.
    if (signed.who.role === 'user') return c.html(page(null), 403);
    if (choice.problem) return c.html(page(null), 400);
    const range = { from: choice.from, to: choice.to };
    const [report, history, usage] = await Promise.all([
      settle(signed.client.tierReport(range)),
      settle(signed.client.tierHistory(range)),
      // Only the counts: the contacts themselves are the API's (`GET /v1/usage`).
      settle(signed.client.usage({ limit: 1 })),
    ]);
    return c.html(page({ report, history, usage }), statusOf(report));
  });
}
