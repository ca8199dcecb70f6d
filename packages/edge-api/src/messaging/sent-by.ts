// Who sent an outbound text (`messages.sent_by`), besides a person (`user:<id>`), a key
// (`key:<id>`) and a campaign (`campaign:<id>`): the conversation shows it, and delivery treats
// the system's own answers differently.

/** Replies the system makes to a candidate's own message (HELP) go at once, quiet hours or not. */
export const SYSTEM_REPLY = 'system:reply';

/** A person's automatic reply: `auto-reply:user:<id>`, an ordinary text in every other way. */
export const AUTO_REPLY_PREFIX = 'auto-reply:';

/** A campaign's text: `campaign:<id>` (its automatic response is `auto-reply:campaign:<id>`). */
export function campaignSender(campaignId: string): string {
  return `campaign:${campaignId}`;
}
