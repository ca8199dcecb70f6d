// `GET /console/candidates`: the candidate list (`GET /v1/audiences`) in the view the URL keeps,
// and where the "open by id" form lands (a redirect to that candidate's profile).
// `GET /console/candidates/export`: that view's matches, or the rows selected (`ids`), passed
// through from `GET /v1/audiences/export` as it streams.
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { apiQuery, viewHref, viewOf } from '../candidate-list-view.js';
import { canUse, Layout, Problem } from '../layout.js';
import { CandidatesPage } from '../pages/candidates.js';
import { taggedCampaigns } from '../pages/candidates-bulk.js';
import { registerCandidatesBulk } from './candidates-bulk.js';
import { whenSignedIn } from './signed-in.js';

const PAGE_SIZE = 50;
/** What the export passes on from the API's reply. */
const FILE_HEADERS = ['content-type', 'content-disposition', 'x-total-count', 'cache-control'];

function view(c: Context<AppEnv>) {
  return viewOf((name) => c.req.query(name), c.req.queries('tier') ?? []);
}

/** The list in the URL's view; the "open by id" form's redirect. */
function candidateList(signedIn: SignedIn) {
  return async (c: Context<AppEnv>) => {
    // Before the session check: a signed-out browser goes to sign in via the profile's URL.
    const id = c.req.query('id')?.trim();
    if (id) return c.redirect(`/console/candidates/${encodeURIComponent(id)}`, 303);
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const shown = view(c);
    if (!canUse(signed.who, 'reporter')) {
      return c.html(<CandidatesPage who={signed.who} view={shown} result={null} campaigns={[]} />);
    }
    const cursor = c.req.query('cursor') || undefined;
    const [result, campaigns] = await Promise.all([
      settle(
        signed.client.audience({
          ...apiQuery(shown),
          limit: PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        }),
      ),
      // For "Add to campaign"; a refusal only leaves that action out.
      settle(signed.client.listCampaigns({ type: 'reengagement', limit: 200 })),
    ]);
    return c.html(
      <CandidatesPage
        who={signed.who}
        view={shown}
        result={result}
        campaigns={campaigns.ok ? taggedCampaigns(campaigns.data.campaigns) : []}
      />,
      statusOf(result),
    );
  };
}

/** The view's matches, or the ticked rows, as the API streams them (CSV or JSON). */
async function exportCandidates(c: Context<AppEnv>, signed: Session) {
  // Ticked rows come as one `ids` each; a link may also carry `ids=a,b` as the API takes it.
  const ids = (c.req.queries('ids') ?? []).flatMap((value) => value.split(',')).filter(Boolean);
  const format = c.req.query('format') === 'json' ? 'json' : 'csv';
  if (c.req.query('selection') && ids.length === 0) {
    return c.html(
      <Layout title="Export" who={signed.who} section="candidates">
        <h1>Export</h1>
        <div class="message error" role="alert">
          <strong>No rows were selected.</strong> Tick the candidates to export on{' '}
          <a href={viewHref('/console/candidates', view(c))}>the list</a>, or use its Export all for
          every match.
        </div>
      </Layout>,
      400,
    );
  }
  const reply = await settle(
    signed.client.audienceExport({
      ...apiQuery(view(c)),
      format,
      ...(ids.length ? { ids } : {}),
    }),
  );
  if (!reply.ok) {
    return c.html(
      <Layout title="Export" who={signed.who} section="candidates">
        <h1>Export</h1>
        <Problem
          problem={reply.problem}
          hint={<a href="/console/candidates">Back to the candidates</a>}
        />
      </Layout>,
      statusOf(reply),
    );
  }
  // The body is the API's stream, handed on as it comes: nothing is read or held here.
  const headers = new Headers();
  for (const name of FILE_HEADERS) {
    const value = reply.data.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(reply.data.body, { status: 200, headers });
}

export function registerCandidates(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  registerCandidatesBulk(routes, signedIn);
  routes.get('/candidates', candidateList(signedIn));
  routes.get('/candidates/export', whenSignedIn(signedIn, exportCandidates));
}
