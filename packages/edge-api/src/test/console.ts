// Console test support: a signed-in browser as a cookie. `sessionCookie(key)` makes a person with
// the role of that API key in the key's organisation and starts their session the way the
// sign-in callback does (the sign-in itself is tested in src/console/sign-in.test.ts).
import { env } from 'cloudflare:workers';
import { hashApiKey } from '../auth/api-keys.js';
import { createSession } from '../auth/sessions.js';
import { database } from '../db/client.js';
import type { Role } from '../db/schema.js';
import { request, rid } from './client.js';

export interface TestPerson {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  cookie: string;
}

/** A new active user in `orgId` (licensed unless told otherwise). */
export async function createPerson(
  orgId: string,
  role: Role,
  options: { licence?: boolean; email?: string } = {},
): Promise<{ id: string; email: string }> {
  const id = rid('usr');
  const email = options.email ?? `${id.toLowerCase()}@people.test`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO users (id, org_id, email, display_name, role, licence, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(id, orgId, email, `Test ${role}`, role, options.licence === false ? 0 : 1, now, now)
    .run();
  return { id, email };
}

/** A signed-in person with the organisation and role of API key `key`. */
export async function signedInAs(key: string): Promise<TestPerson> {
  const row = await env.DB.prepare('SELECT org_id, role FROM api_keys WHERE key_hash = ?')
    .bind(await hashApiKey(key))
    .first<{ org_id: string; role: Role }>();
  if (!row) throw new Error(`no key ${key}`);
  const person = await createPerson(row.org_id, row.role);
  const token = await createSession(
    database(env.DB),
    { id: person.id, orgId: row.org_id },
    Date.now(),
  );
  return { ...person, orgId: row.org_id, role: row.role, cookie: `cxm_session=${token}` };
}

/** The console's own origin in tests: its forms must come from it (the same-origin check). */
export const CONSOLE_ORIGIN = 'http://api.test';

/** A console page as a browser with `cookie` gets it (redirects not followed). */
export function page(path: string, cookie: string) {
  return request(path, { headers: { cookie }, redirect: 'manual' });
}

/** A console form posted from `origin` (the console's own unless told otherwise). */
export function post(
  path: string,
  cookie: string,
  form: Record<string, string>,
  origin = CONSOLE_ORIGIN,
) {
  return request(path, {
    method: 'POST',
    headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}
