// The error body every 4xx and 5xx carries, for the OpenAPI document.
import { z } from '@hono/zod-openapi';
import { ERROR_STATUS, type ErrorCode } from '../utils/errors.js';

/** Every code the API answers with, so the document lists them (statuses: see utils/errors.ts). */
const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).openapi({
        description: `One of: ${ERROR_CODES.map((code) => `\`${code}\` (${ERROR_STATUS[code]})`).join(', ')}.`,
      }),
      message: z.string(),
      issues: z
        .array(z.object({ path: z.string(), code: z.string(), message: z.string() }))
        .optional(),
    }),
  })
  .openapi('Error');

/** Response entries for the error statuses a route can answer. */
export function errorResponses<const S extends readonly number[]>(statuses: S) {
  const out: Record<
    string,
    { description: string; content: { 'application/json': { schema: typeof errorSchema } } }
  > = {};
  for (const status of statuses) {
    out[status] = {
      description: 'An error; see `error.code`.',
      content: { 'application/json': { schema: errorSchema } },
    };
  }
  return out;
}
