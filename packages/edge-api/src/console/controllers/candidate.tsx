// `GET /console/candidates/:id`: one candidate's score, 90-day history, tags and, on the
// Engagement tab, a page of engagements (filtered by type and dates, kept in the URL), or on the
// Conversation tab the thread and contact details, read in parallel. `POST …/messages` texts them
// as the signed-in person and `POST …/tags` replaces their tags: success goes back to the page
// with a notice (post/redirect/get); a refusal shows the page again with the API's status, its
// reason in words and what was typed. `GET/POST …/purge`: the admin's confirmation and the purge.
import type { EngagementType } from '@cxm/scoring';
import type { Context, Hono } from 'hono';
import type { Client, Messages, SendMessageInput } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { type ApiResult, settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { readForm, tagsOfText } from '../forms.js';
import { canUse } from '../layout.js';
import { CandidatePage, type CandidateTab, type EngagementFilters } from '../pages/candidate.js';
import { PurgeConfirmPage, PurgedPage } from '../pages/candidate-purge.js';
import type { TagsEdit } from '../pages/candidate-tags.js';
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
    tagsEdit?: TagsEdit;
  } = {},
) {
  const { client } = signed;
  const filters = engagementFilters(c);
  const [score, history, tags, engagements, messages, contact] = await Promise.all([
    settle(client.score(id)),
    settle(client.scoreHistory(id, 90)),
    settle(client.tags(id)),
    tab === 'engagement'
      ? settle(
          client.engagements(id, {
            // Passed on unchecked: the API validates them and the page shows its refusal.
            type: (filters.type || undefined) as EngagementType | undefined,
            from: filters.from || undefined,
            to: filters.to || undefined,
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
  // A refused send or tags edit answers with the API's status, as Hono's literals; a refused
  // filter (a bad date) with the engagements read's.
  const refused = options.failure?.problem ?? options.tagsEdit?.problem;
  const status = !score.ok
    ? statusOf(score)
    : refused
      ? (refused.status as 200)
      : engagements
        ? statusOf(engagements)
        : 200;
  return c.html(
    <CandidatePage
      who={signed.who}
      id={id}
      tab={tab}
      filters={filters}
      score={score}
      history={history}
      tags={tags}
      tagsEdit={options.tagsEdit}
      saved={c.req.method === 'GET' ? c.req.query('saved') : undefined}
      engagements={engagements}
      conversation={conversation}
    />,
    status,
  );
}

function engagementFilters(c: Context<AppEnv>): EngagementFilters {
  return {
    type: c.req.query('type')?.trim() ?? '',
    from: c.req.query('from')?.trim() ?? '',
    to: c.req.query('to')?.trim() ?? '',
  };
}

function profileUrl(id: string, query: Record<string, string> = {}): string {
  const text = new URLSearchParams(query).toString();
  return `/console/candidates/${encodeURIComponent(id)}${text ? `?${text}` : ''}`;
}

/** What the confirmation counts (one read each, in parallel); the purge reply has the rest. */
async function purgeConfirmation(c: Context<AppEnv>, signed: Session, id: string) {
  const { client } = signed;
  const [score, tags, messages] = await Promise.all([
    settle(client.score(id)),
    settle(client.tags(id)),
    settle(client.messages(id)),
  ]);
  return c.html(
    <PurgeConfirmPage who={signed.who} id={id} score={score} tags={tags} messages={messages} />,
    statusOf(score),
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

  routes.post('/candidates/:id/tags', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    const typed = (await readForm(c)).tags ?? '';
    const saved = await settle(signed.client.setTags(id, tagsOfText(typed)));
    if (!saved.ok) {
      return candidatePage(c, signed, id, 'engagement', {
        tagsEdit: { typed, problem: saved.problem },
      });
    }
    return c.redirect(profileUrl(id, { saved: 'tags' }), 303);
  });

  // Admins only, as the API: any other role gets the refusal, not the confirmation (its POST
  // would be refused by `DELETE /v1/candidates/{id}` itself).
  routes.get('/candidates/:id/purge', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    if (!canUse(signed.who, 'admin')) {
      return c.html(<PurgeConfirmPage who={signed.who} id={id} />, 403);
    }
    return purgeConfirmation(c, signed, id);
  });

  routes.post('/candidates/:id/purge', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    const result = await settle(signed.client.purgeCandidate(id));
    return c.html(<PurgedPage who={signed.who} id={id} result={result} />, statusOf(result));
  });
}
