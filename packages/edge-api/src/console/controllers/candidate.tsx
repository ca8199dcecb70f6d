// `GET /console/candidates/:id`: one candidate's score, 90-day history and, on the Engagement
// tab, a page of engagements, read in parallel.
import type { EngagementType } from '@cxm/scoring';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { SignedIn } from '../auth.js';
import { CandidatePage, type CandidateTab } from '../pages/candidate.js';

export function registerCandidate(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/candidates/:id', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const { client } = signed;
    const id = c.req.param('id');
    const tab: CandidateTab = c.req.query('tab') === 'score' ? 'score' : 'engagement';
    const type = c.req.query('type') ?? '';
    const [score, history, engagements] = await Promise.all([
      settle(client.score(id)),
      settle(client.scoreHistory(id, 90)),
      tab === 'engagement'
        ? settle(
            client.engagements(id, {
              // Passed on unchecked: the API validates the type and the page shows its refusal.
              type: (type || undefined) as EngagementType | undefined,
              limit: 50,
              cursor: c.req.query('cursor') || undefined,
            }),
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
}
