// The console from a 360 px phone up: the header wraps instead of pushing the page sideways, and
// wide tables scroll inside themselves; and a focus ring seen on every background. Appended to
// CONSOLE_CSS (assets.ts), so it wins ties. Held to it by tests/e2e/src/console-layout.e2e.test.ts
// (no sideways scroll at 360 and 390 px; the ring at 3:1 or more around it).
export const RESPONSIVE_CSS = `
/*
 * WCAG 1.4.11: a focus ring at 3:1 against what surrounds it. The light amber (#f5a623) was 2.0:1
 * on white; this darker one is 4.2:1 on white, 3.9:1 on the page's wash and 3.8:1 on the header.
 */
:focus-visible { outline-color: #c26100; }
header.top .bar { row-gap: 6px; }
header.top nav { flex-wrap: wrap; min-width: 0; }
header.top .who { flex-wrap: wrap; min-width: 0; }
main > * { min-width: 0; }
/* A fieldset is at least as wide as its widest content by default (a long campaign name in a
   select): let it shrink to its box like any block, so the select inside clamps instead. */
fieldset { min-width: 0; }
/* Likewise a flex item of a row (a field holding that select): it shrinks to the line instead. */
.row > * { min-width: 0; max-width: 100%; }
/* A select as wide as its longest option, or a fixed-size field, never wider than its box. */
input, select, textarea { max-width: 100%; }
.tabs { flex-wrap: wrap; }
/*
 * Charts scale with their box: a 760-unit-wide chart on a phone draws 12-unit labels at 5 px.
 * Below 600 px the labels are drawn twice as large, about 10 px on screen (Reports' per-day
 * charts, \`.days\`, carry their own rule), and a label a chart marks \`.minor\` (every other date)
 * is left out so the larger ones do not collide.
 */
@media (max-width: 600px) {
  header.top .who-detail { display: none; }
  svg.chart:not(.tiers):not(.days) text { font-size: 24px; }
  svg.chart text.minor { display: none; }
}
@media (max-width: 760px) {
  header.top .bar { gap: 6px 16px; padding: 8px 12px; }
  header.top nav { flex: 1 1 100%; order: 3; margin: 0 -10px; }
  main { padding: 14px 12px; }
  .card { padding: 14px 12px; }
  /*
   * Cells wrap anywhere, so most tables fit; one that still cannot (many columns) scrolls in its
   * own box, not the page with it. A box that scrolls must be reachable by keyboard (axe's
   * scrollable-region-focusable): the tables that need it hold links or checkboxes. A table in
   * a .table-scroll box (Reports) already scrolls in that box.
   */
  th, td { padding: 6px 6px; }
  td { overflow-wrap: anywhere; }
  main :not(.table-scroll) > table { display: block; max-width: 100%; overflow-x: auto; }
}
`;
