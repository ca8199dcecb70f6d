// `/console/campaigns`: the list, Add Campaign and Edit (a form of steps: each Back or Next posts
// the whole form and gets the next step; Save sends it to `/v1/campaigns` as the signed-in person).
// A refusal shows every step at once with what was typed, the API's issues beside the fields, and
// the API's status. The overview and its state changes are in `campaign.tsx`.
import type { Context, Hono } from 'hono';
import type { Campaign, CampaignsQuery } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import {
  type CampaignForm,
  createBody,
  estimateBody,
  formOf,
  newForm,
  type Step,
  stepOf,
  updateBody,
  withInsert,
} from '../campaign-form.js';
import { readForm } from '../forms.js';
import { EstimatePanel } from '../pages/campaign-estimate.js';
import { eligibleSenders } from '../pages/campaign-steps.js';
import { CampaignWizard, type WizardProps } from '../pages/campaign-wizard.js';
import { CampaignsPage, campaignPath } from '../pages/campaigns.js';
import { whenSignedIn } from './signed-in.js';

type Ctx = Context<AppEnv>;

const MANAGERS = new Set(['manager', 'admin']);

/** What the form pages need besides the form: senders, the time zone, and the estimate. */
async function wizardContext(
  signed: Session,
  form: CampaignForm,
  step: Step | 'all',
): Promise<Pick<WizardProps, 'senders' | 'timeZone' | 'estimate'>> {
  const manager = MANAGERS.has(signed.who.role);
  const wantsEstimate = step === 'filters' || step === 'review';
  const [users, usage, estimate] = await Promise.all([
    manager ? settle(signed.client.listUsers()) : Promise.resolve(null),
    // The organisation's time zone, where the role may read it (reporter and above).
    signed.who.role === 'user' ? Promise.resolve(null) : settle(signed.client.usage({ limit: 1 })),
    wantsEstimate ? settle(signed.client.draftEstimate(estimateBody(form))) : Promise.resolve(null),
  ]);
  return {
    senders: users?.ok ? eligibleSenders(users.data.users) : null,
    timeZone: usage?.ok ? usage.data.timeZone : null,
    estimate,
  };
}

export interface WizardState {
  campaign: Campaign | null;
  form: CampaignForm;
  step: Step | 'all';
  problem?: WizardProps['problem'];
}

export async function wizardPage(c: Ctx, signed: Session, state: WizardState): Promise<Response> {
  const context = await wizardContext(signed, state.form, state.step);
  return c.html(
    <CampaignWizard who={signed.who} {...state} {...context} />,
    (state.problem?.status ?? 200) as 200,
  );
}

/** A posted step: where to go next, or (`save`) the form to send, and the form as typed. */
export async function readStep(c: Ctx): Promise<{ form: CampaignForm; go: Step | 'save' }> {
  const { go, insert, ...typed } = await readForm(c);
  if (insert) return { form: withInsert(typed, insert), go: 'message' };
  return { form: typed, go: go === 'save' ? 'save' : stepOf(go) };
}

/** GET /campaigns: the Re-engagement tab with its filters. */
async function listCampaigns(c: Ctx, signed: Session): Promise<Response> {
  const filters = {
    name: c.req.query('name') ?? '',
    code: c.req.query('code') ?? '',
    state: c.req.query('state') ?? '',
  };
  const result = await settle(
    signed.client.listCampaigns({
      type: 'reengagement',
      ...(filters.name ? { name: filters.name } : {}),
      ...(filters.code ? { code: filters.code } : {}),
      // Passed on unchecked: the API validates the state and the page shows its refusal.
      ...(filters.state ? { state: filters.state as CampaignsQuery['state'] } : {}),
      limit: 50,
      cursor: c.req.query('cursor') || undefined,
    }),
  );
  return c.html(
    <CampaignsPage
      who={signed.who}
      filters={filters}
      result={result}
      saved={c.req.query('saved')}
    />,
    statusOf(result),
  );
}

export function registerCampaigns(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/campaigns', whenSignedIn(signedIn, listCampaigns));
  routes.get(
    '/campaigns/new',
    whenSignedIn(signedIn, (c, signed) =>
      wizardPage(c, signed, {
        campaign: null,
        form: newForm(signed.who.userId),
        step: 'details',
      }),
    ),
  );
  routes.post(
    '/campaigns/new',
    whenSignedIn(signedIn, async (c, signed) => {
      const { form, go } = await readStep(c);
      if (go !== 'save') return wizardPage(c, signed, { campaign: null, form, step: go });
      const created = await settle(signed.client.createCampaign(createBody(form)));
      if (!created.ok) {
        const state = { campaign: null, form, step: 'all' as const, problem: created.problem };
        return wizardPage(c, signed, state);
      }
      return c.redirect(`${campaignPath(created.data.id)}?saved=created`, 303);
    }),
  );
  registerEditing(routes, signedIn);
}

/** The live estimate's panel, and Edit: the same form, saving only the fields that changed. */
function registerEditing(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  // The estimate panel alone, for the form as it is (the filters step refreshes it in place).
  routes.post(
    '/campaigns/estimate',
    whenSignedIn(signedIn, async (c, signed) => {
      const { form } = await readStep(c);
      const estimate = await settle(signed.client.draftEstimate(estimateBody(form)));
      return c.html(<EstimatePanel estimate={estimate} />);
    }),
  );
  routes.get(
    '/campaigns/:id/edit',
    whenSignedIn(signedIn, async (c: Context<AppEnv, '/campaigns/:id/edit'>, signed) => {
      const read = await settle(signed.client.campaign(c.req.param('id')));
      if (!read.ok) return editRefused(c, signed, read);
      const state = { campaign: read.data, form: formOf(read.data), step: 'details' as const };
      return wizardPage(c, signed, state);
    }),
  );
  routes.post(
    '/campaigns/:id/edit',
    whenSignedIn(signedIn, async (c: Context<AppEnv, '/campaigns/:id/edit'>, signed) => {
      const read = await settle(signed.client.campaign(c.req.param('id')));
      if (!read.ok) return editRefused(c, signed, read);
      const { form, go } = await readStep(c);
      const campaign = read.data;
      if (go !== 'save') return wizardPage(c, signed, { campaign, form, step: go });
      const changes = updateBody(form, campaign);
      if (Object.keys(changes).length === 0) {
        return c.redirect(`${campaignPath(campaign.id)}?saved=updated`, 303);
      }
      const updated = await settle(signed.client.updateCampaign(campaign.id, changes));
      if (!updated.ok) {
        return wizardPage(c, signed, {
          campaign,
          form,
          step: 'all',
          problem: updated.problem,
        });
      }
      return c.redirect(`${campaignPath(campaign.id)}?saved=updated`, 303);
    }),
  );
}

/** The edit page of a campaign that could not be read: the refusal, no form. */
function editRefused(c: Ctx, signed: Session, read: Awaited<ReturnType<typeof settle>>) {
  return c.html(
    <CampaignWizard
      who={signed.who}
      campaign={null}
      step="details"
      form={{}}
      senders={null}
      timeZone={null}
      estimate={null}
      refused={read}
    />,
    statusOf(read),
  );
}
