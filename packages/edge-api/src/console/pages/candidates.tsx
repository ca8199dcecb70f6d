// The candidate list (`GET /v1/audiences`, reporter and above): filters for tier, tags (all or
// any), last engaged and last contacted ranges, and the sort, all in the URL (a GET form, so a
// shared link reproduces the view); the count of matches; rows to select; and export of the
// selected rows or of every match, as CSV or JSON, streamed from `GET /v1/audiences/export`
// through `/console/candidates/export`. A `user` may read a candidate but not list them: their
// page is "Find a candidate", the open-by-id form (the console never works around a role).
import { TIERS } from '@cxm/scoring';
import type { Audience, Campaign, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { type ListView, viewHref, viewParams } from '../candidate-list-view.js';
import { formatPoints, formatTime, TIER_LABELS } from '../labels.js';
import { Layout, Problem, TierBadge } from '../layout.js';
import { BulkControls } from './candidates-bulk.js';

const LIST = '/console/candidates';
const EXPORT = '/console/candidates/export';

export function CandidatesPage(props: {
  who: WhoAmI;
  view: ListView;
  /** Null: the role cannot list, so the list was not asked for. */
  result: ApiResult<Audience> | null;
  /** Campaigns the selection can be added to (bulk actions). */
  campaigns: Campaign[];
}) {
  const { result, view } = props;
  if (result === null) {
    return (
      <Layout title="Find a candidate" who={props.who} section="candidates">
        <h1>Find a candidate</h1>
        <div class="card">
          <OpenById />
          <p class="hint">
            Their profile has the score, tags, engagements and conversation. The list of every
            candidate, with its filters and export, is for reporters and above.
          </p>
        </div>
      </Layout>
    );
  }
  return (
    <Layout title="Candidates" who={props.who} section="candidates">
      <h1>Candidates</h1>
      <div class="card">
        <OpenById />
      </div>
      <div class="card">
        <FilterForm view={view} />
        {result.ok ? (
          <ListResult
            view={view}
            audience={result.data}
            campaigns={props.campaigns}
            licensed={props.who.licence}
          />
        ) : (
          <Problem problem={result.problem} hint="Change the filters above and apply them again." />
        )}
      </div>
    </Layout>
  );
}

function ListResult(props: {
  view: ListView;
  audience: Audience;
  campaigns: Campaign[];
  licensed: boolean;
}) {
  const { view, audience } = props;
  const { total } = audience;
  return (
    <>
      <p class="muted" id="match-count" role="status">
        <strong>{total}</strong> candidate{total === 1 ? '' : 's'} match
        {total === 1 ? 'es' : ''},{' '}
        {view.sort === 'lastEngaged' ? 'most recently engaged first' : 'most engaged first'}.
      </p>
      <p class="row">
        <a class="button secondary" href={viewHref(EXPORT, view, [['format', 'csv']])}>
          Export all {total} as CSV
        </a>
        <a class="button secondary" href={viewHref(EXPORT, view, [['format', 'json']])}>
          Export all {total} as JSON
        </a>
      </p>
      <form method="get" action={EXPORT} aria-label="Selected candidates">
        {viewParams(view).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        {/* Marks an export of the ticked rows: with none ticked it is refused, not "all". */}
        <input type="hidden" name="selection" value="1" />
        <CandidateTable candidates={audience.candidates} />
        {audience.candidates.length > 0 ? (
          <p class="row">
            <button type="submit" name="format" value="csv" class="secondary">
              Export selected as CSV
            </button>
            <button type="submit" name="format" value="json" class="secondary">
              Export selected as JSON
            </button>
          </p>
        ) : null}
        {audience.candidates.length > 0 ? (
          <BulkControls total={total} campaigns={props.campaigns} licensed={props.licensed} />
        ) : null}
      </form>
      {audience.nextCursor ? (
        <p class="pager">
          <a
            class="button secondary"
            href={viewHref(LIST, view, [['cursor', audience.nextCursor]])}
          >
            Next page
          </a>
        </p>
      ) : null}
    </>
  );
}

function OpenById() {
  return (
    <form method="get" action={LIST} class="row">
      <div>
        <label for="open-id">Open a candidate by id</label>
        <input type="search" id="open-id" name="id" required placeholder="e.g. ada-lovelace" />
      </div>
      <button type="submit" class="secondary">
        Open
      </button>
    </form>
  );
}

function DateField(props: { name: keyof ListView; label: string; view: ListView }) {
  return (
    <div>
      <label for={props.name}>{props.label}</label>
      <input type="date" id={props.name} name={props.name} value={String(props.view[props.name])} />
    </div>
  );
}

function FilterForm(props: { view: ListView }) {
  const { view } = props;
  return (
    <form method="get" action={LIST} aria-label="Filter candidates">
      <fieldset class="row">
        <legend>Tier</legend>
        {TIERS.map((tier) => (
          <label>
            <input type="checkbox" name="tier" value={tier} checked={view.tiers.includes(tier)} />{' '}
            {TIER_LABELS[tier]}
          </label>
        ))}
      </fieldset>
      <div class="row">
        <div>
          <label for="tags">Tags (comma-separated)</label>
          <input type="text" id="tags" name="tags" value={view.tags} placeholder="java, berlin" />
        </div>
        <div>
          <label for="tagMatch">Match</label>
          <select id="tagMatch" name="tagMatch">
            <option value="all" selected={view.tagMatch !== 'any'}>
              All of the tags
            </option>
            <option value="any" selected={view.tagMatch === 'any'}>
              Any of the tags
            </option>
          </select>
        </div>
      </div>
      <div class="row">
        <DateField name="lastEngagedAfter" label="Last engaged on or after" view={view} />
        <DateField name="lastEngagedBefore" label="Last engaged before" view={view} />
        <DateField name="lastContactedAfter" label="Last contacted on or after" view={view} />
        <DateField name="lastContactedBefore" label="Last contacted before" view={view} />
      </div>
      <div class="row">
        <div>
          <label for="sort">Sort by</label>
          <select id="sort" name="sort">
            <option value="score" selected={view.sort !== 'lastEngaged'}>
              Score, highest first
            </option>
            <option value="lastEngaged" selected={view.sort === 'lastEngaged'}>
              Last engaged, most recent first
            </option>
          </select>
        </div>
        <button type="submit">Apply filters</button>
        <a href={LIST}>Clear</a>
      </div>
    </form>
  );
}

function CandidateTable(props: { candidates: Audience['candidates'] }) {
  if (props.candidates.length === 0) return <p>No candidates match these filters.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">
            <span class="visually-hidden">Select</span>
          </th>
          <th scope="col">Candidate</th>
          <th scope="col">Tier</th>
          <th scope="col" class="num">
            Points
          </th>
          <th scope="col">Last engaged</th>
          <th scope="col">Last contacted</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {props.candidates.map((candidate) => (
          <tr>
            <td>
              <input
                type="checkbox"
                name="ids"
                value={candidate.candidateId}
                aria-label={`Select ${candidate.candidateId}`}
              />
            </td>
            <td>
              <a href={`${LIST}/${encodeURIComponent(candidate.candidateId)}`}>
                {candidate.candidateId}
              </a>
            </td>
            <td>
              <TierBadge tier={candidate.tier} />
            </td>
            <td class="num">{formatPoints(candidate.points)}</td>
            <td>{formatTime(candidate.lastEngagedAt)}</td>
            <td>
              {candidate.lastContactedAt === null ? 'Never' : formatTime(candidate.lastContactedAt)}
            </td>
            <td>{candidate.tags.join(', ') || <span class="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
