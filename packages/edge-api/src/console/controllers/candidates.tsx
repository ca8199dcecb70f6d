// `GET /console/candidates`: the candidate list by tier (`GET /v1/audiences`), and where the
// "open by id" form lands (a redirect to that candidate's profile).
import { TIERS, type Tier } from '@cxm/scoring';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { SignedIn } from '../auth.js';
import { CandidatesPage } from '../pages/candidates.js';

export function registerCandidates(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/candidates', async (c) => {
    // Before the session check: a signed-out browser goes to sign in via the profile's URL.
    const id = c.req.query('id')?.trim();
    if (id) return c.redirect(`/console/candidates/${encodeURIComponent(id)}`, 303);
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const requested = c.req.query('tier') ?? '';
    const tier = (TIERS as readonly string[]).includes(requested) ? (requested as Tier) : undefined;
    const result = await settle(
      signed.client.audience({ tier, limit: 50, cursor: c.req.query('cursor') || undefined }),
    );
    return c.html(
      <CandidatesPage who={signed.who} tier={tier ?? ''} result={result} />,
      statusOf(result),
    );
  });
}
