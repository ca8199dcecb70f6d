// Campaigns (`GET /v1/campaigns`, user role and above): the Re-engagement tab, filtered by name,
// code and state (archived ones only when asked for, as the API lists them), and the way to Add
// Campaign. The pieces the campaign pages share (state badge, timeframe in words) are here too.
import type { Campaign, Campaigns, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { timeframeLabel } from '../campaign-form.js';
import { Layout, Notice, Problem, RoleRefused, Tabs } from '../layout.js';
import { withQuery } from '../links.js';

export interface CampaignFilters {
  name: string;
  code: string;
  state: string;
}

export const STATE_LABELS: Record<Campaign['state'], string> = {
  enabled: 'Enabled',
  disabled: 'Disabled',
  archived: 'Archived',
};

export function StateBadge(props: { state: Campaign['state'] }) {
  return <span class={`badge campaign-${props.state}`}>{STATE_LABELS[props.state]}</span>;
}

export function campaignPath(id: string, rest = ''): string {
  return `/console/campaigns/${encodeURIComponent(id)}${rest}`;
}

/** The campaign's timeframe in words, as the form offers it. */
export function timeframeText(timeframe: Campaign['timeframe']): string {
  return timeframeLabel(
    'neverContacted' in timeframe ? 'never' : String(timeframe.notContactedForDays),
  );
}

export function tagsText(campaign: Pick<Campaign, 'tags' | 'tagsMode'>): string {
  if (campaign.tags.length === 0) return 'Any tags';
  if (campaign.tags.length === 1) return `Tagged ${campaign.tags[0]}`;
  return `${campaign.tagsMode === 'all' ? 'All' : 'Any'} of ${campaign.tags.join(', ')}`;
}

/** A refused read: the role line for `forbidden`, else the API's words. */
export function CampaignsRefused(props: { who: WhoAmI; problem: ApiResult<unknown> }) {
  if (props.problem.ok) return null;
  return props.problem.problem.code === 'forbidden' ? (
    <RoleRefused role={props.who.role} cannot="manage campaigns">
      Campaigns need the user role or above.
    </RoleRefused>
  ) : (
    <Problem problem={props.problem.problem} />
  );
}

export function CampaignsPage(props: {
  who: WhoAmI;
  filters: CampaignFilters;
  result: ApiResult<Campaigns>;
  saved?: string | undefined;
}) {
  const { result, filters } = props;
  return (
    <Layout title="Campaigns" who={props.who} section="campaigns">
      <div class="row spread">
        <h1>Campaigns</h1>
        <a class="button" href="/console/campaigns/new">
          Add Campaign
        </a>
      </div>
      <Tabs
        label="Campaign types"
        tabs={[{ href: '/console/campaigns', label: 'Re-engagement', current: true }]}
      />
      {props.saved === 'archived' ? <Notice kind="ok">The campaign is archived.</Notice> : null}
      <div class="card">
        <FilterForm filters={filters} />
        {result.ok ? (
          <CampaignTable campaigns={result.data.campaigns} filters={filters} />
        ) : (
          <CampaignsRefused who={props.who} problem={result} />
        )}
        {result.ok && result.data.nextCursor ? (
          <p class="pager">
            <a
              class="button secondary"
              href={withQuery('/console/campaigns', { ...filters, cursor: result.data.nextCursor })}
            >
              Next page
            </a>
          </p>
        ) : null}
      </div>
    </Layout>
  );
}

function FilterForm(props: { filters: CampaignFilters }) {
  const { filters } = props;
  return (
    <form method="get" action="/console/campaigns" class="row" aria-label="Filter campaigns">
      <div>
        <label for="filter-name">Campaign name</label>
        <input type="search" id="filter-name" name="name" value={filters.name} maxlength={120} />
      </div>
      <div>
        <label for="filter-code">Job code</label>
        <input type="search" id="filter-code" name="code" value={filters.code} maxlength={40} />
      </div>
      <div>
        <label for="filter-state">State</label>
        <select id="filter-state" name="state">
          <option value="" selected={filters.state === ''}>
            Enabled and disabled
          </option>
          {(['enabled', 'disabled', 'archived'] as const).map((state) => (
            <option value={state} selected={filters.state === state}>
              {STATE_LABELS[state]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="secondary">
        Filter
      </button>
    </form>
  );
}

function CampaignTable(props: { campaigns: Campaign[]; filters: CampaignFilters }) {
  const filtered = Boolean(props.filters.name || props.filters.code || props.filters.state);
  if (props.campaigns.length === 0) {
    return filtered ? (
      <p>No campaigns match these filters.</p>
    ) : (
      <p>No re-engagement campaigns yet: add one to text your warm talent pool every day.</p>
    );
  }
  return (
    <table>
      <caption>
        {props.campaigns.length} campaign{props.campaigns.length === 1 ? '' : 's'} by name
        {props.filters.state === 'archived' ? '' : '; archived ones are hidden unless asked for'}.
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Job code</th>
          <th scope="col">State</th>
          <th scope="col">Last contacted</th>
          <th scope="col">Tags</th>
          <th scope="col">Send time</th>
          <th scope="col">Channel</th>
        </tr>
      </thead>
      <tbody>
        {props.campaigns.map((campaign) => (
          <tr>
            <th scope="row">
              <a href={campaignPath(campaign.id)}>{campaign.name}</a>
            </th>
            <td>{campaign.code ?? <span class="muted">—</span>}</td>
            <td>
              <StateBadge state={campaign.state} />
            </td>
            <td>{timeframeText(campaign.timeframe)}</td>
            <td>{tagsText(campaign)}</td>
            <td>{campaign.sendTime}</td>
            <td>{campaign.channel === 'sms' ? 'SMS' : 'WhatsApp'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
