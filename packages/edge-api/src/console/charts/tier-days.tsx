// The tier distribution over time (`GET /v1/reports/tier-history`): candidates per tier at the
// end of each day as stacked areas, Highly engaged at the bottom, so the engaged pool's size is
// the height of the two lower bands. The reports page puts every day's numbers in a table.
import type { Tier } from '@cxm/scoring';
import type { TierHistory } from '../../client/index.js';
import { TIER_COLOURS, TIER_LABELS } from '../labels.js';
import { axis, px, shortDate } from './scale.js';
import { YGrid } from './y-grid.js';

const W = 760;
const H = 260;
const M = { left: 60, right: 10, top: 12, bottom: 36 };

/** Bottom to top. */
export const STACK: readonly Tier[] = ['highly_engaged', 'engaged', 'inactive'];

type TierDay = TierHistory['days'][number];

export function TierDays(props: { days: TierDay[] }) {
  const { days } = props;
  const totals = days.map((day) => day.inactive + day.engaged + day.highly_engaged);
  // At least 4, so a handful of candidates does not get ticks of half a candidate.
  const { top, ticks } = axis(Math.max(4, ...totals));
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const y = (value: number) => M.top + innerH - (value / top) * innerH;
  // One point per day at its slot's middle; a single day is a band across the whole width.
  const slot = innerW / Math.max(days.length, 1);
  const xs = days.map((_, index) => M.left + slot * (index + 0.5));
  const edges = days.length === 1 ? [M.left, W - M.right] : xs;
  const labelEvery = Math.max(1, Math.round(days.length / 7));
  const last = days.at(-1);
  return (
    <figure>
      <svg
        class="chart days"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby="tier-days-title"
      >
        <title id="tier-days-title">
          Candidates per tier at the end of each day, {days[0]?.date ?? ''} to {last?.date ?? ''}
          {last
            ? `: on ${last.date} ${STACK.map((tier) => `${last[tier]} ${TIER_LABELS[tier]}`).join(', ')}`
            : ''}
        </title>
        <YGrid ticks={ticks} y={y} left={M.left} right={W - M.right} />
        {STACK.map((tier, band) => {
          const below = (day: TierDay) => STACK.slice(0, band).reduce((sum, t) => sum + day[t], 0);
          const points = (pick: (day: TierDay) => number) =>
            (days.length === 1 ? [days[0]!, days[0]!] : days).map(
              (day, index) => `${px(edges[index]!)},${px(y(pick(day)))}`,
            );
          const upper = points((day) => below(day) + day[tier]);
          const lower = points(below).reverse();
          return <polygon points={[...upper, ...lower].join(' ')} fill={TIER_COLOURS[tier]} />;
        })}
        {days.map((day, index) =>
          index % labelEvery === 0 ? (
            <text
              x={px(xs[index]!)}
              y={H - 8}
              text-anchor="middle"
              class={(index / labelEvery) % 2 === 1 ? 'minor' : undefined}
            >
              {shortDate(day.date)}
            </text>
          ) : null,
        )}
        <line class="axis" x1={M.left} x2={W - M.right} y1={px(y(0))} y2={px(y(0))} />
      </svg>
      <ul class="legend" aria-label="Tiers">
        {[...STACK].reverse().map((tier) => (
          <li>
            <svg viewBox="0 0 14 14" aria-hidden="true">
              <rect width="14" height="14" rx="2" fill={TIER_COLOURS[tier]} />
            </svg>
            {TIER_LABELS[tier]}
          </li>
        ))}
      </ul>
    </figure>
  );
}
