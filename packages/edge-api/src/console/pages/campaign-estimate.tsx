// "If it ran now": how many candidates a campaign would text, and why the others it matches would
// be skipped, from the API's estimate (of the form as typed, or of a saved campaign).

import type { CampaignEstimate } from '../../client/index.js';
import type { ApiResult } from '../api.js';

export type SkipReason = keyof CampaignEstimate['skipped'];

export const SKIP_LABELS: Record<SkipReason, string> = {
  inactive: 'Inactive tier',
  optedOut: 'Opted out',
  noNumberOrConsent: 'No number or consent',
  textedToday: 'Already texted today',
  noSenderNumber: 'No sender number',
  quietHours: 'Quiet hours',
  noContactsLeft: 'No monthly contacts left',
};

/** The skip counts in the labels' order, leaving out reasons the API did not count. */
export function skipEntries(skipped: CampaignEstimate['skipped']): [SkipReason, number][] {
  return (Object.keys(SKIP_LABELS) as SkipReason[]).flatMap((reason) => {
    const count = skipped[reason];
    return count === undefined ? [] : [[reason, count]];
  });
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

/** `estimate` null: not asked (nothing to estimate yet). */
export function EstimatePanel(props: { estimate: ApiResult<CampaignEstimate> | null }) {
  const { estimate } = props;
  return (
    <section class="estimate" aria-labelledby="estimate-heading" aria-live="polite">
      <h3 id="estimate-heading">If it ran now</h3>
      {estimate === null ? (
        <p class="muted">Choose the filters to see how many candidates it would text.</p>
      ) : !estimate.ok ? (
        <p class="muted">No estimate: {estimate.problem.message}</p>
      ) : (
        <>
          <p>
            <strong>Would text {plural(estimate.data.wouldText, 'candidate')}</strong> of the{' '}
            {plural(estimate.data.matched, 'candidate')} it matches. The recipients change every
            day: each run texts whoever matches then.
          </p>
          <dl class="stats">
            {skipEntries(estimate.data.skipped).map(([reason, count]) => (
              <div>
                <dt>{SKIP_LABELS[reason]}</dt>
                <dd>{count.toLocaleString('en-GB')}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}
