// What a user change may not do, decided from the target as read and the organisation's counts.
// The same conditions are repeated inside the write (`write-users.ts`), so two managers acting
// at once cannot both take the last seat or both demote one of the last two admins.
import { roleAtLeast } from '../../auth/require-role.js';
import type { Role } from '../../db/schema.js';
import type { ApiCaller } from '../../env.js';
import type { ErrorCode } from '../../utils/errors.js';

export interface Refusal {
  code: ErrorCode;
  message: string;
}

/** The target user as the rules need it. */
export interface Target {
  email: string;
  role: Role;
  licence: boolean;
  active: boolean;
}

/** A change in the rules' terms: the role and licence the user would have, and whether active. */
export interface Change {
  role: Role;
  licence: boolean;
  active: boolean;
}

export interface Counts {
  /** Active admins other than the target. */
  otherAdmins: number;
  /** Active users other than the target holding a licence. */
  otherLicensed: number;
  seats: number;
}

/** Whether the change leaves the organisation without this active admin. */
export function removesAdmin(target: Target | null, change: Change): boolean {
  return (
    target?.active === true &&
    target.role === 'admin' &&
    (!change.active || change.role !== 'admin')
  );
}

/** Whether the change makes the user hold a seat they did not hold. */
export function takesSeat(target: Target | null, change: Change): boolean {
  return change.active && change.licence && !(target?.active && target.licence);
}

export function refusal(
  caller: ApiCaller,
  target: Target | null,
  change: Change,
  counts: Counts,
): Refusal | null {
  if (!roleAtLeast(caller.role, 'admin')) {
    if (target?.role === 'admin') {
      return { code: 'forbidden', message: `Only an admin can change an admin (${target.email}).` };
    }
    if (change.role === 'admin') {
      return { code: 'forbidden', message: 'Only an admin can make someone an admin.' };
    }
  }
  if (removesAdmin(target, change) && counts.otherAdmins === 0) {
    return {
      code: 'last_admin',
      message: `${target?.email} is the last active admin: make someone else admin first.`,
    };
  }
  if (takesSeat(target, change) && counts.otherLicensed >= counts.seats) {
    return {
      code: 'seats_exhausted',
      message: `All messaging licences are in use (${counts.otherLicensed} of ${counts.seats}): take one from someone, or add seats, first.`,
    };
  }
  return null;
}
