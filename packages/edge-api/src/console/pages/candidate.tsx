// One candidate: tier badge, last engaged and contacted, the 90-day score chart with thresholds,
// tags (shown and edited, `candidate-tags.tsx`), for admins the Purge button (its confirmation is
// `candidate-purge.tsx`), and tabs for the engagements (filtered by type and dates; type, detail,
// date, source, and how we know it is them, with a legend saying what each attribution means and
// how far to trust it), the conversation (`conversation.tsx`) and the score's breakdown by type.
import { ENGAGEMENT_TYPES } from '@cxm/scoring';
import type {
  ApiError,
  Engagements,
  Score,
  ScoreHistory,
  Tags,
  WhoAmI,
} from '../../client/index.js';
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
import { Layout, Notice, Problem, Tabs, TierBadge } from '../layout.js';
import { withQuery } from '../links.js';
import { CandidateTags, type TagsEdit } from './candidate-tags.js';
import { type ConversationData, ConversationTab } from './conversation.js';

export type CandidateTab = 'engagement' | 'conversation' | 'score';

/** The Engagement tab's filters, as the URL keeps them (passed to the API unchecked). */
export interface EngagementFilters {
  type: string;
  from: string;
  to: string;
}

export interface CandidatePageProps {
  who: WhoAmI;
  id: string;
  tab: CandidateTab;
  filters: EngagementFilters;
  score: ApiResult<Score>;
  history: ApiResult<ScoreHistory>;
  tags: ApiResult<Tags>;
  tagsEdit?: TagsEdit | undefined;
  /** A notice after a save (post/redirect/get). */
  saved?: string | undefined;
  engagements: ApiResult<Engagements> | null;
  /** Read for the Conversation tab only. */
  conversation?: ConversationData | null | undefined;
}

export function CandidatePage(props: CandidatePageProps) {
  const { id, score } = props;
  if (!score.ok) return <NotShown who={props.who} id={id} problem={score.problem} />;
  const base = `/console/candidates/${encodeURIComponent(id)}`;
  return (
    <Layout title={id} who={props.who} section="candidates">
      <p>
        <a href="/console/candidates">← Candidates</a>
      </p>
      <h1>
        {id} <TierBadge tier={score.data.tier} />
      </h1>
      {props.saved === 'tags' ? <Notice kind="ok">Tags saved.</Notice> : null}
      <div class="card">
        <Stats score={score.data} />
        {props.history.ok ? (
          <ScoreChart history={props.history.data} />
        ) : (
          <Problem problem={props.history.problem} />
        )}
        <CandidateTags base={base} tags={props.tags} edit={props.tagsEdit} />
        {props.who.role === 'admin' ? (
          <p>
            <a class="button danger secondary" href={`${base}/purge`}>
              Purge {id}…
            </a>
          </p>
        ) : null}
      </div>
      <div class="card">
        <CandidateTabs {...props} base={base} score={score.data} />
      </div>
    </Layout>
  );
}

function NotShown(props: { who: WhoAmI; id: string; problem: ApiError }) {
  const { id } = props;
  return (
    <Layout title={id} who={props.who} section="candidates">
      <h1>{id}</h1>
      {props.problem.status === 404 ? (
        <div class="message info" role="status">
          No candidate with the id <code>{id}</code> in {props.who.orgName}.{' '}
          <a href="/console/candidates">Back to the candidates</a>
        </div>
      ) : (
        <Problem problem={props.problem} />
      )}
    </Layout>
  );
}

function Stats(props: { score: Score }) {
  const s = props.score;
  return (
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
  );
}

function CandidateTabs(props: Omit<CandidatePageProps, 'score'> & { base: string; score: Score }) {
  const { base } = props;
  return (
    <>
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
        <Breakdown score={props.score} />
      ) : props.tab === 'conversation' && props.conversation ? (
        <ConversationTab
          who={props.who}
          id={props.id}
          base={base}
          lastContactedAt={props.score.lastContactedAt}
          data={props.conversation}
        />
      ) : (
        <EngagementTab base={base} filters={props.filters} result={props.engagements} />
      )}
    </>
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
  filters: EngagementFilters;
  result: ApiResult<Engagements> | null;
}) {
  const { result, filters } = props;
  return (
    <section aria-labelledby="engagement-heading">
      <h2 id="engagement-heading" class="visually-hidden">
        Engagement
      </h2>
      <form method="get" action={props.base} class="row" aria-label="Filter engagements">
        <div>
          <label for="type">Type</label>
          <select id="type" name="type">
            <option value="">All types</option>
            {ENGAGEMENT_TYPES.map((type) => (
              <option value={type} selected={filters.type === type}>
                {TYPE_LABELS[type]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="from">From (on or after)</label>
          <input type="date" id="from" name="from" value={filters.from} />
        </div>
        <div>
          <label for="to">Before</label>
          <input type="date" id="to" name="to" value={filters.to} />
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
        {filters.type || filters.from || filters.to ? <a href={props.base}>Clear</a> : null}
      </form>
      {!result ? null : result.ok ? (
        <EngagementTable base={props.base} filters={filters} page={result.data} />
      ) : (
        <Problem problem={result.problem} />
      )}
    </section>
  );
}

function EngagementTable(props: { base: string; filters: EngagementFilters; page: Engagements }) {
  const { engagements, nextCursor } = props.page;
  const { filters } = props;
  const filtered = Boolean(filters.type || filters.from || filters.to);
  if (engagements.length === 0)
    return <p>No engagements{filtered ? ' match these filters' : ' yet'}.</p>;
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
            href={withQuery(props.base, { ...filters, cursor: nextCursor })}
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
