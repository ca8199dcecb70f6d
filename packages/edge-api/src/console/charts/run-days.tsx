// A campaign's runs per day: one stacked bar per local date (delivered, sent and not delivered,
// skipped), every day between the first and last run shown so days without a run are gaps, with
// a `<title>` on each segment giving its exact count. The table beside it has every figure.
import type { CampaignRuns } from '../../client/index.js';
import { axis, daysBetween, px, shortDate } from './scale.js';
import { YGrid } from './y-grid.js';

type CampaignRun = CampaignRuns['data'][number];

const W = 760;
const H = 240;
const M = { left: 44, right: 10, top: 12, bottom: 30 };

const PARTS = [
  { key: 'delivered', label: 'Delivered', colour: '#009E73' },
  { key: 'undelivered', label: 'Sent, not (yet) delivered', colour: '#56B4E9' },
  { key: 'skipped', label: 'Skipped', colour: '#E69F00' },
] as const;

type Part = (typeof PARTS)[number]['key'];

export function skippedTotal(run: Pick<CampaignRun, 'skipped'>): number {
  return Object.values(run.skipped).reduce((sum, count) => sum + count, 0);
}

function partsOf(run: CampaignRun): Record<Part, number> {
  return {
    delivered: run.delivered,
    undelivered: Math.max(0, run.sent - run.delivered),
    skipped: skippedTotal(run),
  };
}

export function RunDays(props: { runs: CampaignRun[] }) {
  const byDate = new Map(props.runs.map((run) => [run.date, partsOf(run)]));
  const dates = [...byDate.keys()].sort();
  const days = dates.length > 0 ? daysBetween(dates[0] ?? '', dates.at(-1) ?? '') : [];
  const totals = days.map((day) => {
    const parts = byDate.get(day);
    return parts ? parts.delivered + parts.undelivered + parts.skipped : 0;
  });
  const { top, ticks } = axis(Math.max(1, ...totals));
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const slot = innerW / Math.max(days.length, 1);
  const y = (value: number) => M.top + innerH - (value / top) * innerH;
  const labelEvery = Math.max(1, Math.round(days.length / 7));
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="runs-title">
        <title id="runs-title">
          Texts per run, {dates[0] ?? ''} to {dates.at(-1) ?? ''}: delivered, sent and skipped
        </title>
        <YGrid ticks={ticks} y={y} left={M.left} right={W - M.right} />
        {days.map((day, index) => (
          <RunBar
            day={day}
            parts={byDate.get(day)}
            left={M.left + index * slot}
            slot={slot}
            y={y}
            label={index % labelEvery === 0}
          />
        ))}
        <line class="axis" x1={M.left} x2={W - M.right} y1={px(y(0))} y2={px(y(0))} />
      </svg>
      <ul class="legend" aria-label="Run figures">
        {PARTS.map((part) => (
          <li>
            <svg viewBox="0 0 14 14" aria-hidden="true">
              <rect width="14" height="14" rx="2" fill={part.colour} />
            </svg>
            {part.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}

function RunBar(props: {
  day: string;
  parts: Record<Part, number> | undefined;
  left: number;
  slot: number;
  y: (value: number) => number;
  label: boolean;
}) {
  const { day, slot, y } = props;
  const barW = Math.max(1, Math.min(40, slot * 0.78));
  const left = px(props.left + (slot - barW) / 2);
  let stacked = 0;
  return (
    <g>
      {PARTS.map((part) => {
        const count = props.parts?.[part.key] ?? 0;
        if (count === 0) return null;
        const y0 = y(stacked);
        stacked += count;
        const y1 = y(stacked);
        return (
          <rect x={left} y={px(y1)} width={px(barW)} height={px(y0 - y1)} fill={part.colour}>
            <title>{`${day}: ${count} ${part.label.toLowerCase()}`}</title>
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
