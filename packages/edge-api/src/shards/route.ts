// Routing a request or job to its organisation's shard: the environment to run with (`shardEnv`:
// DB is the shard), or `moving` while a move holds the organisation's writes (the caller answers
// 503 with Retry-After, or a queue job waits and comes back). With one database configured every
// route is the environment itself, read from nothing.
import type { Context } from 'hono';
import type { AppEnv, Bindings } from '../env.js';
import { apiError, errorResponse } from '../utils/errors.js';
import { type HintKind, hintedOrg, type OrgPlace, orgPlace } from './directory.js';
import { FIRST_SHARD, isSharded, shardEnv, shardNames } from './shards.js';

/**
 * Where to run: `shard`, or `moving` while a move holds the organisation's writes; its `env` is
 * then the shard being copied from, still whole, for what only reads (a site's settings).
 */
export type Route =
  | { kind: 'shard'; env: Bindings }
  | { kind: 'moving'; orgId: string; env: Bindings };

/** How long a caller is told to wait while its organisation moves (a move's freeze is seconds). */
export const MOVING_RETRY_SECONDS = 5;

function envOf(env: Bindings, shard: string): Bindings {
  return isSharded(env) ? shardEnv(env, shard) : env;
}

/** The route of a place. */
export function routeTo(env: Bindings, orgId: string, place: OrgPlace): Route {
  const on = envOf(env, place.shard);
  return place.moving ? { kind: 'moving', orgId, env: on } : { kind: 'shard', env: on };
}

/** The route of an organisation known by id (a token's, a job's, a sign-in form's). */
export async function routeOrg(env: Bindings, orgId: string): Promise<Route> {
  return routeTo(env, orgId, await orgPlace(env, orgId));
}

/**
 * The route of whatever a site key, API key hash or session token hash names; the first shard
 * when the directory has no hint of it (rows written by SQL alone, such as the dev seed's).
 */
export async function routeHint(env: Bindings, kind: HintKind, key: string): Promise<Route> {
  const hinted = await hintedOrg(env, kind, key);
  return hinted
    ? routeTo(env, hinted.orgId, hinted.place)
    : { kind: 'shard', env: envOf(env, FIRST_SHARD) };
}

/**
 * For requests nobody will send again (a link's click, a provider's callback): while the
 * organisation moves, wait for the move to end, reading the directory afresh every half second,
 * up to `maxWaitMs`; still moving then, `moving`.
 */
export async function routeOrgWaiting(
  env: Bindings,
  orgId: string,
  maxWaitMs = 10_000,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((done) => setTimeout(done, ms)),
): Promise<Route> {
  let route = await routeOrg(env, orgId);
  for (let waited = 0; route.kind === 'moving' && waited < maxWaitMs; waited += 500) {
    await pause(500);
    route = routeTo(env, orgId, await orgPlace(env, orgId, { fresh: true }));
  }
  return route;
}

/**
 * The route of the organisation owning a row only its shard can tell (a text's link code, a
 * message in a provider's callback, the sender of an inbound text), waiting out a move as
 * `routeOrgWaiting` does; null when no shard has it. With one database, that database, probing
 * nothing: the handler's own read finds the row or not. With shards, each is probed with its own
 * point read (nothing crosses shards): an answer without `at` ends the search (one shard at most
 * can have it); otherwise every shard answers and the largest `at` wins (null last), as one
 * database's ORDER BY would decide it (an inbound text goes to the organisation that last texted
 * or heard from its sender).
 */
export async function routeFound(
  env: Bindings,
  probe: (shard: Bindings) => Promise<{ orgId: string; at?: number | null } | null>,
): Promise<Route | null> {
  if (!isSharded(env)) return { kind: 'shard', env };
  let best: { orgId: string; at?: number | null } | null = null;
  for (const name of shardNames(env)) {
    const found = await probe(shardEnv(env, name));
    if (!found) continue;
    if (found.at === undefined) {
      best = found;
      break;
    }
    if (best === null || (found.at ?? -1) > (best.at ?? -1)) best = found;
  }
  return best ? routeOrgWaiting(env, best.orgId) : null;
}

/** The 503 a request of a moving organisation gets. */
export function movingResponse(c: Context<AppEnv>): Response {
  return errorResponse(
    c,
    apiError(
      'organisation_moving',
      `This organisation's data is moving to another database; send the request again in ${MOVING_RETRY_SECONDS} seconds.`,
    ),
    { 'Retry-After': String(MOVING_RETRY_SECONDS) },
  );
}
