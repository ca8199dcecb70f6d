// The Add Campaign form as plain text, and what it means to the API: every field a string
// (carried from step to step in the form itself, so nothing is kept on the server between steps),
// turned into a create body, or into a patch of only what changed. The API checks every value;
// this only reshapes them.
import type {
  Campaign,
  CreateCampaignInput,
  DraftEstimateInput,
  UpdateCampaignInput,
} from '../client/index.js';
import { tagsOfText } from './forms.js';

export type CampaignForm = Record<string, string>;

export const STEPS = ['details', 'filters', 'from', 'message', 'review'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_LABELS: Record<Step, string> = {
  details: 'Details',
  filters: 'Filters',
  from: 'From and send time',
  message: 'Message',
  review: 'Review',
};

/** The form fields each step owns (the rest travel as hidden inputs while it is shown). */
export const STEP_FIELDS: Record<Step, readonly string[]> = {
  details: ['name', 'code', 'url', 'autoResponse'],
  filters: ['timeframe', 'tags', 'tagsMode'],
  from: ['fromUserId', 'sendTime'],
  message: ['channel', 'content', 'message', 'templateId', 'templateVariables'],
  review: ['state'],
};

export const ALL_FIELDS: readonly string[] = STEPS.flatMap((step) => STEP_FIELDS[step]);

/** The last-contacted choices, as the form names them (`never`: never contacted). */
export const TIMEFRAMES = ['7', '14', '30', '60', '90', '180', '365', 'never'] as const;

export function timeframeLabel(value: string): string {
  return value === 'never' ? 'Never contacted' : `Not contacted for more than ${value} days`;
}

export function stepOf(value: string | undefined): Step {
  return (STEPS as readonly string[]).includes(value ?? '') ? (value as Step) : 'details';
}

/** A new campaign's form: the defaults a recruiter would pick, sent by the signed-in person. */
export function newForm(fromUserId: string | undefined): CampaignForm {
  return {
    timeframe: '30',
    tagsMode: 'any',
    fromUserId: fromUserId ?? '',
    sendTime: '09:30',
    channel: 'sms',
    content: 'text',
    state: 'enabled',
  };
}

function variablesText(variables: Record<string, string> | null): string {
  return Object.entries(variables ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
}

/** A stored campaign as the form shows it for editing. */
export function formOf(campaign: Campaign): CampaignForm {
  const { timeframe } = campaign;
  return {
    name: campaign.name,
    code: campaign.code ?? '',
    url: campaign.url ?? '',
    autoResponse: campaign.autoResponse ?? '',
    timeframe: 'neverContacted' in timeframe ? 'never' : String(timeframe.notContactedForDays),
    tags: campaign.tags.join(', '),
    tagsMode: campaign.tagsMode,
    fromUserId: campaign.fromUserId,
    sendTime: campaign.sendTime,
    channel: campaign.channel,
    content: campaign.templateId ? 'template' : 'text',
    message: campaign.message ?? '',
    templateId: campaign.templateId ?? '',
    templateVariables: variablesText(campaign.templateVariables),
    state: campaign.state,
  };
}

/** Text typed into an optional field: blank means none. */
function optional(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}

/** `1=engineering` per line → `{ '1': 'engineering' }`; a line without `=` is a name with ''. */
export function variablesOf(text: string | undefined): Record<string, string> | null {
  const entries = (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line): [string, string] => {
      const at = line.indexOf('=');
      return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    });
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

export function timeframeOf(value: string | undefined): CreateCampaignInput['timeframe'] {
  // An unknown value goes on as a number the API refuses at `timeframe` in its own words.
  return value === 'never' ? { neverContacted: true } : { notContactedForDays: Number(value) };
}

/** The content of the message step: a text, or a saved template with its variables. */
function contentOf(form: CampaignForm) {
  if (form.content === 'template') {
    return {
      message: null,
      templateId: optional(form.templateId),
      templateVariables: variablesOf(form.templateVariables),
    };
  }
  return { message: optional(form.message), templateId: null, templateVariables: null };
}

/** Everything the form says, as the API's fields (null: none). */
function fieldsOf(form: CampaignForm) {
  return {
    name: form.name ?? '',
    code: optional(form.code),
    url: optional(form.url)?.trim() ?? null,
    autoResponse: optional(form.autoResponse),
    timeframe: timeframeOf(form.timeframe),
    tags: tagsOfText(form.tags),
    // Passed on unchecked: the API validates them and says so at the field.
    tagsMode: (form.tagsMode || 'any') as 'all' | 'any',
    sendTime: form.sendTime ?? '',
    channel: (form.channel || 'sms') as 'sms' | 'whatsapp',
    ...contentOf(form),
  };
}

export function createBody(form: CampaignForm): CreateCampaignInput {
  const fromUserId = optional(form.fromUserId);
  return {
    ...fieldsOf(form),
    reengagement: true,
    ...(fromUserId ? { fromUserId } : {}),
    state: form.state === 'disabled' ? 'disabled' : 'enabled',
  };
}

/** Only what differs from the stored campaign: an edit never re-sends what it did not change. */
export function updateBody(form: CampaignForm, campaign: Campaign): UpdateCampaignInput {
  const fields: Record<string, unknown> = { ...fieldsOf(form) };
  const fromUserId = optional(form.fromUserId);
  if (fromUserId) fields.fromUserId = fromUserId;
  const stored = campaign as unknown as Record<string, unknown>;
  const changed = Object.entries(fields).filter(
    ([name, value]) => JSON.stringify(value) !== JSON.stringify(stored[name] ?? null),
  );
  return Object.fromEntries(changed) as UpdateCampaignInput;
}

/** The estimate's request for what the form says now. */
export function estimateBody(form: CampaignForm): DraftEstimateInput {
  const fromUserId = optional(form.fromUserId);
  return {
    timeframe: timeframeOf(form.timeframe),
    tags: tagsOfText(form.tags),
    tagsMode: form.tagsMode === 'all' ? 'all' : 'any',
    channel: form.channel === 'whatsapp' ? 'whatsapp' : 'sms',
    ...(fromUserId ? { fromUserId } : {}),
  };
}

/** The mail-merge fields the toolbar inserts (what the API accepts). */
export const MERGE_FIELDS = ['firstName', 'url'] as const;

/** The toolbar without script: the placeholder goes at the end of the message. */
export function withInsert(form: CampaignForm, insert: string | undefined): CampaignForm {
  if (insert === 'template' || insert === 'text') return { ...form, content: insert };
  if (!(MERGE_FIELDS as readonly string[]).includes(insert ?? '')) return form;
  const text = form.message ?? '';
  const gap = text === '' || /\s$/.test(text) ? '' : ' ';
  return { ...form, content: 'text', message: `${text}${gap}{{${insert}}}` };
}
