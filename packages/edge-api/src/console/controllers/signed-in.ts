// A console route's handler behind the signed-in check: the session, or its redirect to sign in.
import type { Context } from 'hono';
import type { AppEnv } from '../../env.js';
import type { Session, SignedIn } from '../auth.js';

/** The context of a route at `Path`, which types its `:id`. */
export type At<Path extends string> = Context<AppEnv, Path>;

export function whenSignedIn<Path extends string>(
  signedIn: SignedIn,
  handler: (c: At<Path>, signed: Session) => Promise<Response>,
) {
  return async (c: At<Path>): Promise<Response> => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    return handler(c, signed);
  };
}
