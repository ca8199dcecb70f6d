// The candidate list (`GET /v1/audiences`, reporter and above), filterable by tier, and an
// "open by id" form, which is all a `user` key gets: the console never works around a role.
import { TIERS } from '@cxm/scoring';
import type { Audience, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { formatPoints, formatTime, TIER_LABELS } from '../labels.js';
import { Layout, Problem, RoleRefused, TierBadge } from '../layout.js';
import { withQuery } from '../links.js';

export function CandidatesPage(props: { who: WhoAmI; tier: string; result: ApiResult<Audience> }) {
  const { result, tier } = props;
  return (
    <Layout title="Candidates" who={props.who} section="candidates">
      <h1>Candidates</h1>
      <div class="card">
        <OpenById />
      </div>
      {result.ok ? (
        <div class="card">
          <TierFilters tier={tier} />
          <p class="muted">
            {result.data.total} candidate{result.data.total === 1 ? '' : 's'}
            {tier ? ` in ${TIER_LABELS[tier as keyof typeof TIER_LABELS] ?? tier}` : ''}, most
            engaged first.
          </p>
          <CandidateTable candidates={result.data.candidates} />
          {result.data.nextCursor ? (
            <p class="pager">
              <a
                class="button secondary"
                href={withQuery('/console/candidates', { tier, cursor: result.data.nextCursor })}
              >
                Next page
              </a>
            </p>
          ) : null}
        </div>
      ) : result.problem.code === 'forbidden' ? (
        <RoleRefused role={props.who.role} cannot="list candidates">
          Listing needs a reporter key or above. Open one by id with the form above instead.
        </RoleRefused>
      ) : (
        <Problem problem={result.problem} />
      )}
    </Layout>
  );
}

function OpenById() {
  return (
    <form method="get" action="/console/candidates" class="row">
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

function TierFilters(props: { tier: string }) {
  const filters = [
    { value: '', label: 'All tiers' },
    ...TIERS.map((t) => ({ value: t, label: TIER_LABELS[t] })),
  ];
  return (
    <nav aria-label="Filter by tier" class="filters">
      {filters.map((filter) => (
        <a
          href={withQuery('/console/candidates', { tier: filter.value })}
          aria-current={filter.value === props.tier ? 'page' : undefined}
        >
          {filter.label}
        </a>
      ))}
    </nav>
  );
}

function CandidateTable(props: { candidates: Audience['candidates'] }) {
  if (props.candidates.length === 0) return <p>No candidates here yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Candidate</th>
          <th scope="col">Tier</th>
          <th scope="col" class="num">
            Points
          </th>
          <th scope="col">Last engaged</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {props.candidates.map((candidate) => (
          <tr>
            <td>
              <a href={`/console/candidates/${encodeURIComponent(candidate.candidateId)}`}>
                {candidate.candidateId}
              </a>
            </td>
            <td>
              <TierBadge tier={candidate.tier} />
            </td>
            <td class="num">{formatPoints(candidate.points)}</td>
            <td>{formatTime(candidate.lastEngagedAt)}</td>
            <td>{candidate.tags.join(', ') || <span class="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
