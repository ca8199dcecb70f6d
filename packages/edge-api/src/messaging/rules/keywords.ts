// Inbound keywords: a candidate who texts STOP must receive nothing more, START undoes it, HELP
// gets a reply saying who is texting and how to stop. A keyword counts only when it is the whole
// message (Twilio's rule: "STOP" opts out, "stop please" is a message for the recruiter), in any
// case, with surrounding spaces and line breaks ignored.

export type InboundKind = 'opt_out' | 'opt_in' | 'help' | 'message';

/** Twilio's default opt-out keywords (OPTOUT and REVOKE joined in 2025 with the FCC's rules). */
export const OPT_OUT_KEYWORDS: readonly string[] = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'END',
  'QUIT',
  'CANCEL',
  'OPTOUT',
  'REVOKE',
];

export const OPT_IN_KEYWORDS: readonly string[] = ['START', 'UNSTOP', 'YES'];

/** Only HELP: INFO is a word candidates use in ordinary replies ("info on the role?"). */
export const HELP_KEYWORDS: readonly string[] = ['HELP'];

/** Punctuation and whitespace around a word (`"Stop."`, `STOP!!`, `« stop »`). */
const AROUND = /^[\p{P}\s]+|[\p{P}\s]+$/gu;

/**
 * What an inbound message means. Punctuation is forgiven for opt-outs only: "STOP." or "Stop!"
 * is someone asking to stop, and wrongly stopping is the safe mistake (the worst case is a
 * candidate who must text START). Opt-in and HELP stay exact, as Twilio matches them: reading
 * "Yes." as an opt-in would make us believe a number is open while Twilio still blocks it.
 */
export function classifyInbound(body: string): InboundKind {
  const exact = body.trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.includes(exact)) return 'opt_out';
  if (OPT_IN_KEYWORDS.includes(exact)) return 'opt_in';
  if (HELP_KEYWORDS.includes(exact)) return 'help';
  if (OPT_OUT_KEYWORDS.includes(exact.replace(AROUND, ''))) return 'opt_out';
  return 'message';
}

/** The answer to HELP: who is texting, and how to stop and start again. */
export function helpReply(orgName: string): string {
  const name = orgName.trim() || 'This organisation';
  return `${name}: messages about your job applications. Reply STOP to opt out, START to opt back in.`;
}
