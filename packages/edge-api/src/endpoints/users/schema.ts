// Schemas of user management (`/v1/users`): the people who use the console, their roles and
// messaging licences.
import { z } from '@hono/zod-openapi';
import { parsePhone } from '../../schemas/phone.js';
import { roleSchema } from '../keys/schema.js';

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    role: roleSchema,
    licence: z
      .boolean()
      .openapi({ description: 'A messaging licence: needed to text candidates.' }),
    senderPhone: z
      .string()
      .nullable()
      .openapi({ description: 'E.164. This person’s texts go from it where it fits the country.' }),
    autoReply: z.string().nullable().openapi({
      description: 'Sent when a candidate replies and no campaign auto-response applies.',
    }),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastSignedInAt: z.string().nullable(),
    deactivatedAt: z.string().nullable(),
  })
  .openapi('User');

export const licencesSchema = z
  .object({
    seats: z.number().int().openapi({ description: 'Messaging licences the organisation holds.' }),
    used: z.number().int().openapi({ description: 'Active users holding one.' }),
  })
  .openapi('Licences');

export const userListSchema = z
  .object({ users: z.array(userSchema), licences: licencesSchema })
  .openapi('Users');

const email = z
  .string()
  .trim()
  .max(254)
  .email('Not an email address.')
  .transform((value) => value.toLowerCase());

const displayName = z.string().trim().min(1, 'Give a name.').max(100);

/** E.164 after parsing: `+44 20 7946 0958` is stored as `+442079460958`; an invalid number is a 400. */
const senderPhone = z
  .string()
  .trim()
  .max(32)
  .transform((value, ctx) => {
    const parsed = parsePhone(value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed.number;
  })
  .openapi({ type: 'string', example: '+14155550123' });

const autoReply = z.string().trim().min(1, 'Empty; send null to remove it.').max(1600);

export const createUserBodySchema = z
  .object({
    email,
    displayName,
    role: roleSchema.default('user'),
    licence: z.boolean().default(false),
    senderPhone: senderPhone.nullable().optional(),
    autoReply: autoReply.nullable().optional(),
  })
  .strict()
  .openapi('UserCreate');

export const updateUserBodySchema = z
  .object({
    displayName: displayName.optional(),
    role: roleSchema.optional(),
    licence: z.boolean().optional(),
    senderPhone: senderPhone.nullable().optional(),
    autoReply: autoReply.nullable().optional(),
    active: z.literal(true).optional().openapi({
      description: 'Reactivates a deactivated user (without a licence; assign one again).',
    }),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change.' })
  .openapi('UserUpdate');

export const userIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
