// `/console/campaigns/:id`: the overview (the campaign, its estimate now, a page of its runs and
// the sender's name, read in parallel), and its state changes: `POST …/enable|disable|archive`
// first shows a confirmation page, and only the confirmed post (`confirm=yes`) changes anything.
import type { Hono } from 'hono';
import type { Campaign } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { type ApiResult, settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { readForm } from '../forms.js';
import {
  CampaignPage,
  type CampaignPageProps,
  ConfirmStatePage,
  type StateAction,
} from '../pages/campaign.js';
import { campaignPath } from '../pages/campaigns.js';
import { type At, whenSignedIn } from './signed-in.js';

const RUNS_PAGE = 30;

/** The sender's name: you, else the user list's (managers may read it), else null (their id). */
async function senderName(signed: Session, campaign: ApiResult<Campaign>): Promise<string | null> {
  if (!campaign.ok) return null;
  const { who } = signed;
  if (campaign.data.fromUserId === who.userId) return `You (${who.displayName ?? 'you'})`;
  if (who.role !== 'manager' && who.role !== 'admin') return null;
  const user = await settle(signed.client.user(campaign.data.fromUserId));
  return user.ok ? user.data.displayName : null;
}

async function overview(
  c: At<'/campaigns/:id'>,
  signed: Session,
  options: Pick<CampaignPageProps, 'saved' | 'failure'> = {},
): Promise<Response> {
  const id = c.req.param('id');
  const [result, runs, estimate] = await Promise.all([
    settle(signed.client.campaign(id)),
    settle(
      signed.client.campaignRuns(id, {
        limit: RUNS_PAGE,
        cursor: c.req.query('cursor') || undefined,
      }),
    ),
    settle(signed.client.campaignEstimate(id)),
  ]);
  const archived = result.ok && result.data.state === 'archived';
  const props: CampaignPageProps = {
    who: signed.who,
    result,
    senderName: await senderName(signed, result),
    // An archived campaign has nothing to estimate (the API says 409).
    estimate: archived ? null : estimate,
    runs: result.ok ? runs : null,
    ...options,
  };
  const status = result.ok && options.failure ? options.failure.problem.status : statusOf(result);
  return c.html(<CampaignPage {...props} />, status as 200);
}

const ACTIONS: readonly StateAction[] = ['enable', 'disable', 'archive'];

function changeState(signed: Session, id: string, action: StateAction) {
  const { client } = signed;
  if (action === 'enable') return settle(client.enableCampaign(id));
  if (action === 'disable') return settle(client.disableCampaign(id));
  return settle(client.archiveCampaign(id));
}

export function registerCampaign(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get(
    '/campaigns/:id',
    whenSignedIn(signedIn, (c: At<'/campaigns/:id'>, signed) =>
      overview(c, signed, { saved: c.req.query('saved') }),
    ),
  );
  for (const action of ACTIONS) {
    routes.post(
      `/campaigns/:id/${action}`,
      whenSignedIn(signedIn, async (c: At<'/campaigns/:id'>, signed) => {
        const id = c.req.param('id');
        const form = await readForm(c);
        if (form.confirm !== 'yes') {
          // The first press only asks: nothing changes until the confirmation is sent.
          const result = await settle(signed.client.campaign(id));
          return c.html(
            <ConfirmStatePage who={signed.who} result={result} action={action} />,
            statusOf(result),
          );
        }
        const done = await changeState(signed, id, action);
        if (!done.ok) return overview(c, signed, { failure: { action, problem: done.problem } });
        if (action === 'archive') return c.redirect('/console/campaigns?saved=archived', 303);
        return c.redirect(`${campaignPath(id)}?saved=${action}d`, 303);
      }),
    );
  }
}
