// The console's routes. Each page asks the public API for what it shows, with the signed-in key;
// forms post here (same-origin only) and are sent on to the API with `PUT`.
import { TIERS } from '@cxm/scoring';
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { type ApiResult, type AppFetch, type ConsoleApi, consoleApi, withQuery } from './api.js';
import { CONSOLE_CSS, COPY_JS, ICON_SVG } from './assets.js';
import { CandidatePage, type CandidateTab } from './pages/candidate.js';
import { CandidatesPage } from './pages/candidates.js';
import { REPORT_RANGES, ReportsPage } from './pages/reports.js';
import { type SettingsFailure, SettingsPage } from './pages/settings.js';
import { SignInPage } from './pages/sign-in.js';
import { sameOrigin } from './same-origin.js';
import { endSession, sessionKey, startSession } from './session.js';
import type {
  Audience,
  CandidateScore,
  EngagementPage,
  EngagementSettings,
  ScoreHistory,
  TierReport,
  TrackingCode,
  WhoAmI,
} from './types.js';

/**
 * No inline script or style anywhere, nothing from another origin; the pages cannot be framed.
 * Inline SVG in the page needs no `img-src`.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

type Ctx = Context<AppEnv>;

interface Session {
  api: ConsoleApi;
  who: WhoAmI;
}

export function consoleRoutes(appFetch: AppFetch): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONSOLE_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    // Not `no-referrer`: with it, Chromium sends `Origin: null` on form posts, which the CSRF
    // check would (rightly) refuse.
    c.header('Referrer-Policy', 'same-origin');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  routes.use('*', sameOrigin());

  routes.get('/assets/console.css', (c) =>
    c.body(CONSOLE_CSS, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
    }),
  );
  routes.get('/assets/icon.svg', (c) =>
    c.body(ICON_SVG, 200, {
      'Content-Type': 'image/svg+xml',
      'Cache-Control': 'public, max-age=300',
    }),
  );
  routes.get('/assets/copy.js', (c) =>
    c.body(COPY_JS, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
    }),
  );

  /** The signed-in key and who it is, or a redirect to the sign-in page. */
  async function session(c: Ctx): Promise<Session | Response> {
    const key = sessionKey(c);
    if (!key) return c.redirect('/console', 303);
    const api = consoleApi(appFetch, c, key);
    const who = await api.get<WhoAmI>('/v1/whoami');
    if (!who.ok) {
      if (who.problem.status === 401) {
        endSession(c);
        return c.redirect('/console?ended=1', 303);
      }
      return c.html(
        <SignInPage error={`The API could not check your key: ${who.problem.message}`} />,
        502,
      );
    }
    return { api, who: who.data };
  }

  routes.get('/', async (c) => {
    if (sessionKey(c)) {
      const signed = await session(c);
      if (signed instanceof Response) return signed;
      return c.redirect('/console/candidates', 303);
    }
    const notice =
      c.req.query('ended') !== undefined
        ? 'Your key is no longer valid (revoked or unknown). Sign in again.'
        : c.req.query('signed-out') !== undefined
          ? 'Signed out.'
          : undefined;
    return c.html(<SignInPage notice={notice} />);
  });

  routes.post('/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    if (!key) return c.html(<SignInPage error="Enter an API key." />, 400);
    const who = await consoleApi(appFetch, c, key).get<WhoAmI>('/v1/whoami');
    if (!who.ok) {
      const error =
        who.problem.status === 401
          ? 'That key is unknown or revoked.'
          : `The API could not check the key: ${who.problem.message}`;
      return c.html(<SignInPage error={error} />, who.problem.status === 401 ? 401 : 502);
    }
    startSession(c, key);
    return c.redirect('/console/candidates', 303);
  });

  routes.post('/sign-out', (c) => {
    endSession(c);
    return c.redirect('/console?signed-out', 303);
  });

  routes.get('/candidates', async (c) => {
    const id = c.req.query('id')?.trim();
    if (id) return c.redirect(`/console/candidates/${encodeURIComponent(id)}`, 303);
    const signed = await session(c);
    if (signed instanceof Response) return signed;
    const requested = c.req.query('tier') ?? '';
    const tier = (TIERS as readonly string[]).includes(requested) ? requested : '';
    const result = await signed.api.get<Audience>(
      withQuery('/v1/audiences', { tier, limit: 50, cursor: c.req.query('cursor') }),
    );
    return c.html(
      <CandidatesPage who={signed.who} tier={tier} result={result} />,
      statusOf(result),
    );
  });

  routes.get('/candidates/:id', async (c) => {
    const signed = await session(c);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    const path = `/v1/candidates/${encodeURIComponent(id)}`;
    const tab: CandidateTab = c.req.query('tab') === 'score' ? 'score' : 'engagement';
    const type = c.req.query('type') ?? '';
    const [score, history, engagements] = await Promise.all([
      signed.api.get<CandidateScore>(`${path}/score`),
      signed.api.get<ScoreHistory>(`${path}/score-history?days=90`),
      tab === 'engagement'
        ? signed.api.get<EngagementPage>(
            withQuery(`${path}/engagements`, { type, limit: 50, cursor: c.req.query('cursor') }),
          )
        : Promise.resolve(null),
    ]);
    return c.html(
      <CandidatePage
        who={signed.who}
        id={id}
        tab={tab}
        type={type}
        score={score}
        history={history}
        engagements={engagements}
      />,
      statusOf(score),
    );
  });

  routes.get('/reports', async (c) => {
    const signed = await session(c);
    if (signed instanceof Response) return signed;
    const asked = Number(c.req.query('days'));
    const days = (REPORT_RANGES as readonly number[]).includes(asked) ? asked : 30;
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const report = await signed.api.get<TierReport>(withQuery('/v1/reports/tiers', { from, to }));
    return c.html(
      <ReportsPage who={signed.who} days={days} from={from} to={to} report={report} />,
      statusOf(report),
    );
  });

  async function settingsPage(c: Ctx, signed: Session, saved?: string, failure?: SettingsFailure) {
    const settings = await signed.api.get<EngagementSettings>('/v1/settings/engagement');
    const [plain, onetrust] = settings.ok
      ? await Promise.all([
          signed.api.get<TrackingCode>('/v1/settings/engagement/tracking-code?consent=none'),
          signed.api.get<TrackingCode>('/v1/settings/engagement/tracking-code?consent=onetrust'),
        ])
      : [null, null];
    const status = failure ? failure.problem.status : statusOf(settings);
    return c.html(
      <SettingsPage
        who={signed.who}
        settings={settings}
        plain={plain}
        onetrust={onetrust}
        saved={saved}
        failure={failure}
      />,
      status as 200,
    );
  }

  routes.get('/settings', async (c) => {
    const signed = await session(c);
    if (signed instanceof Response) return signed;
    return settingsPage(c, signed, c.req.query('saved'));
  });

  /** Sends one settings change to the API; on success back to the page, else the page again with the problem. */
  async function saveSettings(
    c: Ctx,
    section: SettingsFailure['section'],
    change: (
      form: Record<string, string>,
    ) => { body: unknown } | { invalid: string; draft?: string },
  ) {
    const signed = await session(c);
    if (signed instanceof Response) return signed;
    const form: Record<string, string> = {};
    for (const [name, value] of Object.entries(await c.req.parseBody())) {
      if (typeof value === 'string') form[name] = value;
    }
    const made = change(form);
    if ('invalid' in made) {
      const problem = { status: 400, code: 'invalid_json', message: made.invalid };
      return settingsPage(c, signed, undefined, { section, problem, draft: made.draft });
    }
    const result = await signed.api.put<EngagementSettings>('/v1/settings/engagement', made.body);
    if (!result.ok) {
      const draft = section === 'origins' ? form.allowedOrigins : form.scoringModel;
      return settingsPage(c, signed, undefined, { section, problem: result.problem, draft });
    }
    return c.redirect(`/console/settings?saved=${section}`, 303);
  }

  routes.post('/settings/tracking', (c) =>
    saveSettings(c, 'tracking', (form) => ({
      body: { trackingEnabled: form.trackingEnabled === 'true' },
    })),
  );

  routes.post('/settings/origins', (c) =>
    saveSettings(c, 'origins', (form) => ({
      body: {
        allowedOrigins: (form.allowedOrigins ?? '')
          .split(/[\n,]/)
          .map((line) => line.trim())
          .filter(Boolean),
      },
    })),
  );

  routes.post('/settings/scoring-model', (c) =>
    saveSettings(c, 'model', (form) => {
      if (form.action === 'reset') return { body: { scoringModel: null } };
      const text = form.scoringModel ?? '';
      try {
        return { body: { scoringModel: JSON.parse(text) } };
      } catch (error) {
        return {
          invalid: `The model is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
          draft: text,
        };
      }
    }),
  );

  return routes;
}

/** The page's status follows the API's: a refused read is not a 200. */
function statusOf(result: ApiResult<unknown>): 200 | 400 | 401 | 403 | 404 | 500 {
  if (result.ok) return 200;
  const status = result.problem.status;
  return status === 400 || status === 401 || status === 403 || status === 404 ? status : 500;
}
