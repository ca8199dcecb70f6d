// Schemas of a candidate's contact details for texting (`/v1/candidates/{id}/contact`): the
// number (E.164, with its country), first name, time zone, and consent per channel; the
// opt-outs are shown, never written here (they come from the candidate: STOP / START).
import { z } from '@hono/zod-openapi';
import { checkDate, DATE_RANGE_MESSAGE } from '../../schemas/dates.js';
import { PHONE_MESSAGE, parsePhone } from '../../schemas/phone.js';
import { timeZoneSchema } from '../../schemas/time-zone.js';

const phone = z
  .string()
  .trim()
  .max(32, PHONE_MESSAGE)
  .transform((value, ctx) => {
    const parsed = parsePhone(value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed;
  })
  .openapi({
    type: 'string',
    description:
      'In international format, with or without spaces, dashes, dots or brackets; stored and ' +
      'returned as E.164 with its country. Null removes it.',
    example: '+44 7400 123456',
  });

const timeZone = timeZoneSchema({
  description:
    "The candidate's IANA time zone, for quiet hours (else the one their number implies, " +
    "else the organisation's). Null removes it.",
});

const firstName = z.string().trim().min(1, 'Empty; send null to remove it.').max(100).openapi({
  description: 'For mail merge, e.g. "Hi {firstName}". Null removes it.',
  example: 'Amara',
});

const consentAt = z.iso
  .datetime({ offset: true })
  .refine(
    (text) => {
      const ms = Date.parse(text);
      return !Number.isFinite(ms) || checkDate(ms) === 'ok';
    },
    { message: DATE_RANGE_MESSAGE, params: { code: 'date_out_of_range' } },
  )
  .openapi({
    description:
      'When it was given: an ISO 8601 date-time with offset, not later than a day ahead (a ' +
      'time ahead of the server clock is stored as now).',
    example: '2026-11-20T15:00:00Z',
  });

function consentInput(name: string, what: string) {
  return z
    .object({
      source: z
        .string()
        .trim()
        .min(1, 'Say where it was given.')
        .max(100)
        .openapi({ description: 'Where it was given.', example: 'career-site form' }),
      at: consentAt,
    })
    .strict()
    .openapi(name, { description: what });
}

const smsConsentInput = consentInput(
  'SmsConsentInput',
  'The candidate agreed to be texted by SMS at this number. Null withdraws the record.',
);
const whatsappOptInInput = consentInput(
  'WhatsappOptInInput',
  'The candidate opted in to WhatsApp messages at this number. Null withdraws the record.',
);

const RULES = [
  'Each field given replaces the stored one; a field left out keeps its value; `null` clears it',
  '(clearing the number clears nothing else). Consent belongs to a number: a number other than',
  'the stored one (a new recipient) clears the SMS consent and WhatsApp opt-in unless the same',
  'request gives them, and a number replacing another also clears both opt-outs (opt-outs are',
  'per number); after the number was cleared, the next one keeps the opt-outs on record, as it',
  'may be the same number again. Consent needs a number, stored or given with it. Opt-outs are',
  'not written here: they come from the candidate (STOP and START).',
].join(' ');

export const contactDetailsBodySchema = z
  .object({
    phone: phone.nullable().optional(),
    firstName: firstName.nullable().optional(),
    timeZone: timeZone.nullable().optional(),
    smsConsent: smsConsentInput.nullable().optional(),
    whatsappOptIn: whatsappOptInInput.nullable().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change.' })
  .openapi('ContactDetailsUpdate', {
    description: RULES,
    example: {
      phone: '+44 7400 123456',
      firstName: 'Amara',
      timeZone: 'Europe/London',
      smsConsent: { source: 'career-site form', at: '2026-11-20T15:00:00Z' },
    },
  });

export type ContactDetailsBody = z.infer<typeof contactDetailsBodySchema>;

const consentSchema = z
  .object({
    source: z.string().openapi({ example: 'career-site form' }),
    at: z.string().openapi({ example: '2026-11-20T15:00:00.000Z' }),
  })
  .openapi('Consent');

export const contactDetailsSchema = z
  .object({
    candidateId: z.string().openapi({ example: 'cand-1042' }),
    phone: z.string().nullable().openapi({ description: 'E.164.', example: '+447400123456' }),
    phoneCountry: z.string().nullable().openapi({
      description: "ISO 3166-1 alpha-2 of the number's country (`+1 787…` is `PR`).",
      example: 'GB',
    }),
    firstName: z.string().nullable().openapi({ example: 'Amara' }),
    timeZone: z.string().nullable().openapi({ example: 'Europe/London' }),
    smsConsent: consentSchema.nullable(),
    whatsappOptIn: consentSchema.nullable(),
    smsOptedOut: z.boolean().openapi({
      description: 'The candidate sent STOP (or the like) by SMS and has not opted back in.',
    }),
    smsOptedOutAt: z.string().nullable().openapi({ example: null }),
    whatsappOptedOut: z.boolean(),
    whatsappOptedOutAt: z.string().nullable().openapi({ example: null }),
    updatedAt: z.string().openapi({ example: '2026-11-20T15:00:01.000Z' }),
  })
  .openapi('ContactDetails', {
    example: {
      candidateId: 'cand-1042',
      phone: '+447400123456',
      phoneCountry: 'GB',
      firstName: 'Amara',
      timeZone: 'Europe/London',
      smsConsent: { source: 'career-site form', at: '2026-11-20T15:00:00.000Z' },
      whatsappOptIn: null,
      smsOptedOut: false,
      smsOptedOutAt: null,
      whatsappOptedOut: false,
      whatsappOptedOutAt: null,
      updatedAt: '2026-11-20T15:00:01.000Z',
    },
  });

export type ContactDetailsReply = z.infer<typeof contactDetailsSchema>;

export { RULES as CONTACT_RULES };
