// The candidate list's bulk actions: the controls under the table (what to act on, then tag,
// untag, add to a campaign's tags, or text) and the page that says what each did. The controls
// post the list's own form (the ticked rows and the view travel with it) to
// `/console/candidates/bulk`; see ../controllers/candidates-bulk.tsx.
import type { Campaign, WhoAmI } from '../../client/index.js';
import type { BulkOutcome } from '../bulk-actions.js';
import { BULK_LIMITS } from '../bulk-actions.js';
import { type ListView, viewHref } from '../candidate-list-view.js';
import { Layout, Problem } from '../layout.js';
import { timeframeText } from './campaigns.js';

const BULK = '/console/candidates/bulk';

function ActionButton(props: { action: string; label: string }) {
  return (
    <button
      type="submit"
      class="secondary"
      formmethod="post"
      formaction={BULK}
      name="action"
      value={props.action}
    >
      {props.label}
    </button>
  );
}

/** Campaigns whose filters a selection can join: the ones selecting by tags, not archived. */
export function taggedCampaigns(campaigns: readonly Campaign[]): Campaign[] {
  return campaigns.filter((campaign) => campaign.state !== 'archived' && campaign.tags.length > 0);
}

export function BulkControls(props: { total: number; campaigns: Campaign[]; licensed: boolean }) {
  const { total, campaigns } = props;
  return (
    <fieldset class="bulk" aria-describedby="bulk-hint">
      <legend>With the selected candidates</legend>
      <div class="row">
        <label>
          <input type="radio" name="scope" value="ticked" checked /> The ticked rows
        </label>
        <label>
          <input type="radio" name="scope" value="all" /> All {total} matches
          {total > BULK_LIMITS.tags ? ` (at most ${BULK_LIMITS.tags} at once)` : ''}
        </label>
      </div>
      <p class="hint" id="bulk-hint">
        Tagging and campaigns take up to {BULK_LIMITS.tags} candidates at once; a text goes to at
        most {BULK_LIMITS.messages} (for more, a re-engagement campaign texts the warm pool every
        day).
      </p>
      <div class="row">
        <div>
          <label for="bulk-tags">Tags (comma-separated)</label>
          <input type="text" id="bulk-tags" name="bulkTags" placeholder="shortlist, java" />
        </div>
        <ActionButton action="add-tags" label="Add tags" />
        <ActionButton action="remove-tags" label="Remove tags" />
      </div>
      {campaigns.length > 0 ? (
        <div class="row">
          <div>
            <label for="bulk-campaign">Campaign</label>
            <select id="bulk-campaign" name="campaignId">
              {campaigns.map((campaign) => (
                <option value={campaign.id}>
                  {campaign.name} (
                  {campaign.tags.join(campaign.tagsMode === 'all' ? ' + ' : ' or ')})
                </option>
              ))}
            </select>
          </div>
          <ActionButton action="campaign" label="Add to campaign" />
        </div>
      ) : null}
      {props.licensed ? (
        <div class="row">
          <div>
            <label for="bulk-message">Text message (SMS)</label>
            <textarea id="bulk-message" name="bulkMessage" rows={2} maxlength={1600} />
          </div>
          <ActionButton action="message" label="Text them" />
        </div>
      ) : null}
    </fieldset>
  );
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function quoted(tags: readonly string[]): string {
  return tags.map((tag) => `“${tag}”`).join(', ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** How many tags really changed, and why the rest did not. */
function changeCounts(outcome: Extract<BulkOutcome, { kind: 'tags' }>): string {
  if (outcome.add.length > 0) {
    const asked = outcome.candidates * outcome.add.length;
    const rest = asked > outcome.added ? ' (the rest were there already)' : '';
    return `${plural(outcome.added, 'tag')} newly set${rest}.`;
  }
  const asked = outcome.candidates * outcome.remove.length;
  const rest = asked > outcome.removed ? ' (the rest were not there)' : '';
  return `${plural(outcome.removed, 'tag')} taken off${rest}.`;
}

function TagsDone(props: { outcome: Extract<BulkOutcome, { kind: 'tags' }> }) {
  const { outcome } = props;
  const { campaign } = outcome;
  return (
    <div class="message ok" role="status">
      <strong>
        {outcome.add.length > 0
          ? `Added ${quoted(outcome.add)} to ${plural(outcome.candidates, 'candidate')}`
          : `Removed ${quoted(outcome.remove)} from ${plural(outcome.candidates, 'candidate')}`}
        .
      </strong>{' '}
      {changeCounts(outcome)}
      {campaign ? (
        <p>
          They now match the tags of{' '}
          <a href={`/console/campaigns/${campaign.id}`}>{campaign.name}</a>. At its send time (
          {campaign.sendTime}
          {campaign.state === 'enabled' ? '' : ', once it is enabled'}) it texts those of them in
          its timeframe ({lowerFirst(timeframeText(campaign.timeframe))}), never the Inactive.
        </p>
      ) : null}
    </div>
  );
}

function MessagesDone(props: { outcome: Extract<BulkOutcome, { kind: 'messages' }> }) {
  const { results } = props.outcome;
  const sent = results.filter((result) => result.ok).length;
  return (
    <>
      <div class={sent === results.length ? 'message ok' : 'message info'} role="status">
        <strong>
          Texted {sent} of {plural(results.length, 'candidate')}.
        </strong>{' '}
        {sent < results.length ? 'The others were not texted; each says why below.' : ''}
      </div>
      <table>
        <caption>Each candidate’s text</caption>
        <thead>
          <tr>
            <th scope="col">Candidate</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {results.map((result) => (
            <tr>
              <td>
                <a href={`/console/candidates/${encodeURIComponent(result.candidateId)}`}>
                  {result.candidateId}
                </a>
              </td>
              <td>
                {result.ok
                  ? result.status === 'scheduled'
                    ? 'Scheduled for their morning (outside 08:00–20:00 their time now)'
                    : 'Sent'
                  : `Not texted: ${result.problem.message}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function BulkResultPage(props: { who: WhoAmI; view: ListView; outcome: BulkOutcome }) {
  const { outcome } = props;
  const back = viewHref('/console/candidates', props.view);
  return (
    <Layout title="Bulk action" who={props.who} section="candidates">
      <h1>Bulk action</h1>
      {outcome.kind === 'tags' ? <TagsDone outcome={outcome} /> : null}
      {outcome.kind === 'messages' ? <MessagesDone outcome={outcome} /> : null}
      {outcome.kind === 'refused' ? (
        <div class="message error" role="alert">
          <strong>Nothing was done.</strong> {outcome.message}
        </div>
      ) : null}
      {outcome.kind === 'problem' ? (
        <Problem
          problem={outcome.problem}
          hint={
            outcome.done > 0
              ? `The first ${outcome.done} candidates were changed before this; the rest were not.`
              : 'Nothing was changed.'
          }
        />
      ) : null}
      <p>
        <a href={back}>Back to the list</a>
      </p>
    </Layout>
  );
}
