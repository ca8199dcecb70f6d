// Schemas of the organisation's messaging settings (`/v1/settings/messaging`): the monthly contact
// allowance, the organisation's time zone, the hours texts may go in, and the numbers they go
// from. Every check that needs no database is here, so a refusal names the field it is about
// (`sendHours.start`, `senderNumbers.GB`); whether a number is another organisation's is decided
// when writing (`write-messaging-settings.ts`).
import { z } from '@hono/zod-openapi';
import { countryName, SEND_HOURS, SMS_COUNTRIES } from '../../messaging/rules/index.js';
import { PHONE_MESSAGE, parsePhone } from '../../schemas/phone.js';
import { timeZoneSchema } from '../../schemas/time-zone.js';

/** Far above any plan sold today; it only keeps a typo (an extra few zeros) out. */
export const MAX_ALLOWANCE = 1_000_000;

const { startHour: EARLIEST, endHour: LATEST } = SEND_HOURS;
const hh = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

export const WIDENING_MESSAGE = `Texts may go only between ${hh(EARLIEST)} and ${hh(LATEST)} local time: an organisation may narrow these hours, never widen them.`;

const SMS_LIST = Object.keys(SMS_COUNTRIES).join(', ');

const DESCRIPTIONS = {
  monthlyContactAllowance:
    'Monthly contacts the organisation may use: a text to a candidate not messaged in the last 45 days uses one. Raising it is how more are bought; every change is audited.',
  timeZone:
    'IANA time zone: the allowance renews at midnight on the 1st of each month on its clock, and quiet hours use it for candidates whose own zone is unknown.',
  sendHours: `Whole local hours texts may be delivered in, on the candidate's clock: from \`start\`:00 to before \`end\`:00. At most ${hh(EARLIEST)}–${hh(LATEST)}; an organisation may narrow it, never widen it.`,
  senderNumbers: `SMS sender numbers by country (ISO 3166-1 alpha-2 → E.164): a text goes from the number in the candidate's country (a person's own sender number in that country wins). Only SMS countries: ${SMS_LIST}. Each number must be that country's and not another organisation's.`,
  whatsappSender:
    'The WhatsApp Business sender (E.164), or null: WhatsApp texts go from it. Not another organisation’s.',
} as const;

const sendHoursSchema = z
  .object({
    start: z.number().int().openapi({ example: 9 }),
    end: z.number().int().openapi({ example: 18 }),
  })
  .openapi('SendHours', { description: DESCRIPTIONS.sendHours });

export const messagingSettingsSchema = z
  .object({
    monthlyContactAllowance: z
      .number()
      .int()
      .openapi({ description: DESCRIPTIONS.monthlyContactAllowance, example: 500 }),
    timeZone: z.string().openapi({ description: DESCRIPTIONS.timeZone, example: 'Europe/London' }),
    sendHours: sendHoursSchema,
    senderNumbers: z.record(z.string(), z.string()).openapi({
      description: DESCRIPTIONS.senderNumbers,
      example: { GB: '+447400123456', US: '+14155550100' },
    }),
    whatsappSender: z
      .string()
      .nullable()
      .openapi({ description: DESCRIPTIONS.whatsappSender, example: '+14155550199' }),
  })
  .openapi('MessagingSettings');

export type MessagingSettings = z.infer<typeof messagingSettingsSchema>;

const allowance = z
  .number({ error: 'A whole number of contacts.' })
  .int('A whole number of contacts.')
  .min(0, 'Cannot be negative.')
  .max(MAX_ALLOWANCE, `At most ${MAX_ALLOWANCE.toLocaleString('en-GB')} a month.`);

const timeZone = timeZoneSchema();

const hour = z.number({ error: 'A whole hour, e.g. 9.' }).int('A whole hour, e.g. 9.');

const sendHoursInput = z
  .object({ start: hour, end: hour })
  .strict()
  .superRefine((hours, ctx) => {
    if (hours.start < EARLIEST)
      ctx.addIssue({ code: 'custom', path: ['start'], message: WIDENING_MESSAGE });
    if (hours.end > LATEST)
      ctx.addIssue({ code: 'custom', path: ['end'], message: WIDENING_MESSAGE });
    if (hours.start >= hours.end) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `The end (${hh(hours.end)}) must be after the start (${hh(hours.start)}).`,
      });
    }
  })
  .openapi('SendHoursInput', { description: DESCRIPTIONS.sendHours });

/** One number as the API keeps it (E.164), or why it cannot be: `PHONE_MESSAGE` and the like. */
function e164(value: string, ctx: z.RefinementCtx, path: (string | number)[] = []) {
  const parsed = parsePhone(value.trim());
  if ('problem' in parsed) {
    ctx.addIssue({ code: 'custom', path, message: parsed.problem });
    return null;
  }
  return parsed;
}

const senderNumbersInput = z
  .record(z.string().max(8), z.string().max(32, PHONE_MESSAGE))
  .transform((numbers, ctx) => {
    const out: Record<string, string> = {};
    for (const [given, value] of Object.entries(numbers)) {
      const country = given.trim().toUpperCase();
      if (!/^[A-Z]{2}$/.test(country)) {
        ctx.addIssue({
          code: 'custom',
          path: [given],
          message: `${JSON.stringify(given)} is not a country code: use ISO 3166-1 alpha-2, e.g. GB.`,
        });
        continue;
      }
      if (!(country in SMS_COUNTRIES)) {
        ctx.addIssue({
          code: 'custom',
          path: [given],
          message: `SMS is not supported to ${countryName(country)} (${country}), so it takes no sender number; SMS countries: ${SMS_LIST}.`,
        });
        continue;
      }
      if (country in out) {
        ctx.addIssue({ code: 'custom', path: [given], message: `${country} is given twice.` });
        continue;
      }
      const parsed = e164(value, ctx, [given]);
      if (!parsed) continue;
      if (parsed.country !== country) {
        ctx.addIssue({
          code: 'custom',
          path: [given],
          message: `${parsed.number} is a number of ${countryName(parsed.country)} (${parsed.country}), not of ${countryName(country)}: texts to ${country} go from a ${country} number.`,
        });
        continue;
      }
      out[country] = parsed.number;
    }
    return out;
  })
  .openapi({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: `${DESCRIPTIONS.senderNumbers} Replaces all of them: a country left out has none. Numbers may be written with spaces, dashes or brackets.`,
    example: { GB: '+44 7400 123456' },
  });

const whatsappSenderInput = z
  .string()
  .max(32, PHONE_MESSAGE)
  .transform((value, ctx) => e164(value, ctx)?.number ?? z.NEVER)
  .openapi({ type: 'string', example: '+14155550199' });

export const messagingSettingsBodySchema = z
  .object({
    monthlyContactAllowance: allowance.optional().openapi({
      description: DESCRIPTIONS.monthlyContactAllowance,
      example: 500,
    }),
    timeZone: timeZone.optional().openapi({ description: DESCRIPTIONS.timeZone }),
    sendHours: sendHoursInput.optional(),
    senderNumbers: senderNumbersInput.optional(),
    whatsappSender: whatsappSenderInput
      .nullable()
      .optional()
      .openapi({ description: `${DESCRIPTIONS.whatsappSender} Null removes it.` }),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change.' })
  .openapi('MessagingSettingsUpdate', {
    description:
      'Only the fields given change; the reply is the whole settings. Refusals are 400 with an issue per field (e.g. `senderNumbers.GB`), or 409 `sender_number_taken` for a number another organisation uses.',
    example: {
      monthlyContactAllowance: 750,
      sendHours: { start: 9, end: 18 },
      senderNumbers: { GB: '+44 7400 123456' },
    },
  });

export type MessagingSettingsBody = z.infer<typeof messagingSettingsBodySchema>;
