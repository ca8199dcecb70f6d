// Monthly contacts at a glance (`GET /v1/usage`, reporter and above): the allowance, how many are
// used and left, and when it renews, on the organisation's own calendar. Shown on the Reports
// page, where reporters look, and above the Messaging settings, where a manager raises it.
import type { Usage } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { Problem } from '../layout.js';

/** `1 April 2026, 00:00` on `zone`'s clock, or the UTC time when the zone is unknown here. */
export function localDateTime(iso: string, zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(Date.parse(iso));
  } catch (error) {
    if (error instanceof RangeError) return iso;
    throw error;
  }
}

/** Where the panel is: above the form that changes the allowance, or elsewhere. */
export type UsagePlace = 'settings' | 'reports';

export function UsagePanel(props: {
  usage: ApiResult<Usage>;
  place: UsagePlace;
  /** Whether the person may change the allowance (manager and above). */
  canManage: boolean;
}) {
  const { usage } = props;
  return (
    <section class="card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Monthly contacts</h2>
      {usage.ok ? (
        <>
          <dl class="stats">
            <div>
              <dt>Allowance</dt>
              <dd>{usage.data.allowance}</dd>
            </div>
            <div>
              <dt>Used</dt>
              <dd>{usage.data.used}</dd>
            </div>
            <div>
              <dt>Remaining</dt>
              <dd>{usage.data.remaining}</dd>
            </div>
          </dl>
          <p class="hint">
            This month ({usage.data.period}) renews on{' '}
            <time datetime={usage.data.renewsAt}>
              {localDateTime(usage.data.renewsAt, usage.data.timeZone)}
            </time>
            , {usage.data.timeZone} time. A text to a candidate not messaged in the last 45 days
            uses one.
          </p>
          {usage.data.remaining === 0 ? (
            <p class="message info" role="status">
              None left this month: texts to candidates not messaged in the last 45 days are refused
              until it renews; conversations with the others go on.
              {props.place === 'settings' ? ' Raise the allowance below to buy more.' : ''}
            </p>
          ) : null}
          {props.place === 'reports' ? (
            <p class="hint">
              {props.canManage ? (
                <>
                  Change the allowance in{' '}
                  <a href="/console/settings?tab=messaging">Admin settings → Messaging</a>.
                </>
              ) : (
                'A manager changes the allowance (raising it is how more are bought).'
              )}
            </p>
          ) : null}
        </>
      ) : (
        <Problem problem={usage.problem} />
      )}
    </section>
  );
}
