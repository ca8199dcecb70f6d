// What makes a campaign definition whole, decided on the campaign as it would be after the write
// (a PATCH is checked merged with what is stored): the channel and its content, `{{url}}` with a
// url, and, for what the write changes, the url's origin and the send time against the
// organisation's send hours. The From rule is here too; whether the sender exists, is active and
// licensed is read (and guarded again) by `write-campaigns.ts`.
import { roleAtLeast } from '../../auth/require-role.js';
import type { ApiCaller } from '../../env.js';
import { destinationIssues } from '../../orgs/context.js';
import type { ErrorCode, Issue } from '../../utils/errors.js';
import { placeholdersOf } from './schema.js';

/** A campaign's content and schedule, in the API's terms. */
export interface Definition {
  channel: 'sms' | 'whatsapp';
  message: string | null;
  templateId: string | null;
  templateVariables: Record<string, string> | null;
  url: string | null;
  sendTime: string;
}

export interface OrgRules {
  linkOrigins: ReadonlySet<string>;
  sendHours: { start: number; end: number };
}

const hh = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

function issue(path: string, message: string, code = 'invalid'): Issue {
  return { path, code, message };
}

/** Minutes after midnight of `HH:MM`. */
function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/**
 * Problems of `next`. `changed` says which fields the write sets: a url or send time already
 * stored stays valid even if the organisation's allowlist or send hours narrowed since.
 */
export function definitionIssues(
  next: Definition,
  changed: ReadonlySet<keyof Definition>,
  org: OrgRules,
): Issue[] {
  const issues: Issue[] = [];
  if (next.channel === 'sms') {
    if (next.message === null) {
      issues.push(issue('message', 'An SMS campaign needs a message.'));
    }
    if (next.templateId !== null) {
      issues.push(
        issue('templateId', 'An SMS campaign sends its message, not a template: leave it out.'),
      );
    }
  } else {
    if (next.templateId === null) {
      issues.push(
        issue(
          'templateId',
          'A WhatsApp campaign needs an approved templateId: its texts are always outside the 24-hour window, where WhatsApp takes only templates.',
        ),
      );
    }
    if (next.message !== null) {
      issues.push(
        issue(
          'message',
          'A WhatsApp campaign sends a template, not a free message: use templateId (and templateVariables).',
        ),
      );
    }
  }
  if (next.templateVariables !== null && next.templateId === null) {
    issues.push(issue('templateVariables', 'templateVariables go with a templateId.'));
  }
  if (next.message !== null && next.url === null && placeholdersOf(next.message).includes('url')) {
    issues.push(
      issue(
        'message',
        'The message uses {{url}} but the campaign has no url: give one, or take {{url}} out.',
      ),
    );
  }
  if (changed.has('url') && next.url !== null) {
    issues.push(...destinationIssues([next.url], org.linkOrigins, () => 'url'));
  }
  if (changed.has('sendTime')) {
    const at = minutesOf(next.sendTime);
    const { start, end } = org.sendHours;
    if (at < start * 60 || at >= end * 60) {
      issues.push(
        issue(
          'sendTime',
          `${next.sendTime} is outside the organisation's send hours (${hh(start)}–${hh(end)}): no text could go then.`,
        ),
      );
    }
  }
  return issues;
}

export interface Refusal {
  code: ErrorCode;
  message: string;
  issues?: Issue[];
}

/**
 * The From rule: who the campaign's texts are from, or why the caller may not choose it. A person
 * defaults to themselves; a key is nobody, so it must name someone, and naming anyone other than
 * the calling person needs a manager or admin.
 */
export function chooseSender(
  caller: ApiCaller,
  fromUserId: string | undefined,
): { ok: true; userId: string } | { ok: false; refusal: Refusal } {
  if (fromUserId === undefined) {
    if (caller.kind === 'user') return { ok: true, userId: caller.id };
    const message =
      'An API key is not a person: give fromUserId, the user the campaign’s texts are from.';
    return {
      ok: false,
      refusal: { code: 'invalid_request', message, issues: [issue('fromUserId', message)] },
    };
  }
  if (
    !(caller.kind === 'user' && fromUserId === caller.id) &&
    !roleAtLeast(caller.role, 'manager')
  ) {
    return {
      ok: false,
      refusal: {
        code: 'forbidden',
        message: `Only a manager or admin may send a campaign from someone other than themselves; this ${caller.kind} is ${caller.role}.`,
      },
    };
  }
  return { ok: true, userId: fromUserId };
}

export interface SenderRow {
  id: string;
  licence: number;
  deactivated_at: number | null;
}

/** Why `sender` (read in the caller's organisation, or null) cannot send campaign texts. */
export function senderIssue(id: string, sender: SenderRow | null): Issue | null {
  if (!sender) return issue('fromUserId', `No user ${id} in this organisation.`);
  if (sender.deactivated_at !== null) {
    return issue('fromUserId', `${id} is deactivated: choose an active user.`);
  }
  if (sender.licence !== 1) {
    return issue(
      'fromUserId',
      `${id} has no messaging licence: texts can only be from a licensed user (a manager can give one under Users).`,
    );
  }
  return null;
}
