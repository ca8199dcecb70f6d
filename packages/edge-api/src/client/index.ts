// A typed client for backend callers (`@cxm/edge-api/client`) and the recruiter console: plain
// `fetch` (or one handed in), one method per endpoint, request and reply types inferred from the
// same zod schemas that validate them on the server (type-only imports: no zod at run time).
// Errors are thrown as `ApiError` with the status, code, message and issues of the error body.
import type { z } from 'zod';
import type {
  audienceSchema,
  tierHistorySchema,
  tierReportSchema,
} from '../endpoints/audiences/schema.js';
import type { auditPageSchema } from '../endpoints/audit/schema.js';
import type {
  campaignEstimateSchema,
  campaignPageSchema,
  campaignRunPageSchema,
  campaignSchema,
  createCampaignBodySchema,
  draftEstimateBodySchema,
  updateCampaignBodySchema,
} from '../endpoints/campaigns/schema.js';
import type {
  engagementPageSchema,
  purgeReplySchema,
  tagChangesBodySchema,
  tagChangesReplySchema,
  tagsReplySchema,
} from '../endpoints/candidates/schema.js';
import type {
  contactDetailsBodySchema,
  contactDetailsSchema,
} from '../endpoints/contact-details/schema.js';
import type { contactsBodySchema, contactsReplySchema } from '../endpoints/contacts/schema.js';
import type {
  identityTokenBodySchema,
  identityTokenReplySchema,
  linksBodySchema,
  linksReplySchema,
} from '../endpoints/email-links/schema.js';
import type {
  engagementsBodySchema,
  engagementsReplySchema,
} from '../endpoints/engagements/schema.js';
import type {
  apiKeyListSchema,
  createdKeySchema,
  createKeyBodySchema,
  revokedKeySchema,
  whoamiSchema,
} from '../endpoints/keys/schema.js';
import type {
  messageListSchema,
  sendMessageBodySchema,
  sentMessageSchema,
} from '../endpoints/messages/schema.js';
import type {
  messagingSettingsBodySchema,
  messagingSettingsSchema,
} from '../endpoints/messaging-settings/schema.js';
import type {
  scoreHistorySchema,
  scoreSchema,
  scoresReplySchema,
} from '../endpoints/scores/schema.js';
import type {
  modelPreviewBodySchema,
  modelPreviewSchema,
  settingsBodySchema,
  settingsSchema,
  settingsUpdateReplySchema,
  trackingCodeSchema,
} from '../endpoints/settings/schema.js';
import type {
  signInSettingsBodySchema,
  signInSettingsSchema,
} from '../endpoints/sign-in-settings/schema.js';
import type { usageSchema } from '../endpoints/usage/schema.js';
import type {
  createUserBodySchema,
  updateUserBodySchema,
  userListSchema,
  userSchema,
} from '../endpoints/users/schema.js';
import type { linkReplySchema } from '../endpoints/visitors/schema.js';
import type { deliveryPageSchema, deliverySchema } from '../endpoints/webhooks/schema.js';

export type Engagements = z.infer<typeof engagementPageSchema>;
export type Score = z.infer<typeof scoreSchema>;
export type Scores = z.infer<typeof scoresReplySchema>;
export type ScoreHistory = z.infer<typeof scoreHistorySchema>;
export type Tags = z.infer<typeof tagsReplySchema>;
export type TagChangesInput = z.input<typeof tagChangesBodySchema>;
export type AuditPage = z.infer<typeof auditPageSchema>;
export type AuditEntry = AuditPage['entries'][number];
/** `GET /v1/audit`'s query: an action or family (`key.`), who, a time range, paging. */
export interface AuditQuery {
  action?: string;
  actor?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}
export type TagChanges = z.infer<typeof tagChangesReplySchema>;
export type Purge = z.infer<typeof purgeReplySchema>;
export type Audience = z.infer<typeof audienceSchema>;
export type TierReport = z.infer<typeof tierReportSchema>;
export type TierHistory = z.infer<typeof tierHistorySchema>;
export type EngagementsInput = z.input<typeof engagementsBodySchema>;
export type EngagementsReply = z.infer<typeof engagementsReplySchema>;
export type ContactsInput = z.input<typeof contactsBodySchema>;
export type ContactsReply = z.infer<typeof contactsReplySchema>;
export type LinksInput = z.input<typeof linksBodySchema>;
export type Links = z.infer<typeof linksReplySchema>;
export type IdentityTokenInput = z.input<typeof identityTokenBodySchema>;
export type IdentityToken = z.infer<typeof identityTokenReplySchema>;
export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsBodySchema>;
export type SettingsUpdated = z.infer<typeof settingsUpdateReplySchema>;
export type TrackingCode = z.infer<typeof trackingCodeSchema>;
export type ModelPreviewInput = z.input<typeof modelPreviewBodySchema>;
export type ModelPreview = z.infer<typeof modelPreviewSchema>;
export type ApiKeys = z.infer<typeof apiKeyListSchema>;
export type CreateKeyInput = z.input<typeof createKeyBodySchema>;
export type CreatedKey = z.infer<typeof createdKeySchema>;
export type RevokedKey = z.infer<typeof revokedKeySchema>;
export type WhoAmI = z.infer<typeof whoamiSchema>;
export type Tier = Score['tier'];
export type EngagementType = Score['breakdown'][number]['type'];
export type VisitorLink = z.infer<typeof linkReplySchema>;
export type User = z.infer<typeof userSchema>;
export type SendMessageInput = z.input<typeof sendMessageBodySchema>;
export type SentMessage = z.infer<typeof sentMessageSchema>;
export type Messages = z.infer<typeof messageListSchema>;
export type Users = z.infer<typeof userListSchema>;
export type CreateUserInput = z.input<typeof createUserBodySchema>;
export type UpdateUserInput = z.input<typeof updateUserBodySchema>;
export type SignInSettings = z.infer<typeof signInSettingsSchema>;
export type SignInSettingsInput = z.input<typeof signInSettingsBodySchema>;
export type ContactDetails = z.infer<typeof contactDetailsSchema>;
export type ContactDetailsInput = z.input<typeof contactDetailsBodySchema>;
export type MessagingSettings = z.infer<typeof messagingSettingsSchema>;
export type MessagingSettingsInput = z.input<typeof messagingSettingsBodySchema>;
export type Usage = z.infer<typeof usageSchema>;
export type Campaign = z.infer<typeof campaignSchema>;
export type Campaigns = z.infer<typeof campaignPageSchema>;
export type CreateCampaignInput = z.input<typeof createCampaignBodySchema>;
export type UpdateCampaignInput = z.input<typeof updateCampaignBodySchema>;
export type CampaignEstimate = z.infer<typeof campaignEstimateSchema>;
export type DraftEstimateInput = z.input<typeof draftEstimateBodySchema>;
export type CampaignRuns = z.infer<typeof campaignRunPageSchema>;
export type WebhookDeliveries = z.infer<typeof deliveryPageSchema>;
export type WebhookDelivery = z.infer<typeof deliverySchema>;

/** Every endpoint the client calls: method and OpenAPI path (a test checks them against the document). */
export const ENDPOINTS = {
  whoami: ['GET', '/v1/whoami'],
  sendEngagements: ['POST', '/v1/engagements'],
  recordContacts: ['POST', '/v1/contacts'],
  linkVisitor: ['POST', '/v1/visitors/{visitorId}/link'],
  engagements: ['GET', '/v1/candidates/{candidateId}/engagements'],
  score: ['GET', '/v1/candidates/{candidateId}/score'],
  scoreHistory: ['GET', '/v1/candidates/{candidateId}/score-history'],
  scores: ['POST', '/v1/scores'],
  tags: ['GET', '/v1/candidates/{candidateId}/tags'],
  setTags: ['PUT', '/v1/candidates/{candidateId}/tags'],
  purgeCandidate: ['DELETE', '/v1/candidates/{candidateId}'],
  audience: ['GET', '/v1/audiences'],
  audienceExport: ['GET', '/v1/audiences/export'],
  tierReport: ['GET', '/v1/reports/tiers'],
  tierHistory: ['GET', '/v1/reports/tier-history'],
  createLinks: ['POST', '/v1/links'],
  createIdentityToken: ['POST', '/v1/identity-tokens'],
  settings: ['GET', '/v1/settings/engagement'],
  updateSettings: ['PUT', '/v1/settings/engagement'],
  trackingCode: ['GET', '/v1/settings/engagement/tracking-code'],
  previewModel: ['POST', '/v1/settings/engagement/preview'],
  listKeys: ['GET', '/v1/keys'],
  createKey: ['POST', '/v1/keys'],
  revokeKey: ['DELETE', '/v1/keys/{id}'],
  rotateKey: ['POST', '/v1/keys/{id}/rotate'],
  sendMessage: ['POST', '/v1/messages'],
  messages: ['GET', '/v1/candidates/{candidateId}/messages'],
  listUsers: ['GET', '/v1/users'],
  createUser: ['POST', '/v1/users'],
  user: ['GET', '/v1/users/{id}'],
  updateUser: ['PATCH', '/v1/users/{id}'],
  deactivateUser: ['DELETE', '/v1/users/{id}'],
  signInSettings: ['GET', '/v1/settings/sign-in'],
  updateSignInSettings: ['PUT', '/v1/settings/sign-in'],
  contactDetails: ['GET', '/v1/candidates/{candidateId}/contact'],
  setContactDetails: ['PUT', '/v1/candidates/{candidateId}/contact'],
  messagingSettings: ['GET', '/v1/settings/messaging'],
  updateMessagingSettings: ['PUT', '/v1/settings/messaging'],
  usage: ['GET', '/v1/usage'],
  listCampaigns: ['GET', '/v1/campaigns'],
  createCampaign: ['POST', '/v1/campaigns'],
  campaign: ['GET', '/v1/campaigns/{id}'],
  updateCampaign: ['PATCH', '/v1/campaigns/{id}'],
  enableCampaign: ['POST', '/v1/campaigns/{id}/enable'],
  disableCampaign: ['POST', '/v1/campaigns/{id}/disable'],
  archiveCampaign: ['POST', '/v1/campaigns/{id}/archive'],
  campaignEstimate: ['GET', '/v1/campaigns/{id}/estimate'],
  draftEstimate: ['POST', '/v1/campaign-estimates'],
  changeTags: ['POST', '/v1/tag-changes'],
  audit: ['GET', '/v1/audit'],
  campaignRuns: ['GET', '/v1/campaigns/{id}/runs'],
  webhookDeliveries: ['GET', '/v1/webhook-deliveries'],
  sendTestWebhook: ['POST', '/v1/webhook-deliveries/test'],
  redeliverWebhook: ['POST', '/v1/webhook-deliveries/{id}/redeliver'],
} as const satisfies Record<string, readonly [string, string]>;

export type EndpointName = keyof typeof ENDPOINTS;

export interface Issue {
  path: string;
  code: string;
  message: string;
}

/** An error reply of the API (or a reply that was not the API's). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: Issue[];

  constructor(status: number, code: string, message: string, issues: Issue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

/**
 * What the client sends requests with. The global `fetch` is one; so is a function that hands the
 * request to an app in the same process (the console's, or a test's `app.request`).
 */
export type Fetch = (url: string, init: RequestInit) => Response | Promise<Response>;

export interface ClientOptions {
  /** The API origin, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Default: the global `fetch`. */
  fetch?: Fetch;
}

export type Query = Record<string, string | number | readonly string[] | undefined>;

function fill(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** `?a=1&b=x&b=y` from a query (arrays repeat the name; `undefined` is left out), or `''`. */
export function queryString(query: Query | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) search.append(name, item);
    else search.append(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface EngagementsQuery {
  type?: EngagementType | EngagementType[];
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface AudienceQuery {
  tier?: Tier | Tier[];
  lastEngagedBefore?: string;
  lastEngagedAfter?: string;
  lastContactedBefore?: string;
  lastContactedAfter?: string;
  /** Only candidates never contacted (not with `lastContactedBefore`/`lastContactedAfter`). */
  neverContacted?: boolean;
  /** All of these tags (or any, with `tagMatch: 'any'`). */
  tags?: string[];
  tagMatch?: 'all' | 'any';
  /** `score` (default): highest first; `lastEngaged`: most recently engaged first. */
  sort?: 'score' | 'lastEngaged';
  limit?: number;
  cursor?: string;
}

export interface AudienceExportQuery extends Omit<AudienceQuery, 'limit' | 'cursor'> {
  format?: 'csv' | 'json';
  /** Only these candidates (at most 100), still filtered. */
  ids?: string[];
}

function audienceQueryString(query: AudienceExportQuery): Query {
  return {
    ...query,
    tags: query.tags?.join(','),
    ids: query.ids?.join(','),
    neverContacted: query.neverContacted === undefined ? undefined : String(query.neverContacted),
  };
}

export interface CampaignRunsQuery {
  /** 1 to 100, default 30. */
  limit?: number;
  cursor?: string;
}

export interface CampaignsQuery {
  type?: 'reengagement' | 'standard';
  /** Any part of the name, ignoring case. */
  name?: string;
  /** Any part of the code, ignoring case. */
  code?: string;
  /** Default: enabled and disabled (archived ones only when asked for). */
  state?: Campaign['state'];
  limit?: number;
  cursor?: string;
}

export interface UsageQuery {
  /** A past month, `YYYY-MM`; default the current one. */
  period?: string;
  limit?: number;
  cursor?: string;
}

export interface WebhookDeliveriesQuery {
  status?: WebhookDelivery['status'];
  /** The event's type, e.g. `candidate.tier_changed` or `webhook.test`. */
  type?: string;
  /** 1 to 200, default 50. */
  limit?: number;
  cursor?: string;
}

interface CallInput {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
}

/** The reply's JSON body, or `undefined` when it is empty or not JSON. */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The `ApiError` for a reply that was not ok, from its error body where it has one. */
function replyError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: string; message?: string; issues?: Issue[] } })?.error;
  return new ApiError(
    status,
    error?.code ?? 'http_error',
    error?.message ?? `HTTP ${status}`,
    error?.issues ?? [],
  );
}

/** `call(name, input)`: sends one endpoint's request with the API key and returns its JSON reply. */
function requester(options: ClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const send: Fetch = options.fetch ?? ((url, init) => fetch(url, init));

  /** The reply itself when ok (a streamed file, say), else its `ApiError`. */
  async function reply(name: EndpointName, input: CallInput = {}): Promise<Response> {
    const [method, path] = ENDPOINTS[name];
    const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}` };
    if (input.body !== undefined) headers['content-type'] = 'application/json';
    const response = await send(
      `${base}${fill(path, input.params ?? {})}${queryString(input.query)}`,
      {
        method,
        headers,
        ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
      },
    );
    if (!response.ok) throw replyError(response.status, await readBody(response));
    return response;
  }

  async function call<T>(name: EndpointName, input: CallInput = {}): Promise<T> {
    return (await readBody(await reply(name, input))) as T;
  }
  return { call, reply };
}

type Call = ReturnType<typeof requester>['call'];

/** The webhook delivery log (manager): read it, send a test event, redeliver an event. */
function webhookCalls(call: Call) {
  return {
    webhookDeliveries: (query: WebhookDeliveriesQuery = {}) =>
      call<WebhookDeliveries>('webhookDeliveries', { query: { ...query } }),
    sendTestWebhook: () => call<WebhookDelivery>('sendTestWebhook'),
    redeliverWebhook: (id: string) => call<WebhookDelivery>('redeliverWebhook', { params: { id } }),
  };
}

export function createClient(options: ClientOptions) {
  const { call, reply } = requester(options);

  return {
    whoami: () => call<WhoAmI>('whoami'),
    sendEngagements: (body: EngagementsInput) =>
      call<EngagementsReply>('sendEngagements', { body }),
    recordContacts: (body: ContactsInput) => call<ContactsReply>('recordContacts', { body }),
    linkVisitor: (visitorId: string, candidateId: string) =>
      call<VisitorLink>('linkVisitor', { params: { visitorId }, body: { candidateId } }),
    engagements: (candidateId: string, query: EngagementsQuery = {}) =>
      call<Engagements>('engagements', { params: { candidateId }, query: { ...query } }),
    score: (candidateId: string) => call<Score>('score', { params: { candidateId } }),
    scoreHistory: (candidateId: string, days?: number) =>
      call<ScoreHistory>('scoreHistory', { params: { candidateId }, query: { days } }),
    scores: (candidateIds: string[]) => call<Scores>('scores', { body: { candidateIds } }),
    tags: (candidateId: string) => call<Tags>('tags', { params: { candidateId } }),
    setTags: (candidateId: string, tags: string[]) =>
      call<Tags>('setTags', { params: { candidateId }, body: { tags } }),
    changeTags: (body: TagChangesInput) => call<TagChanges>('changeTags', { body }),
    audit: (query: AuditQuery = {}) => call<AuditPage>('audit', { query: { ...query } }),
    purgeCandidate: (candidateId: string) =>
      call<Purge>('purgeCandidate', { params: { candidateId } }),
    audience: (query: AudienceQuery = {}) =>
      call<Audience>('audience', { query: audienceQueryString(query) }),
    /** Every match as a streamed CSV or JSON attachment: the `Response`, to read or pass on. */
    audienceExport: (query: AudienceExportQuery = {}) =>
      reply('audienceExport', { query: audienceQueryString(query) }),
    tierReport: (query: { from?: string; to?: string } = {}) =>
      call<TierReport>('tierReport', { query }),
    tierHistory: (query: { from?: string; to?: string } = {}) =>
      call<TierHistory>('tierHistory', { query }),
    createLinks: (body: LinksInput) => call<Links>('createLinks', { body }),
    createIdentityToken: (body: IdentityTokenInput) =>
      call<IdentityToken>('createIdentityToken', { body }),
    settings: () => call<Settings>('settings'),
    updateSettings: (body: SettingsInput) => call<SettingsUpdated>('updateSettings', { body }),
    trackingCode: (consent?: TrackingCode['consent']) =>
      call<TrackingCode>('trackingCode', { query: { consent } }),
    previewModel: (body: ModelPreviewInput) => call<ModelPreview>('previewModel', { body }),
    listKeys: () => call<ApiKeys>('listKeys'),
    createKey: (body: CreateKeyInput) => call<CreatedKey>('createKey', { body }),
    revokeKey: (id: string) => call<RevokedKey>('revokeKey', { params: { id } }),
    rotateKey: (id: string) => call<CreatedKey>('rotateKey', { params: { id } }),
    sendMessage: (body: SendMessageInput) => call<SentMessage>('sendMessage', { body }),
    messages: (candidateId: string) => call<Messages>('messages', { params: { candidateId } }),
    listUsers: () => call<Users>('listUsers'),
    createUser: (body: CreateUserInput) => call<User>('createUser', { body }),
    user: (id: string) => call<User>('user', { params: { id } }),
    updateUser: (id: string, body: UpdateUserInput) =>
      call<User>('updateUser', { params: { id }, body }),
    deactivateUser: (id: string) => call<User>('deactivateUser', { params: { id } }),
    signInSettings: () => call<SignInSettings>('signInSettings'),
    updateSignInSettings: (body: SignInSettingsInput) =>
      call<SignInSettings>('updateSignInSettings', { body }),
    contactDetails: (candidateId: string) =>
      call<ContactDetails>('contactDetails', { params: { candidateId } }),
    setContactDetails: (candidateId: string, body: ContactDetailsInput) =>
      call<ContactDetails>('setContactDetails', { params: { candidateId }, body }),
    messagingSettings: () => call<MessagingSettings>('messagingSettings'),
    updateMessagingSettings: (body: MessagingSettingsInput) =>
      call<MessagingSettings>('updateMessagingSettings', { body }),
    usage: (query: UsageQuery = {}) => call<Usage>('usage', { query: { ...query } }),
    listCampaigns: (query: CampaignsQuery = {}) =>
      call<Campaigns>('listCampaigns', { query: { ...query } }),
    createCampaign: (body: CreateCampaignInput) => call<Campaign>('createCampaign', { body }),
    campaign: (id: string) => call<Campaign>('campaign', { params: { id } }),
    updateCampaign: (id: string, body: UpdateCampaignInput) =>
      call<Campaign>('updateCampaign', { params: { id }, body }),
    enableCampaign: (id: string) => call<Campaign>('enableCampaign', { params: { id } }),
    disableCampaign: (id: string) => call<Campaign>('disableCampaign', { params: { id } }),
    archiveCampaign: (id: string) => call<Campaign>('archiveCampaign', { params: { id } }),
    campaignEstimate: (id: string) =>
      call<CampaignEstimate>('campaignEstimate', { params: { id } }),
    draftEstimate: (body: DraftEstimateInput) => call<CampaignEstimate>('draftEstimate', { body }),
    campaignRuns: (id: string, query: CampaignRunsQuery = {}) =>
      call<CampaignRuns>('campaignRuns', { params: { id }, query: { ...query } }),
    ...webhookCalls(call),
  } satisfies Record<EndpointName, (...args: never[]) => Promise<unknown>>;
}

export type Client = ReturnType<typeof createClient>;
