// A campaign's runs (`GET /v1/campaigns/{id}/runs`, newest first): the chart of texts per day and
// the table of every figure per run, with the skips by reason on each row's skipped count.
import type { Campaign, CampaignRuns } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { RunDays, skippedTotal } from '../charts/run-days.js';
import { Problem } from '../layout.js';
import { withQuery } from '../links.js';
import { SKIP_LABELS, skipEntries } from './campaign-estimate.js';
import { campaignPath } from './campaigns.js';

type CampaignRun = CampaignRuns['data'][number];

const RUN_STATES: Record<CampaignRun['state'], string> = {
  running: 'Running',
  done: 'Done',
  stopped: 'Stopped',
  failed: 'Failed',
};

/** The skips of a run by reason, in words: the title of its skipped count. */
function skipsText(run: CampaignRun): string {
  const entries = skipEntries(run.skipped).filter(([, count]) => count > 0);
  if (entries.length === 0) return 'None skipped';
  return entries.map(([reason, count]) => `${SKIP_LABELS[reason]}: ${count}`).join('; ');
}

function Num(props: { value: number }) {
  return <td class="num">{props.value.toLocaleString('en-GB')}</td>;
}

const COLUMNS = [
  'Matched',
  'Sent',
  'Delivered',
  'Failed',
  'Skipped',
  'Clicks',
  'Replies',
  'Opt-outs',
] as const;

function RunTable(props: { runs: CampaignRun[] }) {
  return (
    <table>
      <caption>
        Each day’s run on your organisation’s calendar, newest first. Skipped: matched but not
        texted (hover over the count for the reasons).
      </caption>
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col">Run</th>
          {COLUMNS.map((column) => (
            <th scope="col" class="num">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.runs.map((run) => (
          <tr>
            <th scope="row">
              <time datetime={run.date}>{run.date}</time>
            </th>
            <td>
              {RUN_STATES[run.state] ?? run.state}
              {run.error ? <span class="muted"> ({run.error})</span> : null}
            </td>
            <Num value={run.matched} />
            <Num value={run.sent} />
            <Num value={run.delivered} />
            <Num value={run.failed} />
            <td class="num">
              <span class="attribution" title={skipsText(run)}>
                {skippedTotal(run).toLocaleString('en-GB')}
              </span>
              <span class="visually-hidden"> ({skipsText(run)})</span>
            </td>
            <Num value={run.clicks} />
            <Num value={run.replies} />
            <Num value={run.optOuts} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunsSection(props: { campaign: Campaign; runs: ApiResult<CampaignRuns> | null }) {
  const { runs } = props;
  return (
    <section class="card" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      {runs === null ? null : !runs.ok ? (
        <Problem problem={runs.problem} />
      ) : runs.data.data.length === 0 ? (
        <p>
          No runs yet.{' '}
          {props.campaign.state === 'enabled'
            ? `The first one starts at ${props.campaign.sendTime} on your organisation’s clock.`
            : 'It runs once enabled.'}
        </p>
      ) : (
        <>
          <RunDays runs={runs.data.data} />
          <RunTable runs={runs.data.data} />
          {runs.data.nextCursor ? (
            <p class="pager">
              <a
                class="button secondary"
                href={withQuery(campaignPath(props.campaign.id), { cursor: runs.data.nextCursor })}
              >
                Older runs
              </a>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
