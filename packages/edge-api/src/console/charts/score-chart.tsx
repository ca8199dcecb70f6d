// A candidate's score over the last days (decay included, as the API computed it), with the
// tier thresholds drawn in: server-rendered SVG, no chart library, readable without colour.

import type { ScoreHistory } from '../../client/index.js';
import { TIER_LABELS } from '../labels.js';
import { axis, px, shortDate } from './scale.js';
import { YGrid } from './y-grid.js';

const W = 760;
const H = 260;
const M = { left: 44, right: 16, top: 14, bottom: 30 };

export function ScoreChart(props: { history: ScoreHistory; id?: string }) {
  const { points, thresholds } = props.history;
  const id = props.id ?? 'score-chart';
  const max = Math.max(thresholds.highlyEngaged * 1.25, ...points.map((p) => p.points));
  const { top, ticks } = axis(max);
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const x = (index: number) =>
    M.left + (points.length > 1 ? (index / (points.length - 1)) * innerW : innerW);
  const y = (value: number) => M.top + innerH - (value / top) * innerH;
  const line = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(x(i))} ${px(y(p.points))}`)
    .join('');
  const base = px(y(0));
  const area =
    points.length > 0 ? `${line}L${px(x(points.length - 1))} ${base}L${px(x(0))} ${base}Z` : '';
  const labelEvery = Math.max(1, Math.round(points.length / 6));
  const last = points.at(-1);
  const lines = [
    { tier: 'engaged' as const, value: thresholds.engaged },
    { tier: 'highly_engaged' as const, value: thresholds.highlyEngaged },
  ];
  return (
    <figure>
      <svg
        class="chart"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>Score over the last {points.length} days</title>
        <desc id={`${id}-desc`}>
          {last
            ? `From ${points[0]?.points.toFixed(1)} points on ${points[0]?.date} to ${last.points.toFixed(1)} on ${last.date}. Engaged from ${thresholds.engaged} points, Highly Engaged from ${thresholds.highlyEngaged}.`
            : 'No score history.'}
        </desc>
        <YGrid ticks={ticks} y={y} left={M.left} right={W - M.right} />
        {points.map((p, i) => {
          const end = points.length - 1;
          // Every labelEvery-th day and the last, but not one so near the last that they overlap;
          // every other one is minor, left out on a phone (styles/responsive.ts).
          const periodic = i % labelEvery === 0 && end - i >= labelEvery / 2;
          if (!periodic && i !== end) return null;
          const minor = i !== 0 && i !== end && (i / labelEvery) % 2 === 1;
          return (
            <text
              x={px(x(i))}
              y={H - 10}
              text-anchor={i === 0 ? 'start' : i === end ? 'end' : 'middle'}
              class={minor ? 'minor' : undefined}
            >
              {shortDate(p.date)}
            </text>
          );
        })}
        <path class="area" d={area} />
        <path class="line" d={line} />
        {lines.map((threshold) => (
          <Threshold tier={threshold.tier} y={px(y(threshold.value))} value={threshold.value} />
        ))}
        {last ? (
          <circle cx={px(x(points.length - 1))} cy={px(y(last.points))} r="4" fill="#14213d" />
        ) : null}
        <line class="axis" x1={M.left} x2={W - M.right} y1={base} y2={base} />
      </svg>
      <figcaption>
        Points per day, decayed as of each day; dashed lines are the tier thresholds.
      </figcaption>
    </figure>
  );
}

/** A tier's threshold: a dashed line across the plot, named at its left end. */
function Threshold(props: { tier: 'engaged' | 'highly_engaged'; y: number; value: number }) {
  return (
    <g>
      <line
        class={`threshold ${props.tier}`}
        x1={M.left}
        x2={W - M.right}
        y1={props.y}
        y2={props.y}
      />
      <text class={`threshold-label ${props.tier}`} x={M.left + 6} y={props.y - 5}>
        {TIER_LABELS[props.tier]} from {props.value}
      </text>
    </g>
  );
}
