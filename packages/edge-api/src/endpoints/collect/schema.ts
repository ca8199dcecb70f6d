// The zod schema of a beacon (`POST /v1/collect`), checked at compile time against the
// tracker's wire types so the two cannot drift apart.

import { type BeaconPayload, type CollectReply, FINGERPRINT_USES } from '@cxm/tracker/wire';
import { z } from '@hono/zod-openapi';
import { OPTIONS } from '../../config.js';
import { checkDate, DATE_RANGE_MESSAGE } from '../../schemas/dates.js';

const randomId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 characters from [A-Za-z0-9_-]');

/** Epoch milliseconds from the client's clock. */
const clientTime = z
  .number()
  .int()
  .refine((ms) => checkDate(ms) === 'ok', {
    message: DATE_RANGE_MESSAGE,
    params: { code: 'date_out_of_range' },
  });

const pageUrl = z.string().min(1).max(OPTIONS.maxDetailLength);

const visitEvent = z.object({
  id: randomId,
  type: z.literal('visit_landing_page'),
  url: pageUrl,
  at: clientTime,
});

const formEvent = z.object({
  id: randomId,
  type: z.literal('submit_form'),
  url: pageUrl,
  /** The form's id or name attribute; never a field value. */
  form: z.string().max(200),
  at: clientTime,
});

export const beaconSchema = z
  .object({
    v: z.literal(1),
    site: z.string().min(1).max(100),
    visitor: z.object({
      /** The visitor: one browser profile's stored id (`stored`), or one page view's (`page`). */
      id: randomId,
      /** `fingerprint` (the FingerprintJS id as `id`) only from trackers cached before issue 14. */
      kind: z.enum(['fingerprint', 'stored', 'page']),
      /**
       * The FingerprintJS id beside the visitor id: a device hint shared by every profile of one
       * browser build on one device. Used only to recognise a profile whose storage was cleared,
       * while unambiguous (`src/identity/fingerprints.ts`; the reply's `fingerprint` says how).
       */
      fp: randomId.optional(),
      /** FingerprintJS version and confidence of `fp` (or, with kind `fingerprint`, of `id`). */
      version: z.string().max(32).optional(),
      confidence: z.number().min(0).max(1).optional(),
    }),
    identity: z.string().max(2048).optional(),
    automation: z.boolean().optional(),
    events: z
      .array(z.discriminatedUnion('type', [visitEvent, formEvent]))
      .max(OPTIONS.maxBeaconEvents),
  })
  .openapi('Beacon');

export const collectReplySchema = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    dropped: z.number().int(),
    tracking: z.boolean(),
    fingerprint: z.enum(FINGERPRINT_USES).openapi({
      description:
        'What the collector did with `visitor.fp` (events are always keyed on `visitor.id`): ' +
        '`none`: no `fp` sent; `noted`: kept as a hint for this browser profile, events ' +
        'attributed by the visitor id; `recognised`: the profile was new to an unambiguous ' +
        'fingerprint linked to a candidate, and is linked to that candidate provisionally (its ' +
        "events' attribution is `fingerprint`); `shared`: the fingerprint is shared by several " +
        'profiles or people and attributes nothing; `queued`: the beacon waits on the ingest ' +
        'queue, not known yet; `unused`: nothing was stored (tracking off, automated traffic).',
    }),
  })
  .openapi('CollectReply');

export type Beacon = z.infer<typeof beaconSchema>;

// Compile-time checks: the schema and the tracker's wire types accept the same values.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type BeaconMatchesWire = Assert<Mutual<Beacon, BeaconPayload>>;
export type ReplyMatchesWire = Assert<Mutual<z.infer<typeof collectReplySchema>, CollectReply>>;
