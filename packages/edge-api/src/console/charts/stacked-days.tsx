// Engagements per type per day: one stacked bar per day, one colour per type, with a legend
// and a `<title>` on every segment (hover, and screen readers) giving its exact count. On the log
// scale a bar's height is its day's total on a log axis, split between the types in proportion,
// so one busy day does not flatten the others. The reports page puts the numbers in a table.
import { ENGAGEMENT_TYPES, type EngagementType } from '@cxm/scoring';
import type { TierReport } from '../../client/index.js';
import { TYPE_COLOURS, TYPE_LABELS } from '../labels.js';
import { axis, daysBetween, logAxis, px, shortDate } from './scale.js';
import { YGrid } from './y-grid.js';

const W = 760;
const H = 280;
const M = { left: 60, right: 10, top: 12, bottom: 36 };

type PerDay = TierReport['engagementsPerDay'];
export type ChartScale = 'linear' | 'log';

export function StackedDays(props: {
  perDay: PerDay;
  from?: string;
  to?: string;
  scale?: ChartScale;
}) {
  const dates = props.perDay.map((entry) => entry.date).sort();
  const from = props.from ?? dates[0];
  const to = props.to ?? dates.at(-1);
  const days = from && to ? daysBetween(from, to) : [];
  const counts = countsByDay(props.perDay);
  const totals = days.map((day) =>
    [...(counts.get(day)?.values() ?? [])].reduce((a, b) => a + b, 0),
  );
  // At least 4, so a quiet range does not get ticks of half an engagement.
  const max = Math.max(4, ...totals);
  const log = props.scale === 'log';
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const base = M.top + innerH;
  // Linear: a value's height. Log: the axis places the ticks; a bar is its total's log height.
  const linear = axis(max);
  const logScale = logAxis(max);
  const ticks = log ? logScale.ticks : linear.ticks;
  const tickY = (value: number) =>
    base - (log ? logScale.share(value) : value / linear.top) * innerH;
  const barHeight = (total: number) => (log ? logScale.share(total) : total / linear.top) * innerH;
  const slot = innerW / Math.max(days.length, 1);
  const labelEvery = Math.max(1, Math.round(days.length / 7));
  return (
    <figure>
      <svg class="chart days" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="per-day-title">
        <title id="per-day-title">
          Engagements per type per day{log ? ' (log scale)' : ''}, {from ?? ''} to {to ?? ''}:{' '}
          {totals.reduce((a, b) => a + b, 0)} in all
        </title>
        <YGrid ticks={ticks} y={tickY} left={M.left} right={W - M.right} />
        {days.map((day, index) => (
          <DayBar
            day={day}
            counts={counts.get(day)}
            left={M.left + index * slot}
            slot={slot}
            base={base}
            height={barHeight(totals[index] ?? 0)}
            label={index % labelEvery === 0}
            minor={(index / labelEvery) % 2 === 1}
          />
        ))}
        <line class="axis" x1={M.left} x2={W - M.right} y1={px(base)} y2={px(base)} />
      </svg>
      <Legend perDay={props.perDay} />
    </figure>
  );
}

/** Day → type → count (the API sends one row per day and type; summed in case of repeats). */
function countsByDay(perDay: PerDay): Map<string, Map<EngagementType, number>> {
  const counts = new Map<string, Map<EngagementType, number>>();
  for (const entry of perDay) {
    const day = counts.get(entry.date) ?? new Map<EngagementType, number>();
    day.set(entry.type, (day.get(entry.type) ?? 0) + entry.count);
    counts.set(entry.date, day);
  }
  return counts;
}

/**
 * One day's bar, `height` tall: a segment per type in proportion to its count, stacked in the
 * legend's order, and the date under it (`minor` dates give way on narrow screens).
 */
function DayBar(props: {
  day: string;
  counts: Map<EngagementType, number> | undefined;
  /** Where the day's slot starts, and its width. */
  left: number;
  slot: number;
  /** The y of the x axis, and the bar's height above it. */
  base: number;
  height: number;
  label: boolean;
  minor: boolean;
}) {
  const { day, slot, base, height } = props;
  const barW = Math.max(1, slot * 0.78);
  const left = px(props.left + (slot - barW) / 2);
  const total = [...(props.counts?.values() ?? [])].reduce((a, b) => a + b, 0);
  const y = (stacked: number) => base - (total > 0 ? (stacked / total) * height : 0);
  let stacked = 0;
  return (
    <g>
      {ENGAGEMENT_TYPES.map((type) => {
        const count = props.counts?.get(type) ?? 0;
        if (count === 0) return null;
        const y0 = y(stacked);
        stacked += count;
        const y1 = y(stacked);
        return (
          <rect x={left} y={px(y1)} width={px(barW)} height={px(y0 - y1)} fill={TYPE_COLOURS[type]}>
            <title>{`${day}: ${count} × ${TYPE_LABELS[type]}`}</title>
          </rect>
        );
      })}
      {props.label ? (
        <text
          x={px(props.left + slot / 2)}
          y={H - 8}
          text-anchor="middle"
          class={props.minor ? 'minor' : undefined}
        >
          {shortDate(day)}
        </text>
      ) : null}
    </g>
  );
}

/** The types that occur in the range, with their colours. */
function Legend(props: { perDay: PerDay }) {
  const present = ENGAGEMENT_TYPES.filter((type) =>
    props.perDay.some((entry) => entry.type === type),
  );
  return (
    <ul class="legend" aria-label="Engagement types">
      {present.map((type) => (
        <li>
          <svg viewBox="0 0 14 14" aria-hidden="true">
            <rect width="14" height="14" rx="2" fill={TYPE_COLOURS[type]} />
          </svg>
          {TYPE_LABELS[type]}
        </li>
      ))}
    </ul>
  );
}
