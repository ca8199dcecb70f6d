// The console's static files, served by the worker itself (no CDN, works offline): a stylesheet,
// the icon, and one tiny script for the copy buttons (everything else works without script).
// Both are same-origin, so the pages' CSP can stay `script-src 'self'; style-src 'self'`.
import type { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { RESPONSIVE_CSS } from './styles/responsive.js';

export const CONSOLE_CSS = `
:root {
  --ink: #1d2430; --muted: #5b6472; --line: #d9dee6; --paper: #ffffff; --wash: #f4f6f9;
  --accent: #1f5fbf; --accent-ink: #ffffff; --danger: #a4262c; --ok: #1e6b3a;
  --inactive: #6b7280; --engaged: #1f5fbf; --highly: #1e7a46;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--wash); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: var(--paper); padding: 4px 8px; z-index: 2; }
header.top { background: #14213d; color: #fff; }
header.top .bar { max-width: 1120px; margin: 0 auto; padding: 10px 20px; display: flex; gap: 24px; align-items: center; flex-wrap: wrap; }
header.top .brand { font-weight: 700; color: #fff; text-decoration: none; }
header.top nav { display: flex; gap: 4px; flex: 1; }
header.top nav a { color: #dfe7f5; text-decoration: none; padding: 6px 10px; border-radius: 6px; }
header.top nav a[aria-current="page"] { background: #2c3e66; color: #fff; }
header.top nav a:hover { background: #24365c; }
header.top .who { font-size: 14px; color: #c9d3e6; display: flex; gap: 10px; align-items: center; }
header.top .who form { margin: 0; }
header.top .who button { background: transparent; color: #fff; border: 1px solid #7d8fb3; padding: 3px 10px; }
main { max-width: 1120px; margin: 0 auto; padding: 20px; }
h1 { font-size: 26px; margin: 8px 0 16px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 19px; margin: 0 0 10px; }
h3 { font-size: 16px; margin: 16px 0 6px; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-bottom: 18px; }
.reports { display: grid; grid-template-columns: minmax(280px, 1fr) minmax(0, 2fr); gap: 18px; align-items: start; }
@media (max-width: 900px) { .reports { grid-template-columns: 1fr; } }
.reports > * { min-width: 0; }
.reports .wide { grid-column: 1 / -1; }
.table-scroll { overflow: auto; max-height: 22rem; margin-top: 12px; border: 1px solid var(--line); border-radius: 6px; }
.table-scroll table { font-size: 14px; }
.table-scroll caption { text-align: left; padding: 8px 10px; font-weight: 600; }
.table-scroll thead th { position: sticky; top: 0; background: var(--paper); }
.table-scroll tbody th { white-space: nowrap; }
input[type="date"] { font: inherit; padding: 6px 10px; border: 1px solid #aab3c0; border-radius: 6px; background: #fff; color: var(--ink); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 18px; }
.muted, .hint { color: var(--muted); }
.hint { font-size: 14px; margin: 4px 0 10px; }
table { border-collapse: collapse; width: 100%; font-size: 15px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.detail { word-break: break-word; max-width: 520px; }
/* The audit log's details: JSON and ids without spaces, wrapped anywhere rather than widening the page. */
/* Ids, emails and JSON without spaces: every cell may wrap anywhere, the time never (and the webhook log's errors). */
table.audit td, table.deliveries td { overflow-wrap: anywhere; }
table.audit td:first-child, table.deliveries td:first-child { white-space: nowrap; }
td.details { font-size: 14px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 13px; font-weight: 600; color: #fff; white-space: nowrap; }
.badge.inactive { background: var(--inactive); }
.badge.engaged { background: var(--engaged); }
.badge.highly_engaged { background: var(--highly); }
.badge.tag { background: #374151; margin: 0 4px 4px 0; }
.message { border-radius: 8px; padding: 12px 16px; margin: 0 0 18px; border: 1px solid; }
.message.error { background: #fdecec; border-color: #e7a4a7; color: #6e1a1e; }
.message.info { background: #eaf2fd; border-color: #a9c5ef; color: #183f7a; }
.message.ok { background: #e8f5ec; border-color: #9fd0ae; color: #164d2a; }
.message ul { margin: 6px 0 0; padding-left: 20px; }
.message code { background: rgba(0,0,0,.06); padding: 0 4px; border-radius: 4px; }
label { display: block; font-weight: 600; margin: 10px 0 4px; }
input[type="text"], input[type="password"], input[type="search"], select, textarea {
  font: inherit; padding: 7px 10px; border: 1px solid #aab3c0; border-radius: 6px; background: #fff; color: var(--ink);
}
input[type="text"], input[type="password"], textarea { width: 100%; }
textarea { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
button, .button { font: inherit; font-weight: 600; padding: 7px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button:hover { filter: brightness(1.08); }
.row { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; }
.row label { margin-top: 0; }
.tabs { display: flex; gap: 2px; border-bottom: 2px solid var(--line); margin: 0 0 16px; padding: 0; list-style: none; }
.tabs a { display: block; padding: 8px 14px; text-decoration: none; color: var(--muted); border-bottom: 3px solid transparent; margin-bottom: -2px; font-weight: 600; }
.tabs a[aria-current="page"] { color: var(--ink); border-bottom-color: var(--accent); }
.filters { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 12px; }
.filters a { padding: 4px 12px; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; color: var(--ink); background: #fff; }
.filters a[aria-current="page"] { background: var(--ink); color: #fff; border-color: var(--ink); }
.stats { display: flex; gap: 28px; flex-wrap: wrap; margin: 4px 0 8px; }
.stats div { min-width: 110px; }
.stats dt { font-size: 13px; color: var(--muted); }
.stats dd { margin: 0; font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
.switch { display: flex; align-items: center; gap: 14px; }
.switch button[role="switch"] { width: 58px; height: 32px; border-radius: 999px; padding: 0; position: relative; border: 2px solid var(--inactive); background: #c8ced8; }
.switch button[role="switch"]::after { content: ""; position: absolute; top: 3px; left: 3px; width: 22px; height: 22px; border-radius: 50%; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.3); }
.switch button[role="switch"][aria-checked="true"] { background: var(--ok); border-color: var(--ok); }
.switch button[role="switch"][aria-checked="true"]::after { left: 29px; }
.switch .state { font-weight: 700; }
.code-block { position: relative; }
.code-block textarea { min-height: 92px; background: #f7f8fa; }
.code-block .copy-row { display: flex; gap: 10px; align-items: center; margin-top: 6px; }
.copied { color: var(--ok); font-weight: 600; font-size: 14px; }
figure { margin: 0; }
figcaption { font-size: 14px; color: var(--muted); margin-top: 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #4a5260; }
svg.chart.tiers text { font-size: 14px; }
@media (max-width: 600px) { svg.chart.days text { font-size: 26px; } svg.chart.days text.minor { display: none; } }
svg.chart .axis { stroke: #9aa3b0; stroke-width: 1; }
svg.chart .grid { stroke: #e6e9ee; stroke-width: 1; }
svg.chart .threshold { stroke-width: 1.5; stroke-dasharray: 6 4; }
svg.chart .threshold.engaged { stroke: var(--engaged); }
svg.chart .threshold.highly_engaged { stroke: var(--highly); }
svg.chart text.threshold-label.engaged { fill: var(--engaged); font-weight: 600; }
svg.chart text.threshold-label.highly_engaged { fill: var(--highly); font-weight: 600; }
svg.chart .line { fill: none; stroke: #14213d; stroke-width: 2.2; }
svg.chart .area { fill: #14213d; fill-opacity: .08; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; list-style: none; padding: 0; margin: 8px 0 0; font-size: 14px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend svg { width: 14px; height: 14px; }
details summary { cursor: pointer; color: var(--accent); margin-top: 8px; }
.pager { margin-top: 12px; }
.sign-in { max-width: 460px; margin: 40px auto; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.settings dt { color: var(--muted); }
dl.settings dd { margin: 0; }
.attribution[title] { text-decoration: underline dotted; text-underline-offset: 3px; cursor: help; }
dl.attributions { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; font-size: 14px; }
dl.attributions dt { font-weight: 600; }
dl.attributions dd { margin: 0; }
@media (max-width: 700px) { dl.attributions { grid-template-columns: 1fr; } dl.attributions dd { margin-bottom: 6px; } }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
input[type="email"], input[type="tel"] { font: inherit; padding: 7px 10px; border: 1px solid #aab3c0; border-radius: 6px; background: #fff; color: var(--ink); width: 100%; }
textarea.prose { font: inherit; }
.field { margin-bottom: 6px; }
.field.check { display: grid; grid-template-columns: auto 1fr; column-gap: 8px; align-items: center; margin-top: 10px; }
.field.check label { margin: 0; }
.field.check .hint, .field.check .field-error { grid-column: 2; }
[aria-invalid="true"] { border-color: var(--danger); border-width: 2px; }
.field-error { color: var(--danger); font-weight: 600; font-size: 14px; margin: 4px 0 10px; }
.message.error a { color: inherit; }
button.danger, .button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
button.danger.secondary, .button.danger.secondary { background: #fff; color: var(--danger); }
.badge.user-active { background: var(--ok); }
.badge.user-deactivated { background: var(--inactive); }
.crumbs { margin: 0; font-size: 14px; }
.row.spread { justify-content: space-between; align-items: center; }
.licences { margin: 0; }
caption { text-align: left; color: var(--muted); font-size: 14px; padding: 8px 0; }
th[scope="row"] { font-size: inherit; text-transform: none; letter-spacing: normal; color: inherit; font-weight: 600; }
input[type="url"] { font: inherit; padding: 7px 10px; border: 1px solid #aab3c0; border-radius: 6px; background: #fff; color: var(--ink); width: 100%; }
input[readonly] { background: #f7f8fa; }
ol.thread { list-style: none; padding: 0; margin: 0 0 18px; display: flex; flex-direction: column; gap: 10px; }
ol.thread .bubble { max-width: 78%; border: 1px solid var(--line); border-radius: 10px; padding: 8px 12px; }
ol.thread .bubble.inbound { align-self: flex-start; background: var(--wash); }
ol.thread .bubble.outbound { align-self: flex-end; background: #eaf2fd; border-color: #a9c5ef; }
ol.thread .bubble p { margin: 0; }
ol.thread .meta, ol.thread .status { font-size: 13px; color: var(--muted); }
ol.thread .bubble .text { white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
ol.thread .status.failed, ol.thread .status.undelivered, ol.thread .status.cancelled { color: var(--danger); font-weight: 600; }
@media (max-width: 700px) { ol.thread .bubble { max-width: 100%; } }
dl.facts { margin-bottom: 12px; }
.send { border-top: 1px solid var(--line); padding-top: 6px; }
.badge.campaign-enabled { background: var(--ok); }
.badge.campaign-disabled, .badge.campaign-archived { background: var(--inactive); }
ol.steps { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; padding: 0 0 10px; margin: 0 0 14px; border-bottom: 1px solid var(--line); counter-reset: step; font-size: 14px; }
ol.steps li { counter-increment: step; }
ol.steps li::before { content: counter(step) ". "; color: var(--muted); }
ol.steps [aria-current="step"] { font-weight: 700; }
button.link { background: none; border: none; padding: 0; color: var(--accent); text-decoration: underline; font-weight: 400; }
fieldset.choices { border: none; padding: 0; margin: 10px 0; }
fieldset.choices legend { font-weight: 600; padding: 0; margin-bottom: 4px; }
fieldset.choices .field.check { margin-top: 2px; }
fieldset.toolbar { display: flex; gap: 6px; flex-wrap: wrap; margin: 12px 0 0; border: none; padding: 0; }
.toolbar button { padding: 3px 10px; font-size: 14px; }
input[type="time"] { font: inherit; padding: 7px 10px; border: 1px solid #aab3c0; border-radius: 6px; background: #fff; color: var(--ink); }
.estimate { background: var(--wash); border-radius: 8px; padding: 10px 14px; margin: 12px 0; }
.estimate h3 { margin-top: 0; }
dd.prose-value { white-space: pre-wrap; word-break: break-word; }
details.actions { position: relative; }
details.actions summary { list-style: none; margin: 0; font-weight: 600; padding: 7px 14px; border: 1px solid var(--accent); border-radius: 6px; background: #fff; }
details.actions ul { position: absolute; right: 0; z-index: 1; list-style: none; margin: 4px 0 0; padding: 8px; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; min-width: 160px; display: grid; gap: 6px; }
details.actions form { margin: 0; }
${RESPONSIVE_CSS}`;

/** Copy buttons: `<button data-copy="ID">` copies the value of the element with that id. */
export const COPY_JS = `(() => {
  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
    if (!button) return;
    const source = document.getElementById(button.getAttribute('data-copy') || '');
    if (!source) return;
    const status = document.getElementById(button.getAttribute('data-copy') + '-status');
    try {
      await navigator.clipboard.writeText(source.value);
      if (status) status.textContent = 'Copied to the clipboard';
    } catch {
      source.focus();
      source.select();
      if (status) status.textContent = 'Selected: press Ctrl+C (or Cmd+C) to copy';
    }
  });
})();
`;

/**
 * Add Campaign, where script runs: a mail-merge button (`data-insert`) puts `{{field}}` at the
 * cursor instead of posting the form (which, without script, adds it at the end); and changing a
 * filter refreshes the estimate in place (`data-estimate`: the console renders the panel for the
 * form as it is), where without script the "Update the estimate" button posts the step.
 */
export const CAMPAIGN_FORM_JS = `(() => {
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-insert]') : null;
    const text = document.getElementById('campaign-message');
    if (!button || !(text instanceof HTMLTextAreaElement)) return;
    event.preventDefault();
    const field = '{{' + button.getAttribute('data-insert') + '}}';
    const start = text.selectionStart ?? text.value.length;
    const end = text.selectionEnd ?? start;
    text.setRangeText(field, start, end, 'end');
    text.focus();
  });
  let pending = 0;
  document.addEventListener('change', async (event) => {
    const form = event.target instanceof Element ? event.target.closest('form[data-estimate]') : null;
    const panel = document.querySelector('section.estimate');
    if (!form || !panel || !['timeframe', 'tags', 'tagsMode'].includes(event.target.name)) return;
    const asked = ++pending;
    try {
      const response = await fetch(form.getAttribute('data-estimate'), {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
      });
      if (!response.ok || asked !== pending) return;
      const fresh = document.createElement('template');
      fresh.innerHTML = await response.text();
      document.querySelector('section.estimate')?.replaceWith(fresh.content);
    } catch {
      // Offline or refused: the button still updates it the long way.
    }
  });
})();
`;

/**
 * The scoring model form, where script runs: as values change (a short pause after typing), the
 * preview panel (`data-preview`: the console renders it for the form as it is) is refreshed in
 * place; without script the "Update preview" button posts the form and the page comes back.
 */
export const SETTINGS_FORM_JS = `(() => {
  let pending = 0;
  let timer;
  const refresh = async (form) => {
    const asked = ++pending;
    try {
      const response = await fetch(form.getAttribute('data-preview'), {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
      });
      if (!response.ok || asked !== pending) return;
      const fresh = document.createElement('template');
      fresh.innerHTML = await response.text();
      document.getElementById('model-preview')?.replaceWith(fresh.content);
    } catch {
      // Offline or refused: the button still updates it the long way.
    }
  };
  // Points, thresholds and hysteresis are previewed from the stored scores (cheap): as they are
  // typed. A half-life, window, cap or machine share rescores everyone in memory, as a save does:
  // when the field is left.
  const cheap = (name) =>
    /^scoringModel[.](weights|thresholds)[.]/.test(name) || name === 'scoringModel.hysteresis';
  const changed = (event) => {
    const form = event.target instanceof Element ? event.target.closest('form[data-preview]') : null;
    if (!form || !(event.target instanceof HTMLInputElement)) return;
    if (event.type === 'input' && !cheap(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(() => refresh(form), event.type === 'change' ? 0 : 600);
  };
  document.addEventListener('input', changed);
  document.addEventListener('change', changed);
})();
`;

/** The tab icon: a small bar chart in the console's colours. */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#14213d"/><rect x="3" y="9" width="2.5" height="4" fill="#6b7280"/><rect x="6.75" y="6" width="2.5" height="7" fill="#5b8def"/><rect x="10.5" y="3" width="2.5" height="10" fill="#3fbf7f"/></svg>`;

/** Serves the files under `/assets/`; five minutes of caching, they change only with a deploy. */
export function registerAssets(routes: Hono<AppEnv>): void {
  const files: [path: string, body: string, type: string][] = [
    ['/assets/console.css', CONSOLE_CSS, 'text/css; charset=utf-8'],
    ['/assets/icon.svg', ICON_SVG, 'image/svg+xml'],
    ['/assets/copy.js', COPY_JS, 'text/javascript; charset=utf-8'],
    ['/assets/campaign-form.js', CAMPAIGN_FORM_JS, 'text/javascript; charset=utf-8'],
    ['/assets/settings-form.js', SETTINGS_FORM_JS, 'text/javascript; charset=utf-8'],
  ];
  for (const [path, body, type] of files) {
    routes.get(path, (c) =>
      c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=300' }),
    );
  }
}
