// The horizontal grid lines and their values that every chart with a y axis draws.
import { px } from './scale.js';

export function YGrid(props: {
  ticks: number[];
  /** The y coordinate of a value. */
  y: (value: number) => number;
  /** Where the plot starts and ends horizontally. */
  left: number;
  right: number;
}) {
  const { ticks, y, left, right } = props;
  return (
    <>
      {ticks.map((tick) => (
        <g>
          <line class="grid" x1={left} x2={right} y1={px(y(tick))} y2={px(y(tick))} />
          <text x={left - 6} y={px(y(tick)) + 4} text-anchor="end">
            {tick}
          </text>
        </g>
      ))}
    </>
  );
}
