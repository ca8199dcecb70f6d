// The audit log page (`/console/audit`, manager and above): `GET /v1/audit` as a table, newest
// first, with the action family and the date range in the URL (a GET form) and a next page.
// People are shown by name where the organisation knows them; keys and the system by their id.
import type { AuditEntry, AuditPage, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { formatTime } from '../labels.js';
import { Layout, Problem } from '../layout.js';

export interface AuditView {
  action: string;
  from: string;
  to: string;
}

/** The families the filter offers: `GET /v1/audit?action=<family>.` */
export const AUDIT_FAMILIES: [string, string][] = [
  ['', 'Everything'],
  ['key.', 'API keys'],
  ['user.', 'Users and sign-ins'],
  ['settings.', 'Settings'],
  ['campaign.', 'Campaigns'],
  ['candidate.', 'Candidates (purges, contact details)'],
  ['visitor.', 'Visitor links'],
];

function auditHref(view: AuditView, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(view)) if (value) params.set(name, value);
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `/console/audit?${text}` : '/console/audit';
}

function actorText(actor: string, names: ReadonlyMap<string, string>): string {
  if (actor.startsWith('user:')) return names.get(actor.slice(5)) ?? actor;
  if (actor.startsWith('key:')) return `API key ${actor.slice(4)}`;
  return actor === 'system' ? 'The system' : actor;
}

/** A value longer than this is cut (with …): the API has the whole entry. */
const MAX_VALUE = 160;

function shortened(text: string): string {
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** Details as short `name: value` text; a value that is an object stays JSON. */
function detailsText(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return shortened(String(details));
  return Object.entries(details as Record<string, unknown>)
    .map(([name, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${name}: ${shortened(text)}`;
    })
    .join('; ');
}

function EntryRow(props: { entry: AuditEntry; names: ReadonlyMap<string, string> }) {
  const { entry } = props;
  return (
    <tr>
      <td>{formatTime(entry.at)}</td>
      <td>{actorText(entry.actor, props.names)}</td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td>{entry.subject ?? <span class="muted">—</span>}</td>
      <td class="details">{detailsText(entry.details)}</td>
    </tr>
  );
}

function Filters(props: { view: AuditView }) {
  const { view } = props;
  return (
    <form method="get" action="/console/audit" aria-label="Filter the audit log" class="row">
      <div>
        <label for="audit-action">What</label>
        <select id="audit-action" name="action">
          {AUDIT_FAMILIES.map(([value, label]) => (
            <option value={value} selected={view.action === value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="audit-from">From</label>
        <input type="date" id="audit-from" name="from" value={view.from} />
      </div>
      <div>
        <label for="audit-to">Before</label>
        <input type="date" id="audit-to" name="to" value={view.to} />
      </div>
      <button type="submit">Show</button>
      <a href="/console/audit">Clear</a>
    </form>
  );
}

export function AuditLogPage(props: {
  who: WhoAmI;
  view: AuditView;
  result: ApiResult<AuditPage>;
  names: ReadonlyMap<string, string>;
  retentionDays: number;
}) {
  const { result, view } = props;
  return (
    <Layout title="Audit log" who={props.who} section="audit">
      <h1>Audit log</h1>
      <p class="hint">
        Who changed what: keys, users and roles, sign-ins (failed ones too), settings, campaigns,
        visitor links and purges, newest first; never a secret or purged data. Kept{' '}
        {props.retentionDays} days.
      </p>
      <div class="card">
        <Filters view={view} />
        {!result.ok ? (
          <Problem problem={result.problem} hint="Change the filters above and show again." />
        ) : result.data.entries.length === 0 ? (
          <p>Nothing was logged for these filters.</p>
        ) : (
          // On a phone the table scrolls in itself: focusable, so a keyboard can scroll it too.
          <table class="audit" tabindex={0}>
            <caption class="visually-hidden">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {result.data.entries.map((entry) => (
                <EntryRow entry={entry} names={props.names} />
              ))}
            </tbody>
          </table>
        )}
        {result.ok && result.data.nextCursor ? (
          <p class="pager">
            <a class="button secondary" href={auditHref(view, result.data.nextCursor)}>
              Older entries
            </a>
          </p>
        ) : null}
      </div>
    </Layout>
  );
}
