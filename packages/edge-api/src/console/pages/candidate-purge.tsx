// The purge, for admins: a confirmation page that names everything `DELETE /v1/candidates/{id}`
// removes (the list follows the purge reply's `removed`), with the counts the console can read
// beforehand (engagements, texts, tags), then the counts of what it removed. Any other role gets
// the refusal instead of the form.
import type { Messages, Purge, Score, Tags, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { Layout, Problem, RoleRefused } from '../layout.js';

type Removed = keyof Purge['removed'];

/** What a purge removes, in the order shown, named for the reply's `removed` keys. */
export const PURGED: Record<Removed, string> = {
  engagements: 'engagements (emails, visits, forms, events, text link clicks)',
  messages: 'text messages, both ways',
  contacts: 'contacts recorded: texts sent, calls, emails',
  contactDetails: 'contact details: phone number, first name, time zone, consent and opt-outs',
  tags: 'tags',
  trackedLinks:
    'tracked email links made for them (old links still go to their page, recording nothing)',
  visitors:
    'browsers (visitors) linked to them, with their anonymous visits and device fingerprints',
  scores: 'score',
  webhookDeliveries: 'tier-change webhooks not yet delivered',
  contactUsage: 'uses of the monthly contacts (no longer counted this month)',
};

/** The most texts `GET /v1/candidates/{id}/messages` returns: a full thread may have more. */
const THREAD_LIMIT = 200;

/** The counts known before the purge, as words ("12", "200 or more"); the rest say "all". */
function knownCounts(props: {
  score: Score;
  tags?: ApiResult<Tags> | undefined;
  messages?: ApiResult<Messages> | undefined;
}): Partial<Record<Removed, string>> {
  const counts: Partial<Record<Removed, string>> = {
    engagements: String(props.score.engagementCount),
    scores: '1',
  };
  if (props.tags?.ok) counts.tags = String(props.tags.data.tags.length);
  if (props.messages?.ok) {
    const n = props.messages.data.messages.length;
    counts.messages = n >= THREAD_LIMIT ? `${THREAD_LIMIT} or more` : String(n);
  }
  return counts;
}

export function PurgeConfirmPage(props: {
  who: WhoAmI;
  id: string;
  /** Not read for a role that cannot purge. */
  score?: ApiResult<Score>;
  tags?: ApiResult<Tags>;
  messages?: ApiResult<Messages>;
}) {
  const { id, score } = props;
  const base = `/console/candidates/${encodeURIComponent(id)}`;
  return (
    <Layout title={`Purge ${id}`} who={props.who} section="candidates">
      <p>
        <a href={base}>← {id}</a>
      </p>
      <h1>Purge {id}?</h1>
      {props.who.role !== 'admin' || !score ? (
        <RoleRefused role={props.who.role} cannot="purge candidates">
          Purging needs the admin role.
        </RoleRefused>
      ) : !score.ok ? (
        <Problem problem={score.problem} />
      ) : (
        <PurgeForm
          {...props}
          base={base}
          counts={knownCounts({ ...props, score: score.data })}
          tagNames={props.tags?.ok ? props.tags.data.tags : []}
        />
      )}
    </Layout>
  );
}

function PurgeForm(props: {
  who: WhoAmI;
  id: string;
  base: string;
  counts: Partial<Record<Removed, string>>;
  tagNames: string[];
}) {
  const { id, base, counts } = props;
  return (
    <div class="card">
      <p>
        This removes everything stored about <strong>{id}</strong> in {props.who.orgName}, at once
        and for good:
      </p>
      <ul id="purge-list">
        {(Object.entries(PURGED) as [Removed, string][]).map(([key, text]) => (
          <li data-removes={key}>
            <strong>{counts[key] ?? 'All'}</strong> {text}
            {key === 'tags' && props.tagNames.length > 0 ? `: ${props.tagNames.join(', ')}` : ''}
          </li>
        ))}
      </ul>
      <p class="hint">
        The audit log keeps that a candidate was purged, by you and when, with a hash of the id
        instead of the id. A later engagement for the same id starts a new candidate.
      </p>
      <form method="post" action={`${base}/purge`} class="row">
        <button type="submit" class="danger">
          Purge {id} for good
        </button>
        <a href={base}>Cancel</a>
      </form>
    </div>
  );
}

export function PurgedPage(props: { who: WhoAmI; id: string; result: ApiResult<Purge> }) {
  const { id, result } = props;
  return (
    <Layout title={`Purge ${id}`} who={props.who} section="candidates">
      <h1>{result.ok ? `Purged ${id}` : `${id} was not purged`}</h1>
      {result.ok ? (
        <div class="card" role="status">
          <p>Removed:</p>
          <ul id="purged-list">
            {(Object.keys(PURGED) as Removed[]).map((key) => (
              <li>
                <strong>{result.data.removed[key]}</strong> {PURGED[key]}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <Problem problem={result.problem} />
      )}
      <p>
        <a href="/console/candidates">Back to the candidates</a>
      </p>
    </Layout>
  );
}
