// The organisation's people by id, for pages that show who did something (`user:<id>` actors,
// a key's creator). Listing them needs the manager role: without it (or on any refusal) the map
// is empty and pages show the ids.
import type { Client } from '../client/index.js';
import { settle } from './api.js';

export async function peopleNames(client: Client): Promise<Map<string, string>> {
  const people = await settle(client.listUsers());
  return new Map(
    people.ok ? people.data.users.map((user) => [user.id, user.displayName] as const) : [],
  );
}
