// WhatsApp's customer-service window: a business may send free text only within 24 hours of the
// person's last message to it. After that only a template Meta has approved may start the
// conversation again. Messenger and WeChat keep the same 24-hour reply window (channels.ts).
import { type Refusal, refuse } from './result.js';

export const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Whether `now` falls within 24 hours of the last inbound message: 23:59:59.999 later yes,
 * exactly 24 hours later no (the window is half-open, [inbound, inbound + 24 h)). No inbound
 * message ever (null, or a timestamp that is not a number) means no window. An inbound time a
 * little ahead of `now` (two machines' clocks) counts as just received.
 */
export function withinReplyWindow(lastInboundAt: number | null, now: number): boolean {
  if (lastInboundAt === null || !Number.isFinite(lastInboundAt)) return false;
  return now - lastInboundAt < REPLY_WINDOW_MS;
}

/** Whether free text (not a template) may go to the candidate on WhatsApp at `now`. */
export function whatsappFreeformAllowed(lastInboundAt: number | null, now: number): boolean {
  return withinReplyWindow(lastInboundAt, now);
}

export interface WhatsappContent {
  /** The message is an approved template (it has a `templateId`), not free text. */
  hasTemplate: boolean;
  lastInboundAt: number | null;
  now: number;
}

export type WhatsappContentResult = { ok: true } | Refusal<'whatsapp_window_closed'>;

/** A template may go at any time; free text only inside the window. */
export function whatsappContentRule(content: WhatsappContent): WhatsappContentResult {
  if (content.hasTemplate || whatsappFreeformAllowed(content.lastInboundAt, content.now)) {
    return { ok: true };
  }
  return refuse(
    'whatsapp_window_closed',
    "WhatsApp allows free text only within 24 hours of the candidate's last message; send an approved template instead",
  );
}
