// How many candidates are in each tier: one horizontal bar per tier, with the count written out.
import { TIERS, type Tier } from '@cxm/scoring';
import { TIER_COLOURS, TIER_LABELS } from '../labels.js';
import { px } from './scale.js';

const W = 360;
const ROW = 44;
const LABEL = 132;

export function TierBars(props: { tiers: Record<Tier, number> }) {
  const total = TIERS.reduce((sum, tier) => sum + (props.tiers[tier] ?? 0), 0);
  const most = Math.max(1, ...TIERS.map((tier) => props.tiers[tier] ?? 0));
  const barW = W - LABEL - 86;
  const H = ROW * TIERS.length + 8;
  return (
    <figure>
      <svg class="chart tiers" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="tiers-title">
        <title id="tiers-title">
          Candidates per tier:{' '}
          {TIERS.map((tier) => `${TIER_LABELS[tier]} ${props.tiers[tier] ?? 0}`).join(', ')}
        </title>
        {TIERS.map((tier, row) => {
          const count = props.tiers[tier] ?? 0;
          const width = px((count / most) * barW);
          const top = 4 + row * ROW;
          return (
            <g>
              <text x={LABEL - 10} y={top + 24} text-anchor="end">
                {TIER_LABELS[tier]}
              </text>
              <rect
                x={LABEL}
                y={top + 6}
                width={Math.max(width, 1)}
                height={26}
                rx="3"
                fill={TIER_COLOURS[tier]}
              />
              <text x={LABEL + Math.max(width, 1) + 8} y={top + 24}>
                {count} ({total > 0 ? Math.round((count / total) * 100) : 0} %)
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{total} candidates, by their current tier.</figcaption>
    </figure>
  );
}
