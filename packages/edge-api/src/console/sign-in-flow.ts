// Console sign-in through the organisation's identity provider, as two steps around the
// provider's own pages. `start` records the attempt (PKCE verifier, nonce, where to return)
// under the hash of its `state` and says where to send the browser; `finish` takes the attempt
// back exactly once (a replayed callback finds nothing), checks the provider's answer
// (`auth/oidc.ts`) and starts a session for the active user with that email. Nobody else gets
// in, unless the organisation turned on auto-provisioning: then a new user with the lowest role
// and no licence. Failures are values with the status and the words the sign-in page shows.
import { and, eq } from 'drizzle-orm';
import { loadOrgSignIn, oidcOptions } from '../auth/identity-provider.js';
import { authorizationRequest, completeSignIn } from '../auth/oidc.js';
import { createSession } from '../auth/sessions.js';
import { auditInsert } from '../db/audit.js';
import type { Db } from '../db/client.js';
import { signInAttempts, users } from '../db/schema.js';
import type { Bindings } from '../env.js';
import { sha256Hex } from '../utils/encoding.js';

/** How long a person has to sign in at the provider. */
export const ATTEMPT_TTL_MS = 10 * 60 * 1000;

export type Refused = { ok: false; status: 400 | 401 | 403 | 404 | 409 | 502; message: string };

export async function startSignIn(
  db: Db,
  env: Bindings,
  input: { orgId: string; returnTo: string | null; redirectUri: string; now: number },
): Promise<{ ok: true; url: string; state: string } | Refused> {
  const org = await loadOrgSignIn(db, env, input.orgId);
  if (!org) {
    return {
      ok: false,
      status: 404,
      message: `No organisation “${input.orgId}” signs in here. Check the name with your manager.`,
    };
  }
  if (!org.provider) return { ok: false, status: 409, message: noProvider(org) };
  let request: Awaited<ReturnType<typeof authorizationRequest>>;
  try {
    request = await authorizationRequest(org.provider, input.redirectUri, oidcOptions(env));
  } catch (error) {
    console.error(`sign-in: discovery of ${org.provider.issuer} failed`, error);
    return {
      ok: false,
      status: 502,
      message: `${org.orgName}’s identity provider could not be reached. Try again in a moment.`,
    };
  }
  await db.insert(signInAttempts).values({
    stateHash: await sha256Hex(request.pending.state),
    orgId: org.orgId,
    nonce: request.pending.nonce,
    codeVerifier: request.pending.codeVerifier,
    returnTo: input.returnTo,
    expiresAt: input.now + ATTEMPT_TTL_MS,
  });
  return { ok: true, url: request.url, state: request.pending.state };
}

const START_AGAIN = 'Start again from the sign-in page.';

function noProvider(org: { orgName: string; unreadable: boolean }): string {
  return org.unreadable
    ? `${org.orgName}’s identity provider settings cannot be used: the stored client secret does not open with this server’s key. A manager saves the settings again (Admin settings → Sign-in).`
    : `${org.orgName} has no identity provider set up yet: a manager sets it up first, with a manager API key (PUT /v1/settings/sign-in).`;
}

export async function finishSignIn(
  db: Db,
  env: Bindings,
  input: { callback: URL; browserState: string | null; redirectUri: string; now: number },
): Promise<{ ok: true; token: string; returnTo: string | null } | Refused> {
  const state = input.callback.searchParams.get('state');
  if (!state)
    return { ok: false, status: 400, message: `This sign-in answer has no state. ${START_AGAIN}` };
  // The state must be the one this browser started with: an answer meant for another browser
  // (a forged link, login CSRF) stops here and leaves that attempt untouched.
  if (state !== input.browserState) {
    return {
      ok: false,
      status: 400,
      message: `This sign-in was not started in this browser, or it has expired. ${START_AGAIN}`,
    };
  }
  const [attempt] = await db
    .delete(signInAttempts)
    .where(eq(signInAttempts.stateHash, await sha256Hex(state)))
    .returning();
  if (!attempt || attempt.expiresAt < input.now) {
    return {
      ok: false,
      status: 400,
      message: `This sign-in has already been used or has expired. ${START_AGAIN}`,
    };
  }
  const org = await loadOrgSignIn(db, env, attempt.orgId);
  if (!org?.provider) {
    return {
      ok: false,
      status: 409,
      message: org ? noProvider(org) : 'The organisation no longer exists.',
    };
  }
  const outcome = await completeSignIn(
    org.provider,
    input.redirectUri,
    input.callback,
    { state, nonce: attempt.nonce, codeVerifier: attempt.codeVerifier },
    oidcOptions(env),
  );
  if (!outcome.ok) {
    console.warn(`sign-in to ${org.orgId} refused: ${outcome.detail}`);
    await auditFailure(db, org.orgId, input.now, {
      issuer: org.provider.issuer,
      reason: outcome.reason,
    });
    return { ok: false, status: 401, message: `${outcome.reason} ${START_AGAIN}` };
  }
  const user = await userFor(db, org, outcome, input.now);
  if (!user.ok) {
    await auditFailure(db, org.orgId, input.now, {
      issuer: org.provider.issuer,
      email: outcome.email,
      reason: user.message,
    });
    return user;
  }
  const token = await createSession(db, { id: user.id, orgId: org.orgId }, input.now, env);
  await auditInsert(db, {
    orgId: org.orgId,
    at: input.now,
    actor: `user:${user.id}`,
    action: 'user.signed_in',
    subject: user.id,
    details: { issuer: org.provider.issuer, subject: outcome.subject },
  });
  return { ok: true, token, returnTo: attempt.returnTo };
}

/**
 * A failed sign-in the organisation can be told of: the provider's answer refused, or a person
 * it vouched for who may not come in. (A callback that names no attempt of this browser has no
 * organisation to log to; the sign-in rate limit is its guard.)
 */
async function auditFailure(
  db: Db,
  orgId: string,
  now: number,
  details: { issuer: string; reason: string; email?: string },
) {
  await auditInsert(db, {
    orgId,
    at: now,
    actor: 'system',
    action: 'user.sign_in_failed',
    subject: details.email ?? null,
    details,
  });
}

/** The active user with the verified email, a new one if the organisation provisions, or why not. */
async function userFor(
  db: Db,
  org: { orgId: string; orgName: string; autoProvision: boolean },
  person: { email: string; name: string | null },
  now: number,
): Promise<{ ok: true; id: string } | Refused> {
  const [existing] = await db
    .select({ id: users.id, deactivatedAt: users.deactivatedAt })
    .from(users)
    .where(and(eq(users.orgId, org.orgId), eq(users.email, person.email)));
  if (existing?.deactivatedAt === null) return { ok: true, id: existing.id };
  if (existing) {
    return {
      ok: false,
      status: 403,
      message: `${person.email} is deactivated in ${org.orgName}. Ask a manager to reactivate you.`,
    };
  }
  if (!org.autoProvision) {
    return {
      ok: false,
      status: 403,
      message: `${person.email} is not a user of ${org.orgName}. Ask a manager to invite you.`,
    };
  }
  const id = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  await db.batch([
    db.insert(users).values({
      id,
      orgId: org.orgId,
      email: person.email,
      displayName: person.name ?? person.email.split('@')[0] ?? person.email,
      role: 'user',
      licence: false,
      createdAt: now,
      updatedAt: now,
    }),
    auditInsert(db, {
      orgId: org.orgId,
      at: now,
      actor: 'system',
      action: 'user.provisioned',
      subject: id,
      details: { email: person.email, role: 'user', licence: false },
    }),
  ]);
  return { ok: true, id };
}
