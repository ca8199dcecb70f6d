// Webhooks (`/console/webhooks`, manager and above): the webhook URL and secret rotation (the
// settings page's own form, `WebhookSection`), a button that sends a test event now, and the
// delivery log (`GET /v1/webhook-deliveries`) as a table, newest first, with a status filter, older
// pages and a Redeliver button per event. A role below manager gets the API's refusal.
import type {
  ApiError,
  Settings,
  WebhookDeliveries,
  WebhookDelivery,
  WhoAmI,
} from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { formatTime } from '../labels.js';
import { Layout, Notice, Problem, RoleRefused } from '../layout.js';
import { type Form, settingsForm } from '../settings-fields.js';
import { NewSecret, WebhookSection } from './engagement-settings.js';

export interface WebhooksView {
  /** The log's status filter: '' for all. */
  status: string;
  cursor?: string | undefined;
}

/** What the page says after a post: a saved URL, a test sent, a redelivery, or a refusal. */
export interface WebhooksOutcome {
  saved?: boolean;
  /** The test event or redelivered event, as it stands after its attempt. */
  sent?: { kind: 'test' | 'redelivery'; delivery: WebhookDelivery };
  /** A webhook form the API refused: what was typed, and why. */
  failure?: { problem: ApiError; form: Form };
  /** A test or redelivery the API refused (409 without a URL, 404 for an unknown event). */
  refused?: ApiError;
  /** A secret just issued, shown once. */
  secret?: string;
}

const STATUS_FILTERS: [string, string][] = [
  ['', 'Every status'],
  ['pending', 'Pending'],
  ['delivered', 'Delivered'],
  ['failed', 'Failed'],
];

const STATUS_LABELS: Record<WebhookDelivery['status'], string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
};

export function webhooksHref(view: WebhooksView): string {
  const params = new URLSearchParams();
  if (view.status) params.set('status', view.status);
  if (view.cursor) params.set('cursor', view.cursor);
  const text = params.toString();
  return text ? `/console/webhooks?${text}` : '/console/webhooks';
}

function DeliveryRow({ delivery }: { delivery: WebhookDelivery }) {
  return (
    <tr>
      <td>{formatTime(delivery.createdAt)}</td>
      <td>
        <code>{delivery.type}</code>
      </td>
      <td>
        {STATUS_LABELS[delivery.status]}
        {delivery.deliveredAt ? (
          <>
            <br />
            <span class="muted">{formatTime(delivery.deliveredAt)}</span>
          </>
        ) : null}
      </td>
      <td>{delivery.attempts}</td>
      <td class="details">{delivery.lastError ?? <span class="muted">—</span>}</td>
      <td>
        {delivery.nextAttemptAt ? formatTime(delivery.nextAttemptAt) : <span class="muted">—</span>}
      </td>
      <td>
        <form
          method="post"
          action={`/console/webhooks/${encodeURIComponent(delivery.id)}/redeliver`}
        >
          <button
            type="submit"
            class="secondary"
            aria-label={`Redeliver ${delivery.type} of ${formatTime(delivery.createdAt)}`}
          >
            Redeliver
          </button>
        </form>
      </td>
    </tr>
  );
}

function Filter({ view }: { view: WebhooksView }) {
  return (
    <form method="get" action="/console/webhooks" aria-label="Filter the delivery log" class="row">
      <div>
        <label for="webhooks-status">Status</label>
        <select id="webhooks-status" name="status">
          {STATUS_FILTERS.map(([value, label]) => (
            <option value={value} selected={view.status === value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Show</button>
    </form>
  );
}

function DeliveryLog(props: { view: WebhooksView; log: ApiResult<WebhookDeliveries> }) {
  const { log, view } = props;
  return (
    <section class="card" aria-labelledby="log-heading">
      <h2 id="log-heading">Delivery log</h2>
      <p class="hint">
        Every event, newest first. A failed post is retried with growing pauses for about two days.
        Redeliver posts an event again now with the same id, so a receiver that has it drops the
        copy.
      </p>
      <Filter view={view} />
      {!log.ok ? (
        <Problem problem={log.problem} hint="Change the filter and show again." />
      ) : log.data.deliveries.length === 0 ? (
        <p>No events{view.status ? ` with this status` : ' yet'}.</p>
      ) : (
        // On a phone the table scrolls in itself: focusable, so a keyboard can scroll it too.
        <table class="deliveries" tabindex={0}>
          <caption class="visually-hidden">Webhook deliveries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Next retry</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {log.data.deliveries.map((delivery) => (
              <DeliveryRow delivery={delivery} />
            ))}
          </tbody>
        </table>
      )}
      {log.ok && log.data.nextCursor ? (
        <p class="pager">
          <a class="button secondary" href={webhooksHref({ ...view, cursor: log.data.nextCursor })}>
            Older deliveries
          </a>
        </p>
      ) : null}
    </section>
  );
}

/** The outcome of a test or redelivery, in words: delivered, or why not. */
function SentNotice({ sent }: { sent: NonNullable<WebhooksOutcome['sent']> }) {
  const what = sent.kind === 'test' ? 'Test event' : 'Event redelivered';
  const { delivery } = sent;
  if (delivery.status === 'delivered') {
    return <Notice kind="ok">{what}: delivered, the receiver answered with success.</Notice>;
  }
  return (
    <div class="message error" role="alert">
      <strong>
        {what}: not delivered ({delivery.lastError ?? 'no answer'}).
      </strong>{' '}
      {delivery.status === 'pending'
        ? `It is retried at ${formatTime(delivery.nextAttemptAt)}.`
        : 'Check the URL and that the receiver answers 2xx.'}
    </div>
  );
}

function TestCard({ settings }: { settings: Settings }) {
  return (
    <section class="card" aria-labelledby="test-heading">
      <h2 id="test-heading">Send a test event</h2>
      {settings.webhookUrl ? (
        <form method="post" action="/console/webhooks/test">
          <p class="hint">
            Posts a signed <code>webhook.test</code> event to <code>{settings.webhookUrl}</code>{' '}
            now, once.
          </p>
          <button type="submit">Send test event</button>
        </form>
      ) : (
        <p class="hint">Save a webhook URL above first.</p>
      )}
    </section>
  );
}

export function WebhooksPage(props: {
  who: WhoAmI;
  view: WebhooksView;
  settings: ApiResult<Settings>;
  log: ApiResult<WebhookDeliveries>;
  outcome?: WebhooksOutcome | undefined;
}) {
  const { settings, outcome } = props;
  return (
    <Layout title="Webhooks" who={props.who} section="webhooks">
      <h1>Webhooks</h1>
      <p class="hint">
        Your systems hear of tier changes as signed POSTs. Check the receiver with a test event, and
        see what was delivered, what is being retried and what failed.
      </p>
      {!settings.ok ? (
        settings.problem.code === 'forbidden' ? (
          <RoleRefused role={props.who.role} cannot="manage webhooks">
            Webhooks need the manager or admin role.
          </RoleRefused>
        ) : (
          <Problem problem={settings.problem} />
        )
      ) : (
        <>
          {outcome?.saved ? <Notice kind="ok">Webhook saved.</Notice> : null}
          {outcome?.secret ? <NewSecret secret={outcome.secret} /> : null}
          {outcome?.sent ? <SentNotice sent={outcome.sent} /> : null}
          {outcome?.refused ? <Problem problem={outcome.refused} /> : null}
          <WebhookSection
            returnTo="webhooks"
            view={{
              settings: settings.data,
              form: { ...settingsForm(settings.data), ...outcome?.failure?.form },
              refused: outcome?.failure
                ? { section: 'webhook', problem: outcome.failure.problem }
                : undefined,
            }}
          />
          <TestCard settings={settings.data} />
          <DeliveryLog view={props.view} log={props.log} />
        </>
      )}
    </Layout>
  );
}
