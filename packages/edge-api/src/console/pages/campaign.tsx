// One campaign (`/console/campaigns/{id}`): its details, the Enabled switch, Actions → Edit and
// Archive, the estimate of a run now, and its runs as a chart and a table (`GET …/runs`). Every
// state change goes through a confirmation page first (`ConfirmStatePage`); archiving is final.
import type {
  ApiError,
  Campaign,
  CampaignEstimate,
  CampaignRuns,
  WhoAmI,
} from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { formOf } from '../campaign-form.js';
import { formatTime } from '../labels.js';
import { Layout, Notice, Problem } from '../layout.js';
import { EstimatePanel } from './campaign-estimate.js';
import { Summary } from './campaign-message.js';
import { RunsSection } from './campaign-runs.js';
import { CampaignsRefused, campaignPath, StateBadge } from './campaigns.js';

export type StateAction = 'enable' | 'disable' | 'archive';

const SAVED: Record<string, string> = {
  created: 'The campaign is saved.',
  updated: 'Saved the changes.',
  enabled: 'Enabled: it runs every day at its send time.',
  disabled: 'Disabled: it sends nothing until enabled again.',
};

const NOT_DONE: Record<StateAction, string> = {
  enable: 'The campaign was not enabled',
  disable: 'The campaign was not disabled',
  archive: 'The campaign was not archived',
};

export interface CampaignPageProps {
  who: WhoAmI;
  result: ApiResult<Campaign>;
  senderName: string | null;
  estimate: ApiResult<CampaignEstimate> | null;
  runs: ApiResult<CampaignRuns> | null;
  saved?: string | undefined;
  failure?: { action: StateAction; problem: ApiError } | undefined;
}

export function CampaignPage(props: CampaignPageProps) {
  const { result } = props;
  return (
    <Layout title={result.ok ? result.data.name : 'Campaign'} who={props.who} section="campaigns">
      <p class="crumbs">
        <a href="/console/campaigns">Campaigns</a>
      </p>
      {!result.ok ? (
        <>
          <h1>Campaign</h1>
          <CampaignsRefused who={props.who} problem={result} />
        </>
      ) : (
        <CampaignOverview {...props} campaign={result.data} />
      )}
    </Layout>
  );
}

function CampaignOverview(props: CampaignPageProps & { campaign: Campaign }) {
  const { campaign, failure } = props;
  const archived = campaign.state === 'archived';
  return (
    <>
      <div class="row spread">
        <h1>
          {campaign.name} <StateBadge state={campaign.state} />
        </h1>
        {archived ? null : <ActionsMenu campaign={campaign} />}
      </div>
      {props.saved && SAVED[props.saved] ? <Notice kind="ok">{SAVED[props.saved]}</Notice> : null}
      {failure ? <Problem problem={failure.problem} hint={`${NOT_DONE[failure.action]}.`} /> : null}
      {archived ? (
        <Notice kind="info">
          Archived: it never runs again, and archiving cannot be undone. Its runs stay below.
        </Notice>
      ) : (
        <StateSwitch campaign={campaign} />
      )}
      <section class="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <Summary form={formOf(campaign)} senderName={props.senderName ?? campaign.fromUserId} />
        <p class="hint">
          Created {formatTime(campaign.createdAt)}, last changed {formatTime(campaign.updatedAt)}.
        </p>
      </section>
      {props.estimate ? (
        <section class="card" aria-label="Estimate">
          <EstimatePanel estimate={props.estimate} />
        </section>
      ) : null}
      <RunsSection campaign={campaign} runs={props.runs} />
    </>
  );
}

/** Actions → Edit and Archive: a disclosure that works without script. */
function ActionsMenu(props: { campaign: Campaign }) {
  return (
    <details class="actions">
      <summary>Actions</summary>
      <ul>
        <li>
          <a href={campaignPath(props.campaign.id, '/edit')}>Edit</a>
        </li>
        <li>
          <form method="post" action={campaignPath(props.campaign.id, '/archive')}>
            <button type="submit" class="danger secondary">
              Archive…
            </button>
          </form>
        </li>
      </ul>
    </details>
  );
}

/** The Enabled switch: pressing it asks for confirmation (nothing changes until then). */
function StateSwitch(props: { campaign: Campaign }) {
  const enabled = props.campaign.state === 'enabled';
  const to: StateAction = enabled ? 'disable' : 'enable';
  return (
    <section class="card" aria-label="State">
      <form method="post" action={campaignPath(props.campaign.id, `/${to}`)} class="switch">
        <button
          type="submit"
          role="switch"
          aria-checked={enabled ? 'true' : 'false'}
          aria-labelledby="state-label"
          aria-describedby="state-hint"
        />
        <span id="state-label">
          Enabled: <span class="state">{enabled ? 'On' : 'Off'}</span>
        </span>
      </form>
      <p class="hint" id="state-hint">
        {enabled
          ? 'It texts the candidates who match every day at its send time. Turning it off asks you to confirm.'
          : 'It sends nothing while off. Turning it on asks you to confirm.'}
      </p>
    </section>
  );
}

const CONFIRM: Record<StateAction, { title: string; text: string; yes: string; no: string }> = {
  enable: {
    title: 'Enable',
    text: 'It will text the candidates who match every day from its next send time.',
    yes: 'Yes, enable it',
    no: 'No, keep it disabled',
  },
  disable: {
    title: 'Disable',
    text: 'It will send nothing until it is enabled again; texts already on their way still go.',
    yes: 'Yes, disable it',
    no: 'No, keep it enabled',
  },
  archive: {
    title: 'Archive',
    text: 'It will never run again and leaves the list. Archiving is final: it cannot be undone.',
    yes: 'Yes, archive it',
    no: 'No, keep it',
  },
};

/** The confirmation before a state change (`POST …/{action}` without `confirm=yes`). */
export function ConfirmStatePage(props: {
  who: WhoAmI;
  result: ApiResult<Campaign>;
  action: StateAction;
}) {
  const { result, action } = props;
  const words = CONFIRM[action];
  if (!result.ok) {
    return (
      <Layout title={`${words.title} a campaign`} who={props.who} section="campaigns">
        <p class="crumbs">
          <a href="/console/campaigns">Campaigns</a>
        </p>
        <h1>{words.title} a campaign</h1>
        <CampaignsRefused who={props.who} problem={result} />
      </Layout>
    );
  }
  const campaign = result.data;
  return (
    <Layout title={`${words.title} ${campaign.name}?`} who={props.who} section="campaigns">
      <p class="crumbs">
        <a href="/console/campaigns">Campaigns</a> ›{' '}
        <a href={campaignPath(campaign.id)}>{campaign.name}</a>
      </p>
      <h1>
        {words.title} {campaign.name}?
      </h1>
      <div class="card">
        <p id="confirm-text">{words.text}</p>
        <form method="post" action={campaignPath(campaign.id, `/${action}`)} class="row">
          <input type="hidden" name="confirm" value="yes" />
          <button
            type="submit"
            class={action === 'enable' ? undefined : 'danger'}
            aria-describedby="confirm-text"
          >
            {words.yes}
          </button>
          <a class="button secondary" href={campaignPath(campaign.id)}>
            {words.no}
          </a>
        </form>
      </div>
    </Layout>
  );
}
