// Errors at the boundary are values: a code, an HTTP status and a message, rendered as
// `{ "error": { "code", "message", "issues"? } }`. Every code the API can answer is listed here.
import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  unknown_type: 400,
  date_out_of_range: 400,
  url_not_allowed: 400,
  unauthorized: 401,
  forbidden: 403,
  licence_required: 403,
  origin_not_allowed: 403,
  not_found: 404,
  unknown_site: 404,
  method_not_allowed: 405,
  user_exists: 409,
  last_admin: 409,
  seats_exhausted: 409,
  sender_number_taken: 409,
  opted_out: 409,
  no_consent: 409,
  no_phone_number: 409,
  contacts_exhausted: 409,
  campaign_archived: 409,
  key_inactive: 409,
  webhook_not_configured: 409,
  org_exists: 409,
  already_on_shard: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  invalid_number: 422,
  sms_unsupported_country: 422,
  whatsapp_unavailable: 422,
  whatsapp_window_closed: 422,
  reply_window_closed: 422,
  no_sender_number: 422,
  internal: 500,
  unavailable: 503,
  messaging_unavailable: 503,
  misconfigured: 503,
  organisation_moving: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface Issue {
  /** Dotted path into the body, e.g. `engagements.3.occurredAt`. */
  path: string;
  /** The specific problem: `unknown_type`, `date_out_of_range`, `url_not_allowed` or `invalid`. */
  code: string;
  message: string;
}

export interface ApiError {
  code: ErrorCode;
  message: string;
  issues?: Issue[];
}

export function apiError(code: ErrorCode, message: string, issues?: Issue[]): ApiError {
  return issues ? { code, message, issues } : { code, message };
}

/**
 * An error reply, typed so an OpenAPI handler may return it beside its documented success body
 * (`never` fits any declared response; the error statuses are documented by `errorResponses`).
 */
export type ErrorReply = Response & TypedResponse<never, never, 'json'>;

export function errorResponse(
  c: Context,
  error: ApiError,
  headers?: Record<string, string>,
): ErrorReply {
  return c.json({ error }, ERROR_STATUS[error.code], headers) as unknown as ErrorReply;
}

/** Issue codes that carry their own meaning; any other zod issue is `invalid`. */
const NAMED_ISSUES = ['unknown_type', 'date_out_of_range', 'url_not_allowed'] as const;

/**
 * Turns zod issues into API issues. Schemas mark the problems that have their own code by
 * putting it in `params.code` (custom checks); a bad value of a field named `type` is
 * `unknown_type`.
 */
export function issuesFromZod(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    let code = 'invalid';
    const params = (issue as { params?: { code?: unknown } }).params;
    if (issue.code === 'custom' && typeof params?.code === 'string') code = params.code;
    else if (
      (issue.code === 'invalid_value' || issue.code === 'invalid_union') &&
      issue.path.at(-1) === 'type'
    ) {
      // An enum, or a discriminated union whose tag matched no option (zod reports the tag).
      code = 'unknown_type';
    }
    return { path, code, message: issue.message };
  });
}

/**
 * One 400 for all of a request's problems. Its code is the issues' shared code when they all
 * have the same named one (`unknown_type`, ...), else `invalid_request`.
 */
export function invalidRequest(issues: Issue[]): ApiError {
  const first = issues[0]?.code;
  const shared =
    first !== undefined && issues.every((issue) => issue.code === first) ? first : undefined;
  const code = NAMED_ISSUES.find((named) => named === shared) ?? 'invalid_request';
  const message =
    code === 'invalid_request'
      ? `The request has ${issues.length} problem${issues.length === 1 ? '' : 's'}; see issues.`
      : `${issues.length} item${issues.length === 1 ? '' : 's'} rejected (${code}); see issues.`;
  return apiError(code, message, issues);
}
