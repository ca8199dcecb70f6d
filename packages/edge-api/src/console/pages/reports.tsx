// Reports (`GET /v1/reports/tiers`, reporter and above): the tier distribution now, engagements
// per type per day over a chosen range, and this month's monthly contacts (`GET /v1/usage`).
import type { TierReport, Usage, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { StackedDays } from '../charts/stacked-days.js';
import { TierBars } from '../charts/tier-bars.js';
import { formatTime } from '../labels.js';
import { Layout, Problem, RoleRefused } from '../layout.js';
import { UsagePanel } from './usage.js';

export const REPORT_RANGES = [14, 30, 90] as const;

export function ReportsPage(props: {
  who: WhoAmI;
  days: number;
  report: ApiResult<TierReport>;
  usage: ApiResult<Usage>;
}) {
  const { report } = props;
  const canManage = props.who.role === 'manager' || props.who.role === 'admin';
  return (
    <Layout title="Reports" who={props.who} section="reports">
      <h1>Reports</h1>
      {report.ok ? (
        <div class="reports">
          <div class="card">
            <h2>Tier distribution</h2>
            <TierBars tiers={report.data.tiers} />
            <p class="hint">As of {formatTime(report.data.asOf)}.</p>
          </div>
          <div class="card">
            <h2>Engagements per type per day</h2>
            <nav aria-label="Range" class="filters">
              {REPORT_RANGES.map((days) => (
                <a
                  href={`/console/reports?days=${days}`}
                  aria-current={days === props.days ? 'page' : undefined}
                >
                  Last {days} days
                </a>
              ))}
            </nav>
            {/* The range the API reports on (the one asked for), so the days match its counts. */}
            <StackedDays
              perDay={report.data.engagementsPerDay}
              from={report.data.from}
              to={report.data.to}
            />
          </div>
          <UsagePanel usage={props.usage} place="reports" canManage={canManage} />
        </div>
      ) : report.problem.code === 'forbidden' ? (
        <RoleRefused role={props.who.role} cannot="see reports">
          Reports need a reporter key or above.
        </RoleRefused>
      ) : (
        <Problem problem={report.problem} />
      )}
    </Layout>
  );
}
