// Sending a text: everything decided before anything is written, then one guarded batch.
// The order of the checks is the order a recruiter needs the answer in: is there a number, may we
// text it at all (opt-out, consent), on which channel and from which sender, is the content allowed
// (WhatsApp's window, Messenger's reply-only), does it use a monthly contact and is one left, and
// when may it be delivered (quiet hours). The monthly contact is taken inside the batch with the
// count as a guard, so two sends racing for the last one cannot both win.

import type { Channel } from '../../db/schema.js';
import {
  candidateInitiatedAllowed,
  contactDecision,
  periodOf,
  type Refusal,
  sendWindow,
  smsRoute,
  whatsappContentRule,
  whatsappRoute,
  zoneFor,
} from '../../messaging/rules/index.js';
import type { ErrorCode } from '../../utils/errors.js';

/** What a send needs to know, read in one go (`load-send.ts`). */
export interface SendContext {
  now: number;
  org: {
    id: string;
    name: string;
    allowance: number;
    zone: string;
    window: { startHour: number; endHour: number };
    senderNumbers: Record<string, string[]>;
    whatsappSender: string | null;
  };
  candidate: { id: string; externalId: string } | null;
  details: {
    phone: string | null;
    timeZone: string | null;
    phoneCountry: string | null;
    smsConsentAt: number | null;
    whatsappOptInAt: number | null;
    smsOptedOutAt: number | null;
    whatsappOptedOutAt: number | null;
    lastInboundWhatsappAt: number | null;
    lastInboundMessengerAt: number | null;
    lastInboundWechatAt: number | null;
    lastMessagedAt: number | null;
  } | null;
  /** Messenger/WeChat: the address the candidate last wrote from on that channel. */
  chatAddress: string | null;
  /** The sending person's own number, if any. */
  userSender: string | null;
  /** Contacts used in the current period. */
  used: number;
}

export interface SendRequest {
  channel: Channel;
  body?: string | undefined;
  templateId?: string | undefined;
}

/** A decided send: where from, where to, whether it uses a contact, and when it may go. */
export interface SendPlan {
  from: string;
  to: string;
  usesContact: boolean;
  period: string;
  /** Null: now. */
  scheduledFor: number | null;
}

export interface SendRefusal {
  code: ErrorCode;
  message: string;
}

function refused(refusal: Refusal): SendRefusal {
  return { code: refusal.code as ErrorCode, message: refusal.message };
}

/** Where the text goes and from which number, or why it cannot go on this channel. */
function route(ctx: SendContext, request: SendRequest): { from: string; to: string } | SendRefusal {
  const details = ctx.details;
  const phone = details?.phone ?? null;
  const now = ctx.now;
  if (request.channel === 'messenger' || request.channel === 'wechat') {
    const lastInbound =
      request.channel === 'messenger'
        ? (details?.lastInboundMessengerAt ?? null)
        : (details?.lastInboundWechatAt ?? null);
    const allowed = candidateInitiatedAllowed(lastInbound, now);
    if (!allowed.ok) return refused(allowed);
    if (!ctx.chatAddress) {
      return {
        code: 'reply_window_closed',
        message: 'The candidate has not written on this channel; wait for their message.',
      };
    }
    return { from: request.channel, to: ctx.chatAddress };
  }
  if (!details || !phone) {
    return {
      code: 'no_phone_number',
      message: 'The candidate has no phone number; add one with PUT /v1/candidates/{id}/contact.',
    };
  }
  if (request.channel === 'sms') {
    if (details.smsOptedOutAt !== null) {
      return { code: 'opted_out', message: 'The candidate opted out of SMS (replied STOP).' };
    }
    if (details.smsConsentAt === null) {
      return { code: 'no_consent', message: 'The candidate has not consented to SMS.' };
    }
    if (request.templateId) {
      return { code: 'invalid_request', message: 'Templates are for WhatsApp; send a `body`.' };
    }
    const sms = smsRoute(phone, {
      orgSenders: ctx.org.senderNumbers,
      userSender: ctx.userSender,
    });
    return sms.ok ? { from: sms.from, to: phone } : refused(sms);
  }
  if (details.whatsappOptedOutAt !== null) {
    return { code: 'opted_out', message: 'The candidate opted out of WhatsApp (replied STOP).' };
  }
  if (details.whatsappOptInAt === null) {
    return { code: 'no_consent', message: 'The candidate has not opted in to WhatsApp.' };
  }
  const whatsapp = whatsappRoute(phone, { whatsappSender: ctx.org.whatsappSender });
  if (!whatsapp.ok) return refused(whatsapp);
  const content = whatsappContentRule({
    hasTemplate: request.templateId !== undefined,
    lastInboundAt: details.lastInboundWhatsappAt,
    now,
  });
  if (!content.ok) return refused(content);
  return { from: `whatsapp:${whatsapp.from}`, to: `whatsapp:${phone}` };
}

export function planSend(ctx: SendContext, request: SendRequest): SendPlan | SendRefusal {
  const where = route(ctx, request);
  if ('code' in where) return where;
  const decision = contactDecision({
    lastMessagedAt: ctx.details?.lastMessagedAt ?? null,
    now: ctx.now,
    used: ctx.used,
    allowance: ctx.org.allowance,
    zone: ctx.org.zone,
  });
  if (!decision.ok) return refused(decision);
  const zone = zoneFor({
    candidateZone: ctx.details?.timeZone ?? null,
    numberCountry: ctx.details?.phoneCountry ?? null,
    orgZone: ctx.org.zone,
  });
  const window = sendWindow(ctx.now, zone.zone, ctx.org.window);
  return {
    ...where,
    usesContact: decision.usesContact,
    period: periodOf(ctx.now, ctx.org.zone).label,
    scheduledFor: window.open ? null : window.opensAt,
  };
}
