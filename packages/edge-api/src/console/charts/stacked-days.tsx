// Engagements per type per day: one stacked bar per day, one colour per type, with a legend
// and a `<title>` on every segment (hover, and screen readers) giving its exact count.
import { ENGAGEMENT_TYPES, type EngagementType } from '@cxm/scoring';
import type { TierReport } from '../../client/index.js';
import { TYPE_COLOURS, TYPE_LABELS } from '../labels.js';
import { axis, daysBetween, px, shortDate } from './scale.js';
import { YGrid } from './y-grid.js';

const W = 760;
const H = 280;
const M = { left: 40, right: 10, top: 12, bottom: 30 };

type PerDay = TierReport['engagementsPerDay'];

export function StackedDays(props: { perDay: PerDay; from?: string; to?: string }) {
  const dates = props.perDay.map((entry) => entry.date).sort();
  const from = props.from ?? dates[0];
  const to = props.to ?? dates.at(-1);
  const days = from && to ? daysBetween(from, to) : [];
  const counts = countsByDay(props.perDay);
  const totals = days.map((day) =>
    [...(counts.get(day)?.values() ?? [])].reduce((a, b) => a + b, 0),
  );
  const { top, ticks } = axis(Math.max(1, ...totals));
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const slot = innerW / Math.max(days.length, 1);
  const y = (value: number) => M.top + innerH - (value / top) * innerH;
  const labelEvery = Math.max(1, Math.round(days.length / 7));
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="per-day-title">
        <title id="per-day-title">
          Engagements per type per day, {from ?? ''} to {to ?? ''}:{' '}
          {totals.reduce((a, b) => a + b, 0)} in all
        </title>
        <YGrid ticks={ticks} y={y} left={M.left} right={W - M.right} />
        {days.map((day, index) => (
          <DayBar
            day={day}
            counts={counts.get(day)}
            left={M.left + index * slot}
            slot={slot}
            y={y}
            label={index % labelEvery === 0}
          />
        ))}
        <line class="axis" x1={M.left} x2={W - M.right} y1={px(y(0))} y2={px(y(0))} />
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

/** One day's bar: a segment per type, stacked in the legend's order, and the date under it. */
function DayBar(props: {
  day: string;
  counts: Map<EngagementType, number> | undefined;
  /** Where the day's slot starts, and its width. */
  left: number;
  slot: number;
  y: (value: number) => number;
  label: boolean;
}) {
  const { day, slot, y } = props;
  const barW = Math.max(1, slot * 0.78);
  const left = px(props.left + (slot - barW) / 2);
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
        <text x={px(props.left + slot / 2)} y={H - 10} text-anchor="middle">
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
