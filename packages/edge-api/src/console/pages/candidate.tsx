// One candidate: tier badge, the 90-day score chart with thresholds, and tabs for the
// engagements (type, detail, date, source, and how we know it is them, with a legend saying what
// each attribution means and how far to trust it), the conversation (`conversation.tsx`) and the
// score's breakdown by type.
import { ENGAGEMENT_TYPES } from '@cxm/scoring';
import type { Engagements, Score, ScoreHistory, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { ScoreChart } from '../charts/score-chart.js';
import {
  ATTRIBUTION_TEXTS,
  type Attribution,
  attributionText,
  formatPoints,
  formatTime,
  TYPE_LABELS,
  typeLabel,
} from '../labels.js';
import { Layout, Problem, Tabs, TierBadge } from '../layout.js';
import { withQuery } from '../links.js';
import { type ConversationData, ConversationTab } from './conversation.js';

export type CandidateTab = 'engagement' | 'conversation' | 'score';

export function CandidatePage(props: {
  who: WhoAmI;
  id: string;
  tab: CandidateTab;
  type: string;
  score: ApiResult<Score>;
  history: ApiResult<ScoreHistory>;
  engagements: ApiResult<Engagements> | null;
  /** Read for the Conversation tab only. */
  conversation?: ConversationData | null | undefined;
}) {
  const { id, score } = props;
  const base = `/console/candidates/${encodeURIComponent(id)}`;
  if (!score.ok) {
    return (
      <Layout title={id} who={props.who} section="candidates">
        <h1>{id}</h1>
        {score.problem.status === 404 ? (
          <div class="message info" role="status">
            No candidate with the id <code>{id}</code> in {props.who.orgName}.{' '}
            <a href="/console/candidates">Back to the candidates</a>
          </div>
        ) : (
          <Problem problem={score.problem} />
        )}
      </Layout>
    );
  }
  const s = score.data;
  return (
    <Layout title={id} who={props.who} section="candidates">
      <p>
        <a href="/console/candidates">← Candidates</a>
      </p>
      <h1>
        {id} <TierBadge tier={s.tier} />
      </h1>
      <div class="card">
        <dl class="stats">
          <div>
            <dt>Points now</dt>
            <dd>{formatPoints(s.points)}</dd>
          </div>
          <div>
            <dt>Last engaged</dt>
            <dd>{formatTime(s.lastEngagedAt)}</dd>
          </div>
          <div>
            <dt>Last contacted</dt>
            <dd>{s.lastContactedAt === null ? 'Never' : formatTime(s.lastContactedAt)}</dd>
          </div>
        </dl>
        {props.history.ok ? (
          <ScoreChart history={props.history.data} />
        ) : (
          <Problem problem={props.history.problem} />
        )}
      </div>
      <div class="card">
        <Tabs
          label="Candidate"
          tabs={[
            { href: base, label: 'Engagement', current: props.tab === 'engagement' },
            {
              href: `${base}?tab=conversation`,
              label: 'Conversation',
              current: props.tab === 'conversation',
            },
            { href: `${base}?tab=score`, label: 'Score breakdown', current: props.tab === 'score' },
          ]}
        />
        {props.tab === 'score' ? (
          <Breakdown score={s} />
        ) : props.tab === 'conversation' && props.conversation ? (
          <ConversationTab
            who={props.who}
            id={id}
            base={base}
            lastContactedAt={s.lastContactedAt}
            data={props.conversation}
          />
        ) : (
          <EngagementTab base={base} type={props.type} result={props.engagements} />
        )}
      </div>
    </Layout>
  );
}

function Breakdown(props: { score: Score }) {
  return (
    <section aria-labelledby="breakdown-heading">
      <h2 id="breakdown-heading" class="visually-hidden">
        Score breakdown
      </h2>
      <p class="hint">Points each type contributes now, after decay and the daily window guards.</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col" class="num">
              Counted
            </th>
            <th scope="col" class="num">
              Points now
            </th>
          </tr>
        </thead>
        <tbody>
          {props.score.breakdown.map((entry) => (
            <tr>
              <td>{typeLabel(entry.type)}</td>
              <td class="num">{entry.count}</td>
              <td class="num">{formatPoints(entry.points)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">As of {formatTime(props.score.asOf)}.</p>
    </section>
  );
}

function EngagementTab(props: {
  base: string;
  type: string;
  result: ApiResult<Engagements> | null;
}) {
  const { result } = props;
  return (
    <section aria-labelledby="engagement-heading">
      <h2 id="engagement-heading" class="visually-hidden">
        Engagement
      </h2>
      <form method="get" action={props.base} class="row">
        <div>
          <label for="type">Type</label>
          <select id="type" name="type">
            <option value="">All types</option>
            {ENGAGEMENT_TYPES.map((type) => (
              <option value={type} selected={props.type === type}>
                {TYPE_LABELS[type]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      {!result ? null : result.ok ? (
        <EngagementTable base={props.base} type={props.type} page={result.data} />
      ) : (
        <Problem problem={result.problem} />
      )}
    </section>
  );
}

function EngagementTable(props: { base: string; type: string; page: Engagements }) {
  const { engagements, nextCursor } = props.page;
  if (engagements.length === 0)
    return <p>No engagements{props.type ? ' of this type' : ''} yet.</p>;
  return (
    <>
      <table>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Detail</th>
            <th scope="col">Date</th>
            <th scope="col">Source</th>
            <th scope="col">How we know it's them</th>
          </tr>
        </thead>
        <tbody>
          {engagements.map((engagement) => (
            <EngagementRow engagement={engagement} />
          ))}
        </tbody>
      </table>
      {nextCursor ? (
        <p class="pager">
          <a
            class="button secondary"
            href={withQuery(props.base, { type: props.type, cursor: nextCursor })}
          >
            Older engagements
          </a>
        </p>
      ) : null}
      <AttributionLegend used={engagements.map((engagement) => engagement.attribution)} />
    </>
  );
}

type Engagement = Engagements['engagements'][number];

function EngagementRow(props: { engagement: Engagement }) {
  const { engagement } = props;
  const attribution = attributionText(engagement.attribution);
  return (
    <tr>
      <td>
        {typeLabel(engagement.type)}
        {engagement.machine ? <span class="muted"> (machine)</span> : null}
      </td>
      <td class="detail">{engagement.detail ?? <span class="muted">—</span>}</td>
      <td>{formatTime(engagement.occurredAt)}</td>
      <td>{engagement.source}</td>
      <td>
        <span class="attribution" title={`${attribution.meaning} ${attribution.trust}`}>
          {attribution.label}
        </span>
      </td>
    </tr>
  );
}

/** What each attribution on the page means and how far to trust it, the surest first. */
function AttributionLegend(props: { used: Attribution[] }) {
  const used = new Set<string>(props.used.map((attribution) => attribution ?? 'none'));
  const entries = Object.entries(ATTRIBUTION_TEXTS).filter(([key]) => used.has(key));
  return (
    <section aria-labelledby="attribution-heading">
      <h3 id="attribution-heading">How we know it's them</h3>
      <dl class="attributions">
        {entries.map(([, text]) => (
          <>
            <dt>{text.label}</dt>
            <dd>
              {text.meaning} <strong>Trust:</strong> {text.trust}
            </dd>
          </>
        ))}
      </dl>
    </section>
  );
}
