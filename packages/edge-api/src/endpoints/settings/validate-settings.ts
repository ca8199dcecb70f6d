// The checks a settings change passes before anything is written: origins (sites' and the link
// allowlist), the scoring model (`validateModel`, every error), and the webhook URL. Every
// problem of a request is listed at once, in that order.
import { completeModel, type ScoringModel, validateModel } from '@cxm/scoring';
import type { Issue } from '../../utils/errors.js';
import { outboundUrlProblem } from '../../utils/outbound-url.js';
import { normaliseOrigin } from '../../utils/page-urls.js';
import type { SettingsBody } from './schema.js';

/** A change's values that needed checking, as they are stored. Absent: not changed. */
export interface CheckedSettings {
  /** Normalised, without repeats. */
  allowedOrigins?: string[];
  linkAllowlist?: string[];
  /** Null: back to the default model. */
  model?: ScoringModel | null;
}

export type SettingsCheck =
  | { ok: true; settings: CheckedSettings }
  | { ok: false; issues: Issue[] };

/**
 * Origins as stored: bare `scheme://host[:port]` (a trailing `/` is accepted), no repeats. Each is
 * matched exactly, so a wildcard (`https://*.example.com`, which URL parsing takes as a host
 * named `*.example.com`) would match nothing: it is refused as such.
 */
function originList(values: string[], path: string, issues: Issue[]): string[] {
  const out: string[] = [];
  values.forEach((value, index) => {
    const origin = normaliseOrigin(value);
    if (value.includes('*')) {
      issues.push({
        path: `${path}.${index}`,
        code: 'invalid',
        message:
          'wildcards are not supported: list each origin exactly, such as https://careers.example.com',
      });
    } else if (origin === null || (origin !== value && `${origin}/` !== value)) {
      issues.push({
        path: `${path}.${index}`,
        code: 'invalid',
        message: 'must be an http(s) origin such as https://careers.example.com (no path)',
      });
    } else if (!out.includes(origin)) out.push(origin);
  });
  return out;
}

/** A submitted model, completed and checked (its errors pushed as `scoringModel.<path>` issues). */
export function checkModel(
  value: Record<string, unknown> | null | undefined,
  issues: Issue[],
): ScoringModel | null | undefined {
  if (value === undefined || value === null) return value;
  // A model written for fewer types (a client from before `click_message`) takes the defaults
  // for the types it leaves out, as a stored one does.
  const model = completeModel(value);
  const checked = validateModel(model);
  if (checked.ok) return model as ScoringModel;
  for (const error of checked.errors) {
    issues.push({ path: `scoringModel.${error.path}`, code: 'invalid', message: error.message });
  }
  return undefined;
}

export function validateSettings(
  body: SettingsBody,
  options: { allowLocalWebhooks: boolean },
): SettingsCheck {
  const issues: Issue[] = [];
  const allowedOrigins =
    body.allowedOrigins && originList(body.allowedOrigins, 'allowedOrigins', issues);
  const linkAllowlist =
    body.linkAllowlist && originList(body.linkAllowlist, 'linkAllowlist', issues);
  const model = checkModel(body.scoringModel, issues);
  if (body.webhookUrl) {
    const problem = outboundUrlProblem(body.webhookUrl, options.allowLocalWebhooks);
    if (problem) issues.push({ path: 'webhookUrl', code: 'invalid', message: problem });
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, settings: { allowedOrigins, linkAllowlist, model } };
}
