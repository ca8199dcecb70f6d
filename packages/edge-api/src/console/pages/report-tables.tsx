// The numbers under the reports' charts, one table per chart (the charts' text alternative and
// what a reader copies): newest day first, in a container that scrolls by itself, so a year of
// days neither makes the page scroll sideways at 390 px nor runs on for metres.
import { ENGAGEMENT_TYPES, TIERS, type Tier } from '@cxm/scoring';
import type { TierHistory, TierReport } from '../../client/index.js';
import { daysBetween } from '../charts/scale.js';
import { STACK } from '../charts/tier-days.js';
import { TIER_LABELS, TYPE_LABELS } from '../labels.js';

function Num(props: { value: number }) {
  return <td class="num">{props.value.toLocaleString('en-GB')}</td>;
}

/** A captioned table in its own scrolling region (a named section), focusable to scroll by keyboard. */
function Scrolling(props: { id: string; caption: string; children: unknown }) {
  return (
    <section class="table-scroll" aria-labelledby={props.id} tabindex={0}>
      <table>
        <caption id={props.id}>{props.caption}</caption>
        {props.children}
      </table>
    </section>
  );
}

export function TierNowTable(props: { tiers: Record<Tier, number> }) {
  const total = TIERS.reduce((sum, tier) => sum + props.tiers[tier], 0);
  return (
    <Scrolling id="tiers-now-table" caption="Candidates per tier now">
      <thead>
        <tr>
          <th scope="col">Tier</th>
          <th scope="col" class="num">
            Count
          </th>
          <th scope="col" class="num">
            Share
          </th>
        </tr>
      </thead>
      <tbody>
        {[...TIERS].reverse().map((tier) => (
          <tr>
            <th scope="row">{TIER_LABELS[tier]}</th>
            <Num value={props.tiers[tier]} />
            <td class="num">{total > 0 ? Math.round((props.tiers[tier] / total) * 100) : 0} %</td>
          </tr>
        ))}
      </tbody>
    </Scrolling>
  );
}

export function TierDaysTable(props: { days: TierHistory['days'] }) {
  const tiers = [...STACK];
  return (
    <Scrolling
      id="tier-days-table"
      caption="Candidates per tier at the end of each day (today: now), newest first"
    >
      <thead>
        <tr>
          <th scope="col">Date</th>
          {tiers.map((tier) => (
            <th scope="col" class="num">
              {TIER_LABELS[tier]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {[...props.days].reverse().map((day) => (
          <tr>
            <th scope="row">
              <time datetime={day.date}>{day.date}</time>
            </th>
            {tiers.map((tier) => (
              <Num value={day[tier]} />
            ))}
          </tr>
        ))}
      </tbody>
    </Scrolling>
  );
}

export function PerDayTable(props: { report: TierReport }) {
  const { report } = props;
  const types = ENGAGEMENT_TYPES.filter((type) =>
    report.engagementsPerDay.some((row) => row.type === type),
  );
  const counts = new Map<string, number>();
  for (const row of report.engagementsPerDay) {
    const key = `${row.date} ${row.type}`;
    counts.set(key, (counts.get(key) ?? 0) + row.count);
  }
  const days = daysBetween(report.from, report.to).reverse();
  return (
    <Scrolling id="per-day-table" caption="Engagements per type per day, newest first">
      <thead>
        <tr>
          <th scope="col">Date</th>
          {types.map((type) => (
            <th scope="col" class="num">
              {TYPE_LABELS[type]}
            </th>
          ))}
          <th scope="col" class="num">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {days.map((date) => {
          const row = types.map((type) => counts.get(`${date} ${type}`) ?? 0);
          return (
            <tr>
              <th scope="row">
                <time datetime={date}>{date}</time>
              </th>
              {row.map((value) => (
                <Num value={value} />
              ))}
              <Num value={row.reduce((a, b) => a + b, 0)} />
            </tr>
          );
        })}
      </tbody>
    </Scrolling>
  );
}
