// The engagement settings' fields as the console edits them: form field names are the API's issue
// paths (`dedupe.visitMinutes`, `scoringModel.weights.open_email`), so a refusal's issues land
// beside the field they concern; each field says what it takes in plain words, which is what a
// refusal shows (the API's own words are for developers: "expected number, received null").
import {
  ENGAGEMENT_TYPES,
  type EngagementType,
  MODEL_BOUNDS,
  type ScoringModel,
} from '@cxm/scoring';
import type { ApiError, Issue, Settings, SettingsInput } from '../client/index.js';
import { TIER_LABELS, TYPE_LABELS } from './labels.js';

export type Form = Record<string, string>;

/** Where a field's input is: ids are `set-<field>`. */
export const FIELD_PREFIX = 'set';

/** The scoring model form's fields. */
export const MODEL_FIELDS = [
  ...ENGAGEMENT_TYPES.map((type) => `scoringModel.weights.${type}`),
  'scoringModel.halfLifeDays',
  'scoringModel.thresholds.engaged',
  'scoringModel.thresholds.highlyEngaged',
  'scoringModel.window.hours',
  ...ENGAGEMENT_TYPES.map((type) => `scoringModel.window.caps.${type}`),
  'scoringModel.machineFactor',
  'scoringModel.hysteresis',
];

/** Every field of the Engagement tab's forms, by its name, with its label. */
export const FIELD_LABELS: Record<string, string> = {
  allowedOrigins: 'Career-site origins',
  consentMode: 'Consent mode',
  onetrustCategory: 'OneTrust category',
  'dedupe.visitMinutes': 'Page-view dedupe window',
  'dedupe.formMinutes': 'Form dedupe window',
  linkAllowlist: 'Other link destinations',
  webhookUrl: 'Webhook URL',
  ...Object.fromEntries(
    ENGAGEMENT_TYPES.flatMap((type) => [
      [`scoringModel.weights.${type}`, `Points for ${TYPE_LABELS[type].toLowerCase()}`],
      [
        `scoringModel.window.caps.${type}`,
        `Counted per window: ${TYPE_LABELS[type].toLowerCase()}`,
      ],
    ]),
  ),
  'scoringModel.halfLifeDays': 'Half-life',
  'scoringModel.thresholds.engaged': `${TIER_LABELS.engaged} from`,
  'scoringModel.thresholds.highlyEngaged': `${TIER_LABELS.highly_engaged} from`,
  'scoringModel.window.hours': 'Window length',
  'scoringModel.machineFactor': 'Machine engagements count',
  'scoringModel.hysteresis': 'Hysteresis',
};

/** What a field takes, said the way a refusal says it. */
const RULES: Record<string, string> = {
  allowedOrigins: 'At most 50 origins.',
  linkAllowlist: 'At most 50 origins.',
  consentMode: 'Choose one of the three consent modes.',
  onetrustCategory: 'A OneTrust category is a C and four digits, such as C0004.',
  'dedupe.visitMinutes': 'Enter a whole number of minutes from 0 to 1440 (24 hours).',
  'dedupe.formMinutes': 'Enter a whole number of minutes from 0 to 1440 (24 hours).',
  'scoringModel.halfLifeDays': `Enter a number of days from one hour (0.042) to ${MODEL_BOUNDS.halfLifeDays.max.toLocaleString('en')}.`,
  'scoringModel.thresholds.engaged': `Enter a number of points above 0, at most ${MODEL_BOUNDS.maxThreshold.toLocaleString('en')}.`,
  'scoringModel.thresholds.highlyEngaged': `Enter a number of points above 0, at most ${MODEL_BOUNDS.maxThreshold.toLocaleString('en')}.`,
  'scoringModel.thresholds': `${TIER_LABELS.highly_engaged} must take more points than ${TIER_LABELS.engaged}.`,
  'scoringModel.window.hours': `Enter a number of hours from one minute (0.017) to ${MODEL_BOUNDS.windowHours.max.toLocaleString('en')} (a year).`,
  'scoringModel.machineFactor':
    'Enter a share from 0 to 1: 0 counts them not at all, 1 as much as a person.',
  'scoringModel.hysteresis': 'Enter a share from 0 up to (not including) 1: 0.1 is 10 %.',
};
for (const type of ENGAGEMENT_TYPES) {
  RULES[`scoringModel.weights.${type}`] =
    `Enter a number of points from 0 to ${MODEL_BOUNDS.maxWeight.toLocaleString('en')}.`;
  RULES[`scoringModel.window.caps.${type}`] = 'Enter a whole number from 1 to 100.';
}

/** The field an issue is about, or undefined when it is about none of the form's fields. */
export function fieldOf(path: string): string | undefined {
  const list = /^(allowedOrigins|linkAllowlist)(\.\d+)?$/.exec(path);
  if (list) return list[1];
  if (path === 'dedupe') return 'dedupe.visitMinutes';
  // Thresholds that do not increase: shown at the higher one.
  if (path === 'scoringModel.thresholds') return 'scoringModel.thresholds.highlyEngaged';
  return path in FIELD_LABELS ? path : undefined;
}

/** The origins of a textarea: one per line or comma-separated, blanks dropped. */
export function listOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One issue in plain words, about the value typed where that helps. */
export function plainMessage(issue: Issue, form: Form): string {
  const item = /^(allowedOrigins|linkAllowlist)\.(\d+)$/.exec(issue.path);
  if (item) {
    const value = listOf(form[item[1]!] ?? '')[Number(item[2])] ?? '';
    if (value.length > 300) return `“${value.slice(0, 40)}…” is longer than 300 characters.`;
    if (value.includes('*')) {
      return `“${value}”: wildcards are not supported. Write each origin in full, such as https://careers.example.com.`;
    }
    return `“${value}” is not an origin. Write the scheme and host only, such as https://careers.example.com, with no path.`;
  }
  if (issue.path === 'webhookUrl') {
    return issue.message.startsWith('must')
      ? `The webhook URL ${issue.message}.`
      : capitalised(issue.message);
  }
  return RULES[issue.path] ?? capitalised(issue.message);
}

/** The refusal's problems by field, in plain words; the rest (about no field) apart. */
export function fieldProblems(
  problem: ApiError | undefined,
  form: Form,
): { byField: Map<string, string[]>; other: Issue[] } {
  const byField = new Map<string, string[]>();
  const other: Issue[] = [];
  for (const issue of problem?.issues ?? []) {
    const field = fieldOf(issue.path);
    if (!field) {
      other.push(issue);
      continue;
    }
    const message = plainMessage(issue, form);
    const known = byField.get(field) ?? [];
    if (!known.includes(message)) byField.set(field, [...known, message]);
  }
  return { byField, other };
}

/**
 * A number as typed, for the API to judge: text that is not a number goes as NaN (null in JSON),
 * which the API refuses as it refuses any other value out of range.
 */
export function numberOf(text: string | undefined): number {
  const trimmed = (text ?? '').trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

/** The model form's fields, filled from a model. */
export function modelForm(model: ScoringModel): Form {
  const form: Form = {
    'scoringModel.halfLifeDays': String(model.halfLifeDays),
    'scoringModel.thresholds.engaged': String(model.thresholds.engaged),
    'scoringModel.thresholds.highlyEngaged': String(model.thresholds.highlyEngaged),
    'scoringModel.window.hours': String(model.window.hours),
    'scoringModel.machineFactor': String(model.machineFactor),
    'scoringModel.hysteresis': String(model.hysteresis),
  };
  for (const type of ENGAGEMENT_TYPES) {
    form[`scoringModel.weights.${type}`] = String(model.weights[type]);
    form[`scoringModel.window.caps.${type}`] = String(model.window.caps[type]);
  }
  return form;
}

/** The model the form describes, every field as typed (the API checks it). */
export function modelOf(form: Form): Record<string, unknown> {
  const perType = (prefix: string) =>
    Object.fromEntries(
      ENGAGEMENT_TYPES.map((type: EngagementType) => [type, numberOf(form[`${prefix}.${type}`])]),
    );
  return {
    weights: perType('scoringModel.weights'),
    halfLifeDays: numberOf(form['scoringModel.halfLifeDays']),
    thresholds: {
      engaged: numberOf(form['scoringModel.thresholds.engaged']),
      highlyEngaged: numberOf(form['scoringModel.thresholds.highlyEngaged']),
    },
    window: {
      hours: numberOf(form['scoringModel.window.hours']),
      caps: perType('scoringModel.window.caps'),
    },
    machineFactor: numberOf(form['scoringModel.machineFactor']),
    hysteresis: numberOf(form['scoringModel.hysteresis']),
  };
}

/** The sections of the Engagement tab that save something, and the fields each one posts. */
export const SECTION_FIELDS = {
  tracking: ['trackingEnabled'],
  origins: ['allowedOrigins'],
  consent: ['consentMode', 'onetrustCategory'],
  dedupe: ['dedupe.visitMinutes', 'dedupe.formMinutes'],
  links: ['linkAllowlist'],
  webhook: ['webhookUrl', 'rotateWebhookSecret'],
  model: MODEL_FIELDS,
} as const;

export type SettingsSection = keyof typeof SECTION_FIELDS;

/** A section's form as a request body (only its own fields, so only they are changed and audited). */
export function sectionBody(section: SettingsSection, form: Form): SettingsInput {
  switch (section) {
    case 'tracking':
      return { trackingEnabled: form.trackingEnabled === 'true' };
    case 'origins':
      return { allowedOrigins: listOf(form.allowedOrigins ?? '') };
    case 'consent':
      return {
        consentMode: form.consentMode as Settings['consentMode'],
        onetrustCategory: (form.onetrustCategory ?? '').trim(),
      };
    case 'dedupe':
      return {
        dedupe: {
          visitMinutes: numberOf(form['dedupe.visitMinutes']),
          formMinutes: numberOf(form['dedupe.formMinutes']),
        },
      };
    case 'links':
      return { linkAllowlist: listOf(form.linkAllowlist ?? '') };
    case 'webhook': {
      const url = (form.webhookUrl ?? '').trim();
      return {
        webhookUrl: url || null,
        ...(form.rotateWebhookSecret === 'yes' ? { rotateWebhookSecret: true } : {}),
      };
    }
    case 'model':
      return form.action === 'reset' ? { scoringModel: null } : { scoringModel: modelOf(form) };
  }
}

/** What the Engagement tab's fields show for the stored settings. */
export function settingsForm(settings: Settings): Form {
  return {
    allowedOrigins: settings.allowedOrigins.join('\n'),
    consentMode: settings.consentMode,
    onetrustCategory: settings.onetrustCategory,
    'dedupe.visitMinutes': String(settings.dedupe.visitMinutes),
    'dedupe.formMinutes': String(settings.dedupe.formMinutes),
    linkAllowlist: settings.linkAllowlist.join('\n'),
    webhookUrl: settings.webhookUrl ?? '',
    ...modelForm(settings.scoringModel as ScoringModel),
  };
}
