// Reports (reporter and above): the tier distribution now (`GET /v1/reports/tiers`) and over time
// (`GET /v1/reports/tier-history`), engagements per type per day on a linear or log scale, a
// table of the numbers under each chart, over the date range in the URL; and this month's monthly
// contacts (`GET /v1/usage`).
import type { TierHistory, TierReport, Usage, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { StackedDays } from '../charts/stacked-days.js';
import { TierBars } from '../charts/tier-bars.js';
import { TierDays } from '../charts/tier-days.js';
import { formatTime } from '../labels.js';
import { Layout, Problem, RoleRefused } from '../layout.js';
import { withQuery } from '../links.js';
import { presetOf, REPORT_PRESETS, type ReportChoice } from '../report-range.js';
import { PerDayTable, TierDaysTable, TierNowTable } from './report-tables.js';
import { UsagePanel } from './usage.js';

/** What the API gave for the range, or null when the range was refused before asking. */
export interface ReportData {
  report: ApiResult<TierReport>;
  history: ApiResult<TierHistory>;
  usage: ApiResult<Usage>;
}

export function ReportsPage(props: {
  who: WhoAmI;
  choice: ReportChoice;
  now: number;
  data: ReportData | null;
}) {
  const { choice, data } = props;
  const refused =
    props.who.role === 'user' ||
    (data !== null && !data.report.ok && data.report.problem.code === 'forbidden');
  return (
    <Layout title="Reports" who={props.who} section="reports">
      <h1>Reports</h1>
      {refused ? (
        <RoleRefused role={props.who.role} cannot="see reports">
          Reports need the reporter role or above.
        </RoleRefused>
      ) : (
        <>
          <RangeForm choice={choice} now={props.now} />
          {choice.problem ? (
            <div class="message error" role="alert" id="range-problem">
              {choice.problem}
            </div>
          ) : null}
          {data ? <Reports who={props.who} choice={choice} data={data} /> : null}
        </>
      )}
    </Layout>
  );
}

function RangeForm(props: { choice: ReportChoice; now: number }) {
  const { choice } = props;
  const preset = presetOf(choice, props.now);
  const scale = choice.scale === 'log' ? 'log' : undefined;
  const invalid = choice.problem ? 'true' : undefined;
  const described = choice.problem ? 'range-problem' : undefined;
  return (
    <div class="card">
      <form method="get" action="/console/reports" class="row" aria-label="Date range">
        <div>
          <label for="from">From</label>
          <input
            type="date"
            id="from"
            name="from"
            value={choice.from}
            aria-invalid={invalid}
            aria-describedby={described}
          />
        </div>
        <div>
          <label for="to">To (included)</label>
          <input
            type="date"
            id="to"
            name="to"
            value={choice.to}
            aria-invalid={invalid}
            aria-describedby={described}
          />
        </div>
        {scale ? <input type="hidden" name="scale" value={scale} /> : null}
        <button type="submit">Show</button>
      </form>
      <nav aria-label="Preset ranges" class="filters presets">
        {REPORT_PRESETS.map(({ days, label }) => (
          <a
            href={withQuery('/console/reports', { days, scale })}
            aria-current={days === preset ? 'page' : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      <p class="hint">UTC days, both included; at most a year (366 days).</p>
    </div>
  );
}

function Reports(props: { who: WhoAmI; choice: ReportChoice; data: ReportData }) {
  const { report, history, usage } = props.data;
  const { choice } = props;
  const canManage = props.who.role === 'manager' || props.who.role === 'admin';
  if (!report.ok) return <Problem problem={report.problem} />;
  const range = { from: report.data.from, to: report.data.to };
  return (
    <div class="reports">
      <div class="card">
        <h2>Tier distribution now</h2>
        <TierBars tiers={report.data.tiers} />
        <p class="hint">As of {formatTime(report.data.asOf)}.</p>
        <TierNowTable tiers={report.data.tiers} />
      </div>
      <div class="card">
        <h2>Tier distribution over time</h2>
        {history.ok ? (
          <>
            <TierDays days={history.data.days} />
            <p class="hint">
              Each day’s candidates by their tier at the end of that day (today: now), under today’s
              scoring model; a candidate who had not engaged yet counts as Inactive.
            </p>
            <TierDaysTable days={history.data.days} />
          </>
        ) : (
          <Problem problem={history.problem} />
        )}
      </div>
      <div class="card wide">
        <h2>Engagements per type per day</h2>
        <nav aria-label="Scale" class="filters">
          <a
            href={withQuery('/console/reports', range)}
            aria-current={choice.scale === 'linear' ? 'page' : undefined}
          >
            Linear scale
          </a>
          <a
            href={withQuery('/console/reports', { ...range, scale: 'log' })}
            aria-current={choice.scale === 'log' ? 'page' : undefined}
          >
            Log scale
          </a>
        </nav>
        {/* The range the API reports on (the one asked for), so the days match its counts. */}
        <StackedDays
          perDay={report.data.engagementsPerDay}
          from={report.data.from}
          to={report.data.to}
          scale={choice.scale}
        />
        {choice.scale === 'log' ? (
          <p class="hint">
            Log scale: 0, 1, 10, 100… one grid line apart; each bar is its day’s total, split
            between the types in proportion.
          </p>
        ) : null}
        <PerDayTable report={report.data} />
      </div>
      <UsagePanel usage={usage} place="reports" canManage={canManage} />
    </div>
  );
}
