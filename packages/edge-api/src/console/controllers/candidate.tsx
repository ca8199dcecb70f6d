// `GET /console/candidates/:id`: one candidate's score, 90-day history and, on the Engagement
// tab, a page of engagements, or on the Conversation tab the thread and contact details, read in
// parallel. `POST /console/candidates/:id/messages` texts them as the signed-in person: success
// goes back to the tab with a notice (post/redirect/get); a refusal shows the tab again with the
// API's status, its reason in words and what was typed.
import type { EngagementType } from '@cxm/scoring';
import type { Context, Hono } from 'hono';
import type { Client, Messages, SendMessageInput } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { type ApiResult, settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { readForm } from '../forms.js';
import { CandidatePage, type CandidateTab } from '../pages/candidate.js';
import { campaignOf, type SendFailure } from '../pages/conversation.js';
import type { Form } from '../pages/user-fields.js';

const TABS: readonly CandidateTab[] = ['engagement', 'conversation', 'score'];

function tabOf(query: string | undefined): CandidateTab {
  return TABS.includes(query as CandidateTab) ? (query as CandidateTab) : 'engagement';
}

/** Text typed into an optional field: blank means none. */
function optional(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The send form as a request body; the API checks every value (and refuses in words). */
function sendBody(candidateId: string, form: Form): SendMessageInput {
  const body = optional(form.body);
  const templateId = optional(form.templateId);
  const url = optional(form.url)?.trim();
  return {
    candidateId,
    // Passed on unchecked: the API validates the channel.
    channel: (form.channel || 'sms') as SendMessageInput['channel'],
    ...(body ? { body } : {}),
    ...(templateId ? { templateId } : {}),
    ...(url ? { url } : {}),
  };
}

/** How many campaigns' names one thread looks up (each is one read of `GET /v1/campaigns/{id}`). */
const CAMPAIGN_NAMES = 10;

/** The names of the campaigns that texted the candidate; one unread is simply not named. */
async function campaignNames(
  client: Client,
  messages: ApiResult<Messages> | null,
): Promise<Record<string, string>> {
  if (!messages?.ok) return {};
  const ids = new Set<string>();
  for (const message of messages.data.messages) {
    const id = campaignOf(message.sentBy);
    if (id !== null && ids.size < CAMPAIGN_NAMES) ids.add(id);
  }
  const read = await Promise.all([...ids].map((id) => settle(client.campaign(id))));
  return Object.fromEntries(read.flatMap((one) => (one.ok ? [[one.data.id, one.data.name]] : [])));
}

async function candidatePage(
  c: Context<AppEnv>,
  signed: Session,
  id: string,
  tab: CandidateTab,
  options: {
    sent?: { status: string; messageId?: string | undefined };
    failure?: SendFailure;
  } = {},
) {
  const { client } = signed;
  const type = c.req.query('type') ?? '';
  const [score, history, engagements, messages, contact] = await Promise.all([
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
    tab === 'conversation' ? settle(client.messages(id)) : Promise.resolve(null),
    tab === 'conversation' ? settle(client.contactDetails(id)) : Promise.resolve(null),
  ]);
  const campaigns = await campaignNames(client, messages);
  const conversation =
    messages && contact
      ? { messages, contact, sent: options.sent, failure: options.failure, campaigns }
      : null;
  // A refused send answers with the API's status (400, 403, 409, 422, 503), as Hono's literals.
  const status =
    score.ok && options.failure ? (options.failure.problem.status as 200) : statusOf(score);
  return c.html(
    <CandidatePage
      who={signed.who}
      id={id}
      tab={tab}
      type={type}
      score={score}
      history={history}
      engagements={engagements}
      conversation={conversation}
    />,
    status,
  );
}

export function registerCandidate(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/candidates/:id', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const tab = tabOf(c.req.query('tab'));
    const sent = c.req.query('sent');
    return candidatePage(c, signed, c.req.param('id'), tab, {
      ...(tab === 'conversation' && (sent === 'queued' || sent === 'scheduled')
        ? { sent: { status: sent, messageId: c.req.query('message') } }
        : {}),
    });
  });

  routes.post('/candidates/:id/messages', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    const form = await readForm(c);
    const sent = await settle(signed.client.sendMessage(sendBody(id, form)));
    if (!sent.ok) {
      return candidatePage(c, signed, id, 'conversation', {
        failure: { problem: sent.problem, form },
      });
    }
    const query = new URLSearchParams({
      tab: 'conversation',
      sent: sent.data.status,
      message: sent.data.id,
    });
    return c.redirect(`/console/candidates/${encodeURIComponent(id)}?${query}`, 303);
  });
}
